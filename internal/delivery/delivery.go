// Package delivery tests integrations from the user's machine the way GitLab's "Test settings"
// does: it builds the requests GitLab would send for a sample event (a chat message in the
// service's own format, a GitLab webhook payload, or a check of a tracker's endpoints), sends
// them, and reports each answer with secrets redacted.
package delivery

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/forgekit/integrations/internal/integrations"
)

// Target is what a test works from: the integration, its settings (secrets included) and the
// sample event to send.
type Target struct {
	Def    integrations.Definition
	Values map[string]string
	Event  string
	Sample Sample
	// CampfireURL replaces Campfire's address, https://SUBDOMAIN.campfirenow.com, which no
	// setting holds; tests point it at a loopback server.
	CampfireURL string
}

// Value is a setting, or the field's default when unset.
func (t Target) Value(key string) string {
	if v := strings.TrimSpace(t.Values[key]); v != "" {
		return v
	}
	if f, ok := t.Def.Field(key); ok {
		return f.Default
	}
	return ""
}

// Step is one HTTP request of a test.
type Step struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// OK decides success from the answer; nil means any 2xx status.
	OK func(status int, body []byte) (bool, string)
}

// Plan is a test's requests, in order, and the secret values to hide wherever they appear.
type Plan struct {
	Steps   []Step
	Secrets []string
}

// Builder makes the plan for one integration.
type Builder func(t Target) (Plan, error)

var builders = map[string]Builder{}

// register adds the builder for the named integrations; each kind's file calls it from init.
func register(b Builder, names ...string) {
	for _, n := range names {
		if _, dup := builders[n]; dup {
			panic("delivery: two builders for " + n)
		}
		builders[n] = b
	}
}

// NotTestableError is an integration that cannot be tested from outside the GitLab server.
type NotTestableError struct {
	Name string
	Why  string
}

func (e *NotTestableError) Error() string {
	return fmt.Sprintf("%s cannot be tested from here: %s", e.Name, e.Why)
}

// Testable reports whether def can be tested from this machine, and why not.
func Testable(def integrations.Definition) error {
	if why, ok := untestable[def.Name]; ok {
		return &NotTestableError{def.Name, why}
	}
	if def.Test.Testable != nil && !*def.Test.Testable {
		why := def.Test.What // the catalog says why GitLab has no test for it
		if why == "" {
			why = "GitLab offers no test for it"
		}
		return &NotTestableError{def.Name, why}
	}
	if _, ok := builders[def.Name]; !ok {
		return &NotTestableError{def.Name, "no test is known for it"}
	}
	return nil
}

// untestable names integrations that only the GitLab server can exercise.
var untestable = map[string]string{
	"gitlab_slack_application": "GitLab posts with the Slack app's bot token, which only the GitLab server holds",
	"emails_on_push":           "GitLab sends these e-mails itself, through its own mail settings",
	"pipelines_email":          "GitLab sends these e-mails itself, through its own mail settings",
	"irker":                    "GitLab's server talks to the irker daemon over a plain TCP socket on its network",
	"apple_app_store":          "the check needs App Store Connect credentials signed on the GitLab server",
	"google_play":              "the check needs a Google service-account token minted on the GitLab server",
	"google_cloud_platform_artifact_registry": "GitLab checks it as the signed-in user through Google Cloud",
	"github":          "GitLab's test updates a real commit status from pipeline data on the server",
	"jira_cloud_app":  "GitLab has no real test for it (its test always reports failure)",
	"amazon_q":        "it is set up through GitLab Duo, not tested",
	"mock_ci":         "it exists only in GitLab's development builds",
	"mock_monitoring": "it exists only in GitLab's development builds",
}

// Build makes the plan for t after checking that every URL it would call is an http(s) URL.
// Where a URL points is not checked: loopback and private addresses are fine, network policy is
// the server's business.
func Build(t Target) (Plan, error) {
	if err := Testable(t.Def); err != nil {
		return Plan{}, err
	}
	p, err := builders[t.Def.Name](t)
	if err != nil {
		return p, err
	}
	for _, f := range t.Def.Fields {
		if f.Masked() && t.Values[f.Key] != "" {
			p.Secrets = append(p.Secrets, t.Values[f.Key])
		}
	}
	for _, s := range p.Steps {
		for k, vs := range s.Header {
			if credentialHeader(k) {
				p.Secrets = append(p.Secrets, vs...)
			}
		}
	}
	for _, s := range p.Steps {
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return p, &ConfigError{fmt.Sprintf("%s: the address to test is not an http(s) URL", t.Def.Name)}
		}
	}
	return p, nil
}

// credentialHeader is a request header that carries a credential (Authorization, ZenTao's
// Token, X-Gitlab-Token, an API key): its value is a secret whatever field it came from.
func credentialHeader(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"auth", "token", "key", "secret", "password"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// ConfigError is settings a test cannot work from: a missing value, a malformed address.
type ConfigError struct{ msg string }

func (e *ConfigError) Error() string { return e.msg }

func missing(def integrations.Definition, keys ...string) error {
	return &ConfigError{fmt.Sprintf("%s: set %s before testing", def.Name, strings.Join(keys, " and "))}
}

// need returns the values of keys, or an error naming those that are empty.
func need(t Target, keys ...string) ([]string, error) {
	out := make([]string, len(keys))
	var empty []string
	for i, k := range keys {
		out[i] = t.Value(k)
		if out[i] == "" {
			empty = append(empty, k)
		}
	}
	if len(empty) > 0 {
		return nil, missing(t.Def, empty...)
	}
	return out, nil
}

// IsConfigError reports a test that cannot run because of the settings.
func IsConfigError(err error) bool {
	var ce *ConfigError
	return errors.As(err, &ce)
}

func jsonHeader() http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "GitLab/integrations-cli")
	return h
}

// Package integrations is the catalog of integration kinds GitLab offers: their fields, events and
// levels, and the rules that validate values for them. It is pure data and functions: no IO.
package integrations

import (
	"net/url"
	"slices"
	"strings"
)

// Kind is a field's type, as GitLab's field DSL names it.
type Kind string

const (
	Text        Kind = "text"
	Textarea    Kind = "textarea"
	Password    Kind = "password"
	Checkbox    Kind = "checkbox"
	Select      Kind = "select"
	Number      Kind = "number"
	StringArray Kind = "string_array"
)

// Level is where an integration may be set.
type Level string

const (
	Instance Level = "instance"
	Group    Level = "group"
	Project  Level = "project"
)

// Section groups fields the way GitLab's settings page does.
type Section string

const (
	NoSection        Section = ""
	Connection       Section = "connection"
	Configuration    Section = "configuration"
	JiraVerification Section = "jira_verification"
	// Trigger holds the per-event channel fields; GitLab shows them beside the event checkboxes.
	Trigger Section = "trigger"
)

// Status says whether GitLab still ships an integration.
type Status string

const (
	Active  Status = "active"
	Removed Status = "removed"
)

// Choice is one option of a select field: Label is shown, Value is sent to the API.
type Choice struct {
	Label string
	Value string
	// API is where GitLab's API accepts the value, when not wherever the field is.
	API Availability
}

// Field describes one setting of an integration. Key, Kind, Required, Secret, Choices and Default
// are facts GitLab's API holds us to; the rest is presentation.
type Field struct {
	Key      string
	Kind     Kind
	Required bool
	// RequiredWhen states, in words, the condition under which GitLab requires a field that the
	// API does not require unconditionally.
	RequiredWhen string
	// Secret fields are never returned by GitLab (password fields and the chat webhook): masked
	// in output, encrypted in the store, written to exports only as references.
	Secret bool
	// Sensitive fields are returned by GitLab but hold private keys; they are masked like secrets.
	Sensitive bool
	Default   string
	Choices   []Choice
	// APIOnly fields are accepted by the API but not shown on GitLab's settings page.
	APIOnly bool
	// ExposesSecrets fields clear the integration's stored secrets on GitLab when changed, unless
	// the secrets are sent again in the same update.
	ExposesSecrets bool
	// URL fields must hold an absolute http(s) URL.
	URL bool
	// Retired are kinds of address the receiving service no longer answers: a value matching
	// one is stored and sent, but nothing arrives.
	Retired []RetiredURL
	Section Section
	// Event is set on per-event channel fields: the event whose notifications the field routes.
	Event string
	// Edition notes fields that exist only in some GitLab editions or versions.
	Edition string
	// AppliesWhen hides the field while another field's value makes it meaningless.
	AppliesWhen *Condition
	// API is where GitLab's API declares the field (versions, edition).
	API Availability
	// check holds a rule GitLab's model enforces beyond the field's type, such as a format.
	check func(v string) error

	Title               string
	Help                string
	Placeholder         string
	CheckboxLabel       string
	NonEmptySecretTitle string
	NonEmptySecretHelp  string
}

// RetiredURL is a kind of address a service has stopped serving: a host (or any host below it)
// and, where only part of the host is retired, a path prefix.
type RetiredURL struct {
	Host       string
	PathPrefix string
	// Why says who retired it and when; Instead what to use now, for people.
	Why     string
	Instead string
}

// RetiredBy returns the retirement v's address falls under, if any.
func (f Field) RetiredBy(v string) (RetiredURL, bool) {
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || u.Host == "" {
		return RetiredURL{}, false
	}
	host := strings.ToLower(u.Hostname())
	for _, r := range f.Retired {
		if (host == r.Host || strings.HasSuffix(host, "."+r.Host)) && strings.HasPrefix(u.Path, r.PathPrefix) {
			return r, true
		}
	}
	return RetiredURL{}, false
}

// Masked reports whether the field's value must never be shown.
func (f Field) Masked() bool { return f.Secret || f.Sensitive }

// ChoiceValues lists the values a select field accepts.
func (f Field) ChoiceValues() []string {
	vals := make([]string, len(f.Choices))
	for i, c := range f.Choices {
		vals[i] = c.Value
	}
	return vals
}

// Testability says whether an integration can be tested from outside the server.
type Testability struct {
	// Testable is nil where GitLab's behaviour is unknown.
	Testable *bool
	What     string
}

// Definition is one integration kind.
type Definition struct {
	Name        string
	Title       string
	Description string
	Category    string
	Base        Base
	Levels      []Level
	// APISlug is the dashed name in REST paths; empty when GitLab's REST API does not expose it.
	APISlug    string
	LegacyType string
	Status     Status
	// RemovedIn is the GitLab version that removed the integration, where known.
	RemovedIn  string
	Deprecated string
	EEOnly     bool
	DevOnly    bool
	// NoAPICreate marks integrations GitLab refuses to create through the API (they are set up
	// through an app install flow); NoAPIDisable those it refuses to disable.
	NoAPICreate  bool
	NoAPIDisable bool

	// API is where GitLab's API has the integration at all.
	API Availability

	Fields []Field
	// EventVersions narrows where the API declares some of the integration's event flags.
	EventVersions map[string]Availability
	// Rules check values together, as GitLab's model does on save.
	Rules []func(values map[string]string) error
	// Events are the trigger events the integration supports at every level.
	Events []string
	// GroupEvents are supported in addition at group level; EEEvents only on GitLab EE.
	GroupEvents []string
	EEEvents    []string
	// DefaultEvents overrides the base defaults of DefaultEventState.
	DefaultEvents map[string]bool
	// ChannelEvents are the events that take a per-event channel through the API.
	ChannelEvents []string
	// ChannelField adjusts the generated per-event channel fields to the service's rules.
	ChannelField func(Field) Field
	// WebhookLogs is true for integrations GitLab delivers through a web hook with request logs.
	WebhookLogs bool
	Test        Testability
	Notes       []string
}

// SupportsLevel reports whether the integration may be set at level l.
func (d Definition) SupportsLevel(l Level) bool { return slices.Contains(d.Levels, l) }

// Removed reports whether GitLab no longer ships the integration.
func (d Definition) Removed() bool { return d.Status == Removed }

// LevelNames lists the levels as strings, in the definition's order.
func (d Definition) LevelNames() []string {
	out := make([]string, len(d.Levels))
	for i, l := range d.Levels {
		out[i] = string(l)
	}
	return out
}

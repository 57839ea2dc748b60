package hooks

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/output"
	"github.com/forgekit/integrations/internal/redact"
)

// hookView is the JSON shape of a hook (snake_case, stable; null where the backend cannot
// tell). Secrets appear only as whether they are set; URL variables and headers by name.
type hookView struct {
	ID           int64   `json:"id"`
	Scope        string  `json:"scope"`
	Kind         string  `json:"kind"`
	IdentifiedBy string  `json:"identified_by"`
	Identity     string  `json:"identity"`
	Name         *string `json:"name"`
	Description  *string `json:"description"`
	URL          string  `json:"url"`
	// URLVariables and CustomHeaders are null where unknown (GitLab's project list).
	URLVariables          []string    `json:"url_variables"`
	CustomHeaders         []string    `json:"custom_headers"`
	TokenSet              *bool       `json:"token_set"`
	SigningTokenSet       *bool       `json:"signing_token_set"`
	EnableSSLVerification *bool       `json:"enable_ssl_verification"`
	BranchFilterStrategy  *string     `json:"branch_filter_strategy"`
	BranchFilter          *string     `json:"push_events_branch_filter"`
	CustomWebhookTemplate *string     `json:"custom_webhook_template"`
	Events                []eventView `json:"events"`
	AlertStatus           *string     `json:"alert_status"`
	DisabledUntil         *string     `json:"disabled_until"`
	CreatedAt             *string     `json:"created_at"`
}

type eventView struct {
	Name    string `json:"name"`
	APIFlag string `json:"api_flag"`
	Enabled *bool  `json:"enabled"`
}

// writeView is a write's result: the hook and what happened to it.
type writeView struct {
	hookView
	// Action is created, updated, unchanged or removed.
	Action   string   `json:"action"`
	Warnings []string `json:"warnings"`
}

func strOrNil(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

func newHookView(h client.Hook) hookView {
	kind := integrations.HookKind(h.Scope.Level)
	v := hookView{
		ID: h.ID, Scope: h.Scope.String(), Kind: kind.Name, IdentifiedBy: h.IdentifiedBy(), Identity: displayURL(h.Identity()),
		Name: strOrNil(h.Name()), Description: strOrNil(h.Values["description"]), URL: displayURL(h.URL()),
		BranchFilterStrategy: strOrNil(h.Values[integrations.HookBranchStrategy]), BranchFilter: strOrNil(h.Values[integrations.HookBranchFilter]),
		CustomWebhookTemplate: strOrNil(h.Values["custom_webhook_template"]), AlertStatus: strOrNil(h.AlertStatus),
		Events: []eventView{},
	}
	if h.URLVariables != nil {
		v.URLVariables = client.SortedKeys(h.URLVariables)
	}
	if h.CustomHeaders != nil {
		v.CustomHeaders = client.SortedKeys(h.CustomHeaders)
	}
	if b, ok := h.SecretSet[integrations.HookToken]; ok {
		v.TokenSet = &b
	}
	if b, ok := h.SecretSet[integrations.HookSigningToken]; ok {
		v.SigningTokenSet = &b
	}
	if s, ok := h.Values["enable_ssl_verification"]; ok {
		b, _ := integrations.ParseBool(s)
		v.EnableSSLVerification = &b
	}
	if h.DisabledUntil != nil {
		v.DisabledUntil = strOrNil(h.DisabledUntil.UTC().Format(time.RFC3339))
	}
	if !h.Created.IsZero() {
		v.CreatedAt = strOrNil(h.Created.UTC().Format(time.RFC3339))
	}
	for _, e := range kind.SupportedEvents(h.Scope.Level) {
		ev, _ := integrations.LookupHookEvent(e)
		ve := eventView{Name: e, APIFlag: ev.APIFlag}
		if on, ok := h.Events[e]; ok {
			ve.Enabled = &on
		}
		v.Events = append(v.Events, ve)
	}
	return v
}

// displayURL hides what a URL typed with its secrets in clear carries.
func displayURL(u string) string { return redact.HookURL(u) }

func enabled(v hookView) []string {
	var on []string
	for _, e := range v.Events {
		if e.Enabled != nil && *e.Enabled {
			on = append(on, e.Name)
		}
	}
	return on
}

func yesNo(b *bool) string {
	switch {
	case b == nil:
		return "unknown"
	case *b:
		return "set"
	}
	return "not set"
}

func names(list []string) string {
	if list == nil {
		return "unknown"
	}
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

// orDash shows an unset optional text as "-".
func orDash(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}

func printList(p *output.Printer, views []hookView) {
	rows := make([][]string, len(views))
	for i, v := range views {
		rows[i] = []string{strconv.FormatInt(v.ID, 10), orDash(v.Name), v.URL, strings.Join(orNone(enabled(v)), ","), orDash(v.AlertStatus)}
	}
	p.Table([]string{"ID", "NAME", "URL", "EVENTS", "STATUS"}, rows)
}

// printHook draws one hook; nothing secret is in a view, so everything can be shown.
func printHook(p *output.Printer, v hookView) {
	p.Paragraph(fmt.Sprintf("%s %d at %s, identified by %s: %s", integrations.HookKind(levelOf(v)).Title, v.ID, v.Scope, v.IdentifiedBy, v.Identity))
	fields := [][2]string{
		{"url", v.URL},
		{"url_variables", names(v.URLVariables)},
		{"custom_headers", names(v.CustomHeaders)},
		{"token", yesNo(v.TokenSet)},
		{"signing_token", yesNo(v.SigningTokenSet)},
	}
	for _, l := range [][2]string{
		{"name", orDash(v.Name)},
		{"description", orDash(v.Description)},
		{"branch_filter_strategy", orDash(v.BranchFilterStrategy)},
		{"push_events_branch_filter", orDash(v.BranchFilter)},
		{"custom_webhook_template", orDash(v.CustomWebhookTemplate)},
		{"status", orDash(v.AlertStatus)},
	} {
		fields = append(fields, [2]string{l[0], strings.ReplaceAll(l[1], "\n", " ")})
	}
	if v.EnableSSLVerification != nil {
		fields = append(fields, [2]string{"enable_ssl_verification", strconv.FormatBool(*v.EnableSSLVerification)})
	}
	if v.DisabledUntil != nil {
		fields = append(fields, [2]string{"disabled_until", *v.DisabledUntil})
	}
	p.Fields(append(fields, [2]string{"events", strings.Join(orNone(enabled(v)), ", ")}))
}

func levelOf(v hookView) integrations.Level {
	switch {
	case strings.HasPrefix(v.Scope, "project:"):
		return integrations.Project
	case strings.HasPrefix(v.Scope, "group:"):
		return integrations.Group
	}
	return integrations.Instance
}

func describeHook(h client.Hook) string {
	return fmt.Sprintf("hook %d (%s) at %s", h.ID, displayURL(h.Identity()), h.Scope)
}

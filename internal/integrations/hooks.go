package integrations

import (
	"encoding/base64"
	"regexp"
	"slices"
	"strings"
)

// HookBase marks the definitions of webhook kinds. A webhook has no activation of its own and
// is not in the integrations catalog; its fields and events drive --set, forms, completion and
// docs exactly as an integration's do.
const HookBase Base = "webhook"

// Hook field keys the hook code needs by name.
const (
	HookURL            = "url"
	HookName           = "name"
	HookToken          = "token"
	HookSigningToken   = "signing_token"
	HookURLVariables   = "url_variables"
	HookCustomHeaders  = "custom_headers"
	HookBranchFilter   = "push_events_branch_filter"
	HookBranchStrategy = "branch_filter_strategy"
)

// hookEvents are the trigger events only webhooks have; the others (push, issue, …) share
// the integrations' names and API flags.
var hookEvents = []Event{
	{Name: "repository_update", APIFlag: "repository_update_events", Title: "Repository updated"},
	{Name: "job", APIFlag: "job_events", Title: "Job status changed"},
	{Name: "feature_flag", APIFlag: "feature_flag_events", Title: "Feature flag toggled"},
	{Name: "release", APIFlag: "releases_events", Title: "Release created, updated or deleted"},
	{Name: "milestone", APIFlag: "milestone_events", Title: "Milestone created, closed or deleted"},
	{Name: "emoji", APIFlag: "emoji_events", Title: "Emoji reaction added or removed"},
	{Name: "resource_access_token", APIFlag: "resource_access_token_events", Title: "Access token about to expire"},
	{Name: "resource_deploy_token", APIFlag: "resource_deploy_token_events", Title: "Deploy token about to expire"},
	{Name: "member", APIFlag: "member_events", Title: "Member added, changed or removed"},
}

// LookupHookEvent finds a webhook trigger event by name or API flag.
func LookupHookEvent(name string) (Event, bool) {
	for _, e := range hookEvents {
		if e.Name == name || e.APIFlag == name {
			return e, true
		}
	}
	return LookupEvent(name)
}

// EventTitle is an event's title, for integrations and webhooks alike.
func EventTitle(name string) string {
	e, _ := LookupHookEvent(name)
	return e.Title
}

// The events each kind of hook offers, in GitLab's settings-page order (GitLab 19.5).
var (
	sharedHookEvents = []string{
		"push", "tag_push", "issue", "confidential_issue", "note", "confidential_note", "merge_request",
		"job", "pipeline", "wiki_page", "deployment", "feature_flag", "release", "milestone", "emoji",
		"resource_access_token", "vulnerability",
	}
	projectHookEvents = append(slices.Clone(sharedHookEvents), "resource_deploy_token")
	groupHookEvents   = append(slices.Clone(sharedHookEvents), "member", "project", "subgroup")
	systemHookEvents  = []string{"push", "tag_push", "merge_request", "repository_update"}
)

var (
	hookKeyPattern    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	headerKeyPattern  = regexp.MustCompile(`^[A-Za-z]+[0-9]*(?:[._-][A-Za-z0-9]+)*$`)
	urlPlaceholder    = regexp.MustCompile(`\{([^{}]*)\}`)
	maxHookKeyEntries = 20
)

func hookFields(system bool) []Field {
	fields := []Field{
		text(HookURL, "URL", "Where GitLab sends the events. Write secret parts as {NAME} and give them as URL variables, so the stored URL never shows them.").
			required().section(Connection).placeholder("https://ci.example.com/hook").checked(checkHookURL),
		textarea(HookURLVariables, "URL variables", "One NAME=VALUE per line: {NAME} in the URL becomes VALUE when GitLab delivers. Values are write-only. With --set, use url_variables.NAME=VALUE; an empty VALUE removes NAME.").
			secret().section(Connection).checked(checkKeyValues(hookKeyPattern, 100)),
		password(HookToken, "Secret token", "Sent in the X-Gitlab-Token header so the receiver can tell the request comes from GitLab.").
			section(Connection).checked(noNewline),
		password(HookSigningToken, "Signing token", "Signs each delivery (webhook-signature header, HMAC-SHA256). Format whsec_ followed by a base64 32-byte key.").
			section(Connection).edition("GitLab 19.0+").checked(checkSigningToken),
		text(HookName, "Name", "A name people and manifests identify the hook by.").section(Configuration),
		text("description", "Description", "What the hook is for.").section(Configuration),
		checkbox("enable_ssl_verification", "SSL verification", "Verify the receiver's TLS certificate", "Turn off only for receivers with self-signed certificates you trust.").
			def("true").section(Configuration),
		textarea(HookCustomHeaders, "Custom headers", "One NAME=VALUE per line, sent with each delivery. Values are write-only; GitLab's own headers win over these. With --set, use custom_headers.NAME=VALUE; an empty VALUE removes NAME.").
			secret().section(Configuration).checked(checkKeyValues(headerKeyPattern, 2048)),
		textarea("custom_webhook_template", "Custom webhook template", "A JSON body with {{dotted.path}} placeholders replacing GitLab's payload; at most 4096 characters. Use --set custom_webhook_template=file:PATH.").
			section(Configuration).checked(maxLen(4096)),
	}
	if !system {
		fields = append(fields,
			selectField(HookBranchStrategy, "Branch filter", "Which branches' pushes are sent.",
				choice("Wildcard pattern", "wildcard"), choice("Regular expression", "regex"), choice("All branches", "all_branches")).
				def("wildcard").section(Trigger),
			text(HookBranchFilter, "Branch filter pattern", "A wildcard pattern (main, release/*) or an RE2 regular expression, as the strategy says; empty sends every branch.").
				section(Trigger),
		)
	}
	return fields
}

func hookDefaults(events []string, on ...string) map[string]bool {
	m := map[string]bool{}
	for _, e := range events {
		m[e] = slices.Contains(on, e)
	}
	return m
}

// hookKinds are the three kinds of webhook, by the level they live at.
var hookKinds = map[Level]Definition{
	Project: {
		Name: "project_hook", Title: "Project webhook", Base: HookBase, Category: "webhook", Levels: projectOnly,
		Description: "Sends a project's events to a URL as JSON (GitLab's project hooks; Maintainer role).",
		Fields:      hookFields(false), Events: projectHookEvents, DefaultEvents: hookDefaults(projectHookEvents, "push"),
	},
	Group: {
		Name: "group_hook", Title: "Group webhook", Base: HookBase, Category: "webhook", Levels: []Level{Group},
		Description: "Sends the events of a group and everything in it to a URL (GitLab Premium; Owner role).",
		Fields:      hookFields(false), Events: groupHookEvents, DefaultEvents: hookDefaults(groupHookEvents, "push"),
	},
	Instance: {
		Name: "system_hook", Title: "System hook", Base: HookBase, Category: "webhook", Levels: instanceOnly,
		Description: "Sends instance-wide events to a URL (GitLab's system hooks; administrators, self-managed only).",
		Fields:      hookFields(true), Events: systemHookEvents, DefaultEvents: hookDefaults(systemHookEvents, "repository_update"),
	},
}

// HookKind is the kind of webhook that lives at level l.
func HookKind(l Level) Definition { return hookKinds[l] }

// HookKinds lists the three kinds: project, group, system.
func HookKinds() []Definition {
	return []Definition{hookKinds[Project], hookKinds[Group], hookKinds[Instance]}
}

// IsKeyValues reports whether a hook field holds NAME=VALUE entries (URL variables, headers).
func IsKeyValues(key string) bool { return key == HookURLVariables || key == HookCustomHeaders }

// ParseKeyValues reads NAME=VALUE lines. An empty VALUE stands for "remove NAME".
func ParseKeyValues(s string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		out[strings.TrimSpace(k)] = v
	}
	return out
}

func checkKeyValues(keyPattern *regexp.Regexp, maxValue int) func(string) error {
	return func(v string) error {
		m := ParseKeyValues(v)
		if len(m) > maxHookKeyEntries {
			return errorf("at most %d entries", maxHookKeyEntries)
		}
		for _, line := range strings.Split(v, "\n") {
			if strings.TrimSpace(line) != "" && !strings.Contains(line, "=") {
				return errorf("want NAME=VALUE lines")
			}
		}
		for k, val := range m {
			if !keyPattern.MatchString(k) {
				return errorf("%q is not a valid name", k)
			}
			if len(val) > maxValue {
				return errorf("the value of %s is longer than %d characters", k, maxValue)
			}
		}
		return nil
	}
}

// URLPlaceholders lists the {NAME} placeholders of a hook URL, in order, without repeats.
func URLPlaceholders(u string) []string {
	var out []string
	for _, m := range urlPlaceholder.FindAllStringSubmatch(u, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// FillURL replaces each {NAME} in a hook URL with fill(NAME).
func FillURL(u string, fill func(name string) string) string {
	return urlPlaceholder.ReplaceAllStringFunc(u, func(m string) string { return fill(m[1 : len(m)-1]) })
}

func checkHookURL(v string) error {
	for _, name := range URLPlaceholders(v) {
		if !hookKeyPattern.MatchString(name) {
			return errorf("{%s} is not a valid URL variable name", name)
		}
	}
	// The template is checked with its placeholders filled, as GitLab checks the URL it will call.
	if err := checkURL(FillURL(v, func(string) string { return "x" })); err != nil {
		return errorf("%q is not an http(s) URL", v)
	}
	return nil
}

func noNewline(v string) error {
	if strings.ContainsAny(v, "\r\n") {
		return errorf("must be one line")
	}
	return nil
}

func checkSigningToken(v string) error {
	key, ok := strings.CutPrefix(v, "whsec_")
	raw, err := base64.StdEncoding.DecodeString(key)
	if !ok || err != nil || len(raw) != 32 {
		return errorf("want whsec_ followed by the base64 of a 32-byte key")
	}
	return nil
}

func maxLen(n int) func(string) error {
	return func(v string) error {
		if len([]rune(v)) > n {
			return errorf("at most %d characters", n)
		}
		return nil
	}
}

// ValidateHook checks what single fields cannot: a regex branch filter must compile as RE2,
// and every {NAME} in the URL needs a URL variable (vars are the names the hook will have).
func ValidateHook(d Definition, values map[string]string, vars []string) error {
	if values[HookBranchStrategy] == "regex" && values[HookBranchFilter] != "" {
		if _, err := regexp.Compile(values[HookBranchFilter]); err != nil {
			return errorf("%s: %s: not a valid RE2 regular expression: %v", d.Name, HookBranchFilter, err)
		}
	}
	var missing []string
	for _, name := range URLPlaceholders(values[HookURL]) {
		if !slices.Contains(vars, name) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		flags := make([]string, len(missing))
		for i, m := range missing {
			flags[i] = "--set url_variables." + m + "=…"
		}
		return errorf("%s: the URL uses {%s} but no such URL variable is set; add %s", d.Name, strings.Join(missing, "}, {"), strings.Join(flags, " "))
	}
	return nil
}

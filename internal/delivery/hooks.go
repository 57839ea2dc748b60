package delivery

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// Webhook-based integrations and the services GitLab calls with push data. Each builder sends
// what GitLab's own test sends (app/models/integrations/*.rb and
// app/models/concerns/integrations/base/*.rb), to the address GitLab derives from the settings.

// Fixed hosts, variables so that tests can point them at a loopback receiver.
var (
	hooksBuildkiteBase = "https://webhook.buildkite.com"
	hooksAssemblaBase  = "https://atlas.assembla.com"
	hooksPivotalBase   = "https://www.pivotaltracker.com"
	hooksAsanaBase     = "https://app.asana.com"
	hooksPushoverBase  = "https://api.pushover.net"
)

const (
	hooksPackagistDefault = "https://packagist.org"
	// hooksServiceHook is the X-Gitlab-Event of integrations that run their web hook without a
	// hook name: ServiceHook#execute defaults it to service_hook.
	hooksServiceHook = "Service Hook"
	// hooksSquashTestHook is the hook name Squash TM's test runs its web hook with.
	hooksSquashTestHook = "Test Configuration Hook"
)

func init() {
	register(hooksJenkins, "jenkins")
	register(hooksDatadog, "datadog")
	register(hooksPackagist, "packagist")
	register(hooksBuildkite, "buildkite")
	register(hooksDrone, "drone_ci")
	register(hooksSquashTM, "squash_tm")
	register(hooksTeamCity, "teamcity")
	register(hooksBamboo, "bamboo")
	register(hooksAssembla, "assembla")
	register(hooksPivotalTracker, "pivotaltracker")
	register(hooksAsana, "asana")
	register(hooksPushover, "pushover")
}

// hooksSample is the target's sample event, or a sample of def when the target carries none.
func hooksSample(t Target, def string) Sample {
	if t.Sample.Event != "" {
		return t.Sample
	}
	ev := t.Event
	if ev == "" {
		ev = def
	}
	return NewSample(ev, "", "")
}

// hooksEventName is WebHookService.hook_to_event: the hook name singularized and titleized,
// "merge_request_hook" → "Merge Request Hook".
func hooksEventName(hookName string) string {
	words := strings.FieldsFunc(hookName, func(r rune) bool { return r == '_' || r == ' ' })
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

// hooksWebhookHeader is what WebHookService sends with every delivery, minus its random UUIDs.
func hooksWebhookHeader(s Sample, event string) http.Header {
	h := jsonHeader()
	h.Set("X-Gitlab-Event", event)
	if s.GitLabURL != "" {
		h.Set("X-Gitlab-Instance", s.GitLabURL)
	}
	return h
}

func hooksJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// The payloads are maps of strings, numbers, booleans and nil: they always encode.
		panic("delivery: encoding a payload: " + err.Error())
	}
	return b
}

// hooksSecretForms lists each secret as written in the requests: as is and escaped for a query
// or a path, so that the escaped copies are hidden too.
func hooksSecretForms(vals ...string) []string {
	var out []string
	for _, v := range vals {
		if v == "" {
			continue
		}
		out = append(out, v)
		for _, e := range []string{url.QueryEscape(v), url.PathEscape(v)} {
			if e != v {
				out = append(out, e)
			}
		}
	}
	return out
}

func hooksBasicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// hooksBasicSecrets are the forms basic credentials take on the wire: the header value and its
// bare base64.
func hooksBasicSecrets(user, pass string) []string {
	auth := hooksBasicAuth(user, pass)
	return []string{auth, strings.TrimPrefix(auth, "Basic ")}
}

// hooksParseURL parses a setting that must be an absolute http(s) URL.
func hooksParseURL(t Target, key, v string) (*url.URL, error) {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &ConfigError{fmt.Sprintf("%s: %s is not an http(s) URL", t.Def.Name, key)}
	}
	return u, nil
}

// hooksAppendPath is Gitlab::Utils.append_path: the two parts joined by exactly one slash.
func hooksAppendPath(host, p string) string {
	return strings.TrimRight(host, "/") + "/" + strings.TrimLeft(p, "/")
}

// hooksJenkins posts the event to <jenkins_url>/project/<job> with the credentials in the URL's
// userinfo, which GitLab turns into basic authentication. Only 200 counts.
func hooksJenkins(t Target) (Plan, error) {
	v, err := need(t, "jenkins_url", "project_name")
	if err != nil {
		return Plan{}, err
	}
	u, err := hooksParseURL(t, "jenkins_url", v[0])
	if err != nil {
		return Plan{}, err
	}
	u.Path = path.Join("/", u.Path, "project", v[1])
	u.RawPath = ""
	user, pass := t.Value("username"), t.Value("password")
	secrets := hooksSecretForms(pass)
	switch {
	case pass != "":
		u.User = url.UserPassword(user, pass)
		ui := u.User.String()
		secrets = append(secrets, ui, ui[strings.Index(ui, ":")+1:])
		secrets = append(secrets, hooksBasicSecrets(user, pass)...)
	case user != "":
		u.User = url.User(user)
	}
	s := hooksSample(t, "push")
	p := s.Payload()
	kind, _ := p["object_kind"].(string)
	return Plan{
		Steps: []Step{{
			Method: http.MethodPost, URL: u.String(), Header: hooksWebhookHeader(s, hooksEventName(kind+"_hook")),
			Body: hooksJSON(p), OK: statusIs(http.StatusOK),
		}},
		Secrets: secrets,
	}, nil
}

// hooksDatadog posts the event to the intake URL with the API key, service, env and tags in the
// query, as Datadog#hook_url builds it. Any 2xx counts.
func hooksDatadog(t Target) (Plan, error) {
	v, err := need(t, "api_key")
	if err != nil {
		return Plan{}, err
	}
	base := t.Value("api_url")
	if base == "" {
		site := t.Value("datadog_site")
		if site == "" {
			return Plan{}, &ConfigError{"datadog: set datadog_site or api_url before testing"}
		}
		base = "https://webhook-intake." + strings.TrimPrefix(site, "app.") + "/api/v2/webhook"
	}
	u, err := hooksParseURL(t, "api_url", base)
	if err != nil {
		return Plan{}, err
	}
	q := url.Values{"dd-api-key": {v[0]}}
	if svc := t.Value("datadog_service"); svc != "" {
		q.Set("service", svc)
	}
	if env := t.Value("datadog_env"); env != "" {
		q.Set("env", env)
	}
	if tags := hooksDatadogTags(t.Value("datadog_tags")); tags != "" {
		q.Set("tags", tags)
	}
	u.RawQuery = q.Encode() // sorted by key, as Rails' to_query
	s := hooksSample(t, "push")
	p := s.Payload()
	kind, _ := p["object_kind"].(string)
	if kind == "build" {
		kind = "job"
	}
	return Plan{
		Steps: []Step{{
			Method: http.MethodPost, URL: u.String(), Header: hooksWebhookHeader(s, hooksEventName(kind+" hook")),
			Body: hooksJSON(p),
		}},
		Secrets: hooksSecretForms(v[0]),
	}, nil
}

// hooksDatadogTags is Datadog#datadog_tags_query_param: non-blank lines, trimmed, quoted when
// they hold a comma, joined by commas.
func hooksDatadogTags(text string) string {
	var tags []string
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.Contains(line, ",") {
			line = `"` + line + `"`
		}
		tags = append(tags, line)
	}
	return strings.Join(tags, ",")
}

// hooksPackagist posts the event to <server>/api/update-package with the username and API
// token in the query. Packagist answers 202 Accepted; GitLab counts nothing else as success.
func hooksPackagist(t Target) (Plan, error) {
	v, err := need(t, "username", "token")
	if err != nil {
		return Plan{}, err
	}
	base := strings.TrimRight(firstNonEmpty(t.Value("server"), hooksPackagistDefault), "/")
	u := base + "/api/update-package?username=" + url.QueryEscape(v[0]) + "&apiToken=" + url.QueryEscape(v[1])
	s := hooksSample(t, "push")
	return Plan{
		Steps: []Step{{
			Method: http.MethodPost, URL: u, Header: hooksWebhookHeader(s, hooksServiceHook),
			Body: hooksJSON(s.Payload()), OK: statusIs(http.StatusAccepted),
		}},
		Secrets: hooksSecretForms(v[1]),
	}, nil
}

// hooksBuildkite delivers the event to webhook.buildkite.com/deliver/<webhook token>, the part
// of the token before the colon (the part after it reads build statuses).
func hooksBuildkite(t Target) (Plan, error) {
	v, err := need(t, "token")
	if err != nil {
		return Plan{}, err
	}
	webhookToken, statusToken, _ := strings.Cut(v[0], ":")
	if webhookToken == "" {
		return Plan{}, &ConfigError{"buildkite: token must be <webhook token>:<status token>, as Buildkite shows it"}
	}
	s := hooksSample(t, "push")
	return Plan{
		Steps: []Step{{
			Method: http.MethodPost, URL: strings.TrimRight(hooksBuildkiteBase, "/") + "/deliver/" + url.PathEscape(webhookToken),
			Header: hooksWebhookHeader(s, hooksServiceHook), Body: hooksJSON(s.Payload()),
		}},
		Secrets: hooksSecretForms(webhookToken, statusToken),
	}, nil
}

// hooksDrone posts the event to <drone_url>/hook with the project's namespace, path and the
// token in the query.
func hooksDrone(t Target) (Plan, error) {
	v, err := need(t, "drone_url", "token")
	if err != nil {
		return Plan{}, err
	}
	if _, err := hooksParseURL(t, "drone_url", v[0]); err != nil {
		return Plan{}, err
	}
	s := hooksSample(t, "push")
	u := strings.TrimRight(v[0], "/") + "/hook?owner=" + url.QueryEscape(s.Project.Namespace) +
		"&name=" + url.QueryEscape(s.Project.Name) + "&access_token=" + url.QueryEscape(v[1])
	return Plan{
		Steps: []Step{{
			Method: http.MethodPost, URL: u, Header: hooksWebhookHeader(s, hooksServiceHook),
			Body: hooksJSON(s.Payload()),
		}},
		Secrets: hooksSecretForms(v[1]),
	}, nil
}

// hooksSquashTM posts a sample issue event to the Xsquash4GitLab webhook, with the token as a
// query parameter when one is set. GitLab's test names the hook "Test Configuration Hook" and
// counts only 200 as success.
func hooksSquashTM(t Target) (Plan, error) {
	v, err := need(t, "url")
	if err != nil {
		return Plan{}, err
	}
	if _, err := hooksParseURL(t, "url", v[0]); err != nil {
		return Plan{}, err
	}
	u := v[0]
	token := t.Value("token")
	if token != "" {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + "token=" + url.QueryEscape(token)
	}
	s := hooksSample(t, "issue")
	return Plan{
		Steps: []Step{{
			Method: http.MethodPost, URL: u, Header: hooksWebhookHeader(s, hooksSquashTestHook),
			Body: hooksJSON(s.Payload()), OK: statusIs(http.StatusOK),
		}},
		Secrets: hooksSecretForms(token),
	}, nil
}

var hooksXMLAttr = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// hooksTeamCity queues a build of the configuration for the pushed branch (a merge request's
// source branch), with basic authentication, as GitLab's post_to_build_queue.
func hooksTeamCity(t Target) (Plan, error) {
	v, err := need(t, "teamcity_url", "build_type", "username", "password")
	if err != nil {
		return Plan{}, err
	}
	if _, err := hooksParseURL(t, "teamcity_url", v[0]); err != nil {
		return Plan{}, err
	}
	s := hooksSample(t, "push")
	branch := s.Ref
	if s.Event == "merge_request" {
		branch = payloadSourceBranch
	}
	body := `<build branchName="` + hooksXMLAttr.Replace(branch) + `">` +
		`<buildType id="` + hooksXMLAttr.Replace(v[1]) + `"/>` +
		`</build>`
	auth := hooksBasicAuth(v[2], v[3])
	h := http.Header{}
	h.Set("Content-Type", "application/xml")
	h.Set("User-Agent", "GitLab/integrations-cli")
	h.Set("Authorization", auth)
	return Plan{
		Steps: []Step{{
			Method: http.MethodPost, URL: hooksAppendPath(v[0], "httpAuth/app/rest/buildQueue"), Header: h, Body: []byte(body),
		}},
		Secrets: hooksBasicSecrets(v[2], v[3]),
	}, nil
}

// hooksBamboo triggers the build plan: GET updateAndBuild.action?buildKey=…, with basic
// authentication (and os_authType=basic) when a username or password is set.
func hooksBamboo(t Target) (Plan, error) {
	v, err := need(t, "bamboo_url", "build_key")
	if err != nil {
		return Plan{}, err
	}
	if _, err := hooksParseURL(t, "bamboo_url", v[0]); err != nil {
		return Plan{}, err
	}
	q := url.Values{"buildKey": {v[1]}}
	h := http.Header{"User-Agent": {"GitLab/integrations-cli"}}
	secrets := hooksSecretForms(v[1])
	if user, pass := t.Value("username"), t.Value("password"); user != "" || pass != "" {
		q.Set("os_authType", "basic")
		h.Set("Authorization", hooksBasicAuth(user, pass))
		secrets = append(secrets, hooksBasicSecrets(user, pass)...)
	}
	return Plan{
		Steps:   []Step{{Method: http.MethodGet, URL: hooksAppendPath(v[0], "updateAndBuild.action") + "?" + q.Encode(), Header: h}},
		Secrets: secrets,
	}, nil
}

// hooksAssembla posts {"payload": <push event>} to the space's GitHub tool endpoint.
func hooksAssembla(t Target) (Plan, error) {
	v, err := need(t, "token", "subdomain")
	if err != nil {
		return Plan{}, err
	}
	u := strings.TrimRight(hooksAssemblaBase, "/") + "/spaces/" + url.QueryEscape(v[1]) +
		"/github_tool?secret_key=" + url.QueryEscape(v[0])
	s := hooksSample(t, "push")
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "GitLab/integrations-cli")
	return Plan{
		Steps: []Step{{
			Method: http.MethodPost, URL: u, Header: h,
			Body: hooksJSON(map[string]any{"payload": s.Payload()}),
		}},
		Secrets: hooksSecretForms(v[0]),
	}, nil
}

// hooksPivotalTracker posts each commit of the push to Tracker's source_commits endpoint with
// the token in X-TrackerToken. restrict_to_branch is not applied: the test proves the token.
func hooksPivotalTracker(t Target) (Plan, error) {
	v, err := need(t, "token")
	if err != nil {
		return Plan{}, err
	}
	s := hooksSample(t, "push")
	endpoint := strings.TrimRight(hooksPivotalBase, "/") + "/services/v5/source_commits"
	var steps []Step
	for _, c := range s.Commits {
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		h.Set("User-Agent", "GitLab/integrations-cli")
		h.Set("X-TrackerToken", v[0])
		body := map[string]any{"source_commit": map[string]any{
			"commit_id": c.ID, "author": c.Author, "url": c.URL, "message": c.Message,
		}}
		steps = append(steps, Step{Method: http.MethodPost, URL: endpoint, Header: h, Body: hooksJSON(body)})
	}
	if len(steps) == 0 {
		return Plan{}, &ConfigError{"pivotaltracker: the sample event has no commits to send"}
	}
	return Plan{Steps: steps, Secrets: hooksSecretForms(v[0])}, nil
}

// hooksAsana asks Asana who the personal access token belongs to, as GitLab's test does.
func hooksAsana(t Target) (Plan, error) {
	v, err := need(t, "api_key")
	if err != nil {
		return Plan{}, err
	}
	auth := "Bearer " + v[0]
	h := http.Header{}
	h.Set("Accept", "application/json")
	h.Set("User-Agent", "GitLab/integrations-cli")
	h.Set("Authorization", auth)
	return Plan{
		Steps:   []Step{{Method: http.MethodGet, URL: strings.TrimRight(hooksAsanaBase, "/") + "/api/1.0/users/me", Header: h}},
		Secrets: []string{auth},
	}, nil
}

// hooksPushover posts the push notification GitLab sends, form-encoded, in GitLab's field
// order; sound is left out unless one is chosen.
func hooksPushover(t Target) (Plan, error) {
	v, err := need(t, "api_key", "user_key", "priority")
	if err != nil {
		return Plan{}, err
	}
	s := hooksSample(t, "push")
	p := s.Payload()
	ref, _ := p["ref"].(string)
	ref = strings.TrimPrefix(strings.TrimPrefix(ref, "refs/heads/"), "refs/tags/")
	before, _ := p["before"].(string)
	after, _ := p["after"].(string)
	var message string
	switch {
	case before == payloadZeroSHA:
		message = fmt.Sprintf("%s pushed new branch \"%s\".", s.User.Name, ref)
	case after == payloadZeroSHA:
		message = fmt.Sprintf("%s deleted branch \"%s\".", s.User.Name, ref)
	default:
		message = fmt.Sprintf("%s push to branch \"%s\".", s.User.Name, ref)
	}
	if n, _ := p["total_commits_count"].(int); n > 0 {
		message += fmt.Sprintf("\nTotal commits count: %d", n)
	}
	fields := [][2]string{
		{"token", v[0]},
		{"user", v[1]},
		{"device", t.Value("device")},
		{"priority", v[2]},
		{"title", payloadFullName(s)},
		{"message", message},
		{"url", s.Project.WebURL},
		{"url_title", "See project " + payloadFullName(s)},
	}
	if sound := t.Value("sound"); sound != "" {
		fields = append(fields, [2]string{"sound", sound})
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = url.QueryEscape(f[0]) + "=" + url.QueryEscape(f[1])
	}
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	h.Set("User-Agent", "GitLab/integrations-cli")
	return Plan{
		Steps: []Step{{
			Method: http.MethodPost, URL: strings.TrimRight(hooksPushoverBase, "/") + "/1/messages.json",
			Header: h, Body: []byte(strings.Join(parts, "&")),
		}},
		Secrets: hooksSecretForms(v[0], v[1]),
	}, nil
}

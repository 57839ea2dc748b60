package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
	gl "gitlab.com/gitlab-org/api/client-go"
)

var _ client.Hooks = (*Client)(nil)

// hookBoolFields and hookStringFields are the hook kinds' non-event, non-secret fields by type.
var (
	hookStringFields = []string{
		integrations.HookURL, integrations.HookName, "description", integrations.HookBranchFilter,
		integrations.HookBranchStrategy, "custom_webhook_template",
	}
	hookBoolFields = []string{"enable_ssl_verification"}
)

// hooksPath is where a scope's hooks live: projects/:id/hooks, groups/:id/hooks, or the
// instance's system hooks at hooks.
func (c *Client) hooksPath(ctx context.Context, s client.Scope) (client.Scope, string, error) {
	if s.Level == integrations.Instance {
		return s, "hooks", nil
	}
	s, err := c.Resolve(ctx, s)
	if err != nil {
		return s, "", err
	}
	path, _ := c.scopePath(s)
	return s, path + "/hooks", nil
}

// ListHooks reads every page of the scope's hooks.
func (c *Client) ListHooks(ctx context.Context, s client.Scope) ([]client.Hook, error) {
	s, path, err := c.hooksPath(ctx, s)
	if err != nil {
		return nil, err
	}
	var out []client.Hook
	err = c.pages(ctx, path, listOptions{}, func(item map[string]any) error {
		out = append(out, hookOf(s, item))
		return nil
	})
	if err != nil {
		return nil, c.hookError(s, err)
	}
	return out, nil
}

// GetHook reads one hook, with the names of its URL variables and custom headers.
func (c *Client) GetHook(ctx context.Context, s client.Scope, id int64) (client.Hook, error) {
	s, path, err := c.hooksPath(ctx, s)
	if err != nil {
		return client.Hook{}, err
	}
	var item map[string]any
	if _, err := c.do(ctx, http.MethodGet, path+"/"+strconv.FormatInt(id, 10), nil, &item); err != nil {
		return client.Hook{}, c.hookError(s, err, id)
	}
	return hookOf(s, item), nil
}

// hookOf converts GitLab's hook entity. Secrets never come back: token_present and
// signing_token_present (19.0+) say whether they are set, and the variable and header lists
// carry names only.
func hookOf(s client.Scope, it map[string]any) client.Hook {
	kind := integrations.HookKind(s.Level)
	h := client.Hook{
		ID: id(it), Scope: s, Values: map[string]string{}, Events: map[string]bool{}, SecretSet: map[string]bool{},
		AlertStatus: text(it["alert_status"]),
	}
	for _, k := range hookStringFields {
		if v := text(it[k]); v != "" {
			h.Values[k] = v
		}
	}
	for _, k := range hookBoolFields {
		if b, ok := it[k].(bool); ok {
			h.Values[k] = strconv.FormatBool(b)
		}
	}
	for _, e := range kind.Events {
		ev, _ := integrations.LookupHookEvent(e)
		if b, ok := it[ev.APIFlag].(bool); ok {
			h.Events[e] = b
		}
	}
	for k, flag := range map[string]string{integrations.HookToken: "token_present", integrations.HookSigningToken: "signing_token_present"} {
		if b, ok := it[flag].(bool); ok {
			h.SecretSet[k] = b
		}
	}
	h.URLVariables = keyNames(it["url_variables"])
	h.CustomHeaders = keyNames(it["custom_headers"])
	if t, err := time.Parse(time.RFC3339, text(it["created_at"])); err == nil {
		h.Created = t
	}
	if t, err := time.Parse(time.RFC3339, text(it["disabled_until"])); err == nil {
		h.DisabledUntil = &t
	}
	return h
}

// text is a JSON string value, "" for null or anything else.
func text(v any) string {
	s, _ := v.(string)
	return s
}

// keyNames reads [{"key": …}]; nil when the entity leaves the list out.
func keyNames(v any) map[string]string {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	out := map[string]string{}
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			out[text(m["key"])] = ""
		}
	}
	return out
}

func entries(m map[string]string) []map[string]string {
	out := []map[string]string{}
	for _, k := range client.SortedKeys(m) {
		if m[k] != "" {
			out = append(out, map[string]string{"key": k, "value": m[k]})
		}
	}
	return out
}

// hookBody turns the values and events of a change into request parameters. Every event flag
// of the kind is sent when events are given, since GitLab's defaults differ across kinds.
func hookBody(kind integrations.Definition, c client.HookChange) map[string]any {
	body := map[string]any{}
	for k, v := range c.Values {
		f, ok := kind.Field(k)
		if !ok || integrations.IsKeyValues(k) {
			continue
		}
		body[k] = f.Typed(v)
	}
	for e, on := range c.Events {
		if ev, ok := integrations.LookupHookEvent(e); ok && kind.SupportsEvent(e) {
			body[ev.APIFlag] = on
		}
	}
	return body
}

// AddHook creates the hook with POST; variables and headers go with it, so nothing resets.
func (c *Client) AddHook(ctx context.Context, s client.Scope, ch client.HookChange) (client.HookResult, error) {
	s, path, err := c.hooksPath(ctx, s)
	if err != nil {
		return client.HookResult{}, err
	}
	if err := c.checkSigning(ctx, ch); err != nil {
		return client.HookResult{}, err
	}
	kind := integrations.HookKind(s.Level)
	body := hookBody(kind, ch)
	// Send every flag: the kinds' column defaults differ and are not all documented.
	for _, e := range kind.Events {
		if _, given := ch.Events[e]; !given {
			ev, _ := integrations.LookupHookEvent(e)
			body[ev.APIFlag] = kind.DefaultEventState(e)
		}
	}
	if vars := entries(ch.URLVariables); len(vars) > 0 {
		body["url_variables"] = vars
	}
	if heads := entries(ch.CustomHeaders); len(heads) > 0 {
		body["custom_headers"] = heads
	}
	c.sendingHook(ch)
	var item map[string]any
	if _, err := c.do(ctx, http.MethodPost, path, body, &item); err != nil {
		err = c.hookError(s, err)
		var ie *client.InputError
		if errors.As(err, &ie) || errors.Is(err, client.ErrUnauthorized) || ctx.Err() != nil {
			return client.HookResult{}, err
		}
		// The answer was lost (5xx, dropped connection), not the request: a POST is not sent
		// twice, so look for the hook it may have made.
		if made, ok := c.madeAnyway(ctx, s, ch); ok {
			return client.HookResult{Hook: made, Warnings: []string{"the server's answer was lost, but the hook was created"}}, nil
		}
		return client.HookResult{}, err
	}
	return client.HookResult{Hook: hookOf(s, item)}, nil
}

// madeAnyway finds the hook a POST whose answer was lost created, by its name or URL.
func (c *Client) madeAnyway(ctx context.Context, s client.Scope, ch client.HookChange) (client.Hook, bool) {
	list, err := c.ListHooks(ctx, s)
	if err != nil {
		return client.Hook{}, false
	}
	same, ok := client.SameHook(list, ch.Values[integrations.HookName], ch.Values[integrations.HookURL])
	if !ok {
		return client.Hook{}, false
	}
	got, err := c.GetHook(ctx, s, same.ID)
	return got, err == nil
}

// checkSigning refuses a signing token for a server that would silently drop it.
func (c *Client) checkSigning(ctx context.Context, ch client.HookChange) error {
	if ch.Values[integrations.HookSigningToken] == "" {
		return nil
	}
	// A server whose version cannot be read is let through: write verification then says
	// whether it kept the token.
	if srv := c.server(ctx); !srv.api.Version.IsZero() && srv.api.Version.Before(integrations.Version{Major: 19}) {
		return client.Invalidf("signing tokens need GitLab 19.0 or later; %s runs %s", c.host, srv.raw)
	}
	return nil
}

// sendingHook remembers a change's secret values (tokens, variable and header values) so that
// errors never print them.
func (c *Client) sendingHook(ch client.HookChange) {
	vals := []string{ch.Values[integrations.HookToken], ch.Values[integrations.HookSigningToken]}
	for _, m := range []map[string]string{ch.URLVariables, ch.CustomHeaders} {
		for _, v := range m {
			vals = append(vals, v)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, v := range vals {
		if v != "" && !slices.Contains(c.secrets, v) {
			c.secrets, c.redactor = append(c.secrets, v), nil
		}
	}
}

// EditHook changes a hook in the order GitLab's reset rules need (gitlab-hooks.md §3):
//
//   - a new URL clears the token unless the same request sends it;
//   - a changed resolved URL clears every custom header, even ones sent along;
//   - when the hook has URL variables, a changed resolved URL clears them all, and the API
//     merges variables, so the template must first be replaced by a plain URL.
//
// So a change of the resolved URL needs the token (when one is set or the server cannot say)
// and the value of every header and every variable the new URL uses: they are all written
// again. Without them it returns a MissingSecretsError and sends nothing.
func (c *Client) EditHook(ctx context.Context, s client.Scope, id int64, ch client.HookChange) (client.HookResult, error) {
	s, path, err := c.hooksPath(ctx, s)
	if err != nil {
		return client.HookResult{}, err
	}
	if err := c.checkSigning(ctx, ch); err != nil {
		return client.HookResult{}, err
	}
	cur := ch.Current
	if cur == nil || cur.URLVariables == nil || cur.CustomHeaders == nil {
		got, err := c.GetHook(ctx, s, id)
		if err != nil {
			return client.HookResult{}, err
		}
		cur = &got
	}
	p := planEdit(*cur, ch)
	if len(p.missing) > 0 {
		return client.HookResult{}, &client.MissingSecretsError{Fields: p.missing}
	}
	c.sendingHook(ch)
	hookPath := path + "/" + strconv.FormatInt(id, 10)
	kind := integrations.HookKind(s.Level)
	put := func(body map[string]any) error {
		if len(body) == 0 {
			return nil // GitLab answers an empty PUT with 400 "No parameters provided"
		}
		_, err := c.do(ctx, http.MethodPut, hookPath, body, nil)
		return err
	}
	if p.plainFirst != "" {
		stand := plainURL(p.url, c.base)
		if err := put(map[string]any{"url": stand}); err != nil {
			return client.HookResult{}, fmt.Errorf("%w (to replace URL variables GitLab must first take a URL without them, and it refused %s; nothing was changed)",
				c.hookError(s, err, id), stand)
		}
	}
	body := hookBody(kind, ch)
	if p.resendURL {
		body["url"] = p.url
	}
	if vars := entries(p.vars); len(vars) > 0 {
		body["url_variables"] = vars
	}
	if err := put(body); err != nil {
		return client.HookResult{}, partial(s, id, p.plainFirst != "", c.hookError(s, err, id))
	}
	for _, k := range client.SortedKeys(p.headers) {
		if err := c.keyValue(ctx, hookPath+"/custom_headers/"+gl.PathEscape(k), p.headers[k]); err != nil {
			return client.HookResult{}, partial(s, id, p.resolvedChanged, c.hookError(s, err, id))
		}
	}
	for _, k := range p.removeVars {
		if err := c.keyValue(ctx, hookPath+"/url_variables/"+gl.PathEscape(k), ""); err != nil {
			return client.HookResult{}, c.hookError(s, err, id)
		}
	}
	got, err := c.GetHook(ctx, s, id)
	return client.HookResult{Hook: got, Warnings: p.warnings}, err
}

var _ client.HookSecretsNeeded = (*Client)(nil)

// NeededAgain names the write-only values EditHook would return a MissingSecretsError for.
func (c *Client) NeededAgain(cur client.Hook, ch client.HookChange) []string {
	return planEdit(cur, ch).missing
}

// plainURL is the stand-in for a templated URL while its variables are replaced: no secret in
// it, and a host GitLab can resolve (its URL check resolves hosts). Placeholders outside the
// host become their names; a placeholder in the host makes the stand-in the server's own
// address, the one host sure to resolve.
func plainURL(template, server string) string {
	rest := template
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	if strings.Contains(authority, "{") {
		return strings.TrimSuffix(server, "/") + "/"
	}
	return integrations.FillURL(template, func(name string) string { return name })
}

// keyValue PUTs one variable or header (value "" DELETEs it).
func (c *Client) keyValue(ctx context.Context, path, value string) error {
	if value == "" {
		_, err := c.do(ctx, http.MethodDelete, path, nil, nil)
		return err
	}
	_, err := c.do(ctx, http.MethodPut, path, map[string]string{"value": value}, nil)
	return err
}

// partial says what state a multi-step edit left the hook in when a later step failed after
// an earlier one cleared something.
func partial(s client.Scope, id int64, cleared bool, err error) error {
	if !cleared {
		return err
	}
	return fmt.Errorf("%w (hook %d at %s was changed part-way: its URL may be set while its token or headers are not; run the same edit again)", err, id, s.Describe())
}

// editPlan is what an edit must send.
type editPlan struct {
	// url is the new URL template; resendURL says it must be in the main PUT.
	url       string
	resendURL bool
	// plainFirst is set when a URL without placeholders must be PUT first, clearing the old
	// variables; it holds the template whose plain stand-in (plainURL) is sent.
	plainFirst string
	// vars are sent with the main PUT; headers one by one after it (a URL change in the same
	// request would clear them); removeVars are deleted last.
	vars            map[string]string
	headers         map[string]string
	removeVars      []string
	resolvedChanged bool
	missing         []string
	warnings        []string
}

func planEdit(cur client.Hook, ch client.HookChange) editPlan {
	p := editPlan{url: cur.URL(), vars: map[string]string{}, headers: map[string]string{}}
	if u, ok := ch.Values[integrations.HookURL]; ok && u != cur.URL() {
		p.url, p.resendURL = u, true
	}
	usedVarChanged := false
	for _, name := range integrations.URLPlaceholders(p.url) {
		if v, ok := ch.URLVariables[name]; ok && v != "" {
			usedVarChanged = true
		}
	}
	p.resolvedChanged = p.resendURL || usedVarChanged
	_, tokenGiven := ch.Values[integrations.HookToken]
	if !p.resolvedChanged {
		for k, v := range ch.URLVariables {
			if v != "" {
				p.vars[k] = v
			} else if _, had := cur.URLVariables[k]; had {
				p.removeVars = append(p.removeVars, k)
			}
		}
		for k, v := range ch.CustomHeaders {
			if _, had := cur.CustomHeaders[k]; v != "" || had {
				p.headers[k] = v
			}
		}
		slices.Sort(p.removeVars)
		return p
	}
	// The resolved URL changes: everything it clears is written again, so every value is needed.
	plainFirst := len(cur.URLVariables) > 0
	if set, known := cur.SecretSet[integrations.HookToken]; !tokenGiven && (set || !known) && (p.resendURL || plainFirst) {
		p.missing = append(p.missing, integrations.HookToken)
	}
	for _, name := range integrations.URLPlaceholders(p.url) {
		// The old values are cleared or unusable: every variable the URL uses is sent again.
		if v := ch.URLVariables[name]; v != "" {
			p.vars[name] = v
		} else {
			p.missing = append(p.missing, integrations.HookURLVariables+"."+name)
		}
	}
	for k := range cur.CustomHeaders {
		if v, ok := ch.CustomHeaders[k]; !ok {
			p.missing = append(p.missing, integrations.HookCustomHeaders+"."+k)
		} else if v != "" {
			p.headers[k] = v
		}
	}
	for k, v := range ch.CustomHeaders {
		if v != "" {
			p.headers[k] = v
		}
	}
	if plainFirst {
		p.plainFirst = p.url
		p.resendURL = true
	}
	if _, known := cur.SecretSet[integrations.HookToken]; !known && tokenGiven && ch.Values[integrations.HookToken] == "" {
		p.warnings = append(p.warnings, "the server does not say whether the hook had a token; it has none now")
	}
	slices.Sort(p.missing)
	return p
}

// hookError explains GitLab's refusals of hook requests; id, when given, is the hook asked for.
func (c *Client) hookError(s client.Scope, err error, id ...int64) error {
	msg := statusMessage(err)
	switch {
	case isStatus(err, http.StatusNotFound) && strings.Contains(msg, "404 Not found") && len(id) > 0:
		return client.NotFoundf("no hook %d at %s on %s", id[0], s.Describe(), c.host)
	case isStatus(err, http.StatusNotFound) && s.Level == integrations.Group && msg == "404 Not Found":
		return client.Invalidf("%s has no group webhooks API: group hooks need GitLab Premium or Ultimate", c.host)
	case isStatus(err, http.StatusUnprocessableEntity), isStatus(err, http.StatusBadRequest):
		return client.Invalidf("%s refuses the hook: %s", c.host, msg)
	case isStatus(err, http.StatusForbidden) && s.Level == integrations.Group:
		return fmt.Errorf("%w: %s refused (403): group hooks need the Owner role", client.ErrUnauthorized, c.host)
	case isStatus(err, http.StatusForbidden) && s.Level == integrations.Instance:
		return fmt.Errorf("%w: %s refused (403): system hooks need an administrator's token", client.ErrUnauthorized, c.host)
	}
	return err
}

// RemoveHook deletes the hook; GitLab answers 204, and 404 for a hook already gone.
func (c *Client) RemoveHook(ctx context.Context, s client.Scope, id int64) error {
	s, path, err := c.hooksPath(ctx, s)
	if err != nil {
		return err
	}
	// Attempts are counted here (and in any count the caller keeps): a 404 after an attempt
	// whose answer was lost means that attempt deleted the hook.
	counted, attempts := client.CountAttempts(ctx)
	_, err = c.do(counted, http.MethodDelete, path+"/"+strconv.FormatInt(id, 10), nil, nil)
	if err != nil {
		err = c.hookError(s, err, id)
		if client.IsNotFound(err) && attempts() > 1 {
			return nil
		}
		return err
	}
	return nil
}

func id(item map[string]any) int64 {
	f, _ := item["id"].(float64)
	return int64(f)
}

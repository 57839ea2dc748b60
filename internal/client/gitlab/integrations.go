package gitlab

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// List reads the scope's integrations. GitLab lists only active ones, so every other
// integration's Configured is unknown (ConfiguredUnknown), and inherited_from is left unknown to
// keep listing at one request.
func (c *Client) List(ctx context.Context, s client.Scope) ([]client.State, error) {
	s, err := c.target(ctx, s)
	if err != nil {
		return nil, err
	}
	path, _ := c.scopePath(s)
	into, decoded := newEntities()
	if _, err := c.do(ctx, http.MethodGet, path+"/integrations", nil, into); err != nil {
		return nil, c.groupAPIError(ctx, s, c.missing(ctx, s, err))
	}
	listed := map[string]bool{}
	var out []client.State
	for _, it := range decoded() {
		def, err := integrations.Lookup(str(it.get("slug")))
		if err != nil {
			continue // an integration newer than our catalog
		}
		st := c.state(s, def, it)
		listed[def.Name] = true
		out = append(out, st)
	}
	for _, def := range integrations.Catalog() {
		if !listed[def.Name] && def.SupportsLevel(s.Level) {
			out = append(out, client.State{
				Name: def.Name, Scope: s, ConfiguredUnknown: true,
				Values: map[string]string{}, Events: map[string]bool{},
			})
		}
	}
	return out, nil
}

// Get reads one integration. Secrets GitLab never returns are marked Unknown; when the settings
// are inherited, the ancestors are read to say from where.
func (c *Client) Get(ctx context.Context, s client.Scope, def integrations.Definition) (client.State, error) {
	var st client.State
	var err error
	if s.Level == integrations.Group && s.Path != "" {
		st, err = c.groupGet(ctx, s, def)
	} else {
		st, err = c.get(ctx, s, def)
	}
	if err != nil || !st.Inherited {
		return st, err
	}
	st.InheritedFrom = c.inheritedFrom(ctx, st.Scope, def)
	return st, nil
}

// StartingState is Get: GitLab never creates a project or group on a write, so a scope it does
// not have is refused as Get refuses it.
func (c *Client) StartingState(ctx context.Context, s client.Scope, def integrations.Definition) (client.State, error) {
	return c.Get(ctx, s, def)
}

func (c *Client) get(ctx context.Context, s client.Scope, def integrations.Definition) (client.State, error) {
	if def.APISlug == "" {
		return client.State{}, noAPI(def)
	}
	s, err := c.target(ctx, s)
	if err != nil {
		return client.State{}, err
	}
	path, _ := c.scopePath(s)
	it, into := newEntity()
	_, err = c.do(ctx, http.MethodGet, path+"/integrations/"+def.APISlug, nil, into)
	if !isStatus(err, http.StatusNotFound) || !strings.Contains(statusMessage(err), "Integration Not Found") {
		err = c.missing(ctx, s, err)
	}
	switch {
	case isStatus(err, http.StatusNotFound) && strings.Contains(statusMessage(err), "Integration Not Found"):
		return client.State{Name: def.Name, Scope: s, Values: map[string]string{}, Events: map[string]bool{}}, nil
	case isStatus(err, http.StatusBadRequest) && strings.Contains(statusMessage(err), "slug"):
		return client.State{}, c.unknownIntegration(ctx, def)
	case err != nil:
		return client.State{}, c.groupAPIError(ctx, s, err)
	}
	return c.state(s, def, it), nil
}

// inheritedFrom walks up the ancestor groups to the nearest one with settings of its own; none
// means the instance.
func (c *Client) inheritedFrom(ctx context.Context, s client.Scope, def integrations.Definition) *client.Scope {
	for p := client.ParentPath(s.Path); p != ""; p = client.ParentPath(p) {
		own, known, err := c.groupOwn(ctx, p, def)
		if err != nil {
			return nil // unknown: the group is hidden from the token, or the server is older
		}
		if known {
			return own
		}
	}
	inst := client.InstanceScope
	return &inst
}

// state converts GitLab's Integration entity.
func (c *Client) state(s client.Scope, def integrations.Definition, it entity) client.State {
	st := client.State{
		Name: def.Name, Scope: s, Configured: true, Active: it.get("active") == true, Inherited: it.get("inherited") == true,
		Values: map[string]string{}, Unknown: map[string]bool{}, Events: map[string]bool{}, UnknownEvents: map[string]bool{},
	}
	if t, err := time.Parse(time.RFC3339, str(it.get("updated_at"))); err == nil {
		st.Updated = t
	}
	props, hasProps := it.properties()
	for _, f := range def.Fields {
		if v, ok := props[f.Key]; ok && v != nil {
			if val := integrations.Canonical(v); val != "" {
				st.Values[f.Key] = val
			}
			continue
		}
		// Write-only fields: password types, the webhook, and (for Discord) channel webhooks.
		if hasProps && writeOnly(f) {
			st.Unknown[f.Key] = true
		}
	}
	for _, e := range def.SupportedEvents(s.Level) {
		ev, _ := integrations.LookupEvent(e)
		if v, ok := it.get(ev.APIFlag).(bool); ok {
			st.Events[e] = v
		} else {
			st.UnknownEvents[e] = true // GitLab's entity never returns this flag
		}
	}
	return st
}

func writeOnly(f integrations.Field) bool {
	return f.Kind == integrations.Password || f.Key == "webhook" || (f.Event != "" && f.Secret)
}

// Save writes with PUT. GitLab requires every required parameter, secrets included, on each PUT,
// activates on every PUT, and ignores values sent to an integration that inherits unless told
// use_inherited_settings=false; Save handles all three so an update changes what was asked.
func (c *Client) Save(ctx context.Context, s client.Scope, def integrations.Definition, u client.Update) (client.SaveResult, error) {
	if def.APISlug == "" {
		return client.SaveResult{}, noAPI(def)
	}
	if u.Active != nil && !*u.Active && !u.UseInherited {
		return client.SaveResult{}, client.Invalidf("GitLab activates an integration on every save; --inactive works on the local store only (use disable after saving)")
	}
	s, err := c.Resolve(ctx, s)
	if err != nil {
		return client.SaveResult{}, err
	}
	if !def.SupportsLevel(s.Level) {
		return client.SaveResult{}, client.Invalidf("%s cannot be set at %s level; it supports: %s", def.Name, s.Level, strings.Join(def.LevelNames(), ", "))
	}
	cur := u.Current
	if cur == nil {
		got, err := c.get(ctx, s, def)
		if err != nil {
			return client.SaveResult{}, err
		}
		cur = &got
	}
	if def.NoAPICreate && !cur.Configured {
		return client.SaveResult{}, client.Invalidf("GitLab does not let the API create %s; install it from GitLab's settings page first, then it can be changed here", def.Title)
	}
	info := c.server(ctx)
	if why := def.API.Missing(info.api); why != "" {
		return client.SaveResult{}, client.Invalidf("%s: %s", def.Name, why)
	}
	body, cleared, err := putBody(def, *cur, u, info.api)
	if err != nil {
		return client.SaveResult{}, err
	}
	path, _ := c.scopePath(s)
	it, into := newEntity()
	defer c.forgetGroups(s)
	c.sending(def, u.Values)
	if _, err := c.do(ctx, http.MethodPut, path+"/integrations/"+def.APISlug, body, into); err != nil {
		return client.SaveResult{}, c.writeError(ctx, s, def, err)
	}
	st := c.state(s, def, it)
	if st.Inherited {
		st.InheritedFrom = c.inheritedFrom(ctx, s, def)
	}
	res := client.SaveResult{State: st}
	if !u.UseInherited {
		res.NotKept, res.NotKeptBy = notKept(def, body, it), info.label()
	}
	if len(cleared) > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s cleared %s, as GitLab does when an address changes; set it again with --set if it was in use",
			c.host, strings.Join(cleared, ", ")))
	}
	return res, nil
}

// putBody builds the PUT parameters: every known value (GitLab requires the required ones each
// time), typed by the catalog, the events asked for, and the inheritance switch. It also names
// the optional secrets GitLab will clear because an address changed without them.
//
// Only what srv's API declares is sent: a value the user gave that srv would drop is refused
// (nothing is written), a value read from the server that srv does not declare is left out.
// Events are sent only when they change; one the server never returned, only when it differs
// from its default or the user named it, so a PUT never overwrites what it could not read.
func putBody(def integrations.Definition, cur client.State, u client.Update, srv integrations.Server) (map[string]any, []string, error) {
	for _, k := range sortedKeys(u.Values) {
		if u.Values[k] == "" {
			continue
		}
		if err := def.CheckValue(srv, k, u.Values[k]); err != nil {
			return nil, nil, client.Invalidf("%v", err)
		}
	}
	events, err := eventsToSend(def, cur, u, srv)
	if err != nil {
		return nil, nil, err
	}
	values := maps.Clone(cur.Values)
	maps.Copy(values, u.Values)
	var need []string
	for _, f := range def.Fields {
		if f.Required && values[f.Key] == "" && (cur.Unknown[f.Key] || !u.UseInherited) {
			need = append(need, f.Key)
		}
	}
	var cleared []string
	if !u.UseInherited {
		// Changing an address makes GitLab clear the secrets not sent with it: required ones
		// are asked for, optional ones reported.
		for _, f := range def.Fields {
			if !f.ExposesSecrets || u.Values[f.Key] == "" || u.Values[f.Key] == cur.Values[f.Key] {
				continue
			}
			for _, sf := range def.Fields {
				switch {
				case sf.Kind != integrations.Password || u.Values[sf.Key] != "":
				case sf.Required && !slices.Contains(need, sf.Key):
					need = append(need, sf.Key)
				case !sf.Required && !slices.Contains(cleared, sf.Key):
					cleared = append(cleared, sf.Key)
				}
			}
		}
	}
	if len(need) > 0 && !u.UseInherited {
		return nil, nil, &client.MissingSecretsError{Fields: need}
	}
	body := map[string]any{}
	if u.UseInherited {
		body["use_inherited_settings"] = true
		// Grape still requires the required parameters, though GitLab ignores them when
		// inheriting; known values are sent, write-only ones as a placeholder.
		for _, f := range def.Fields {
			if f.Required {
				body[f.Key] = placeholder(f, values[f.Key])
			}
		}
		return body, nil, nil
	}
	body["use_inherited_settings"] = false
	for k, v := range values {
		f, ok := def.Field(k)
		if !ok || !def.FieldAPI(k).In(srv) || def.ChoiceAPI(k, v).Missing(srv) != "" {
			continue
		}
		if v == "" && f.Kind != integrations.Text && f.Kind != integrations.Textarea && f.Kind != integrations.Password {
			continue
		}
		body[k] = f.Typed(v)
	}
	for e, on := range events {
		ev, _ := integrations.LookupEvent(e)
		body[ev.APIFlag] = on
	}
	return body, cleared, nil
}

// eventsToSend picks the events a PUT carries, refusing those srv's API would drop.
func eventsToSend(def integrations.Definition, cur client.State, u client.Update, srv integrations.Server) (map[string]bool, error) {
	out := map[string]bool{}
	for _, e := range sortedKeys(u.Events) {
		on := u.Events[e]
		if _, ok := integrations.LookupEvent(e); !ok {
			continue
		}
		was, known := cur.Events[e]
		known = known && cur.Configured && !cur.UnknownEvents[e]
		switch {
		case known && was == on:
			continue
		case !known && on == def.DefaultEventState(e) && !u.AskedEvents[e]:
			continue // the caller filled in a default for a state nobody read or asked for
		}
		if err := def.CheckEventAPI(srv, e); err != nil {
			return nil, client.Invalidf("%v", err)
		}
		out[e] = on
	}
	return out, nil
}

// notKept compares the PUT's answer with what was sent: every field GitLab returns and every
// event flag its entity has. Write-only fields and flags GitLab never returns cannot be checked.
func notKept(def integrations.Definition, sent map[string]any, got entity) []string {
	props, hasProps := got.properties()
	var out []string
	for _, k := range sortedKeys(sent) {
		if k == "use_inherited_settings" {
			continue
		}
		if f, ok := def.Field(k); ok {
			if writeOnly(f) || f.Secret || !hasProps {
				continue // never returned, or an answer without properties: nothing to compare
			}
			v, returned := props[k]
			if !returned || integrations.Canonical(sent[k]) != integrations.Canonical(v) {
				out = append(out, k)
			}
			continue
		}
		if v := got.get(k); v != nil && v != sent[k] {
			out = append(out, k)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

func placeholder(f integrations.Field, v string) any {
	if v != "" {
		return f.Typed(v)
	}
	switch f.Kind {
	case integrations.Checkbox:
		return false
	case integrations.Number:
		return 0
	}
	return "inherited"
}

// writeError explains the refusals GitLab gives to writes.
func (c *Client) writeError(ctx context.Context, s client.Scope, def integrations.Definition, err error) error {
	msg := statusMessage(err)
	switch {
	case isStatus(err, http.StatusUnprocessableEntity):
		return client.Invalidf("%s refuses: %s", c.host, msg)
	case isStatus(err, http.StatusBadRequest) && strings.Contains(msg, "Default integration not found"):
		return client.Invalidf("no parent of %s has %s settings to inherit (%s)", s.Describe(), def.Name, c.host)
	case isStatus(err, http.StatusBadRequest) && strings.Contains(msg, "not available"):
		return client.Invalidf("%s does not offer %s at %s (disabled or not allowed on this server)", c.host, def.Name, s.Describe())
	case isStatus(err, http.StatusNotFound) && !strings.Contains(msg, "Project Not Found") && !strings.Contains(msg, "Group Not Found"):
		if s.Level == integrations.Group {
			return c.groupAPIError(ctx, s, err)
		}
		return c.unknownIntegration(ctx, def)
	}
	return c.groupAPIError(ctx, s, err)
}

// groupAPIError says plainly when a group endpoint is missing because the server predates 17.9.
func (c *Client) groupAPIError(ctx context.Context, s client.Scope, err error) error {
	if s.Level == integrations.Group && isStatus(err, http.StatusNotFound) && strings.Contains(statusMessage(err), "404 Not Found") {
		return client.Invalidf("%s runs GitLab %s; group-level integrations need GitLab 17.9 or later (use -p for each project instead)", c.host, c.serverVersion(ctx))
	}
	return err
}

func (c *Client) unknownIntegration(ctx context.Context, def integrations.Definition) error {
	return client.Invalidf("%s (GitLab %s) does not know the %s integration (API slug %q); it may be older or newer than this integration",
		c.host, c.serverVersion(ctx), def.Name, def.APISlug)
}

// Disable is GitLab's DELETE, which also resets the settings on the server.
func (c *Client) Disable(ctx context.Context, s client.Scope, def integrations.Definition) (client.State, error) {
	if def.APISlug == "" {
		return client.State{}, noAPI(def)
	}
	if def.NoAPIDisable {
		return client.State{}, client.Invalidf("GitLab does not let the API disable %s; disable it from GitLab's settings page", def.Title)
	}
	s, err := c.Resolve(ctx, s)
	if err != nil {
		return client.State{}, err
	}
	path, _ := c.scopePath(s)
	defer c.forgetGroups(s)
	_, err = c.do(ctx, http.MethodDelete, path+"/integrations/"+def.APISlug, nil, nil)
	if isStatus(err, http.StatusNotFound) && strings.Contains(statusMessage(err), "Integration Not Found") {
		return client.State{Name: def.Name, Scope: s, Values: map[string]string{}, Events: map[string]bool{}}, nil
	}
	if err != nil {
		return client.State{}, c.writeError(ctx, s, def, err)
	}
	return c.get(ctx, s, def)
}

func noAPI(def integrations.Definition) error {
	return client.Invalidf("GitLab's REST API does not expose %s; it can be set only in GitLab's admin UI", def.Name)
}

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

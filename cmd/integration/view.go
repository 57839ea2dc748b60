// Package integration holds the commands about one integration at a time: list, show, events,
// configure, enable, disable, test and logs.
package integration

import (
	"slices"
	"strings"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// The JSON shapes below are the contract scripts rely on: snake_case keys, stable, and null
// where knowledge is absent.

type catalogItem struct {
	Name     string   `json:"name"`
	Title    string   `json:"title"`
	Category string   `json:"category"`
	Levels   []string `json:"levels"`
	Status   string   `json:"status"`
	// OnServer says whether the connected GitLab offers it; only with a server (list --all
	// against GitLab, or a scope there).
	OnServer *bool `json:"on_server,omitempty"`
}

// scopedItem is a list entry at a scope. Configured, inherited and events are null where the
// backend cannot tell (GitLab lists active integrations only).
type scopedItem struct {
	catalogItem
	Active        bool     `json:"active"`
	Configured    *bool    `json:"configured"`
	Inherited     *bool    `json:"inherited"`
	InheritedFrom *string  `json:"inherited_from"`
	Events        []string `json:"events"`
}

func newScopedItem(d integrations.Definition, st client.State) scopedItem {
	it := scopedItem{catalogItem: newCatalogItem(d), Active: st.Active, InheritedFrom: scopeName(st.InheritedFrom)}
	if !st.ConfiguredUnknown {
		it.Configured, it.Inherited, it.Events = &st.Configured, &st.Inherited, enabledEvents(d, st)
	}
	return it
}

type showView struct {
	Name          string      `json:"name"`
	Title         string      `json:"title"`
	Category      string      `json:"category"`
	Levels        []string    `json:"levels"`
	Scope         *string     `json:"scope"`
	Active        *bool       `json:"active"`
	Configured    *bool       `json:"configured"`
	Inherited     *bool       `json:"inherited"`
	InheritedFrom *string     `json:"inherited_from"`
	Fields        []fieldView `json:"fields"`
	Events        []eventView `json:"events"`
	// Server is the GitLab version on_server is about ("18.6"); null without a server.
	Server *string `json:"server"`
}

// writeView is what a write prints: the show shape, and what the server did not keep.
type writeView struct {
	showView
	NotKept []string `json:"not_kept"`
}

// apiView is where GitLab's API declares a field or event: since and until are versions (null
// when every known version has it), on_server whether the connected server does (null without
// one).
type apiView struct {
	Since     *string `json:"since"`
	Until     *string `json:"until"`
	EEOnly    bool    `json:"ee_only"`
	WebUIOnly bool    `json:"web_ui_only"`
	OnServer  *bool   `json:"on_server"`
}

func newAPIView(a integrations.Availability, srv *integrations.Server) apiView {
	v := apiView{Since: versionOrNil(a.Since), Until: versionOrNil(a.Until), EEOnly: a.EE, WebUIOnly: a.WebUIOnly}
	if srv != nil {
		on := a.In(*srv)
		v.OnServer = &on
	}
	return v
}

func versionOrNil(v integrations.Version) *string {
	if v.IsZero() {
		return nil
	}
	s := v.String()
	return &s
}

type fieldView struct {
	Name     string       `json:"name"`
	Type     string       `json:"type"`
	Required bool         `json:"required"`
	Secret   bool         `json:"secret"`
	Choices  []choiceView `json:"choices"`
	Default  any          `json:"default"`
	Value    any          `json:"value"`
	Set      *bool        `json:"set"`
	apiView
}

type choiceView struct {
	Label string `json:"label"`
	Value any    `json:"value"`
	apiView
}

type eventView struct {
	Name    string `json:"name"`
	APIFlag string `json:"api_flag"`
	// Enabled is null without a scope, and where the server never returns the flag.
	Enabled *bool `json:"enabled"`
	apiView
}

func newCatalogItem(d integrations.Definition) catalogItem {
	return catalogItem{Name: d.Name, Title: d.Title, Category: d.Category, Levels: d.LevelNames(), Status: catalogStatus(d)}
}

// catalogStatus says whether GitLab still offers the integration: available, deprecated or
// removed. It is not whether it is active at a scope, which is "active".
func catalogStatus(d integrations.Definition) string {
	switch {
	case d.Removed():
		return "removed"
	case d.Deprecated != "":
		return "deprecated"
	}
	return "available"
}

func scopeName(s *client.Scope) *string {
	if s == nil {
		return nil
	}
	name := s.String()
	return &name
}

// enabledEvents lists the events switched on in st, in catalog order.
func enabledEvents(d integrations.Definition, st client.State) []string {
	out := []string{}
	if !st.Configured {
		return out
	}
	for _, e := range d.SupportedEvents(st.Scope.Level) {
		if !st.UnknownEvents[e] && d.EventOn(st.Events, e) {
			out = append(out, e)
		}
	}
	return out
}

func newFieldView(d integrations.Definition, f integrations.Field, st *client.State, srv *integrations.Server) fieldView {
	fv := fieldView{
		Name: f.Key, Type: string(f.Kind), Required: f.Required, Secret: f.Masked(), Choices: []choiceView{},
		apiView: newAPIView(d.FieldAPI(f.Key), srv),
	}
	for _, c := range f.Choices {
		var v any = c.Value
		if c.Value != "" {
			v = f.Typed(c.Value)
		}
		fv.Choices = append(fv.Choices, choiceView{Label: c.Label, Value: v, apiView: newAPIView(d.ChoiceAPI(f.Key, c.Value), srv)})
	}
	if f.Default != "" {
		fv.Default = f.Typed(f.Default)
	}
	if st == nil {
		return fv
	}
	if st.Unknown[f.Key] {
		return fv // the backend cannot tell: value and set stay null
	}
	v, set := st.Values[f.Key]
	set = set && v != ""
	fv.Set = &set
	if set && !f.Masked() {
		fv.Value = f.Typed(v)
	}
	return fv
}

// newShowView renders d, with its state at a scope (st) and against a server (srv) when known.
func newShowView(d integrations.Definition, st *client.State, srv *integrations.Server) showView {
	v := showView{Name: d.Name, Title: d.Title, Category: d.Category, Levels: d.LevelNames(), Fields: []fieldView{}, Events: []eventView{}}
	if srv != nil {
		v.Server = versionOrNil(srv.Effective())
	}
	level := integrations.Level("")
	if st != nil {
		level = st.Scope.Level
		v.Scope = scopeName(&st.Scope)
		v.Active, v.Configured, v.Inherited = &st.Active, &st.Configured, &st.Inherited
		v.InheritedFrom = scopeName(st.InheritedFrom)
	}
	for _, f := range d.Fields {
		if f.Event != "" && !slices.Contains(d.SupportedEvents(level), f.Event) {
			continue
		}
		v.Fields = append(v.Fields, newFieldView(d, f, st, srv))
	}
	for _, name := range d.SupportedEvents(level) {
		ev, _ := integrations.LookupEvent(name)
		item := eventView{Name: ev.Name, APIFlag: ev.APIFlag, apiView: newAPIView(d.EventAPI(name), srv)}
		if st != nil && (!st.Configured || !st.UnknownEvents[name]) {
			on := st.Configured && d.EventOn(st.Events, name)
			item.Enabled = &on
		}
		v.Events = append(v.Events, item)
	}
	return v
}

// settingsWord says in a few words where a scope's settings come from.
func settingsWord(st client.State) string {
	switch {
	case st.ConfiguredUnknown:
		return "inactive or not configured"
	case !st.Configured:
		return "not configured"
	case st.Inherited && st.InheritedFrom != nil:
		return "inherited from " + st.InheritedFrom.String()
	case st.Inherited:
		return "inherited"
	default:
		return "custom"
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func joinOr(items []string, empty string) string {
	if len(items) == 0 {
		return empty
	}
	return strings.Join(items, ", ")
}

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
}

type choiceView struct {
	Label string `json:"label"`
	Value any    `json:"value"`
}

type eventView struct {
	Name    string `json:"name"`
	APIFlag string `json:"api_flag"`
	Enabled *bool  `json:"enabled"`
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
		if d.EventOn(st.Events, e) {
			out = append(out, e)
		}
	}
	return out
}

func newFieldView(f integrations.Field, st *client.State) fieldView {
	fv := fieldView{Name: f.Key, Type: string(f.Kind), Required: f.Required, Secret: f.Masked(), Choices: []choiceView{}}
	for _, c := range f.Choices {
		var v any = c.Value
		if c.Value != "" {
			v = f.Typed(c.Value)
		}
		fv.Choices = append(fv.Choices, choiceView{Label: c.Label, Value: v})
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

func newShowView(d integrations.Definition, st *client.State) showView {
	v := showView{Name: d.Name, Title: d.Title, Category: d.Category, Levels: d.LevelNames(), Fields: []fieldView{}, Events: []eventView{}}
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
		v.Fields = append(v.Fields, newFieldView(f, st))
	}
	for _, name := range d.SupportedEvents(level) {
		ev, _ := integrations.LookupEvent(name)
		item := eventView{Name: ev.Name, APIFlag: ev.APIFlag}
		if st != nil {
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

package gitlabfake

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/forgekit/integrations/internal/integrations"
)

// state is the server's data: groups, projects, integration records and users. The Server's mu
// guards it.
type state struct {
	seq         int64 // ids of records, tokens and users
	gen         int64 // bumped whenever groups or projects change, which listings depend on
	groupSeq    int64
	projectSeq  int64
	groups      map[string]*group // by lower-cased full path
	groupsByID  map[int64]*group
	projects    map[string]*project
	projectByID map[int64]*project
	roots       []*group // top-level groups, by id
	instance    map[string]*record
	users       map[string]int64
}

func newState() *state {
	return &state{
		groups:      map[string]*group{},
		groupsByID:  map[int64]*group{},
		projects:    map[string]*project{},
		projectByID: map[int64]*project{},
		instance:    map[string]*record{},
		users:       map[string]int64{},
	}
}

func (st *state) userID(name string) int64 {
	if id, ok := st.users[name]; ok {
		return id
	}
	st.seq++
	st.users[name] = st.seq
	return st.seq
}

type group struct {
	id       int64
	path     string
	fullPath string
	parent   *group
	children []*group   // direct subgroups, by id
	projects []*project // projects directly in the group, by id
	recs     map[string]*record
}

type project struct {
	id       int64
	path     string
	fullPath string
	ns       *group
	archived bool
	recs     map[string]*record
}

// record is one integration's row at a project, a group or the instance.
type record struct {
	id     int64
	name   string // catalog name
	active bool
	// props holds every field's value, secrets included: string, bool, int64, []string or nil.
	props map[string]any
	// events maps API flags (push_events, job_events…) to their state.
	events map[string]bool
	// inheritGroup or inheritInstance is the default the record inherits from (inherit_from_id).
	inheritGroup    *group
	inheritInstance bool
	created         time.Time
	updated         time.Time
}

func (r *record) inherits() bool { return r.inheritGroup != nil || r.inheritInstance }

func (r *record) inheritFrom() string {
	switch {
	case r.inheritGroup != nil:
		return "group:" + r.inheritGroup.fullPath
	case r.inheritInstance:
		return "instance"
	}
	return ""
}

// owner is where a record lives; exactly one of g, p and instance is set.
type owner struct {
	g        *group
	p        *project
	instance bool
}

func (o owner) recs(st *state) map[string]*record {
	switch {
	case o.g != nil:
		return o.g.recs
	case o.p != nil:
		return o.p.recs
	}
	return st.instance
}

func (o owner) level() integrations.Level {
	switch {
	case o.g != nil:
		return integrations.Group
	case o.p != nil:
		return integrations.Project
	}
	return integrations.Instance
}

// ancestors lists the groups above the owner, nearest first.
func (o owner) ancestors() []*group {
	var g *group
	switch {
	case o.g != nil:
		g = o.g.parent
	case o.p != nil:
		g = o.p.ns
	}
	var out []*group
	for ; g != nil; g = g.parent {
		out = append(out, g)
	}
	return out
}

func (st *state) newRecord(name string, now time.Time) *record {
	st.seq++
	return &record{id: st.seq, name: name, props: map[string]any{}, events: map[string]bool{}, created: now, updated: now}
}

// defaultIntegration is Integration.default_integration: the closest ancestor group's record of
// that type with custom settings, else the instance's. activeOnly restricts it to active ones,
// as create_from_default_integrations does.
func (st *state) defaultIntegration(name string, o owner, activeOnly bool) (*record, *group, bool) {
	for _, g := range o.ancestors() {
		if r := g.recs[name]; r != nil && !r.inherits() && (r.active || !activeOnly) {
			return r, g, true
		}
	}
	if r := st.instance[name]; r != nil && (r.active || !activeOnly) {
		return r, nil, true
	}
	return nil, nil, false
}

// copyFrom makes dst a copy of src's settings, inheriting from src's default: src's own default
// when src inherits, else src itself (inherit_from_id || id). srcGroup is src's group, nil for
// the instance.
func copyFrom(dst, src *record, srcGroup *group, now time.Time) {
	dst.active = src.active
	dst.props = cloneProps(src.props)
	dst.events = maps.Clone(src.events)
	switch {
	case src.inherits():
		dst.inheritGroup, dst.inheritInstance = src.inheritGroup, src.inheritInstance
	case srcGroup != nil:
		dst.inheritGroup, dst.inheritInstance = srcGroup, false
	default:
		dst.inheritGroup, dst.inheritInstance = nil, true
	}
	dst.updated = now
}

func cloneProps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if a, ok := v.([]string); ok {
			v = slices.Clone(a)
		}
		out[k] = v
	}
	return out
}

// propagateGroup is Integrations::PropagateService for a group record: descendants that inherit
// from the group, one of its ancestors or the instance get a copy; descendant groups and
// non-archived descendant projects without a record get one. Records with custom settings are
// left alone.
func (st *state) propagateGroup(g *group, d integrations.Definition, now time.Time) {
	src := g.recs[d.Name]
	if src == nil {
		return
	}
	selfAndAncestors := map[*group]bool{}
	for a := g; a != nil; a = a.parent {
		selfAndAncestors[a] = true
	}
	follows := func(r *record) bool {
		return r.inheritInstance || (r.inheritGroup != nil && selfAndAncestors[r.inheritGroup])
	}
	st.spread(d, src, g, g.projects, g.children, follows, now)
}

// propagateInstance is Integrations::PropagateService for the instance record: records that
// inherit from it get a copy; groups and non-archived projects without a record get one.
func (st *state) propagateInstance(d integrations.Definition, now time.Time) {
	src := st.instance[d.Name]
	if src == nil {
		return
	}
	follows := func(r *record) bool { return r.inheritInstance }
	st.spread(d, src, nil, nil, st.roots, follows, now)
}

// spread copies src (whose group is srcGroup, nil for the instance) to the projects, the groups
// and everything below the groups: onto the records follows selects, and as a new record where
// there is none (except on archived projects).
func (st *state) spread(d integrations.Definition, src *record, srcGroup *group, projects []*project, groups []*group,
	follows func(*record) bool, now time.Time,
) {
	apply := func(recs map[string]*record, l integrations.Level, create bool) {
		r := recs[d.Name]
		switch {
		case r == nil:
			if create && d.SupportsLevel(l) {
				r = st.newRecord(d.Name, now)
				copyFrom(r, src, srcGroup, now)
				recs[d.Name] = r
			}
		case follows(r):
			copyFrom(r, src, srcGroup, now)
		}
	}
	applyProjects := func(ps []*project) {
		for _, p := range ps {
			apply(p.recs, integrations.Project, !p.archived)
		}
	}
	applyProjects(projects)
	walkGroups(groups, func(g *group) {
		apply(g.recs, integrations.Group, true)
		applyProjects(g.projects)
	})
}

// walkGroups visits the groups and all their descendants, parents before children.
func walkGroups(gs []*group, fn func(*group)) {
	for _, g := range gs {
		fn(g)
		walkGroups(g.children, fn)
	}
}

// createFromDefaults is create_from_default_integrations for a new group or project: a copy of
// the closest active default of every integration type.
func (st *state) createFromDefaults(o owner, now time.Time) {
	var names []string
	for _, g := range o.ancestors() {
		names = slices.AppendSeq(names, maps.Keys(g.recs))
	}
	names = slices.AppendSeq(names, maps.Keys(st.instance))
	slices.Sort(names)
	recs := o.recs(st)
	for _, n := range slices.Compact(names) {
		d, err := integrations.Lookup(n)
		if err != nil || !d.SupportsLevel(o.level()) || recs[n] != nil {
			continue
		}
		src, g, ok := st.defaultIntegration(n, o, true)
		if !ok {
			continue
		}
		r := st.newRecord(n, now)
		copyFrom(r, src, g, now)
		recs[n] = r
	}
}

func lastSegment(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[i+1:]
	}
	return path
}

func cleanPath(path string) string { return strings.Trim(strings.TrimSpace(path), "/") }

// addGroup returns the group at path, creating it and its missing parents.
func (st *state) addGroup(path string, now time.Time) *group {
	path = cleanPath(path)
	if path == "" {
		panic("gitlabfake: empty group path")
	}
	if g := st.groups[strings.ToLower(path)]; g != nil {
		return g
	}
	if st.projects[strings.ToLower(path)] != nil {
		panic(fmt.Sprintf("gitlabfake: %q is already a project", path))
	}
	var parent *group
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		parent = st.addGroup(path[:i], now)
	}
	st.groupSeq++
	st.gen++
	g := &group{id: st.groupSeq, path: lastSegment(path), fullPath: path, parent: parent, recs: map[string]*record{}}
	st.groups[strings.ToLower(path)] = g
	st.groupsByID[g.id] = g
	if parent != nil {
		parent.children = append(parent.children, g)
	} else {
		st.roots = append(st.roots, g)
	}
	st.createFromDefaults(owner{g: g}, now)
	return g
}

// AddGroup creates the group at path (acme/platform) and any missing parent groups, and returns
// its ID. Like GitLab, a new group gets a copy of the closest active default of each integration.
// Adding an existing group returns its ID.
func (s *Server) AddGroup(path string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.addGroup(path, time.Now()).id
}

// AddProject creates the project at path (acme/platform/web) and any missing parent groups, and
// returns its ID. The path needs at least one group. Like GitLab, a new project gets a copy of the
// closest active default of each integration. Adding an existing project sets its archived flag
// and returns its ID.
func (s *Server) AddProject(path string, archived bool) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	path = cleanPath(path)
	if p := s.st.projects[strings.ToLower(path)]; p != nil {
		if p.archived != archived {
			p.archived = archived
			s.st.gen++
		}
		return p.id
	}
	i := strings.LastIndexByte(path, '/')
	if i <= 0 {
		panic(fmt.Sprintf("gitlabfake: project path %q needs a group, like acme/web", path))
	}
	if s.st.groups[strings.ToLower(path)] != nil {
		panic(fmt.Sprintf("gitlabfake: %q is already a group", path))
	}
	ns := s.st.addGroup(path[:i], now)
	s.st.projectSeq++
	s.st.gen++
	p := &project{id: s.st.projectSeq, path: lastSegment(path), fullPath: path, ns: ns, archived: archived, recs: map[string]*record{}}
	s.st.projects[strings.ToLower(path)] = p
	s.st.projectByID[p.id] = p
	ns.projects = append(ns.projects, p)
	s.st.createFromDefaults(owner{p: p}, now)
	return p.id
}

// lookupDef finds a catalog definition by API slug or name, panicking on an unknown one: the
// seeding and inspection helpers are for tests, where a typo should stop the test.
func lookupDef(slug string) integrations.Definition {
	d, err := integrations.Lookup(slug)
	if err != nil {
		panic("gitlabfake: " + err.Error())
	}
	return d
}

// SetInstanceIntegration sets the instance-level default of an integration (GitLab has no API for
// it) and propagates it: records that inherit from the instance get a copy, and groups and
// non-archived projects without a record get one. slug is the API slug or the catalog name. events
// maps API flags (push_events) or event names (push) to their state; unnamed events keep their
// defaults.
func (s *Server) SetInstanceIntegration(slug string, props map[string]any, events map[string]bool, active bool) {
	d := lookupDef(slug)
	if !d.SupportsLevel(integrations.Instance) {
		panic(fmt.Sprintf("gitlabfake: %s cannot be set at instance level", d.Name))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	r := s.seedRecord(owner{instance: true}, d, props, events, active, now)
	r.inheritGroup, r.inheritInstance = nil, false
	s.st.propagateInstance(d, now)
}

// SetIntegration stores an integration with custom settings at a project or group (kind "project"
// or "group"), as if it had been saved in GitLab's UI, without the PUT rules: useful for records
// the API cannot create (gitlab-slack-application, jira-cloud-app). A group's settings propagate
// to its descendants as after a PUT. The project or group must exist.
func (s *Server) SetIntegration(kind, path, slug string, props map[string]any, events map[string]bool, active bool) {
	d := lookupDef(slug)
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.st.ownerByPath(kind, path)
	if !ok {
		panic(fmt.Sprintf("gitlabfake: no %s %q", kind, path))
	}
	if !d.SupportsLevel(o.level()) {
		panic(fmt.Sprintf("gitlabfake: %s cannot be set at %s level", d.Name, o.level()))
	}
	now := time.Now()
	r := s.seedRecord(o, d, props, events, active, now)
	r.inheritGroup, r.inheritInstance = nil, false
	if o.g != nil {
		s.st.propagateGroup(o.g, d, now)
	}
}

func (s *Server) seedRecord(o owner, d integrations.Definition, props map[string]any, events map[string]bool, active bool, now time.Time) *record {
	recs := o.recs(s.st)
	r := recs[d.Name]
	if r == nil {
		r = s.st.newRecord(d.Name, now)
		initRecord(r, s.specFor(d.Name), o.level())
		recs[d.Name] = r
	}
	maps.Copy(r.props, cloneProps(props))
	for k, v := range events {
		if e, ok := integrations.LookupEvent(k); ok {
			k = e.APIFlag
		}
		r.events[k] = v
	}
	r.active = active
	r.updated = now
	datadogCIVisibility(r, d)
	return r
}

func (st *state) ownerByPath(kind, path string) (owner, bool) {
	key := strings.ToLower(cleanPath(path))
	switch kind {
	case "project":
		p := st.projects[key]
		return owner{p: p}, p != nil
	case "group":
		g := st.groups[key]
		return owner{g: g}, g != nil
	case "instance":
		return owner{instance: true}, true
	}
	panic(fmt.Sprintf("gitlabfake: kind %q is not project, group or instance", kind))
}

// Record is an integration's stored state, for tests to assert against.
type Record struct {
	ID     int64
	Active bool
	// Properties holds every stored field value, secrets included.
	Properties map[string]any
	// Events maps API flags (push_events, issues_events…) to their state.
	Events map[string]bool
	// Inherited is true when the record uses a default's settings (inherit_from_id is set).
	Inherited bool
	// InheritFrom is "group:<full path>", "instance" or "".
	InheritFrom string
	// Persisted is true for every record returned: the row exists.
	Persisted bool
	Created   time.Time
	Updated   time.Time
}

// Integration returns the stored integration at a project or group (kind "project" or "group"; also
// "instance", where path is ignored). slug is the API slug or the catalog name. ok is false when
// the scope or the record does not exist.
func (s *Server) Integration(kind, path, slug string) (Record, bool) {
	d := lookupDef(slug)
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.st.ownerByPath(kind, path)
	if !ok {
		return Record{}, false
	}
	r := o.recs(s.st)[d.Name]
	if r == nil {
		return Record{}, false
	}
	return Record{
		ID:          r.id,
		Active:      r.active,
		Properties:  cloneProps(r.props),
		Events:      maps.Clone(r.events),
		Inherited:   r.inherits(),
		InheritFrom: r.inheritFrom(),
		Persisted:   true,
		Created:     r.created,
		Updated:     r.updated,
	}, true
}

// ProjectID returns the ID of the project at path.
func (s *Server) ProjectID(path string) (int64, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.st.projects[strings.ToLower(cleanPath(path))]
	if p == nil {
		return 0, false
	}
	return p.id, true
}

// GroupID returns the ID of the group at path.
func (s *Server) GroupID(path string) (int64, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g := s.st.groups[strings.ToLower(cleanPath(path))]
	if g == nil {
		return 0, false
	}
	return g.id, true
}

package gitlabfake

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// listGroupChildren serves GET /groups/:id/subgroups, /descendant_groups and /projects.
//
// Items are ordered by id ascending unless order_by (id, name, path) and sort (asc, desc) say
// otherwise. /projects takes include_subgroups and archived (true: archived only; false:
// unarchived only; absent: all).
func (s *Server) listGroupChildren(w http.ResponseWriter, r *http.Request, id, what string) {
	q := r.URL.Query()
	pg, ok := s.pagination(w, q)
	if !ok {
		return
	}
	var archived *bool
	if v := q.Get("archived"); v != "" && what == "projects" {
		b, ok := parseBoolString(v)
		if !ok {
			writeErrorKey(w, http.StatusBadRequest, "archived is invalid")
			return
		}
		archived = &b
	}
	includeSub := false
	if v := q.Get("include_subgroups"); v != "" {
		b, ok := parseBoolString(v)
		if !ok {
			writeErrorKey(w, http.StatusBadRequest, "include_subgroups is invalid")
			return
		}
		includeSub = b
	}
	key := listKey{what: what, includeSub: includeSub, archived: -1, orderBy: q.Get("order_by"), desc: strings.EqualFold(q.Get("sort"), "desc")}
	if archived != nil {
		key.archived = 0
		if *archived {
			key.archived = 1
		}
	}
	if key.orderBy != "name" && key.orderBy != "path" {
		key.orderBy = "id"
	}

	s.mu.RLock()
	g := s.findGroup(id)
	if g == nil {
		s.mu.RUnlock()
		writeMessage(w, http.StatusNotFound, "404 Group Not Found")
		return
	}
	key.group = g.id
	items := s.listing(key, g)
	start, end := pg.window(len(items))
	page := make([]any, 0, end-start)
	for _, it := range items[start:end] {
		if it.p != nil {
			page = append(page, s.projectView(it.p))
		} else {
			page = append(page, s.groupView(it.g))
		}
	}
	s.mu.RUnlock()
	pg.setHeaders(w, r, len(items))
	writeJSON(w, http.StatusOK, page)
}

// listKey names one ordered listing of a group's children.
type listKey struct {
	group      int64
	what       string // subgroups, descendant_groups or projects
	includeSub bool
	archived   int8   // -1 all, 0 unarchived only, 1 archived only
	orderBy    string // id, name or path
	desc       bool
}

// listItem is a group (g) or a project (p) of a listing.
type listItem struct {
	id         int64
	name, path string
	g          *group
	p          *project
}

// listCache keeps each ordered listing until groups or projects change (state.gen), so that a
// page costs its own items rather than a sort of the whole group: a client reading 20,000
// projects 100 at a time would otherwise make the fake's cost grow with the square of the fleet.
type listCache struct {
	mu    sync.Mutex
	gen   int64
	lists map[listKey][]listItem
}

// listing returns the ordered items of key, all of them. The caller holds s.mu (read).
func (s *Server) listing(key listKey, g *group) []listItem {
	lc := &s.lists
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.gen != s.st.gen || lc.lists == nil {
		lc.gen, lc.lists = s.st.gen, map[listKey][]listItem{}
	}
	if items, ok := lc.lists[key]; ok {
		return items
	}
	var items []listItem
	switch key.what {
	case "subgroups":
		for _, c := range g.children {
			items = append(items, listItem{id: c.id, name: c.path, path: c.path, g: c})
		}
	case "descendant_groups":
		walkGroups(g.children, func(c *group) {
			items = append(items, listItem{id: c.id, name: c.path, path: c.path, g: c})
		})
	case "projects":
		add := func(ps []*project) {
			for _, p := range ps {
				if key.archived < 0 || p.archived == (key.archived == 1) {
					items = append(items, listItem{id: p.id, name: p.path, path: p.path, p: p})
				}
			}
		}
		add(g.projects)
		if key.includeSub {
			walkGroups(g.children, func(c *group) { add(c.projects) })
		}
	}
	slices.SortFunc(items, func(a, b listItem) int {
		c := 0
		switch key.orderBy {
		case "name":
			c = strings.Compare(a.name, b.name)
		case "path":
			c = strings.Compare(a.path, b.path)
		}
		if c == 0 {
			c = cmp.Compare(a.id, b.id)
		}
		if key.desc {
			return -c
		}
		return c
	})
	lc.lists[key] = items
	return items
}

// page is GitLab's offset pagination of one request.
type page struct {
	page, perPage int
}

// pagination reads page and per_page (defaults 1 and 20; per_page is capped at the server's
// maximum). It answers 400 for values that are not integers.
func (s *Server) pagination(w http.ResponseWriter, q url.Values) (page, bool) {
	p := page{page: 1, perPage: 20}
	for _, k := range []string{"page", "per_page"} {
		v := q.Get(k)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			writeErrorKey(w, http.StatusBadRequest, k+" is invalid")
			return p, false
		}
		if k == "page" && n >= 1 {
			p.page = n
		}
		if k == "per_page" && n >= 1 {
			p.perPage = min(n, s.perPageMax)
		}
	}
	return p, true
}

func (p page) totalPages(total int) int {
	return max(1, (total+p.perPage-1)/p.perPage)
}

func (p page) window(total int) (int, int) {
	start := min((p.page-1)*p.perPage, total)
	return start, min(start+p.perPage, total)
}

// setHeaders sets X-Page, X-Per-Page, X-Next-Page, X-Prev-Page, X-Total, X-Total-Pages and Link
// (rel prev, next, first, last), as GitLab's offset pagination does.
func (p page) setHeaders(w http.ResponseWriter, r *http.Request, total int) {
	h := w.Header()
	pages := p.totalPages(total)
	next, prev := "", ""
	if p.page < pages {
		next = strconv.Itoa(p.page + 1)
	}
	if p.page > 1 {
		prev = strconv.Itoa(min(p.page-1, pages))
	}
	h.Set("X-Page", strconv.Itoa(p.page))
	h.Set("X-Per-Page", strconv.Itoa(p.perPage))
	h.Set("X-Next-Page", next)
	h.Set("X-Prev-Page", prev)
	h.Set("X-Total", strconv.Itoa(total))
	h.Set("X-Total-Pages", strconv.Itoa(pages))

	link := func(n string, rel string) string {
		q := r.URL.Query()
		q.Set("page", n)
		q.Set("per_page", strconv.Itoa(p.perPage))
		u := url.URL{Scheme: "http", Host: r.Host, RawPath: r.URL.EscapedPath(), RawQuery: q.Encode()}
		u.Path, _ = url.PathUnescape(u.RawPath)
		return "<" + u.String() + `>; rel="` + rel + `"`
	}
	var links []string
	if prev != "" {
		links = append(links, link(prev, "prev"))
	}
	if next != "" {
		links = append(links, link(next, "next"))
	}
	links = append(links, link("1", "first"), link(strconv.Itoa(pages), "last"))
	h.Set("Link", strings.Join(links, ", "))
}

package gitlabfake

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
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
	orderBy, desc := q.Get("order_by"), strings.EqualFold(q.Get("sort"), "desc")

	s.mu.RLock()
	g := s.findGroup(id)
	if g == nil {
		s.mu.RUnlock()
		writeMessage(w, http.StatusNotFound, "404 Group Not Found")
		return
	}
	type item struct {
		id         int64
		name, path string
		view       any
	}
	var items []item
	switch what {
	case "subgroups":
		for _, c := range g.children {
			items = append(items, item{c.id, c.path, c.path, s.groupView(c)})
		}
	case "descendant_groups":
		walkGroups(g.children, func(c *group) {
			items = append(items, item{c.id, c.path, c.path, s.groupView(c)})
		})
	case "projects":
		add := func(ps []*project) {
			for _, p := range ps {
				if archived == nil || p.archived == *archived {
					items = append(items, item{p.id, p.path, p.path, s.projectView(p)})
				}
			}
		}
		add(g.projects)
		if includeSub {
			walkGroups(g.children, func(c *group) { add(c.projects) })
		}
	}
	s.mu.RUnlock()

	slices.SortFunc(items, func(a, b item) int {
		c := 0
		switch orderBy {
		case "name":
			c = strings.Compare(a.name, b.name)
		case "path":
			c = strings.Compare(a.path, b.path)
		}
		if c == 0 {
			c = cmp.Compare(a.id, b.id)
		}
		if desc {
			return -c
		}
		return c
	})
	start, end := pg.window(len(items))
	page := make([]any, 0, end-start)
	for _, it := range items[start:end] {
		page = append(page, it.view)
	}
	pg.setHeaders(w, r, len(items))
	writeJSON(w, http.StatusOK, page)
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

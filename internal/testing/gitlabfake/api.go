package gitlabfake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeRawJSON answers with an already encoded JSON body.
func writeRawJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeMessage answers {"message": msg}, the shape of render_api_error!.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

// writeErrorKey answers {"error": msg}, the shape of Grape's error! and validation errors.
func writeErrorKey(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func notFoundRoute(w http.ResponseWriter) { writeErrorKey(w, http.StatusNotFound, "404 Not Found") }

// route dispatches a request under /api/v4. Paths that match no route get the catch-all 404,
// before any authentication, as GitLab's `route :any, '*path'` does.
func (s *Server) route(w http.ResponseWriter, r *http.Request, body []byte) {
	escaped := r.URL.EscapedPath()
	if !strings.HasPrefix(escaped, apiPrefix+"/") {
		notFoundRoute(w)
		return
	}
	raw := strings.Split(strings.TrimSuffix(escaped[len(apiPrefix)+1:], "/"), "/")
	seg := make([]string, len(raw))
	for i, p := range raw {
		u, err := url.PathUnescape(p)
		if err != nil {
			notFoundRoute(w)
			return
		}
		seg[i] = u
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	get := method == http.MethodGet
	n := len(seg)
	switch {
	case n == 1 && seg[0] == "version" && get:
		s.authed(w, r, s.getVersion)
	case n == 1 && seg[0] == "user" && get:
		s.authed(w, r, s.getUser)
	case n == 2 && seg[0] == "personal_access_tokens" && seg[1] == "self" && get:
		s.authed(w, r, s.getTokenSelf)
	case n == 2 && seg[0] == "projects" && get:
		s.authed(w, r, func(w http.ResponseWriter, t *Token) { s.getProject(w, seg[1]) })
	case n == 2 && seg[0] == "groups" && get:
		s.authed(w, r, func(w http.ResponseWriter, t *Token) { s.getGroup(w, seg[1]) })
	case n == 3 && seg[0] == "groups" && get && (seg[2] == "subgroups" || seg[2] == "descendant_groups" || seg[2] == "projects"):
		s.authed(w, r, func(w http.ResponseWriter, t *Token) { s.listGroupChildren(w, r, seg[1], seg[2]) })
	case n >= 3 && (seg[0] == "projects" || seg[0] == "groups") && seg[2] == "hooks":
		s.routeHooks(w, r, body, method, seg[0][:len(seg[0])-1], seg[1], seg[3:])
	case n >= 1 && seg[0] == "hooks":
		s.routeHooks(w, r, body, method, "system", "", seg[1:])
	case n >= 3 && seg[0] == "projects" && (seg[2] == "integrations" || seg[2] == "services"):
		s.routeIntegrations(w, r, body, method, "project", seg[1], seg[3:])
	case n >= 3 && seg[0] == "groups" && seg[2] == "integrations" && s.groupAPI:
		s.routeIntegrations(w, r, body, method, "group", seg[1], seg[3:])
	default:
		notFoundRoute(w)
	}
}

func (s *Server) routeIntegrations(w http.ResponseWriter, r *http.Request, body []byte, method, kind, id string, rest []string) {
	switch {
	case len(rest) == 0 && method == http.MethodGet:
		s.authed(w, r, func(w http.ResponseWriter, t *Token) { s.listIntegrations(w, t, kind, id) })
	case len(rest) == 1 && (method == http.MethodGet || method == http.MethodDelete):
		s.authed(w, r, func(w http.ResponseWriter, t *Token) {
			if method == http.MethodGet {
				s.getIntegration(w, t, kind, id, rest[0])
			} else {
				s.deleteIntegration(w, r, t, kind, id, rest[0])
			}
		})
	case len(rest) == 1 && method == http.MethodPut && s.specs.bySlug[rest[0]] != nil:
		// Every PUT route is a literal slug; an underscore or unknown slug matches none.
		sp := s.specs.bySlug[rest[0]]
		s.authed(w, r, func(w http.ResponseWriter, t *Token) { s.putIntegration(w, r, body, t, kind, id, sp) })
	default:
		notFoundRoute(w)
	}
}

// authed authenticates the request (PRIVATE-TOKEN, Authorization: Bearer or private_token) and
// checks the token's scope before calling h.
func (s *Server) authed(w http.ResponseWriter, r *http.Request, h func(http.ResponseWriter, *Token)) {
	tok := r.Header.Get("PRIVATE-TOKEN")
	if tok == "" {
		if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
			tok = strings.TrimSpace(a[7:])
		}
	}
	if tok == "" {
		tok = r.URL.Query().Get("private_token")
	}
	s.mu.RLock()
	t := s.tokens[tok]
	s.mu.RUnlock()
	if tok == "" || t == nil {
		writeMessage(w, http.StatusUnauthorized, "401 Unauthorized")
		return
	}
	if t.ExpiresAt != "" {
		if exp, err := time.Parse(time.DateOnly, t.ExpiresAt); err == nil && !time.Now().UTC().Before(exp) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "Token has expired."})
			return
		}
	}
	readOnly := r.Method == http.MethodGet || r.Method == http.MethodHead
	mayRead := readOnly && slices.Contains(t.Scopes, "read_api")
	if !mayRead && !slices.Contains(t.Scopes, "api") {
		writeJSON(w, http.StatusForbidden, map[string]string{
			"error":             "insufficient_scope",
			"error_description": "The request requires higher privileges than provided by the access token.",
			"scope":             "api",
		})
		return
	}
	h(w, t)
}

func (s *Server) getVersion(w http.ResponseWriter, _ *Token) {
	s.mu.RLock()
	hidden := s.versionHidden
	s.mu.RUnlock()
	if hidden {
		writeMessage(w, http.StatusForbidden, "403 Forbidden")
		return
	}
	// The OpenAPI files the fake serves are EE builds.
	writeJSON(w, http.StatusOK, map[string]any{"version": s.version, "revision": "fake", "enterprise": true})
}

func (s *Server) getUser(w http.ResponseWriter, t *Token) {
	writeJSON(w, http.StatusOK, map[string]any{
		"id": t.userID, "username": t.Username, "name": t.Username, "state": "active",
	})
}

func (s *Server) getTokenSelf(w http.ResponseWriter, t *Token) {
	var exp any
	if t.ExpiresAt != "" {
		exp = t.ExpiresAt
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": t.id, "name": t.Name, "scopes": t.Scopes, "expires_at": exp, "active": true,
		"revoked": false, "user_id": t.userID,
	})
}

// findProject resolves :id, a numeric ID or a full path. The caller holds s.mu.
func (s *Server) findProject(id string) *project {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return s.st.projectByID[n]
	}
	return s.st.projects[strings.ToLower(id)]
}

// findGroup resolves :id, a numeric ID or a full path. The caller holds s.mu.
func (s *Server) findGroup(id string) *group {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return s.st.groupsByID[n]
	}
	return s.st.groups[strings.ToLower(id)]
}

type namespaceJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Path     string `json:"path"`
	Kind     string `json:"kind"`
	FullPath string `json:"full_path"`
	ParentID *int64 `json:"parent_id"`
	WebURL   string `json:"web_url"`
}

type projectJSON struct {
	ID                int64         `json:"id"`
	Name              string        `json:"name"`
	Path              string        `json:"path"`
	PathWithNamespace string        `json:"path_with_namespace"`
	Archived          bool          `json:"archived"`
	WebURL            string        `json:"web_url"`
	Namespace         namespaceJSON `json:"namespace"`
}

type groupJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Path     string `json:"path"`
	FullPath string `json:"full_path"`
	ParentID *int64 `json:"parent_id"`
	WebURL   string `json:"web_url"`
}

func (s *Server) groupView(g *group) groupJSON {
	var parent *int64
	if g.parent != nil {
		id := g.parent.id
		parent = &id
	}
	return groupJSON{ID: g.id, Name: g.path, Path: g.path, FullPath: g.fullPath, ParentID: parent, WebURL: s.URL + "/groups/" + g.fullPath}
}

func (s *Server) projectView(p *project) projectJSON {
	ns := s.groupView(p.ns)
	return projectJSON{
		ID: p.id, Name: p.path, Path: p.path, PathWithNamespace: p.fullPath, Archived: p.archived,
		WebURL: s.URL + "/" + p.fullPath,
		Namespace: namespaceJSON{
			ID: ns.ID, Name: ns.Name, Path: ns.Path, Kind: "group", FullPath: ns.FullPath,
			ParentID: ns.ParentID, WebURL: ns.WebURL,
		},
	}
}

func (s *Server) getProject(w http.ResponseWriter, id string) {
	s.mu.RLock()
	p := s.findProject(id)
	var v projectJSON
	if p != nil {
		v = s.projectView(p)
	}
	s.mu.RUnlock()
	if p == nil {
		writeMessage(w, http.StatusNotFound, "404 Project Not Found")
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) getGroup(w http.ResponseWriter, id string) {
	s.mu.RLock()
	g := s.findGroup(id)
	var v groupJSON
	if g != nil {
		v = s.groupView(g)
	}
	s.mu.RUnlock()
	if g == nil {
		writeMessage(w, http.StatusNotFound, "404 Group Not Found")
		return
	}
	writeJSON(w, http.StatusOK, v)
}

package gitlab

import (
	"context"
	"net/http"
	"strconv"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// Walk visits the group, then its descendant groups and its projects, one page at a time.
// The first page of each listing is asked for by the group's path while the group itself is
// resolved (GitLab takes the URL-encoded path as :id), so that the reads they feed start one
// round trip sooner, and the projects' reads do not wait for the last page of groups; the
// later pages go by ID.
func (c *Client) Walk(ctx context.Context, group client.Scope, o client.WalkOptions, fn func(client.Namespace) error) error {
	groupsFirst := o.Subgroups && o.Groups
	subgroups, archived := o.Subgroups, o.Archived
	projectOpts := listOptions{Simple: true, IncludeSubgroups: &subgroups}
	if !archived {
		projectOpts.Archived = &archived
	}
	listing, opts := "/projects", projectOpts
	if groupsFirst {
		listing, opts = "/descendant_groups", listOptions{}
	}
	early, earlyProjects := make(chan listPage, 1), make(chan listPage, 1)
	if byPath, err := c.scopePath(group); err == nil {
		go func() { early <- c.page(ctx, byPath+listing, opts, 1) }()
		if groupsFirst {
			go func() { earlyProjects <- c.page(ctx, byPath+"/projects", projectOpts, 1) }()
		}
	} else {
		close(early)
		close(earlyProjects)
	}
	root, err := c.Resolve(ctx, group)
	if err != nil {
		return err
	}
	if err := fn(client.Namespace{Scope: root}); err != nil {
		return err
	}
	base := "groups/" + strconv.FormatInt(root.ID, 10)
	onGroup := func(item map[string]any) error {
		return fn(client.Namespace{Scope: client.Scope{Level: integrations.Group, ID: id(item), Path: str(item["full_path"])}})
	}
	onProject := func(item map[string]any) error {
		return fn(client.Namespace{
			Scope:    client.Scope{Level: integrations.Project, ID: id(item), Path: str(item["path_with_namespace"])},
			Archived: item["archived"] == true,
		})
	}
	if groupsFirst {
		if err := c.pagesFrom(ctx, base+listing, opts, early, onGroup); err != nil {
			return err
		}
		return c.pagesFrom(ctx, base+"/projects", projectOpts, earlyProjects, onProject)
	}
	return c.pagesFrom(ctx, base+listing, opts, early, onProject)
}

// listOptions are the query parameters of the listings a walk reads.
type listOptions struct {
	Page             int    `url:"page"`
	PerPage          int    `url:"per_page"`
	OrderBy          string `url:"order_by"`
	Sort             string `url:"sort"`
	Simple           bool   `url:"simple,omitempty"`
	IncludeSubgroups *bool  `url:"include_subgroups,omitempty"`
	Archived         *bool  `url:"archived,omitempty"`
}

// listPage is one page of a listing and the number of the next (0 after the last).
type listPage struct {
	items []map[string]any
	next  int
	err   error
}

func (c *Client) page(ctx context.Context, path string, opts listOptions, page int) listPage {
	opts.Page, opts.PerPage, opts.OrderBy, opts.Sort = page, 100, "id", "asc"
	var p listPage
	resp, err := c.do(ctx, http.MethodGet, path, opts, &p.items)
	if err != nil {
		return listPage{err: err}
	}
	if h := resp.Header.Get("X-Next-Page"); h != "" {
		p.next, _ = strconv.Atoi(h)
	}
	// A next page that is not after this one, or after an empty page, would never end.
	if p.next <= page || len(p.items) == 0 {
		p.next = 0
	}
	return p
}

// pages follows GitLab's offset pagination (X-Next-Page), handing each item to fn as its page
// arrives.
func (c *Client) pages(ctx context.Context, path string, opts listOptions, fn func(map[string]any) error) error {
	return c.pagesFrom(ctx, path, opts, nil, fn)
}

// pagesFrom is pages whose first page, when first is not nil, was asked for already; a closed
// or failed one is asked for again. Each next page is asked for while this one's items are
// handed out (fn may wait for a free reader): readers then never wait for a page.
func (c *Client) pagesFrom(ctx context.Context, path string, opts listOptions, first <-chan listPage, fn func(map[string]any) error) error {
	var p listPage
	asked := false
	if first != nil {
		if got, ok := <-first; ok && got.err == nil {
			p, asked = got, true
		}
	}
	if !asked {
		p = c.page(ctx, path, opts, 1)
	}
	for {
		if p.err != nil {
			return p.err
		}
		var next chan listPage
		if p.next != 0 {
			next = make(chan listPage, 1)
			go func(n int) { next <- c.page(ctx, path, opts, n) }(p.next)
		}
		for _, it := range p.items {
			if err := fn(it); err != nil {
				return err
			}
		}
		if next == nil {
			return nil
		}
		p = <-next
	}
}

func id(item map[string]any) int64 {
	f, _ := item["id"].(float64)
	return int64(f)
}

package gitlab

import (
	"context"
	"net/http"
	"strconv"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// Walk visits the group, then its descendant groups and its projects, one page at a time.
func (c *Client) Walk(ctx context.Context, group client.Scope, o client.WalkOptions, fn func(client.Namespace) error) error {
	root, err := c.Resolve(ctx, group)
	if err != nil {
		return err
	}
	if err := fn(client.Namespace{Scope: root}); err != nil {
		return err
	}
	base := "groups/" + strconv.FormatInt(root.ID, 10)
	if o.Subgroups && o.Groups {
		err := c.pages(ctx, base+"/descendant_groups", listOptions{}, func(item map[string]any) error {
			return fn(client.Namespace{Scope: client.Scope{Level: integrations.Group, ID: id(item), Path: str(item["full_path"])}})
		})
		if err != nil {
			return err
		}
	}
	subgroups, archived := o.Subgroups, o.Archived
	opts := listOptions{Simple: true, IncludeSubgroups: &subgroups}
	if !archived {
		opts.Archived = &archived
	}
	return c.pages(ctx, base+"/projects", opts, func(item map[string]any) error {
		return fn(client.Namespace{
			Scope:    client.Scope{Level: integrations.Project, ID: id(item), Path: str(item["path_with_namespace"])},
			Archived: item["archived"] == true,
		})
	})
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

// pages follows GitLab's offset pagination (X-Next-Page), handing each item to fn as its page
// arrives.
func (c *Client) pages(ctx context.Context, path string, opts listOptions, fn func(map[string]any) error) error {
	opts.PerPage, opts.OrderBy, opts.Sort = 100, "id", "asc"
	for page := 1; page > 0; {
		opts.Page = page
		var items []map[string]any
		resp, err := c.do(ctx, http.MethodGet, path, opts, &items)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		next := 0
		if h := resp.Header.Get("X-Next-Page"); h != "" {
			next, _ = strconv.Atoi(h)
		}
		// A next page that is not after this one, or after an empty page, would never end.
		if next <= page || len(items) == 0 {
			next = 0
		}
		page = next
	}
	return nil
}

func id(item map[string]any) int64 {
	f, _ := item["id"].(float64)
	return int64(f)
}

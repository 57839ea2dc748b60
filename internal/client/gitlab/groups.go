package gitlab

import (
	"context"
	"maps"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// groupGet reads a group's settings of one integration once per client: concurrent readers
// share one request, later ones the answer.
func (c *Client) groupGet(ctx context.Context, s client.Scope, def integrations.Definition) (client.State, error) {
	key := s.Path + "\x00" + def.Name
	c.mu.Lock()
	st, seen := c.groups[key]
	gen := c.groupsGen
	c.mu.Unlock()
	if !seen {
		v, err, _ := c.groupReads.Do(key, func() (any, error) {
			st, err := c.get(ctx, client.Scope{Level: integrations.Group, Path: s.Path}, def)
			if err != nil {
				return nil, err
			}
			c.mu.Lock()
			if c.groupsGen == gen {
				c.groups[key] = st
			}
			c.mu.Unlock()
			return st, nil
		})
		if err != nil {
			return client.State{}, err
		}
		st = v.(client.State)
	}
	// Callers may change what they get; the cached maps stay as read.
	st.Values, st.Unknown, st.Events = maps.Clone(st.Values), maps.Clone(st.Unknown), maps.Clone(st.Events)
	if s.ID != 0 {
		st.Scope.ID = s.ID
	}
	return st, nil
}

// groupOwn reports whether group path has settings of its own, and returns its scope.
func (c *Client) groupOwn(ctx context.Context, path string, def integrations.Definition) (*client.Scope, bool, error) {
	st, err := c.groupGet(ctx, client.Scope{Level: integrations.Group, Path: path}, def)
	if err != nil {
		return nil, false, err
	}
	if st.Configured && !st.Inherited {
		own := client.Scope{Level: integrations.Group, Path: path}
		return &own, true, nil
	}
	return nil, false, nil
}

// forgetGroups drops the groups' settings read so far, after a write that may change them.
func (c *Client) forgetGroups(s client.Scope) {
	if s.Level != integrations.Group {
		return
	}
	c.mu.Lock()
	clear(c.groups)
	c.groupsGen++
	c.mu.Unlock()
}

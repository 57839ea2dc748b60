package gitlab

import (
	"context"
	"net/http"
	"strings"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// target is the scope a read addresses. GitLab takes a URL-encoded full path as :id, so a
// scope known by its path is read in one request; only one known by its ID alone is resolved
// first, so that what is shown names it by path.
func (c *Client) target(ctx context.Context, s client.Scope) (client.Scope, error) {
	if s.Level == integrations.Instance {
		return s, errNoInstanceAPI
	}
	if s.Path != "" {
		return s, nil
	}
	return c.Resolve(ctx, s)
}

// missing explains a read's 404 that may mean the project or group itself is not there (or
// is of the other kind): it is resolved then, and only then, for the message.
func (c *Client) missing(ctx context.Context, s client.Scope, err error) error {
	if !isStatus(err, http.StatusNotFound) {
		return err
	}
	msg := statusMessage(err)
	scopeGone := strings.Contains(msg, "Project Not Found") || strings.Contains(msg, "Group Not Found")
	// Below 17.9 a group's integration routes do not exist at all: say that only of a group
	// that does.
	noRoute := s.Level == integrations.Group && strings.Contains(msg, "404 Not Found")
	if !scopeGone && !noRoute {
		return err
	}
	if _, rerr := c.Resolve(ctx, s); rerr != nil {
		return rerr
	}
	return err
}

package gitlab

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/forgekit/integrations/internal/integrations"
)

// serverInfo is what /version said, read once per client (once per run).
type serverInfo struct {
	raw string // "18.6.0-ee", or "unknown"
	api integrations.Server
}

// server reads the server's version and edition once. When they cannot be read, it takes the
// newest GitLab the catalog knows and says so once: a newer server drops nothing we then send,
// and write verification reports what an older one did not keep.
func (c *Client) server(ctx context.Context) serverInfo {
	c.mu.Lock()
	if c.info != nil {
		info := *c.info
		c.mu.Unlock()
		return info
	}
	c.mu.Unlock()
	var out struct {
		Version    string `json:"version"`
		Enterprise *bool  `json:"enterprise"`
	}
	info := serverInfo{raw: "unknown"}
	_, err := c.do(ctx, http.MethodGet, "version", nil, &out)
	if v, ok := integrations.ParseVersion(out.Version); err == nil && ok {
		info.raw, info.api.Version = out.Version, v
		// GitLab EE reports enterprise (15.6+) and a -ee suffix; CE neither.
		ee := strings.Contains(out.Version, "-ee")
		if out.Enterprise != nil {
			ee = *out.Enterprise
		}
		info.api.CE = !ee
	}
	if ctx.Err() != nil {
		return info // a cancelled run learnt nothing; do not remember it
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.info == nil {
		c.info = &info
		if info.api.Version.IsZero() && c.notices != nil {
			fmt.Fprintf(c.notices, "warning: could not read the GitLab version of %s; assuming GitLab %s, the newest this tool knows\n",
				c.host, integrations.NewestKnownAPI)
		}
	}
	return *c.info
}

// serverVersion is the server's version as it reports it, or "unknown", for messages.
func (c *Client) serverVersion(ctx context.Context) string { return c.server(ctx).raw }

// APIServer says what the catalog needs to know about the server: its version and edition.
func (c *Client) APIServer(ctx context.Context) *integrations.Server {
	srv := c.server(ctx).api
	return &srv
}

// label names the server's version the way messages do: "GitLab 18.6".
func (info serverInfo) label() string {
	v := info.api.Version
	if v.IsZero() {
		return "GitLab " + integrations.NewestKnownAPI.String() + " (assumed)"
	}
	return "GitLab " + v.String()
}

package gitlab

import (
	"context"
	"net/http"

	"github.com/forgekit/integrations/internal/client"
)

// CurrentUser checks the token: GET /user.
func (c *Client) CurrentUser(ctx context.Context) (client.User, error) {
	var u client.User
	_, err := c.do(ctx, http.MethodGet, "user", nil, &u)
	return u, err
}

// Token reads the token's scopes and expiry: GET /personal_access_tokens/self. Tokens that are
// not personal access tokens (OAuth, job tokens) answer 404 there.
func (c *Client) Token(ctx context.Context) (client.TokenInfo, bool, error) {
	var t client.TokenInfo
	_, err := c.do(ctx, http.MethodGet, "personal_access_tokens/self", nil, &t)
	if isStatus(err, http.StatusNotFound) {
		return t, false, nil
	}
	return t, err == nil, err
}

// Version is the server's GitLab version, or "unknown".
func (c *Client) Version(ctx context.Context) string { return c.serverVersion(ctx) }

package gitlab

import (
	"context"
	"net/http"
)

// User is the account a token belongs to.
type User struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
}

// TokenInfo describes the token itself.
type TokenInfo struct {
	Name      string   `json:"name"`
	Scopes    []string `json:"scopes"`
	ExpiresAt *string  `json:"expires_at"`
	Active    bool     `json:"active"`
}

// CurrentUser checks the token: GET /user.
func (c *Client) CurrentUser(ctx context.Context) (User, error) {
	var u User
	_, err := c.do(ctx, http.MethodGet, "user", nil, &u)
	return u, err
}

// Token reads the token's scopes and expiry: GET /personal_access_tokens/self. Tokens that are
// not personal access tokens (OAuth, job tokens) answer 404 there.
func (c *Client) Token(ctx context.Context) (TokenInfo, bool, error) {
	var t TokenInfo
	_, err := c.do(ctx, http.MethodGet, "personal_access_tokens/self", nil, &t)
	if isStatus(err, http.StatusNotFound) {
		return t, false, nil
	}
	return t, err == nil, err
}

// Version is the server's GitLab version, or "unknown".
func (c *Client) Version(ctx context.Context) string { return c.serverVersion(ctx) }

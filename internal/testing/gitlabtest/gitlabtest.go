// Package gitlabtest connects the GitLab client to the fake, for tests that run a command or a
// domain function against GitLab.
package gitlabtest

import (
	"testing"

	"github.com/forgekit/integrations/internal/client/gitlab"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
)

// Client gives fake a maintainer's api token and returns a GitLab client signed in with it;
// opts come after the fake's HTTP client.
func Client(t *testing.T, fake *gitlabfake.Server, opts ...gitlab.Option) *gitlab.Client {
	t.Helper()
	fake.AddToken("tok", gitlabfake.Token{Username: "maintainer", Scopes: []string{"api"}, AccessLevel: 40})
	c, err := gitlab.New(fake.URL, "tok", append([]gitlab.Option{gitlab.WithHTTPClient(fake.Client())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

package delivery

import (
	"fmt"
	"strings"
	"time"

	"github.com/forgekit/integrations/internal/integrations"
)

// Sample is a made-up but realistic event in a project, the same every run so that what a test
// sends can be compared with golden files.
type Sample struct {
	Event     string
	HookName  string // the X-Gitlab-Event header value
	GitLabURL string
	Project   SampleProject
	User      SampleUser
	Ref       string
	Before    string
	After     string
	Commits   []SampleCommit
	IID       int
	Title     string
	Action    string
	Status    string
	URL       string // the event's object: the issue, the merge request, the pipeline…
	Note      string
	Time      time.Time
}

type SampleProject struct {
	ID                int64
	Name              string
	Namespace         string
	PathWithNamespace string
	WebURL            string
	DefaultBranch     string
}

type SampleUser struct {
	ID        int64
	Name      string
	Username  string
	Email     string
	AvatarURL string
}

type SampleCommit struct {
	ID      string
	Message string
	Title   string
	URL     string
	Author  string
	Email   string
}

// hookNames are GitLab's X-Gitlab-Event values.
var hookNames = map[string]string{
	"push": "Push Hook", "tag_push": "Tag Push Hook", "issue": "Issue Hook",
	"confidential_issue": "Confidential Issue Hook", "work_item": "Issue Hook",
	"confidential_work_item": "Confidential Issue Hook", "merge_request": "Merge Request Hook",
	"note": "Note Hook", "confidential_note": "Confidential Note Hook", "commit": "Push Hook",
	"pipeline": "Pipeline Hook", "build": "Job Hook", "archive_trace": "Job Hook",
	"wiki_page": "Wiki Page Hook", "deployment": "Deployment Hook", "alert": "Alert Hook",
	"incident": "Issue Hook", "vulnerability": "Vulnerability Hook", "group_mention": "Note Hook",
	"group_confidential_mention": "Confidential Note Hook", "project": "Project Hook",
	"subgroup": "Subgroup Hook",
}

// NewSample builds the sample for an event in the project at path, as a GitLab server at
// gitlabURL would describe it.
func NewSample(event, path, gitlabURL string) Sample {
	if path == "" {
		path = "acme/web"
	}
	if gitlabURL == "" {
		gitlabURL = "https://gitlab.example.com"
	}
	gitlabURL = strings.TrimSuffix(gitlabURL, "/")
	ns, name := "", path
	if i := strings.LastIndex(path, "/"); i >= 0 {
		ns, name = path[:i], path[i+1:]
	}
	web := gitlabURL + "/" + path
	s := Sample{
		Event: event, HookName: hookNames[event], GitLabURL: gitlabURL,
		Project: SampleProject{ID: 42, Name: name, Namespace: ns, PathWithNamespace: path, WebURL: web, DefaultBranch: "main"},
		User: SampleUser{
			ID: 7, Name: "Test User", Username: "test-user", Email: "test-user@example.com",
			AvatarURL: gitlabURL + "/uploads/-/system/user/avatar/7/avatar.png",
		},
		Ref:    "main",
		Before: "95790bf891e76fee5e1747ab589903a6a1f80f22",
		After:  "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
		Time:   time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC),
	}
	s.Commits = []SampleCommit{{
		ID: s.After, Title: "Test message from integrations", Message: "Test message from integrations\n",
		URL: web + "/-/commit/" + s.After, Author: s.User.Name, Email: s.User.Email,
	}}
	switch event {
	case "tag_push":
		s.Ref, s.Title, s.URL = "v1.0.0", "v1.0.0", web+"/-/tags/v1.0.0"
	case "issue", "confidential_issue", "work_item", "confidential_work_item", "incident":
		s.IID, s.Title, s.Action, s.URL = 1, "Test issue from integrations", "open", web+"/-/issues/1"
	case "merge_request":
		s.IID, s.Title, s.Action, s.URL = 1, "Test merge request from integrations", "open", web+"/-/merge_requests/1"
	case "note", "confidential_note", "group_mention", "group_confidential_mention":
		s.IID, s.Title, s.Note, s.URL = 1, "Test issue from integrations", "A test comment from integrations", web+"/-/issues/1#note_1"
	case "pipeline":
		s.IID, s.Status, s.URL = 1001, "success", web+"/-/pipelines/1001"
	case "build", "archive_trace":
		s.IID, s.Title, s.Status, s.URL = 2002, "test", "success", web+"/-/jobs/2002"
	case "wiki_page":
		s.Title, s.Action, s.URL = "Home", "create", web+"/-/wikis/home"
	case "deployment":
		s.IID, s.Title, s.Status, s.URL = 3003, "production", "success", web+"/-/environments/1"
	case "alert":
		s.IID, s.Title, s.Status, s.URL = 1, "Test alert from integrations", "triggered", web+"/-/alert_management/1/details"
	case "vulnerability":
		s.IID, s.Title, s.URL = 1, "Test vulnerability from integrations", web+"/-/security/vulnerabilities/1"
	default:
		s.URL = web + "/-/compare/" + s.Before[:8] + "..." + s.After[:8]
	}
	return s
}

// SamplePath is the project a sample event at a scope happens in: the project itself, or an
// example project in the group or the instance.
func SamplePath(level integrations.Level, path string) string {
	switch level {
	case integrations.Project:
		return path
	case integrations.Group:
		return path + "/example-project"
	}
	return "example-group/example-project"
}

// Summary is the one-line text chat services get, in GitLab's words.
func (s Sample) Summary() string {
	u, p := s.User.Name, s.Project.PathWithNamespace
	switch s.Event {
	case "push", "commit":
		return fmt.Sprintf("%s pushed to branch %s of %s (%s)", u, s.Ref, p, s.URL)
	case "tag_push":
		return fmt.Sprintf("%s pushed new tag %s to %s", u, s.Ref, p)
	case "issue", "confidential_issue", "work_item", "confidential_work_item", "incident":
		kind := strings.ReplaceAll(s.Event, "_", " ")
		return fmt.Sprintf("[%s] %s %s %s #%d %s", p, kind, s.Action+"ed by", u, s.IID, s.Title)
	case "merge_request":
		return fmt.Sprintf("%s opened merge request !%d in %s: %s", u, s.IID, p, s.Title)
	case "note", "confidential_note", "group_mention", "group_confidential_mention":
		return fmt.Sprintf("%s commented on issue #%d in %s: %s", u, s.IID, p, s.Note)
	case "pipeline":
		return fmt.Sprintf("Pipeline #%d of branch %s by %s passed in 00:02:05 (%s)", s.IID, s.Ref, u, p)
	case "build", "archive_trace":
		return fmt.Sprintf("Job %s #%d of branch %s in %s passed", s.Title, s.IID, s.Ref, p)
	case "wiki_page":
		return fmt.Sprintf("%s created wiki page %s in %s", u, s.Title, p)
	case "deployment":
		return fmt.Sprintf("Deploy to %s succeeded in %s", s.Title, p)
	case "alert":
		return fmt.Sprintf("Alert firing in %s: %s", p, s.Title)
	case "vulnerability":
		return fmt.Sprintf("New vulnerability in %s: %s", p, s.Title)
	}
	return fmt.Sprintf("%s: %s event from %s", p, s.Event, u)
}

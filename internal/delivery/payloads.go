package delivery

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The payloads below follow GitLab's webhook data builders (lib/gitlab/data_builder/*.rb,
// lib/gitlab/hook_data/*.rb) and the examples of doc/user/project/integrations/webhook_events.md.
// Times are written as GitLab writes them for each event: "2026-01-15 10:30:00 UTC" where the
// data goes through Sidekiq (notes, pipelines, jobs, deployments, alerts), ISO 8601 where the
// builder formats it (issues, merge requests, group events, the *_iso job fields), and commit
// timestamps with an offset ("2026-01-15T10:30:00+00:00").

// Fixed ids of the sample's objects, so that payloads are the same every run.
const (
	payloadIssueID       = 501
	payloadMergeID       = 601
	payloadNoteID        = 1
	payloadPipelineIID   = 12
	payloadBuildJobID    = 2001
	payloadDeployableID  = 2003
	payloadRunnerID      = 31
	payloadSubgroupID    = 81
	payloadParentGroupID = 80
	payloadNamespaceID   = 43
	payloadZeroSHA       = "0000000000000000000000000000000000000000"
	payloadSourceBranch  = "test-integrations"
)

// Payload is the JSON body GitLab's webhooks send for s.Event, in GitLab's own shape.
func (s Sample) Payload() map[string]any {
	switch s.Event {
	case "tag_push":
		return payloadPush(s, "tag_push")
	case "issue", "confidential_issue", "work_item", "confidential_work_item", "incident":
		return payloadIssue(s)
	case "merge_request":
		return payloadMergeRequest(s)
	case "note", "confidential_note", "group_mention", "group_confidential_mention":
		return payloadNote(s)
	case "pipeline":
		return payloadPipeline(s)
	case "build":
		return payloadBuild(s)
	case "archive_trace":
		return payloadArchiveTrace(s)
	case "wiki_page":
		return payloadWikiPage(s)
	case "deployment":
		return payloadDeployment(s)
	case "alert":
		return payloadAlert(s)
	case "vulnerability":
		return payloadVulnerability(s)
	case "project":
		return payloadProjectEvent(s)
	case "subgroup":
		return payloadSubgroupEvent(s)
	}
	// push, commit and anything else: GitLab's default test event is a push.
	return payloadPush(s, "push")
}

func payloadUTC(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

func payloadISO(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func payloadISOMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func payloadCommitTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-07:00") }

// payloadFullName is GitLab's Project#full_name: the namespace's and the project's names joined
// by " / ".
func payloadFullName(s Sample) string {
	return strings.ReplaceAll(s.Project.PathWithNamespace, "/", " / ")
}

func payloadHost(s Sample) string {
	if u, err := url.Parse(s.GitLabURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "gitlab.example.com"
}

func payloadSSHURL(s Sample) string {
	return "git@" + payloadHost(s) + ":" + s.Project.PathWithNamespace + ".git"
}

// payloadProject is Project#hook_attrs; backward adds the deprecated keys GitLab still sends
// everywhere but in pipeline and job events.
func payloadProject(s Sample, backward bool) map[string]any {
	p := map[string]any{
		"id":                  s.Project.ID,
		"name":                s.Project.Name,
		"description":         "",
		"web_url":             s.Project.WebURL,
		"avatar_url":          nil,
		"git_ssh_url":         payloadSSHURL(s),
		"git_http_url":        s.Project.WebURL + ".git",
		"namespace":           s.Project.Namespace,
		"visibility_level":    0,
		"path_with_namespace": s.Project.PathWithNamespace,
		"default_branch":      s.Project.DefaultBranch,
		"ci_config_path":      nil,
	}
	if backward {
		p["homepage"] = s.Project.WebURL
		p["url"] = payloadSSHURL(s)
		p["ssh_url"] = payloadSSHURL(s)
		p["http_url"] = s.Project.WebURL + ".git"
	}
	return p
}

// payloadRepository is the deprecated repository key; push and job events carry the long form.
func payloadRepository(s Sample, long bool) map[string]any {
	r := map[string]any{
		"name":        s.Project.Name,
		"url":         payloadSSHURL(s),
		"description": "",
		"homepage":    s.Project.WebURL,
	}
	if long {
		r["git_http_url"] = s.Project.WebURL + ".git"
		r["git_ssh_url"] = payloadSSHURL(s)
		r["visibility_level"] = 0
	}
	return r
}

// payloadUser is User#hook_attrs.
func payloadUser(s Sample) map[string]any {
	return map[string]any{
		"id":         s.User.ID,
		"name":       s.User.Name,
		"username":   s.User.Username,
		"avatar_url": s.User.AvatarURL,
		"email":      s.User.Email,
	}
}

// payloadCommit is Commit#hook_attrs, with the changed files push events list.
func payloadCommit(s Sample, c SampleCommit, files bool) map[string]any {
	m := map[string]any{
		"id":        c.ID,
		"message":   c.Message,
		"title":     c.Title,
		"timestamp": payloadCommitTime(s.Time),
		"url":       c.URL,
		"author":    map[string]any{"name": c.Author, "email": c.Email},
	}
	if files {
		m["added"] = []string{}
		m["modified"] = []string{"README.md"}
		m["removed"] = []string{}
	}
	return m
}

func payloadLastCommit(s Sample) map[string]any {
	if len(s.Commits) == 0 {
		return nil
	}
	return payloadCommit(s, s.Commits[0], false)
}

func payloadHeadSHA(s Sample) string {
	if len(s.Commits) > 0 {
		return s.Commits[0].ID
	}
	return s.After
}

// payloadPush is Gitlab::DataBuilder::Push.build: a push to the default branch, or the new tag
// with its commit.
func payloadPush(s Sample, kind string) map[string]any {
	ref, before, protected := "refs/heads/"+s.Ref, s.Before, true
	var message any
	if kind == "tag_push" {
		ref, before, protected, message = "refs/tags/"+s.Ref, payloadZeroSHA, false, "Release "+s.Ref
	}
	commits := make([]map[string]any, 0, len(s.Commits))
	for _, c := range s.Commits {
		commits = append(commits, payloadCommit(s, c, true))
	}
	return map[string]any{
		"object_kind":         kind,
		"event_name":          kind,
		"before":              before,
		"after":               s.After,
		"ref":                 ref,
		"ref_protected":       protected,
		"checkout_sha":        s.After,
		"message":             message,
		"user_id":             s.User.ID,
		"user_name":           s.User.Name,
		"user_username":       s.User.Username,
		"user_email":          s.User.Email,
		"user_avatar":         s.User.AvatarURL,
		"project_id":          s.Project.ID,
		"project":             payloadProject(s, true),
		"commits":             commits,
		"total_commits_count": len(commits),
		"push_options":        map[string]any{},
		"repository":          payloadRepository(s, true),
	}
}

func payloadConfidential(event string) bool {
	return strings.HasPrefix(event, "confidential_") || strings.HasPrefix(event, "group_confidential_")
}

// payloadIssue is Issue#to_hook_data. Issues have object_kind issue; work items of other types
// (a Task here) have object_kind and event_type work_item (confidential_work_item when
// confidential), which is what the work item events deliver; GitLab sends incidents to
// integrations with object_kind and event_type incident.
func payloadIssue(s Sample) map[string]any {
	confidential := payloadConfidential(s.Event)
	kind, eventType, issueType := "issue", "issue", "Issue"
	if confidential {
		eventType = "confidential_issue"
	}
	switch s.Event {
	case "incident":
		kind, eventType, issueType = "incident", "incident", "Incident"
	case "work_item", "confidential_work_item":
		kind, eventType, issueType = "work_item", s.Event, "Task"
	}
	at := payloadISO(s.Time)
	attrs := map[string]any{
		"id":                     payloadIssueID,
		"iid":                    s.IID,
		"title":                  s.Title,
		"description":            "Created by integrations to test this integration's settings.",
		"author_id":              s.User.ID,
		"project_id":             s.Project.ID,
		"assignee_ids":           []int64{},
		"assignee_id":            nil,
		"created_at":             at,
		"updated_at":             at,
		"updated_by_id":          nil,
		"last_edited_at":         nil,
		"last_edited_by_id":      nil,
		"closed_at":              nil,
		"relative_position":      0,
		"milestone_id":           nil,
		"state_id":               1,
		"confidential":           confidential,
		"discussion_locked":      nil,
		"due_date":               nil,
		"moved_to_id":            nil,
		"duplicated_to_id":       nil,
		"time_estimate":          0,
		"total_time_spent":       0,
		"time_change":            0,
		"human_total_time_spent": nil,
		"human_time_estimate":    nil,
		"human_time_change":      nil,
		"weight":                 nil,
		"health_status":          nil,
		"type":                   issueType,
		"url":                    s.URL,
		"state":                  "opened",
		"action":                 s.Action,
		"severity":               "unknown",
		"labels":                 []any{},
	}
	if s.Event == "incident" {
		attrs["escalation_status"] = "triggered"
	}
	return map[string]any{
		"object_kind":       kind,
		"event_type":        eventType,
		"user":              payloadUser(s),
		"project":           payloadProject(s, true),
		"object_attributes": attrs,
		"labels":            []any{},
		"changes":           map[string]any{},
		"repository":        payloadRepository(s, false),
		"assignees":         []any{},
	}
}

// payloadMergeRequest is MergeRequest#to_hook_data for a newly opened merge request.
func payloadMergeRequest(s Sample) map[string]any {
	at := payloadISO(s.Time)
	attrs := map[string]any{
		"id":                            payloadMergeID,
		"iid":                           s.IID,
		"target_branch":                 s.Project.DefaultBranch,
		"source_branch":                 payloadSourceBranch,
		"source_project_id":             s.Project.ID,
		"target_project_id":             s.Project.ID,
		"author_id":                     s.User.ID,
		"assignee_ids":                  []int64{},
		"assignee_id":                   nil,
		"reviewer_ids":                  []int64{},
		"title":                         s.Title,
		"description":                   "Created by integrations to test this integration's settings.",
		"created_at":                    at,
		"updated_at":                    at,
		"last_edited_at":                nil,
		"last_edited_by_id":             nil,
		"prepared_at":                   at,
		"milestone_id":                  nil,
		"state_id":                      1,
		"state":                         "opened",
		"blocking_discussions_resolved": true,
		"work_in_progress":              false,
		"draft":                         false,
		"first_contribution":            false,
		"merge_status":                  "unchecked",
		"detailed_merge_status":         "checking",
		"merge_commit_sha":              nil,
		"head_pipeline_id":              nil,
		"time_estimate":                 0,
		"total_time_spent":              0,
		"time_change":                   0,
		"human_total_time_spent":        nil,
		"human_time_change":             nil,
		"human_time_estimate":           nil,
		"url":                           s.URL,
		"source":                        payloadProject(s, true),
		"target":                        payloadProject(s, true),
		"last_commit":                   payloadLastCommit(s),
		"labels":                        []any{},
		"action":                        s.Action,
	}
	return map[string]any{
		"object_kind":       "merge_request",
		"event_type":        "merge_request",
		"user":              payloadUser(s),
		"project":           payloadProject(s, true),
		"object_attributes": attrs,
		"labels":            []any{},
		"changes":           map[string]any{},
		"repository":        payloadRepository(s, false),
		"assignees":         []any{},
		"reviewers":         []any{},
	}
}

// payloadNote is Gitlab::DataBuilder::Note.build for a comment on an issue; group mentions are
// the same data with object_kind group_mention and the mentioned group.
func payloadNote(s Sample) map[string]any {
	at := payloadUTC(s.Time)
	confidential := payloadConfidential(s.Event)
	eventType := "note"
	if confidential {
		eventType = "confidential_note"
	}
	issueURL, _, _ := strings.Cut(s.URL, "#")
	attrs := map[string]any{
		"id":            payloadNoteID,
		"note":          s.Note,
		"noteable_type": "Issue",
		"author_id":     s.User.ID,
		"created_at":    at,
		"updated_at":    at,
		"project_id":    s.Project.ID,
		"attachment":    nil,
		"line_code":     nil,
		"commit_id":     "",
		"noteable_id":   payloadIssueID,
		"system":        false,
		"st_diff":       nil,
		"internal":      confidential,
		"action":        "create",
		"url":           s.URL,
	}
	issue := map[string]any{
		"id":                     payloadIssueID,
		"iid":                    s.IID,
		"title":                  s.Title,
		"description":            "Created by integrations to test this integration's settings.",
		"assignee_ids":           []int64{},
		"assignee_id":            nil,
		"author_id":              s.User.ID,
		"project_id":             s.Project.ID,
		"created_at":             at,
		"updated_at":             at,
		"closed_at":              nil,
		"confidential":           confidential,
		"milestone_id":           nil,
		"state":                  "opened",
		"time_estimate":          0,
		"total_time_spent":       0,
		"human_total_time_spent": nil,
		"human_time_estimate":    nil,
		"labels":                 []any{},
		"url":                    issueURL,
	}
	p := map[string]any{
		"object_kind":       "note",
		"event_type":        eventType,
		"user":              payloadUser(s),
		"project_id":        s.Project.ID,
		"project":           payloadProject(s, true),
		"object_attributes": attrs,
		"repository":        payloadRepository(s, false),
		"issue":             issue,
	}
	if strings.HasPrefix(s.Event, "group_") {
		p["object_kind"] = "group_mention"
		p["mentioned"] = map[string]any{
			"object_kind": "group",
			"name":        s.Project.Namespace,
			"url":         s.GitLabURL + "/" + s.Project.Namespace,
		}
	}
	return p
}

// payloadRunner is Ci::Runner#hook_attrs for an instance runner.
func payloadRunner() map[string]any {
	return map[string]any{
		"id":          payloadRunnerID,
		"description": "shared-runner-1",
		"runner_type": "instance_type",
		"active":      true,
		"is_shared":   true,
		"tags":        []string{"docker", "linux"},
	}
}

// payloadPipeline is Gitlab::DataBuilder::Pipeline: a pipeline on the default branch with a
// build and a test job, finished after 2 minutes 5 seconds.
func payloadPipeline(s Sample) map[string]any {
	start := s.Time
	finish := start.Add(125 * time.Second)
	job := func(id int, stage, name string, from, to time.Time) map[string]any {
		return map[string]any{
			"id":              id,
			"stage":           stage,
			"name":            name,
			"status":          s.Status,
			"created_at":      payloadUTC(start),
			"started_at":      payloadUTC(from),
			"finished_at":     payloadUTC(to),
			"duration":        to.Sub(from).Seconds(),
			"queued_duration": from.Sub(start).Seconds(),
			"failure_reason":  nil,
			"when":            "on_success",
			"manual":          false,
			"allow_failure":   false,
			"user":            payloadUser(s),
			"runner":          payloadRunner(),
			"artifacts_file":  map[string]any{"filename": nil, "size": nil},
			"environment":     nil,
		}
	}
	builds := []map[string]any{
		job(payloadBuildJobID, "build", "build", start.Add(5*time.Second), start.Add(60*time.Second)),
		job(payloadBuildJobID+1, "test", "test", start.Add(62*time.Second), finish),
	}
	return map[string]any{
		"object_kind": "pipeline",
		"object_attributes": map[string]any{
			"id":              s.IID,
			"iid":             payloadPipelineIID,
			"name":            nil,
			"ref":             s.Ref,
			"tag":             false,
			"sha":             payloadHeadSHA(s),
			"before_sha":      s.Before,
			"source":          "push",
			"status":          s.Status,
			"detailed_status": "passed",
			"stages":          []string{"build", "test"},
			"created_at":      payloadUTC(start),
			"finished_at":     payloadUTC(finish),
			"duration":        125,
			"queued_duration": 5,
			"protected_ref":   true,
			"variables":       []any{},
			"url":             s.URL,
		},
		"merge_request": nil,
		"user":          payloadUser(s),
		"project":       payloadProject(s, false),
		"commit":        payloadLastCommit(s),
		"builds":        builds,
	}
}

// payloadBuild is Gitlab::DataBuilder::Build: the test job of the sample pipeline.
func payloadBuild(s Sample) map[string]any {
	created := s.Time
	started, finished := created.Add(62*time.Second), created.Add(125*time.Second)
	c := SampleCommit{}
	if len(s.Commits) > 0 {
		c = s.Commits[0]
	}
	return map[string]any{
		"object_kind":           "build",
		"ref":                   s.Ref,
		"tag":                   false,
		"before_sha":            s.Before,
		"sha":                   payloadHeadSHA(s),
		"retries_count":         0,
		"build_id":              s.IID,
		"build_name":            s.Title,
		"build_stage":           "test",
		"build_status":          s.Status,
		"build_created_at":      payloadUTC(created),
		"build_started_at":      payloadUTC(started),
		"build_finished_at":     payloadUTC(finished),
		"build_created_at_iso":  payloadISO(created),
		"build_started_at_iso":  payloadISO(started),
		"build_finished_at_iso": payloadISO(finished),
		"build_duration":        finished.Sub(started).Seconds(),
		"build_queued_duration": started.Sub(created).Seconds(),
		"build_allow_failure":   false,
		"build_failure_reason":  nil,
		"pipeline_id":           1001,
		"runner":                payloadRunner(),
		"project_id":            s.Project.ID,
		"project_name":          payloadFullName(s),
		"user":                  payloadUser(s),
		"commit": map[string]any{
			"id":              1001,
			"name":            nil,
			"sha":             c.ID,
			"message":         c.Message,
			"author_name":     c.Author,
			"author_email":    c.Email,
			"author_url":      s.GitLabURL + "/" + s.User.Username,
			"status":          "running",
			"duration":        nil,
			"started_at":      payloadUTC(created),
			"finished_at":     nil,
			"started_at_iso":  payloadISO(created),
			"finished_at_iso": nil,
		},
		"repository":  payloadRepository(s, true),
		"project":     payloadProject(s, false),
		"environment": nil,
	}
}

// payloadArchiveTrace is Gitlab::DataBuilder::ArchiveTrace: where the finished job's log is.
func payloadArchiveTrace(s Sample) map[string]any {
	return map[string]any{
		"object_kind": "archive_trace",
		"trace_url":   s.URL + "/raw",
		"build_id":    s.IID,
		"pipeline_id": 1001,
		"project":     payloadProject(s, true),
	}
}

// payloadWikiPage is Gitlab::DataBuilder::WikiPage for a new page.
func payloadWikiPage(s Sample) map[string]any {
	wiki := s.Project.WebURL + "/-/wikis"
	slug := strings.ToLower(s.Title)
	return map[string]any{
		"object_kind": "wiki_page",
		"user":        payloadUser(s),
		"project":     payloadProject(s, true),
		"wiki": map[string]any{
			"web_url":             wiki + "/home",
			"git_ssh_url":         strings.TrimSuffix(payloadSSHURL(s), ".git") + ".wiki.git",
			"git_http_url":        s.Project.WebURL + ".wiki.git",
			"path_with_namespace": s.Project.PathWithNamespace + ".wiki",
			"default_branch":      s.Project.DefaultBranch,
		},
		"object_attributes": map[string]any{
			"title":      s.Title,
			"content":    "A wiki page created by integrations to test this integration's settings.",
			"format":     "markdown",
			"message":    "Create " + s.Title,
			"slug":       slug,
			"url":        s.URL,
			"action":     s.Action,
			"diff_url":   wiki + "/" + slug + "/diff?version_id=" + s.After,
			"version_id": s.After,
		},
	}
}

// payloadDeployment is Gitlab::DataBuilder::Deployment for a finished deployment.
func payloadDeployment(s Sample) map[string]any {
	sha := payloadHeadSHA(s)
	title := ""
	if len(s.Commits) > 0 {
		title = s.Commits[0].Title
	}
	return map[string]any{
		"object_kind":              "deployment",
		"status":                   s.Status,
		"status_changed_at":        payloadUTC(s.Time),
		"deployment_id":            s.IID,
		"deployable_id":            payloadDeployableID,
		"deployable_url":           s.Project.WebURL + "/-/jobs/" + strconv.Itoa(payloadDeployableID),
		"environment":              s.Title,
		"environment_tier":         s.Title,
		"environment_slug":         s.Title,
		"environment_external_url": nil,
		"project":                  payloadProject(s, true),
		"short_sha":                sha[:min(8, len(sha))],
		"user":                     payloadUser(s),
		"user_url":                 s.GitLabURL + "/" + s.User.Username,
		"commit_url":               s.Project.WebURL + "/-/commit/" + sha,
		"commit_title":             title,
	}
}

// payloadAlert is Gitlab::DataBuilder::Alert.
func payloadAlert(s Sample) map[string]any {
	return map[string]any{
		"object_kind": "alert",
		"object_attributes": map[string]any{
			"title":      s.Title,
			"url":        s.URL,
			"severity":   "critical",
			"events":     1,
			"status":     s.Status,
			"started_at": payloadUTC(s.Time),
		},
	}
}

// payloadVulnerability is the vulnerability event of GitLab's webhook documentation.
func payloadVulnerability(s Sample) map[string]any {
	at := payloadISOMillis(s.Time)
	return map[string]any{
		"object_kind": "vulnerability",
		"object_attributes": map[string]any{
			"url":        s.URL,
			"title":      s.Title,
			"state":      "detected",
			"project_id": s.Project.ID,
			"location": map[string]any{
				"file": "Gemfile.lock",
				"dependency": map[string]any{
					"package": map[string]any{"name": "rexml"},
					"version": "3.3.1",
				},
			},
			"cvss":                []any{},
			"severity":            "high",
			"severity_overridden": false,
			"identifiers": []map[string]any{{
				"name":          "CVE-2024-41123",
				"external_id":   "CVE-2024-41123",
				"external_type": "cve",
				"url":           "https://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2024-41123",
			}},
			"issues":                     []any{},
			"report_type":                "dependency_scanning",
			"confidence":                 "unknown",
			"confidence_overridden":      false,
			"confirmed_at":               nil,
			"confirmed_by_id":            nil,
			"dismissed_at":               nil,
			"dismissed_by_id":            nil,
			"resolved_at":                nil,
			"resolved_by_id":             nil,
			"auto_resolved":              false,
			"resolved_on_default_branch": false,
			"created_at":                 at,
			"updated_at":                 at,
		},
	}
}

// payloadProjectEvent is Gitlab::HookData::ProjectBuilder for a project created in a group.
// Integrations dispatch on object_kind, so it is set as for every other event.
func payloadProjectEvent(s Sample) map[string]any {
	at := payloadISO(s.Time)
	return map[string]any{
		"object_kind":          "project",
		"event_name":           "project_create",
		"created_at":           at,
		"updated_at":           at,
		"name":                 s.Project.Name,
		"path":                 s.Project.Name,
		"path_with_namespace":  s.Project.PathWithNamespace,
		"project_id":           s.Project.ID,
		"project_namespace_id": payloadNamespaceID,
		"owners":               []map[string]any{{"name": s.User.Name, "email": s.User.Email}},
		"project_visibility":   "private",
	}
}

// payloadSubgroupEvent is Gitlab::HookData::SubgroupBuilder for a subgroup created in the
// project's group.
func payloadSubgroupEvent(s Sample) map[string]any {
	at := payloadISO(s.Time)
	parent := s.Project.Namespace
	if parent == "" {
		parent = "example-group"
	}
	parentPath := parent[strings.LastIndex(parent, "/")+1:]
	return map[string]any{
		"object_kind":      "subgroup",
		"event_name":       "subgroup_create",
		"created_at":       at,
		"updated_at":       at,
		"name":             "example-subgroup",
		"path":             "example-subgroup",
		"full_path":        parent + "/example-subgroup",
		"group_id":         payloadSubgroupID,
		"parent_group_id":  payloadParentGroupID,
		"parent_name":      parentPath,
		"parent_path":      parentPath,
		"parent_full_path": parent,
	}
}

package integrations

import "slices"

// Event is a trigger event: the name GitLab uses in code and the API flag that switches it.
type Event struct {
	Name    string
	APIFlag string
	Title   string
	// WebUIOnly events are declared by no version of GitLab's API: only the web UI sets them.
	WebUIOnly bool
}

// events is ordered the way GitLab's settings page lists triggers.
var events = []Event{
	{"push", "push_events", "Push to the repository", false},
	{"tag_push", "tag_push_events", "New tag pushed", false},
	{"issue", "issues_events", "Issue created, updated or closed", false},
	{"confidential_issue", "confidential_issues_events", "Confidential issue created, updated or closed", false},
	{"work_item", "work_item_events", "Work item created, updated or closed", false},
	{"confidential_work_item", "confidential_work_item_events", "Confidential work item created, updated or closed", false},
	{"merge_request", "merge_requests_events", "Merge request created, updated or merged", false},
	{"note", "note_events", "New comment", false},
	{"confidential_note", "confidential_note_events", "New comment on a confidential item", false},
	{"commit", "commit_events", "Commit mentions an issue", false},
	{"pipeline", "pipeline_events", "Pipeline status changed", false},
	{"wiki_page", "wiki_page_events", "Wiki page created or updated", false},
	{"deployment", "deployment_events", "Deployment started or finished", false},
	{"alert", "alert_events", "Alert raised", false},
	{"incident", "incident_events", "Incident created, updated or closed", false},
	{"vulnerability", "vulnerability_events", "New vulnerability detected", false},
	{"group_mention", "group_mention_events", "Group mentioned in a public item", true},
	{"group_confidential_mention", "group_confidential_mention_events", "Group mentioned in a confidential item", true},
	{"project", "project_events", "Project created or removed", false},
	{"subgroup", "subgroup_events", "Subgroup created or removed", false},
}

// Events lists every trigger event any integration supports.
func Events() []Event { return slices.Clone(events) }

// LookupEvent finds an event by its name or its API flag.
func LookupEvent(name string) (Event, bool) {
	for _, e := range events {
		if e.Name == name || e.APIFlag == name {
			return e, true
		}
	}
	return Event{}, false
}

// baseEventDefaults are GitLab's column defaults for the event flags of a new integration.
var baseEventDefaults = map[string]bool{
	"push": true, "tag_push": true, "issue": true, "confidential_issue": true,
	"merge_request": true, "note": true, "confidential_note": true, "pipeline": true,
	"wiki_page": true, "commit": true, "alert": true,
}

// SupportedEvents lists the events the integration supports at level l (any level when l is
// empty), including those GitLab EE adds.
func (d Definition) SupportedEvents(l Level) []string {
	out := slices.Clone(d.Events)
	if l == "" || l == Group {
		out = append(out, d.GroupEvents...)
	}
	return append(out, d.EEEvents...)
}

// SupportsEvent reports whether the integration supports the event at some level.
func (d Definition) SupportsEvent(name string) bool {
	return slices.Contains(d.SupportedEvents(""), name)
}

// DefaultEventState is whether the event is on for a newly created integration.
func (d Definition) DefaultEventState(name string) bool {
	if v, ok := d.DefaultEvents[name]; ok {
		return v
	}
	return baseEventDefaults[name]
}

// DefaultEventStates maps every supported event to its default state.
func (d Definition) DefaultEventStates() map[string]bool {
	m := make(map[string]bool)
	for _, e := range d.SupportedEvents("") {
		m[e] = d.DefaultEventState(e)
	}
	return m
}

// EventOn is an event's state in stored settings, or its default for events the stored
// settings predate (or none were stored).
func (d Definition) EventOn(stored map[string]bool, name string) bool {
	if v, ok := stored[name]; ok {
		return v
	}
	return d.DefaultEventState(name)
}

// EventStates maps every event supported at level to its state in stored settings, defaults
// filling the gaps.
func (d Definition) EventStates(level Level, stored map[string]bool) map[string]bool {
	out := map[string]bool{}
	for _, e := range d.SupportedEvents(level) {
		out[e] = d.EventOn(stored, e)
	}
	return out
}

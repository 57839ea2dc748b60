package cmd

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

const (
	left  = "\x1b[D"
	ctrlC = "\x03"
)

var terminalSizes = []struct{ cols, rows int }{{60, 20}, {80, 24}, {120, 40}}

// headerFirst checks that the page's first line names what is written where.
func headerFirst(t *testing.T, lines []string, want string) {
	t.Helper()
	if !strings.HasPrefix(lines[0], want) || !strings.Contains(lines[1], "Page ") {
		t.Errorf("the header is not on the first lines; the screen showed:\n%s", strings.Join(lines, "\n"))
	}
}

func onScreen(lines []string, text string) bool {
	return slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, text) })
}

// The Slack form at a group offers 17 events. At every size the header stays on the first line,
// every event is visible or reachable under a hint that says so, and without colour the chosen
// button is marked by characters. Ctrl-C leaves a clear screen and writes nothing.
func TestFormFitsTheTerminalAtEverySize(t *testing.T) {
	// Each drives its own program in its own directory.
	t.Parallel()
	if testing.Short() {
		t.Skip("drives a real terminal")
	}
	events := []string{
		"(push)", "(issue)", "(confidential_issue)", "(merge_request)", "(note)", "(confidential_note)",
		"(tag_push)", "(pipeline)", "(wiki_page)", "(deployment)", "(incident)", "(work_item)",
		"(confidential_work_item)", "(alert)", "(group_mention)", "(group_confidential_mention)", "(vulnerability)",
	}
	for _, size := range terminalSizes {
		t.Run(fmt.Sprintf("%dx%d", size.cols, size.rows), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			term := startSized(t, dir, size.rows, size.cols, []string{"NO_COLOR=1"}, "configure", "slack", "-g", "acme")
			const header = "Slack notifications — group:acme on the local store"
			term.focus("Active")
			lines := term.waitScreen("the buttons show", func(l []string) bool { return onScreen(l, "[ On ]") })
			headerFirst(t, lines, fitted(header, size.cols))
			if !onScreen(lines, "[ On ]   Off") {
				t.Errorf("without colour the selected button is not marked:\n%s", strings.Join(lines, "\n"))
			}
			term.send(right)
			term.waitScreen("Off is marked", func(l []string) bool { return onScreen(l, "On   [ Off ]") })
			term.send(left + enter)

			term.focus("Webhook URL")
			headerFirst(t, term.screen(), fitted(header, size.cols))
			term.send("https://hooks.slack.com/services/T1/B1/X" + enter)

			term.focus("Trigger events")
			lines = term.screen()
			headerFirst(t, lines, fitted(header, size.cols))
			var missing []string
			for _, ev := range events {
				if !onScreen(lines, ev) {
					missing = append(missing, ev)
				}
			}
			if len(missing) > 0 && !onScreen(lines, fmt.Sprintf("of %d events show; ↓ and ↑ scroll", len(events))) {
				t.Errorf("%v are hidden without a hint:\n%s", missing, strings.Join(lines, "\n"))
			}
			if size.rows >= 40 && len(missing) > 0 {
				t.Errorf("%d rows hold every event, yet %v are hidden", size.rows, missing)
			}
			for range events {
				if onScreen(term.screen(), "> • New vulnerability") {
					break
				}
				term.send(down)
			}
			lines = term.waitScreen("the last event is reached", func(l []string) bool { return onScreen(l, "> • New vulnerability") })
			headerFirst(t, lines, fitted(header, size.cols))

			term.send(ctrlC)
			if code := term.exitCode(); code != 130 {
				t.Fatalf("Ctrl-C: exit %d, want 130", code)
			}
			lines = term.screen()
			if onScreen(lines, "Trigger events") || onScreen(lines, "Page ") {
				t.Errorf("the form stayed on screen after Ctrl-C:\n%s", strings.Join(lines, "\n"))
			}
			if !onScreen(lines, "cancelled; nothing was written") {
				t.Errorf("no cancel message:\n%s", strings.Join(lines, "\n"))
			}
			if out, code := run(t, dir, "list", "-g", "acme"); code != 2 {
				t.Errorf("after Ctrl-C the group exists: exit %d, %s", code, out)
			}
		})
	}
}

// fitted is the header as a terminal cols wide shows it: cut with … when too long.
func fitted(s string, cols int) string {
	r := []rune(s)
	if len(r) < cols {
		return s
	}
	return string(r[:cols-1])
}

// A project overriding its group's Jira settings: token authentication hides the username, both
// events show, untouched options of other editions are not written, the review names every
// value that will be stored and says that inheritance ends; a second run changing nothing
// ends without the save question.
func TestJiraFormReviewsWhatItWrites(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("drives a real terminal")
	}
	dir := t.TempDir()
	if out, code := run(t, dir, "configure", "jira", "-g", "acme", "--set", "url=https://jira.example.com",
		"--set", "username=bot", "--set", "password=s3cret"); code != 0 {
		t.Fatalf("configuring the group: %d %s", code, out)
	}
	for _, size := range terminalSizes[:2] {
		t.Run(fmt.Sprintf("%dx%d", size.cols, size.rows), func(t *testing.T) {
			project := fmt.Sprintf("acme/web%d", size.cols)
			term := startSized(t, dir, size.rows, size.cols, []string{"NO_COLOR=1"}, "configure", "jira", "-p", project)
			header := "Jira issues — project:" + project
			term.focus("Active")
			term.send(enter)
			term.focus("Web URL")
			term.send(enter)
			term.focus("Jira API URL")
			term.send(enter)
			term.focus("Authentication method")
			if !onScreen(term.screen(), "Email or username") {
				t.Error("with basic authentication the username is not asked")
			}
			term.send(down)
			term.waitScreen("the username is hidden", func(l []string) bool { return !onScreen(l, "Email or username") })
			term.send(enter)
			term.focus("Enter a new api token")
			headerFirst(t, term.screen(), fitted(header, size.cols))
			term.send(enter)

			term.focus("Trigger events")
			lines := term.screen()
			headerFirst(t, lines, fitted(header, size.cols))
			for _, ev := range []string{"(commit)", "(merge_request)"} {
				if !onScreen(lines, ev) {
					t.Errorf("event %s not shown:\n%s", ev, strings.Join(lines, "\n"))
				}
			}
			term.send(enter)
			term.walk(jiraOptions...)
			term.focus("Save these settings?")
			// The review's text is computed after the page appears.
			lines = term.waitScreen("the review shows", func(l []string) bool { return onScreen(l, "[ Save ]") && onScreen(l, "jira_auth_type") })
			headerFirst(t, lines, fitted(header, size.cols))
			review := strings.Join(lines, "\n")
			for _, want := range []string{
				"project " + project + " will stop inheriting jira from group acme; its 3 settings are copied.",
				"jira_auth_type: 0 → 1",
			} {
				if !strings.Contains(strings.Join(strings.Fields(review), " "), want) {
					t.Errorf("the review lacks %q:\n%s", want, review)
				}
			}
			if strings.Contains(review, "(none) → off") {
				t.Errorf("the review lists untouched options:\n%s", review)
			}
			term.send(enter)
			if code := term.exitCode(); code != 0 {
				t.Fatalf("saving: exit %d:\n%s", code, strings.Join(term.screen(), "\n"))
			}

			// What was stored is what the review listed: the group's values copied, and the method.
			out, code := run(t, dir, "show", "jira", "-p", project, "-o", "json")
			if code != 0 {
				t.Fatalf("show: %d %s", code, out)
			}
			var v struct {
				Inherited bool `json:"inherited"`
				Fields    []struct {
					Name  string `json:"name"`
					Value any    `json:"value"`
				} `json:"fields"`
			}
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatal(err)
			}
			stored := map[string]any{}
			for _, f := range v.Fields {
				if f.Value != nil {
					stored[f.Name] = f.Value
				}
			}
			want := map[string]any{"url": "https://jira.example.com", "username": "bot", "jira_auth_type": float64(1)}
			for k, w := range want {
				if stored[k] != w {
					t.Errorf("%s = %v, want %v", k, stored[k], w)
				}
			}
			for _, k := range []string{"jira_check_enabled", "vulnerabilities_enabled", "customize_jira_issue_enabled"} {
				if _, ok := stored[k]; ok {
					t.Errorf("untouched %s was stored: %v", k, stored[k])
				}
			}
			if v.Inherited {
				t.Error("the project still inherits")
			}
		})
	}

	// Changing nothing: the form ends without asking to save and writes nothing.
	term := startSized(t, dir, 24, 80, nil, "configure", "jira", "-p", "acme/web80")
	term.walk("Active", "Web URL", "Jira API URL", "Authentication method", "Enter a new api token", "Trigger events")
	term.walk(jiraOptions...)
	term.waitFor("Nothing to change")
	if code := term.exitCode(); code != 0 {
		t.Fatalf("no changes: exit %d", code)
	}
	if strings.Contains(stripANSI(term.out.String()), "Save these settings?") {
		t.Error("asked to save with nothing to change")
	}
}

// jiraOptions are the titles of the Jira form's questions after the events, with basic checks
// off (the checks that depend on them stay hidden).
var jiraOptions = []string{
	"Issue key pattern", "Issue key prefix",
	"Transition IDs", "Automatic transition", "Show Jira issues in GitLab", "Jira project keys",
	"Comments on issues", "Issues for vulnerabilities", "Edit before creating",
	"Require a Jira issue key",
}

// walk answers each question, by title, with its current value.
func (term *terminal) walk(titles ...string) {
	term.t.Helper()
	for _, title := range titles {
		term.focus(title)
		term.send(enter)
	}
}

// Accessible mode states each question's help, current value and what a blank answer does,
// keeps the current events on a blank answer, and declining to save is a cancel: exit 130.
func TestAccessibleFormStatesCurrentValues(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("drives a real terminal")
	}
	dir := t.TempDir()
	if out, code := run(t, dir, "configure", "slack", "-p", "acme/web", "--set", "webhook=https://hooks.slack.com/services/T/B/X",
		"--set", "channel=#general"); code != 0 {
		t.Fatalf("seeding: %d %s", code, out)
	}
	term := startSized(t, dir, 24, 80, nil, "configure", "slack", "-p", "acme/web", "--accessible")
	steps := []struct{ prompt, answer string }{
		{"Current: On; a blank answer keeps it.", ""},
		{"Active [Y/n]", ""},
		{"Current: set; a blank answer keeps it.", ""},
		{"Enter a new webhook url", ""},
		{"Current: push,issue,confidential_issue,merge_request,note,confidential_note,tag_push,pipeline,wiki_page,alert. A blank answer keeps the current events", ""},
		{"Trigger events", ""},
	}
	for _, ev := range []string{"push", "issue", "confidential issue", "merge request", "note", "confidential note", "tag push", "pipeline", "wiki page", "alert"} {
		steps = append(steps, struct{ prompt, answer string }{"Channel for " + ev + " events", ""})
	}
	steps = append(steps, []struct{ prompt, answer string }{
		{"Username", ""},
		{"Current: #general; a blank answer keeps it.", ""},
		{"Default channel", "#releases"},
		{"Notify only broken pipelines [Y/n]", ""},
		{"Notify only on pipeline status changes [y/N]", ""},
		{"Current: Default branch; a blank answer keeps it.", ""},
		{"Enter a number between 1 and 4", ""},
		{"Labels for notifications", ""},
		{"Enter a number between 1 and 2", ""},
		{"channel: #general → #releases", ""},
		{"Save these settings? [Y/n]", "n"},
	}...)
	for _, s := range steps {
		term.waitFor(s.prompt)
		if strings.HasPrefix(s.prompt, "Current:") || strings.HasPrefix(s.prompt, "channel:") {
			continue // a statement, not a question
		}
		term.send(s.answer + "\r")
	}
	term.waitFor("not saved; nothing was written")
	if code := term.exitCode(); code != 130 {
		t.Fatalf("declining to save: exit %d, want 130", code)
	}
	out, _ := run(t, dir, "show", "slack", "-p", "acme/web", "-o", "json", "--jq", `.fields[] | select(.name == "channel") | .value`)
	if strings.TrimSpace(out) != "#general" {
		t.Errorf("declining wrote the channel: %q", out)
	}
}

// configure without a name in a terminal offers the integrations the scope can have, with
// whether each is active there, filterable by typing; the chosen one's form opens.
func TestConfigureWithoutANameOffersAPicker(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("drives a real terminal")
	}
	dir := t.TempDir()
	if out, code := run(t, dir, "configure", "slack", "-p", "acme/web", "--set", "webhook=https://hooks.slack.com/services/T/B/X"); code != 0 {
		t.Fatalf("seeding: %d %s", code, out)
	}
	term := startSized(t, dir, 24, 80, []string{"NO_COLOR=1"}, "configure", "-p", "acme/web")
	term.waitFor("Which integration at project acme/web?")
	lines := term.waitScreen("the list shows", func(l []string) bool { return onScreen(l, "Asana") })
	if onScreen(lines, "Beyond Identity") {
		t.Error("an instance-only integration is offered for a project")
	}
	term.send("/")
	term.send("slack not")
	lines = term.waitScreen("the filter applies", func(l []string) bool { return !onScreen(l, "Asana") && onScreen(l, "Slack notifications") })
	if !onScreen(lines, "active here") {
		t.Errorf("the list does not say what is active here:\n%s", strings.Join(lines, "\n"))
	}
	term.send(enter)
	term.focus("Active")
	headerFirst(t, term.screen(), "Slack notifications — project:acme/web")
	term.send(esc)
	if code := term.exitCode(); code != 130 {
		t.Fatalf("Esc: exit %d", code)
	}
}

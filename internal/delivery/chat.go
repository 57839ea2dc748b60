package delivery

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Chat notifications: each builder posts what GitLab's chat integration would post for the
// sample event, in the service's own format. The texts follow GitLab's ChatMessage classes
// (app/models/integrations/chat_message/*): a message with Markdown links, turned into Slack's
// <url|label> links for the services GitLab does not flag as Markdown (Slack, Mattermost, Google
// Chat, Pumble).

func init() {
	register(chatSlack, "slack", "mattermost")
	register(chatTeams, "microsoft_teams")
	register(chatDiscord, "discord")
	register(chatHangouts, "hangouts_chat")
	register(chatWebex, "webex_teams")
	register(chatPumble, "pumble")
	register(chatUnify, "unify_circuit")
	register(chatTelegram, "telegram")
	register(chatMatrix, "matrix")
	register(chatCampfire, "campfire")
}

// chatPipelineDuration is the sample pipeline's duration, as Sample.Summary states it (00:02:05).
const chatPipelineDuration = 125 * time.Second

// chatMessage is one event told the way GitLab's chat messages tell it.
type chatMessage struct {
	projectName string // GitLab's project_name: the title Teams shows, Unify Circuit's subject
	// message is GitLab's private #message, with Markdown links.
	message string
	// noPretext marks messages whose pretext is empty (pipelines put everything in the attachment).
	noPretext bool
	// attachments are the Slack attachments, links already in Slack's form.
	attachments []chatObject
	// mdAttachments is what #attachments returns when the message is built for Markdown.
	mdAttachments string
	// color is the public attachment_color Discord reads; empty when GitLab keeps it private.
	color     string
	activity  chatActivity
	threadKey string // Google Chat thread
	avatar    string
	username  string
}

type chatActivity struct{ title, subtitle, text, image string }

// summary is GitLab's #summary: the Markdown message, or its Slack-formatted form.
func (m chatMessage) summary(markdown bool) string {
	if markdown {
		return m.message
	}
	return chatSlackLinks(m.message)
}

func (m chatMessage) pretext(markdown bool) string {
	if m.noPretext {
		return ""
	}
	return m.summary(markdown)
}

func (m chatMessage) fallback() string { return chatSlackLinks(m.message) }

func chatLink(label, u string) string { return "[" + label + "](" + u + ")" }

var chatMarkdownLink = regexp.MustCompile(`\[([^\[\]]*?)\]\(((?:https?://|mailto:)[^)]*?)\)`)

// chatSlackLinks is Slack::Messenger's LinkFormatter: [label](url) becomes <url|label>.
func chatSlackLinks(s string) string { return chatMarkdownLink.ReplaceAllString(s, "<$2|$1>") }

// chatEvent is the event to notify: the chosen one, else the sample's, else push.
func chatEvent(t Target) string {
	return firstNonEmpty(t.Event, t.Sample.Event, "push")
}

func chatShortSHA(sha string) string {
	if len(sha) > 8 {
		return sha[:8]
	}
	return sha
}

// chatState is the object's state after the sample action, as GitLab's hook data reports it.
func chatState(action string) string {
	switch action {
	case "open", "reopen":
		return "opened"
	case "close":
		return "closed"
	case "merge":
		return "merged"
	case "update", "":
		return "opened"
	}
	return action
}

// chatCompose builds the message GitLab's ChatMessage class for the event would build.
func chatCompose(s Sample, event string) chatMessage {
	user := s.User.Name + " (" + s.User.Username + ")"
	projectURL := s.Project.WebURL
	// GitLab names the project by its full name, "Namespace / Project"; the sample knows paths.
	projectName := strings.ReplaceAll(s.Project.PathWithNamespace, "/", " / ")
	projectLink := chatLink(projectName, projectURL)
	m := chatMessage{projectName: projectName, avatar: s.User.AvatarURL, username: s.User.Username}
	m.activity.image = s.User.AvatarURL
	m.activity.subtitle = "in " + projectLink
	var commit SampleCommit
	if len(s.Commits) > 0 {
		commit = s.Commits[0]
	}

	switch event {
	case "push", "tag_push":
		// PushMessage. The sample tag is a new tag, as Sample.Summary says.
		refType, refURL := "branch", projectURL+"/-/commits/"+s.Ref
		if event == "tag_push" {
			refType, refURL = "tag", projectURL+"/-/tags/"+s.Ref
		}
		refLink := chatLink(s.Ref, refURL)
		compareLink := chatLink("Compare changes", projectURL+"/-/compare/"+s.Before+"..."+s.After)
		action, target := "pushed to", "of "+projectLink+" ("+compareLink+")"
		if event == "tag_push" {
			action, target = "pushed new", "to "+projectLink
		}
		m.message = strings.Join([]string{user, action, refType, refLink, target}, " ")
		m.activity.title = strings.Join([]string{user, action, refType, refLink}, " ")
		m.activity.text = compareLink
		m.color = "#334455"
		m.threadKey = "push " + projectName + "_" + s.Ref
		if event == "push" {
			lines := make([]string, len(s.Commits))
			for i, c := range s.Commits {
				lines[i] = chatLink(chatShortSHA(c.ID), c.URL) + ": " + c.Title + " - " + c.Author
			}
			m.mdAttachments = strings.Join(lines, "\n\n")
			m.attachments = []chatObject{chatObj("text", chatSlackLinks(m.mdAttachments), "color", m.color)}
		}

	case "issue", "confidential_issue", "work_item", "confidential_work_item", "incident":
		// IssueMessage, for every kind of issue.
		state := chatState(s.Action)
		title := fmt.Sprintf("#%d %s", s.IID, s.Title)
		issueLink := chatLink(title, s.URL)
		m.message = "[" + projectLink + "] Issue " + issueLink + " " + state + " by " + user
		m.activity.title = "Issue " + state + " by " + user
		m.activity.text = issueLink
		m.threadKey = fmt.Sprintf("issue %s#%d", projectName, s.IID)
		if s.Action == "open" {
			// The sample issue has no description.
			m.attachments = []chatObject{chatObj("title", title, "title_link", s.URL, "text", "", "color", "#C95823")}
		}

	case "merge_request":
		state := chatState(s.Action)
		mrLink := chatLink(fmt.Sprintf("!%d *%s*", s.IID, s.Title), s.URL)
		m.message = user + " " + state + " merge request " + mrLink + " in " + projectLink
		m.activity.title = "Merge request " + state + " by " + user
		m.activity.text = mrLink
		m.threadKey = fmt.Sprintf("merge request %s!%d", projectName, s.IID)

	case "note", "confidential_note":
		// NoteMessage on the sample issue.
		target := fmt.Sprintf("issue #%d", s.IID)
		noteLink := chatLink("commented on "+target, s.URL)
		m.message = user + " " + noteLink + " in " + projectLink + ": *" + s.Title + "*"
		m.activity.title = user + " " + noteLink
		m.activity.text = s.Title
		m.threadKey = target
		m.mdAttachments = s.Note
		m.attachments = []chatObject{chatObj("text", chatSlackLinks(s.Note), "color", "#334455")}

	case "pipeline":
		m = chatPipeline(s, m, user, commit)

	case "wiki_page":
		action := map[string]string{"create": "created", "update": "edited"}[s.Action]
		wikiLink := chatLink("wiki page", s.URL)
		diffLink := chatLink("Compare changes", s.URL+"/diff?version_id="+s.After)
		description := "Create " + s.Title // GitLab's default commit message for a new page
		if s.Action == "update" {
			description = "Update " + s.Title
		}
		m.message = user + " " + action + " " + wikiLink + " (" + diffLink + ") in " + projectLink + ": *" + s.Title + "*"
		m.activity.title = user + " " + action + " " + wikiLink
		m.activity.text = s.Title
		m.threadKey = "wiki_page " + s.URL
		m.mdAttachments = description
		m.attachments = []chatObject{chatObj("text", chatSlackLinks(description), "color", "#334455")}

	case "deployment":
		status := map[string]string{"success": "succeeded"}[s.Status]
		if status == "" {
			status = s.Status
		}
		color := map[string]string{"success": "good", "canceled": "warning", "failed": "danger"}[s.Status]
		if color == "" {
			color = "#334455"
		}
		m.message = "Deploy to " + s.Title + " " + status
		if s.Status == "running" {
			m.message = "Starting deploy to " + s.Title
		}
		text := projectLink + " with job " + chatLink(fmt.Sprintf("#%d", s.IID), fmt.Sprintf("%s/-/jobs/%d", projectURL, s.IID)) +
			" by " + chatLink(user, s.GitLabURL+"/"+s.User.Username) + "\n" +
			chatLink(chatShortSHA(commit.ID), commit.URL) + ": " + commit.Title
		m.mdAttachments = text
		m.attachments = []chatObject{chatObj("text", chatSlackLinks(text), "color", color)}
		m.activity.title = m.message
		m.threadKey = "deployment " + s.URL

	case "alert":
		m.message = "Alert firing in " + projectName
		m.attachments = []chatObject{chatObj(
			"title", s.Title, "title_link", s.URL, "color", "#C95823",
			"fields", []chatObject{
				chatObj("title", "Severity", "value", "Critical", "short", true),
				chatObj("title", "Events", "value", 1, "short", true),
				chatObj("title", "Status", "value", chatHumanize(s.Status), "short", true),
				chatObj("title", "Start time", "value", chatAlertTime(s.Time), "short", true),
			},
		)}
		m.activity.title = m.message
		m.threadKey = "alert " + s.URL

	default:
		// GitLab has no chat message of its own here (vulnerability, group mentions): the
		// sample's one-line summary.
		m.message = s.Summary()
		m.activity.title = m.message
		m.threadKey = event + " " + s.URL
	}
	return m
}

// chatPipeline is GitLab's PipelineMessage: an empty pretext and one rich attachment.
func chatPipeline(s Sample, m chatMessage, user string, commit SampleCommit) chatMessage {
	projectURL := s.Project.WebURL
	humanized, color := s.Status, "danger"
	switch s.Status {
	case "success":
		humanized, color = "has passed", "good"
	case "failed":
		humanized = "has failed"
	}
	d := int(chatPipelineDuration.Seconds())
	duration := fmt.Sprintf("%02d:%02d", d/60, d%60)
	pipelineURL := fmt.Sprintf("%s/-/pipelines/%d", projectURL, s.IID)
	pipelineLink := chatLink(fmt.Sprintf("#%d", s.IID), pipelineURL)
	refLink := chatLink(s.Ref, projectURL+"/-/commits/"+s.Ref)
	projectLink := chatLink(s.Project.Name, projectURL) // the pipeline message names the project only
	m.message = fmt.Sprintf("%s: Pipeline %s of branch %s by %s %s in %s", projectLink, pipelineLink, refLink, user, humanized, duration)
	m.noPretext = true
	m.mdAttachments = m.message
	m.attachments = []chatObject{chatObj(
		"fallback", chatSlackLinks(m.message),
		"color", color,
		"author_name", user,
		"author_icon", s.User.AvatarURL,
		"author_link", s.GitLabURL+"/"+s.User.Username,
		"title", fmt.Sprintf("Pipeline #%d %s in %s", s.IID, humanized, duration),
		"title_link", pipelineURL,
		"fields", []chatObject{
			chatObj("title", "Branch", "value", chatSlackLinks(refLink), "short", true),
			chatObj("title", "Commit", "value", chatSlackLinks(chatLink(commit.Title, commit.URL)), "short", true),
		},
		"footer", s.Project.Name,
		"ts", s.Time.Unix(),
	)}
	m.activity = chatActivity{
		title:    fmt.Sprintf("Pipeline %s of branch %s by %s %s", pipelineLink, refLink, user, humanized),
		subtitle: "in " + projectLink,
		text:     "in " + duration,
		image:    s.User.AvatarURL,
	}
	m.threadKey = fmt.Sprintf("pipeline %d", s.IID)
	return m
}

func chatHumanize(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// chatAlertTime is GitLab's alert time format: April 23rd, 2020 1:06AM UTC.
func chatAlertTime(t time.Time) string {
	day := t.Day()
	suffix := "th"
	if day%100 < 11 || day%100 > 13 {
		switch day % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	hour := t.Hour() % 12
	if hour == 0 {
		hour = 12
	}
	return fmt.Sprintf("%s %d%s, %d %2d:%02d%s %s", t.Month(), day, suffix, t.Year(), hour, t.Minute(), t.Format("PM"), t.Format("MST"))
}

// chatObject is a JSON object that keeps its keys in the order written, the order GitLab's code
// and the services' documentation use.
type chatObject []chatField

type chatField struct {
	key   string
	value any
}

// chatObj makes an object from keys and values in turn.
func chatObj(kv ...any) chatObject {
	o := make(chatObject, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		o = append(o, chatField{kv[i].(string), kv[i+1]})
	}
	return o
}

func (o chatObject) get(key string) any {
	for _, f := range o {
		if f.key == key {
			return f.value
		}
	}
	return nil
}

func (o chatObject) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := chatEncode(f.key)
		if err != nil {
			return nil, err
		}
		v, err := chatEncode(f.value)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// chatEncode encodes v without HTML escaping, so that Slack's <url|label> links stay as written.
func chatEncode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// chatJSON is the body a service receives.
func chatJSON(v any) []byte {
	b, err := chatEncode(v)
	if err != nil {
		panic("delivery: chat payload does not encode: " + err.Error())
	}
	return b
}

func chatPost(u string, body any) Step {
	return Step{Method: http.MethodPost, URL: u, Header: jsonHeader(), Body: chatJSON(body)}
}

// chatLooksSecret is a URL part that reads like a key rather than a word: long, or with digits.
func chatLooksSecret(s string) bool {
	return len(s) >= 16 || (len(s) >= 6 && strings.ContainsAny(s, "0123456789"))
}

// chatURLSecrets are the parts of a webhook URL that give access to it: the whole URL, its path
// and query as a server would echo them, its last path segment, key-like segments, query values
// and userinfo. A receiver that echoes only part of the request then still shows nothing usable.
func chatURLSecrets(raw string) []string {
	out := []string{raw}
	u, err := url.Parse(raw)
	if err != nil {
		return out
	}
	out = append(out, u.RequestURI(), u.EscapedPath(), u.Path)
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i, seg := range segs {
		if i == len(segs)-1 || chatLooksSecret(seg) {
			out = append(out, seg)
			if esc := url.PathEscape(seg); esc != seg {
				out = append(out, esc)
			}
		}
	}
	for _, vs := range u.Query() {
		out = append(out, vs...)
	}
	if u.RawQuery != "" {
		out = append(out, u.RawQuery)
	}
	if u.User != nil {
		out = append(out, u.User.Username())
		if p, ok := u.User.Password(); ok {
			out = append(out, p)
		}
	}
	return out
}

// chatChannels are the channels of an event as GitLab picks them: the event's own channels, for
// work items those of issues, for confidential issues and notes those of issues and notes when
// they have none, else the default channel.
func chatChannels(t Target, event string) []string {
	switch event {
	case "work_item":
		event = "issue"
	case "confidential_work_item":
		event = "confidential_issue"
	}
	v := t.Value(event + "_channel")
	if v == "" && event == "confidential_issue" {
		v = t.Value("issue_channel")
	}
	if v == "" && event == "confidential_note" {
		v = t.Value("note_channel")
	}
	if v == "" {
		v = t.Value("channel")
	}
	var out []string
	for _, c := range strings.Split(v, ",") {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// chatSlackPayload is an incoming-webhook message as Slack::Messenger posts it.
type chatSlackPayload struct {
	Channel     string       `json:"channel,omitempty"`
	Username    string       `json:"username,omitempty"`
	Text        string       `json:"text"`
	Attachments []chatObject `json:"attachments"`
	Fallback    string       `json:"fallback"`
}

// chatSlack posts to a Slack or Mattermost incoming webhook, once per channel of the event as
// Slack::Messenger does. GitLab counts any answer as success (its test reports the post made).
func chatSlack(t Target) (Plan, error) {
	v, err := need(t, "webhook")
	if err != nil {
		return Plan{}, err
	}
	event := chatEvent(t)
	m := chatCompose(t.Sample, event)
	attachments := m.attachments
	if attachments == nil {
		attachments = []chatObject{}
	}
	p := chatSlackPayload{Username: t.Value("username"), Text: m.pretext(false), Attachments: attachments, Fallback: m.fallback()}
	plan := Plan{Secrets: chatURLSecrets(v[0])}
	channels := chatChannels(t, event)
	if len(channels) == 0 {
		channels = []string{""}
	}
	for _, c := range channels {
		p.Channel = c
		s := chatPost(v[0], p)
		plan.Steps = append(plan.Steps, s)
	}
	return plan, nil
}

// chatTeams posts the Adaptive Card GitLab's MicrosoftTeams::Notifier builds: the project as
// title, the activity beside the user's avatar, then the details. GitLab counts any answer as
// success.
func chatTeams(t Target) (Plan, error) {
	v, err := need(t, "webhook")
	if err != nil {
		return Plan{}, err
	}
	m := chatCompose(t.Sample, chatEvent(t))
	body := []chatObject{
		chatObj("type", "TextBlock", "text", m.projectName, "weight", "bolder", "size", "medium"),
		chatObj(
			"type", "ColumnSet",
			"columns", []chatObject{
				chatObj("type", "Column", "width", "auto", "items", []chatObject{
					chatObj("type", "Image", "url", m.activity.image, "size", "medium"),
				}),
				chatObj("type", "Column", "width", "stretch", "items", []chatObject{
					chatObj("type", "TextBlock", "text", m.activity.title, "weight", "bolder", "wrap", true),
					chatObj("type", "TextBlock", "text", m.activity.subtitle, "isSubtle", true, "wrap", true),
					chatObj("type", "TextBlock", "text", m.activity.text, "wrap", true),
				}),
			},
		),
	}
	if strings.TrimSpace(m.mdAttachments) != "" {
		body = append(body, chatObj("type", "TextBlock", "text", m.mdAttachments, "wrap", true))
	}
	msg := chatObj(
		"type", "message",
		"attachments", []chatObject{chatObj(
			"contentType", "application/vnd.microsoft.card.adaptive",
			"content", chatObj(
				"type", "AdaptiveCard",
				"msteams", chatObj("width", "Full"),
				"version", "1.0",
				"body", body,
			),
		)},
	)
	s := chatPost(v[0], msg)
	return Plan{Steps: []Step{s}, Secrets: chatURLSecrets(v[0])}, nil
}

// chatDiscordColors are GitLab's replacements for Slack's named colours.
var chatDiscordColors = map[string]string{"good": "#0d532a", "warning": "#703800", "danger": "#8d1300"}

// chatDiscord posts the embed GitLab builds with discordrb to the event's webhook override or
// the main webhook. GitLab sets no username or avatar, so Discord shows the webhook's own.
func chatDiscord(t Target) (Plan, error) {
	v, err := need(t, "webhook")
	if err != nil {
		return Plan{}, err
	}
	event := chatEvent(t)
	target := v[0]
	secrets := chatURLSecrets(v[0])
	if c := chatChannels(t, event); len(c) > 0 {
		target = c[0]
		secrets = append(secrets, chatURLSecrets(target)...)
	}
	m := chatCompose(t.Sample, event)
	attach := m.mdAttachments
	if attach == "" && len(m.attachments) > 0 {
		attach, _ = m.attachments[0].get("text").(string)
	}
	description := m.pretext(true) + "\n" + attach
	color := int64(0xfc6d26)
	if m.color != "" {
		c := strings.TrimPrefix(firstNonEmpty(chatDiscordColors[m.color], m.color), "#")
		if len(c) == 3 {
			c = string([]byte{c[0], c[0], c[1], c[1], c[2], c[2]})
		}
		if n, err := strconv.ParseInt(c, 16, 64); err == nil {
			color = n
		}
	}
	msg := chatObj(
		"content", "",
		"username", nil,
		"avatar_url", nil,
		"tts", false,
		"embeds", []chatObject{chatObj(
			"description", description,
			"timestamp", t.Sample.Time.UTC().Format(time.RFC3339),
			"color", color,
			"author", chatObj("name", m.username, "icon_url", m.avatar),
			"fields", []chatObject{},
		)},
		"allowed_mentions", nil,
	)
	return Plan{Steps: []Step{chatPost(target, msg)}, Secrets: secrets}, nil
}

// chatHangouts posts a plain-text message to a Google Chat webhook, threaded per object. The
// webhook's own key and token stay in its query. GitLab counts any answer as success.
func chatHangouts(t Target) (Plan, error) {
	v, err := need(t, "webhook")
	if err != nil {
		return Plan{}, err
	}
	u, err := url.Parse(v[0])
	if err != nil {
		return Plan{}, &ConfigError{"hangouts_chat: the webhook is not a URL"}
	}
	// Append to the webhook as written, so its key and token stay byte for byte; rebuild the
	// query only when the option is already there (GitLab overrides it) or a fragment follows.
	const option = "messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD"
	target := v[0]
	switch q := u.Query(); {
	case q.Has("messageReplyOption") || u.Fragment != "" || strings.Contains(target, "#"):
		q.Set("messageReplyOption", "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD")
		u.RawQuery = q.Encode()
		target = u.String()
	case strings.HasSuffix(target, "?") || strings.HasSuffix(target, "&"):
		target += option
	case u.RawQuery != "":
		target += "&" + option
	default:
		target += "?" + option
	}
	m := chatCompose(t.Sample, chatEvent(t))
	text := m.pretext(false)
	if len(m.attachments) > 0 {
		a := m.attachments[0]
		parts := []string{text}
		if title, ok := a.get("title").(string); ok {
			if link, ok := a.get("title_link").(string); ok {
				title = "<" + link + "|" + title + ">"
			}
			parts = append(parts, title)
		}
		if body, ok := a.get("text").(string); ok {
			parts = append(parts, body)
		}
		text = strings.Join(parts, "\n")
	}
	payload := chatObj("text", text)
	if m.threadKey != "" {
		payload = append(payload, chatField{"thread", chatObj("threadKey", m.threadKey)})
	}
	s := chatPost(target, payload)
	return Plan{Steps: []Step{s}, Secrets: append(chatURLSecrets(v[0]), target)}, nil
}

// chatWebex posts the Markdown summary to a Webex incoming webhook.
func chatWebex(t Target) (Plan, error) {
	v, err := need(t, "webhook")
	if err != nil {
		return Plan{}, err
	}
	m := chatCompose(t.Sample, chatEvent(t))
	return Plan{Steps: []Step{chatPost(v[0], chatObj("markdown", m.summary(true)))}, Secrets: chatURLSecrets(v[0])}, nil
}

// chatPumble posts the Slack-formatted summary to a Pumble incoming webhook.
func chatPumble(t Target) (Plan, error) {
	v, err := need(t, "webhook")
	if err != nil {
		return Plan{}, err
	}
	m := chatCompose(t.Sample, chatEvent(t))
	return Plan{Steps: []Step{chatPost(v[0], chatObj("text", m.summary(false)))}, Secrets: chatURLSecrets(v[0])}, nil
}

// chatUnify posts the project as subject and the Markdown summary to a Circuit webhook.
func chatUnify(t Target) (Plan, error) {
	v, err := need(t, "webhook")
	if err != nil {
		return Plan{}, err
	}
	m := chatCompose(t.Sample, chatEvent(t))
	body := chatObj("subject", m.projectName, "text", m.summary(true), "markdown", true)
	return Plan{Steps: []Step{chatPost(v[0], body)}, Secrets: chatURLSecrets(v[0])}, nil
}

// chatTelegram has the bot send the Markdown summary to the chat, in the topic when one is set.
// (GitLab retries once without parse_mode when Telegram rejects the Markdown with 400; a failed
// test here shows that answer instead.)
func chatTelegram(t Target) (Plan, error) {
	v, err := need(t, "token", "room")
	if err != nil {
		return Plan{}, err
	}
	host := strings.TrimSuffix(firstNonEmpty(t.Value("hostname"), "https://api.telegram.org"), "/")
	m := chatCompose(t.Sample, chatEvent(t))
	body := chatObj("text", m.summary(true), "chat_id", v[1])
	if th := t.Value("thread"); th != "" {
		n, err := strconv.ParseInt(th, 10, 64)
		if err != nil {
			return Plan{}, &ConfigError{fmt.Sprintf("telegram: the topic ID %q is not a whole number", th)}
		}
		body = append(body, chatField{"message_thread_id", n})
	}
	body = append(body, chatField{"parse_mode", "markdown"})
	return Plan{
		Steps:   []Step{chatPost(host+"/bot"+v[0]+"/sendMessage", body)},
		Secrets: []string{v[0], "bot" + v[0], url.PathEscape(v[0])},
	}, nil
}

// chatMatrix sends the summary to the room through the homeserver's client API, as a notice
// (GitLab's msgtype) with an HTML rendering. The transaction ID comes from the sample's time so
// that runs compare; a homeserver treats a repeated ID from the same token as the same message.
func chatMatrix(t Target) (Plan, error) {
	v, err := need(t, "token", "room")
	if err != nil {
		return Plan{}, err
	}
	host := strings.TrimSuffix(firstNonEmpty(t.Value("hostname"), "https://matrix-client.matrix.org"), "/")
	u := host + "/_matrix/client/v3/rooms/" + url.PathEscape(v[1]) + "/send/m.room.message/" + strconv.FormatInt(t.Sample.Time.Unix(), 10)
	m := chatCompose(t.Sample, chatEvent(t))
	summary := m.summary(true)
	body := chatObj(
		"body", summary,
		"msgtype", "m.notice",
		"format", "org.matrix.custom.html",
		"formatted_body", chatHTML(summary),
	)
	auth := "Bearer " + v[0]
	h := jsonHeader()
	h.Set("Authorization", auth)
	return Plan{
		Steps:   []Step{{Method: http.MethodPut, URL: u, Header: h, Body: chatJSON(body)}},
		Secrets: []string{v[0], auth},
	}, nil
}

var chatEmphasis = regexp.MustCompile(`\*([^*\n]+)\*`)

// chatHTML renders the little Markdown a chat summary holds (links and emphasis) the way GitLab's
// renderer does, one paragraph per line.
func chatHTML(md string) string {
	var out []string
	for _, para := range strings.Split(md, "\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		var b strings.Builder
		last := 0
		for _, loc := range chatMarkdownLink.FindAllStringSubmatchIndex(para, -1) {
			b.WriteString(chatEmphasisHTML(para[last:loc[0]]))
			label, href := para[loc[2]:loc[3]], para[loc[4]:loc[5]]
			b.WriteString(`<a href="` + html.EscapeString(href) + `">` + chatEmphasisHTML(label) + `</a>`)
			last = loc[1]
		}
		b.WriteString(chatEmphasisHTML(para[last:]))
		out = append(out, `<p dir="auto">`+b.String()+`</p>`)
	}
	return strings.Join(out, "\n")
}

func chatEmphasisHTML(s string) string {
	return chatEmphasis.ReplaceAllString(html.EscapeString(s), "<em>$1</em>")
}

// chatCampfire does what GitLab's Campfire integration does: list the rooms (GitLab goes on only
// with 200), then speak in the room. GitLab looks the room up by name; the room setting is a
// number, so the message goes straight to that room. Only 201 counts as success, as in GitLab.
func chatCampfire(t Target) (Plan, error) {
	v, err := need(t, "token", "subdomain", "room")
	if err != nil {
		return Plan{}, err
	}
	base := "https://" + v[1] + ".campfirenow.com"
	if t.CampfireURL != "" {
		base = strings.TrimSuffix(t.CampfireURL, "/")
	}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(v[0]+":X"))
	h := http.Header{"Accept": {"application/json"}, "User-Agent": {"GitLab/integrations-cli"}, "Authorization": {auth}}
	post := chatPost(base+"/room/"+url.PathEscape(v[2])+"/speak.json",
		chatObj("message", chatObj("type", "TextMessage", "body", chatCampfireMessage(t.Sample))))
	post.Header.Set("Authorization", auth)
	post.OK = statusIs(http.StatusCreated)
	return Plan{
		Steps: []Step{
			{Method: http.MethodGet, URL: base + "/rooms.json", Header: h, OK: statusIs(http.StatusOK)},
			post,
		},
		Secrets: []string{v[0], auth},
	}, nil
}

// chatCampfireMessage is GitLab's Campfire push summary (its compare link has no /-/).
func chatCampfireMessage(s Sample) string {
	return fmt.Sprintf("[%s] %s pushed %d commits to %s. %s/compare/%s...%s",
		strings.ReplaceAll(s.Project.PathWithNamespace, "/", " / "), s.User.Name, len(s.Commits), s.Ref, s.Project.WebURL, s.Before, s.After)
}

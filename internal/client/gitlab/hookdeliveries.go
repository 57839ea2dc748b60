package gitlab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
	gl "gitlab.com/gitlab-org/api/client-go"
)

var _ client.HookDeliveries = (*Client)(nil)

// GitLab's test and resend limit (gitlab-hooks.md §1): 5 per minute per user per project or
// group, shared by its hooks; 19.5 lets an administrator change it.
const (
	deliveryLimit  = 5
	deliveryWindow = time.Minute
	// eventsPerPage is the event log's largest page.
	eventsPerPage = 20
)

// DeliveryLimit is GitLab's default test and resend limit.
func (c *Client) DeliveryLimit() (int, time.Duration) { return deliveryLimit, deliveryWindow }

// TestHook runs GitLab's test: the triggered test of a project or group hook, or a system
// hook's test (a fixed project_create payload whose outcome GitLab does not report). A 429 is
// returned at once as a *client.RateLimitError: the limit's window is a minute, too long to
// wait for without saying so.
func (c *Client) TestHook(ctx context.Context, s client.Scope, id int64, event string) (client.HookDelivery, error) {
	cur, err := c.GetHook(ctx, s, id)
	if err != nil {
		return client.HookDelivery{}, err
	}
	s = cur.Scope
	if err := client.CheckTestEvent(s, integrations.HookKind(s.Level).Events, event); err != nil {
		return client.HookDelivery{}, err
	}
	d := client.HookDelivery{HookID: id, Time: time.Now().UTC(), Event: event, URL: cur.URL()}
	ctx = withoutRateLimitRetry(ctx)
	opt := gl.WithContext(ctx)
	if s.Level == integrations.Instance {
		d.Trigger, d.Unknown = client.SystemHookTrigger, true
		// Not client-go's SystemHooks.TestHook: it sends a GET, which only reads the hook.
		resp, err := c.do(ctx, http.MethodPost, "hooks/"+strconv.FormatInt(id, 10), nil, nil)
		if err = c.deliveryError(ctx, s, id, resp, err); err != nil {
			return client.HookDelivery{}, err
		}
		return d, nil
	}
	if s.Level == integrations.Group {
		err = c.needs(ctx, "testing group hooks", 17, 1)
	} else {
		err = c.needs(ctx, "testing project hooks by event", 16, 11)
	}
	if err != nil {
		return client.HookDelivery{}, err
	}
	d.Trigger = client.HookTrigger(event)
	ev, _ := integrations.LookupHookEvent(event)
	// The test's answer says nothing of the delivery; the log entry it adds does. The newest
	// entry before it tells that entry from older ones.
	before, logged := c.newestEvent(ctx, s, id)
	var resp *gl.Response
	if s.Level == integrations.Group {
		resp, err = c.api.Groups.TriggerTestGroupHook(ref(s), id, gl.GroupHookTrigger(ev.APIFlag), opt)
	} else {
		resp, err = c.api.Projects.TriggerTestProjectHook(ref(s), id, gl.ProjectHookEvent(ev.APIFlag), opt)
	}
	err = c.deliveryError(ctx, s, id, resp, err)
	switch {
	case isStatus(err, http.StatusUnprocessableEntity):
		// The receiver answered outside 2xx or could not be reached: GitLab says which.
		d.Error = statusMessage(err)
	case err != nil:
		return client.HookDelivery{}, err
	default:
		d.OK = true
	}
	l, ok := c.newestEvent(ctx, s, id)
	switch {
	case ok && l.ID > before.ID:
		d.ID, d.Time, d.Status, d.Latency, d.RequestBody, d.ResponseBody, d.Key = l.ID, l.Time, l.Status, l.Latency, l.RequestBody, l.ResponseBody, l.Key
	case ok && logged && !d.OK:
		// A 422 that logged nothing sent nothing: GitLab had no sample (an empty repository).
		return client.HookDelivery{}, fmt.Errorf("%s did not send the test: %s", c.host, d.Error)
	}
	return d, nil
}

// newestEvent is the newest entry of the hook's event log; ok is false when the log cannot be
// read (GitLab before 17.3).
func (c *Client) newestEvent(ctx context.Context, s client.Scope, id int64) (client.HookDelivery, bool) {
	list, err := c.HookEvents(ctx, s, id, client.EventFilter{Limit: 1})
	if err != nil {
		return client.HookDelivery{}, false
	}
	if len(list) == 0 {
		return client.HookDelivery{}, true
	}
	return list[0], true
}

// deliveryError classifies a test or resend failure: 429 as a RateLimitError with the wait
// GitLab asked for, the rest as hook errors.
func (c *Client) deliveryError(ctx context.Context, s client.Scope, id int64, resp *gl.Response, err error) error {
	if err == nil {
		return nil
	}
	var se *statusError
	if !errors.As(err, &se) {
		err = c.classify(ctx, resp, err)
	}
	if isStatus(err, http.StatusTooManyRequests) {
		rl := &client.RateLimitError{Where: c.host, Message: statusMessage(err)}
		if resp != nil && resp.Response != nil {
			rl.RetryAfter, _ = retryAfter(resp.Header, time.Now())
		}
		if m := rateMessage(rl.Message); m != "" {
			rl.Message = m
		}
		return rl
	}
	if isStatus(err, http.StatusUnprocessableEntity) {
		return err // the caller reads the receiver's answer, or the refusal, from it
	}
	return c.hookError(s, err, id)
}

// rateMessage unwraps GitLab's {"message":{"error":…}} 429 body.
func rateMessage(msg string) string {
	var inner struct {
		Error string `json:"error"`
	}
	if json.Unmarshal([]byte(msg), &inner) == nil {
		return inner.Error
	}
	return ""
}

// needs refuses what the server's version does not have yet, before a request that would only
// answer GitLab's catch-all 404. An unreadable version is taken to be new enough.
func (c *Client) needs(ctx context.Context, what string, major, minor int) error {
	if srv := c.server(ctx); !srv.api.Version.IsZero() && srv.api.Version.Before(integrations.Version{Major: major, Minor: minor}) {
		return client.Invalidf("%s needs GitLab %d.%d or later; %s runs %s", what, major, minor, c.host, srv.raw)
	}
	return nil
}

// eventOptions are the event log's query parameters.
type eventOptions struct {
	Page    int    `url:"page"`
	PerPage int    `url:"per_page"`
	Status  string `url:"status,omitempty"`
}

// statusParam is GitLab's status filter for f: its classes by name, a code as it is, and
// 1xx or 3xx as the codes they hold. Failed without a status asks for both failure classes.
func statusParam(f client.EventFilter) string {
	switch f.Status {
	case "":
		if f.Failed {
			return "client_failure,server_failure"
		}
		return ""
	case "2xx":
		return "successful"
	case "4xx":
		return "client_failure"
	case "5xx":
		return "server_failure"
	case "1xx", "3xx":
		var codes []string
		for n := int(f.Status[0]-'0') * 100; n < int(f.Status[0]-'0')*100+100; n++ {
			if http.StatusText(n) != "" {
				codes = append(codes, strconv.Itoa(n))
			}
		}
		return strings.Join(codes, ",")
	}
	return f.Status
}

// HookEvents reads the hook's event log (GitLab 17.3 and later), newest first, 20 a page,
// until Limit entries or the first older than Since. GitLab keeps 7 days of it.
func (c *Client) HookEvents(ctx context.Context, s client.Scope, id int64, f client.EventFilter) ([]client.HookDelivery, error) {
	if s.Level == integrations.Instance {
		return nil, client.Invalidf("GitLab has no event log API for system hooks; only project and group hooks have one")
	}
	if err := c.needs(ctx, "a hook's event log", 17, 3); err != nil {
		return nil, err
	}
	s, path, err := c.hooksPath(ctx, s)
	if err != nil {
		return nil, err
	}
	path += "/" + strconv.FormatInt(id, 10) + "/events"
	opts := eventOptions{PerPage: eventsPerPage, Status: statusParam(f)}
	if f.Limit > 0 && f.Limit < eventsPerPage && f.Since.IsZero() && !f.Failed {
		opts.PerPage = f.Limit
	}
	var out []client.HookDelivery
	for page := 1; page > 0; {
		opts.Page = page
		var items []map[string]any
		resp, err := c.do(ctx, http.MethodGet, path, opts, &items)
		if err != nil {
			return nil, c.hookError(s, err, id)
		}
		for _, it := range items {
			d := deliveryOf(id, it)
			if !f.Since.IsZero() && d.Time.Before(f.Since) {
				return out, nil // newest first: the rest is older still
			}
			if f.Matches(d) {
				out = append(out, d)
			}
			if f.Limit > 0 && len(out) >= f.Limit {
				return out, nil
			}
		}
		next, _ := strconv.Atoi(resp.Header.Get("X-Next-Page"))
		if next <= page || len(items) == 0 {
			next = 0
		}
		page = next
	}
	return out, nil
}

// deliveryOf reads an event log entry: response_status is a string, "internal error" when no
// answer came; execution_duration is in seconds.
func deliveryOf(hookID int64, it map[string]any) client.HookDelivery {
	d := client.HookDelivery{ID: id(it), HookID: hookID, Trigger: text(it["trigger"]), URL: text(it["url"]), ResponseBody: text(it["response_body"])}
	d.Event = client.TriggerEvent(d.Trigger)
	if t, err := time.Parse(time.RFC3339, text(it["created_at"])); err == nil {
		d.Time = t
	}
	if secs, ok := it["execution_duration"].(float64); ok {
		d.Latency = time.Duration(secs * float64(time.Second))
	}
	status := text(it["response_status"])
	if n, err := strconv.Atoi(status); err == nil {
		d.Status = n
	}
	d.OK = d.Status >= 200 && d.Status <= 299
	if !d.OK {
		d.Error = status
		if d.Status != 0 {
			d.Error = "the receiver answered " + status + " " + http.StatusText(d.Status)
		}
	}
	if h, ok := it["request_headers"].(map[string]any); ok {
		d.Key = text(h["Idempotency-Key"])
	}
	if raw, err := json.Marshal(it["request_data"]); err == nil && it["request_data"] != nil {
		d.RequestBody = string(raw)
	}
	return d
}

// ResendHookEvent replays a logged request (GitLab 17.4 and later). GitLab answers 201 with
// the receiver's status however it answered; 422 when the hook is disabled or its URL changed.
func (c *Client) ResendHookEvent(ctx context.Context, s client.Scope, id, eventID int64) (client.HookDelivery, error) {
	if s.Level == integrations.Instance {
		return client.HookDelivery{}, client.Invalidf("GitLab cannot resend system hook deliveries; only project and group hooks have an event log")
	}
	if err := c.needs(ctx, "resending hook events", 17, 4); err != nil {
		return client.HookDelivery{}, err
	}
	cur, err := c.GetHook(ctx, s, id)
	if err != nil {
		return client.HookDelivery{}, err
	}
	s = cur.Scope
	_, path, err := c.hooksPath(ctx, s)
	if err != nil {
		return client.HookDelivery{}, err
	}
	ctx = withoutRateLimitRetry(ctx)
	var out struct {
		ResponseStatus any `json:"response_status"`
	}
	resp, err := c.do(ctx, http.MethodPost, path+"/"+strconv.FormatInt(id, 10)+"/events/"+strconv.FormatInt(eventID, 10)+"/resend", nil, &out)
	if err = c.deliveryError(ctx, s, id, resp, err); err != nil {
		if isStatus(err, http.StatusUnprocessableEntity) {
			return client.HookDelivery{}, client.Invalidf("%s refuses to resend event %d of hook %d: %s", c.host, eventID, id, statusMessage(err))
		}
		if isStatus(err, http.StatusNotFound) || client.IsNotFound(err) {
			return client.HookDelivery{}, client.NotFoundf("no event %d in the log of hook %d at %s on %s", eventID, id, s.Describe(), c.host)
		}
		return client.HookDelivery{}, err
	}
	d := client.HookDelivery{HookID: id, Time: time.Now().UTC(), URL: cur.URL()}
	switch v := out.ResponseStatus.(type) {
	case float64:
		d.Status = int(v)
	case string:
		d.Status, _ = strconv.Atoi(v)
	}
	d.OK = d.Status >= 200 && d.Status <= 299
	if !d.OK {
		d.Error = "the receiver answered " + strconv.Itoa(d.Status) + " " + http.StatusText(d.Status)
	}
	if logged, err := c.HookEvents(ctx, s, id, client.EventFilter{Limit: 1}); err == nil && len(logged) == 1 {
		d.ID, d.Time, d.Trigger, d.Event, d.Latency, d.ResponseBody = logged[0].ID, logged[0].Time, logged[0].Trigger, logged[0].Event, logged[0].Latency, logged[0].ResponseBody
	}
	return d, nil
}

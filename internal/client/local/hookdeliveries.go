package local

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/delivery"
	"github.com/forgekit/integrations/internal/integrations"
)

var _ client.HookDeliveries = (*Store)(nil)

// hookDeliveryTimeout bounds a delivery as GitLab's webhook timeout does (10 seconds).
const hookDeliveryTimeout = 10 * time.Second

// hookLogName is the request log's target name for a hook's deliveries: the log is the one
// integration tests write, so `integrations logs` and `hooks events` read the same table.
func hookLogName(id int64) string { return "hook:" + strconv.FormatInt(id, 10) }

// DeliveryLimit: the local store delivers itself, with no limit.
func (s *Store) DeliveryLimit() (int, time.Duration) { return 0, 0 }

// TestHook delivers the sample event from this machine with the hook's settings, as GitLab
// would (the payloads integration tests send), and records it in the request log.
func (s *Store) TestHook(ctx context.Context, sc client.Scope, id int64, event string) (client.HookDelivery, error) {
	h, ns, err := s.hookWithScope(ctx, sc, id)
	if err != nil {
		return client.HookDelivery{}, err
	}
	if err := client.CheckTestEvent(ns, integrations.HookKind(ns.Level).Events, event); err != nil {
		return client.HookDelivery{}, err
	}
	now := s.now().UTC()
	trigger, d := client.SystemHookTrigger, delivery.SystemHookSample(now)
	if ns.Level != integrations.Instance {
		trigger = client.HookTrigger(event)
		d = delivery.WebhookSample(event, delivery.SamplePath(ns.Level, ns.Path), "", now)
	}
	return s.deliverHook(ctx, ns, h, trigger, d)
}

func (s *Store) hookWithScope(ctx context.Context, sc client.Scope, id int64) (client.Hook, client.Scope, error) {
	h, err := s.GetHook(ctx, sc, id)
	return h, h.Scope, err
}

// deliverHook sends d through the hook's current settings and records the delivery.
func (s *Store) deliverHook(ctx context.Context, sc client.Scope, h client.Hook, trigger string, d delivery.WebhookDelivery) (client.HookDelivery, error) {
	w := delivery.Webhook{
		URL:          integrations.FillURL(h.URL(), func(name string) string { return h.URLVariables[name] }),
		Token:        h.Values[integrations.HookToken],
		SigningToken: h.Values[integrations.HookSigningToken],
		Headers:      h.CustomHeaders,
	}
	for _, v := range h.URLVariables {
		w.Masked = append(w.Masked, v)
	}
	res := delivery.Send(ctx, delivery.HTTPClient(hookDeliveryTimeout), delivery.WebhookPlan(w, d))[0]
	if ctx.Err() != nil {
		return client.HookDelivery{}, ctx.Err()
	}
	entry := client.LogEntry{
		Time: d.Time, Scope: sc.String(), Integration: hookLogName(h.ID), Event: trigger, Method: http.MethodPost,
		URL: h.URL(), Status: res.Status, OK: res.OK, Latency: res.Latency, Error: res.Error,
		RequestBody: res.RequestBody, ResponseBody: res.ResponseBody, Key: d.IdempotencyKey,
	}
	if err := s.AddLogs(ctx, []client.LogEntry{entry}); err != nil {
		return client.HookDelivery{}, err
	}
	logged, err := s.Logs(ctx, "", sc.String(), hookLogName(h.ID), 1, false)
	if err != nil || len(logged) == 0 {
		return client.HookDelivery{}, err
	}
	return deliveryOf(h.ID, logged[0]), nil
}

func deliveryOf(hookID int64, e client.LogEntry) client.HookDelivery {
	return client.HookDelivery{
		ID: e.ID, HookID: hookID, Time: e.Time, Trigger: e.Event, Event: client.TriggerEvent(e.Event), URL: e.URL,
		Status: e.Status, OK: e.OK, Latency: e.Latency, Error: e.Error, RequestBody: e.RequestBody, ResponseBody: e.ResponseBody,
		Key: e.Key,
	}
}

// HookEvents reads the hook's deliveries from the request log, newest first (the last 100).
func (s *Store) HookEvents(ctx context.Context, sc client.Scope, id int64, f client.EventFilter) ([]client.HookDelivery, error) {
	_, ns, err := s.hookWithScope(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	entries, err := s.Logs(ctx, "", ns.String(), hookLogName(id), 0, false)
	if err != nil {
		return nil, err
	}
	var out []client.HookDelivery
	for _, e := range entries {
		d := deliveryOf(id, e)
		if !f.Matches(d) {
			continue
		}
		out = append(out, d)
		if f.Limit > 0 && len(out) >= f.Limit {
			break
		}
	}
	return out, nil
}

// ResendHookEvent delivers a logged request's body again with the same Idempotency-Key,
// through the hook's current settings. As on GitLab, a request logged for another URL is not
// resent.
func (s *Store) ResendHookEvent(ctx context.Context, sc client.Scope, id, eventID int64) (client.HookDelivery, error) {
	h, ns, err := s.hookWithScope(ctx, sc, id)
	if err != nil {
		return client.HookDelivery{}, err
	}
	e, err := s.logEntry(ctx, ns.String(), hookLogName(id), eventID)
	if err != nil {
		return client.HookDelivery{}, err
	}
	if e.URL != h.URL() {
		return client.HookDelivery{}, client.Invalidf("hook %d's URL has changed since event %d, so it cannot be resent", id, eventID)
	}
	if strings.TrimSpace(e.RequestBody) == "" {
		return client.HookDelivery{}, client.Invalidf("event %d of hook %d has no recorded request to resend", eventID, id)
	}
	return s.deliverHook(ctx, ns, h, e.Event, delivery.Resent(delivery.EventHeader(e.Event), []byte(e.RequestBody), e.Key, s.now().UTC()))
}

// logEntry reads one entry of a target's request log.
func (s *Store) logEntry(ctx context.Context, scope, target string, id int64) (client.LogEntry, error) {
	var e client.LogEntry
	var at string
	var ms int64
	err := s.conn().QueryRowContext(ctx, `SELECT id, time, event, url, status, ok, latency_ms, error, request_body, response_body,
		request_key FROM request_logs WHERE server = '' AND scope = ? AND integration = ? AND id = ?`, scope, target, id).
		Scan(&e.ID, &at, &e.Event, &e.URL, &e.Status, &e.OK, &ms, &e.Error, &e.RequestBody, &e.ResponseBody, &e.Key)
	if isNoRows(err) {
		return e, client.NotFoundf("no event %d in the log of %s at %s in the local store", id, strings.Replace(target, ":", " ", 1), scope)
	}
	e.Time, _ = time.Parse(time.RFC3339Nano, at)
	e.Latency = time.Duration(ms) * time.Millisecond
	return e, err
}

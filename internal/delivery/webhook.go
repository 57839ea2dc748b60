package delivery

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Webhook is what a delivery to one of GitLab's webhooks (project, group or system hook) is
// sent with: the interpolated URL and the secrets, in clear.
type Webhook struct {
	URL          string
	Token        string
	SigningToken string
	Headers      map[string]string
	// Masked are further values to hide in results, such as the URL variables' values.
	Masked []string
}

// WebhookDelivery is one request to a webhook: its body, the X-Gitlab-Event header's value and
// the Idempotency-Key (a random UUID, as GitLab's), the same when a logged request is sent
// again.
type WebhookDelivery struct {
	Event          string
	Body           []byte
	IdempotencyKey string
	Time           time.Time
}

// hookSampleEvents are the sample events of webhook events that are named differently here.
var hookSampleEvents = map[string]string{"job": "build"}

// WebhookSample is the delivery of a sample event to a webhook: the payload GitLab sends for
// it (a push payload for events without one of their own), at the time given.
func WebhookSample(event, project, gitlabURL string, at time.Time) WebhookDelivery {
	name := event
	if alias, ok := hookSampleEvents[event]; ok {
		name = alias
	}
	s := NewSample(name, project, gitlabURL)
	s.Time = at
	header := s.HookName
	if header == "" {
		header = hooksEventName(event + "_hook")
	}
	body := hooksJSON(s.Payload())
	return WebhookDelivery{Event: header, Body: body, IdempotencyKey: uuid.NewString(), Time: at}
}

// SystemHookSample is the fixed project_create payload GitLab's system hook test sends.
func SystemHookSample(at time.Time) WebhookDelivery {
	body := hooksJSON(map[string]any{
		"event_name": "project_create", "name": "Ruby", "path": "ruby", "project_id": 1,
		"owner_name": "Someone", "owner_email": "example@gitlabhq.com",
	})
	return WebhookDelivery{Event: "System Hook", Body: body, IdempotencyKey: uuid.NewString(), Time: at}
}

// Resent is a logged request as it is delivered again: the same body and key (a request
// logged without one gets a new key).
func Resent(event string, body []byte, key string, at time.Time) WebhookDelivery {
	if key == "" {
		key = uuid.NewString()
	}
	return WebhookDelivery{Event: event, Body: body, IdempotencyKey: key, Time: at}
}

// WebhookPlan is the request GitLab's WebHookService sends: custom headers first and GitLab's
// own over them (a custom header cannot replace one), the secret token, and the Standard
// Webhooks signature when a signing token is set. Any 2xx counts.
func WebhookPlan(w Webhook, d WebhookDelivery) Plan {
	h := http.Header{}
	for k, v := range w.Headers {
		h.Set(k, v)
	}
	for k, vs := range hooksWebhookHeader(Sample{}, d.Event) {
		h[k] = vs
	}
	h.Set("Idempotency-Key", d.IdempotencyKey)
	secrets := []string{w.Token, w.SigningToken}
	if w.Token != "" {
		h.Set("X-Gitlab-Token", w.Token)
	}
	if key, ok := strings.CutPrefix(w.SigningToken, "whsec_"); ok {
		if raw, err := base64.StdEncoding.DecodeString(key); err == nil {
			ts := strconv.FormatInt(d.Time.Unix(), 10)
			mac := hmac.New(sha256.New, raw)
			mac.Write([]byte(d.IdempotencyKey + "." + ts + "." + string(d.Body)))
			h.Set("webhook-id", d.IdempotencyKey)
			h.Set("webhook-timestamp", ts)
			h.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
		}
	}
	for _, v := range w.Headers {
		secrets = append(secrets, v)
	}
	secrets = append(secrets, w.Masked...)
	return Plan{
		Steps:   []Step{{Method: http.MethodPost, URL: w.URL, Header: h, Body: d.Body}},
		Secrets: hooksSecretForms(secrets...),
	}
}

// EventHeader reads the X-Gitlab-Event a logged trigger (push_hooks) was delivered with.
func EventHeader(trigger string) string {
	if trigger == "system_hooks" {
		return "System Hook"
	}
	event := strings.TrimSuffix(trigger, "_hooks")
	if alias, ok := hookSampleEvents[event]; ok {
		event = alias
	}
	if name := hookNames[event]; name != "" {
		return name
	}
	return hooksEventName(strings.TrimSuffix(trigger, "s"))
}

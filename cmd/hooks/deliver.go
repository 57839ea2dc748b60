package hooks

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/output"
)

// deliveryCommon is what test, events and resend share: the hook found by its reference and
// the backend's deliveries.
type deliveryCommon struct {
	common
	Ref string
	// sleep waits between paced requests and after a 429; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

func newDeliveryCommon(c common) deliveryCommon {
	return deliveryCommon{common: c, sleep: client.Sleep}
}

// target finds the hook and the backend's deliveries.
func (o *deliveryCommon) target(ctx context.Context) (client.Hook, client.HookDeliveries, error) {
	h, b, err := o.hooks()
	if err != nil {
		return client.Hook{}, nil, err
	}
	d, ok := b.(client.HookDeliveries)
	if !ok {
		return client.Hook{}, nil, fmt.Errorf("%s cannot test webhooks", b.Where())
	}
	got, err := o.find(ctx, h, o.Ref)
	return got, d, err
}

// paced runs fn and, when GitLab answers 429, says how long it waits, waits what it asked
// (else the limit's whole window), and tries again. The wait honours the run's context
// (--timeout, Ctrl-C).
func (o *deliveryCommon) paced(ctx context.Context, d client.HookDeliveries, fn func() (client.HookDelivery, error)) (client.HookDelivery, error) {
	n, per := d.DeliveryLimit()
	return client.RetryRateLimited(per, func(rl *client.RateLimitError, wait time.Duration) error {
		fmt.Fprintf(o.IO.ErrOut, "%s allows %d tests and %d resends %s at %s; waiting %s as it asked\n",
			rl.Where, n, n, perText(per), o.scope.Describe(), wait.Round(time.Second))
		return o.sleep(ctx, wait)
	}, fn)
}

// perText is a limit's window for people: "a minute", or "per 30s".
func perText(per time.Duration) string {
	if per == time.Minute {
		return "a minute"
	}
	return "per " + per.String()
}

// statusText is a delivery's answer for people: "200 OK", or why there was none.
func statusText(d client.HookDelivery) string {
	switch {
	case d.Unknown:
		return "sent (GitLab does not say how the receiver answered)"
	case d.Status != 0:
		return fmt.Sprintf("%d %s", d.Status, http.StatusText(d.Status))
	}
	return "no answer"
}

func mark(d client.HookDelivery) string {
	if d.Failed() {
		return "✗"
	}
	return "✓"
}

// deliveryView is the JSON of a test or a resend.
type deliveryView struct {
	Hook            int64   `json:"hook_id"`
	Name            string  `json:"name"`
	Scope           string  `json:"scope"`
	EventID         *int64  `json:"event_id"`
	ResentFrom      *int64  `json:"resent_from,omitempty"`
	Event           string  `json:"event"`
	URL             string  `json:"url"`
	Status          *int    `json:"status"`
	OK              *bool   `json:"ok"`
	LatencyMS       int64   `json:"latency_ms"`
	Error           *string `json:"error"`
	ResponseExcerpt string  `json:"response_excerpt"`
}

func newDeliveryView(h client.Hook, d client.HookDelivery) deliveryView {
	v := deliveryView{
		Hook: h.ID, Name: h.Identity(), Scope: h.Scope.String(), Event: eventName(d), URL: d.URL,
		LatencyMS: d.Latency.Milliseconds(), ResponseExcerpt: excerpt(d.ResponseBody, 500),
	}
	if d.ID != 0 {
		v.EventID = &d.ID
	}
	if d.Status != 0 {
		v.Status = &d.Status
	}
	if !d.Unknown {
		ok := d.OK
		v.OK = &ok // null: GitLab did not say
	}
	if d.Error != "" {
		v.Error = &d.Error
	}
	return v
}

// eventName is the catalog event of a delivery, "system" for a system hook's.
func eventName(d client.HookDelivery) string {
	if d.Event == "" && d.Trigger == client.SystemHookTrigger {
		return "system"
	}
	return d.Event
}

func printDelivery(p *output.Printer, what string, d client.HookDelivery) {
	p.Linef("%s %s: POST %s → %s in %dms", mark(d), what, d.URL, statusText(d), d.Latency.Milliseconds())
	if d.Error != "" && d.Failed() {
		p.Linef("  %s", excerpt(d.Error, 500))
	}
	if r := excerpt(d.ResponseBody, 500); r != "" {
		p.Linef("  response: %s", r)
	}
}

// excerpt is s on one line, cut to n runes.
func excerpt(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return string(r)
}

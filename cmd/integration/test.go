package integration

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/delivery"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/iostreams"
	"github.com/forgekit/integrations/internal/output"
	"github.com/forgekit/integrations/internal/redact"
	"github.com/spf13/cobra"
)

// logBook keeps the requests test deliveries made.
type logBook interface {
	AddLogs(ctx context.Context, entries []client.LogEntry) error
}

type testOptions struct {
	IO       *iostreams.IOStreams
	Backend  func() (client.Backend, error)
	Logs     func() (logBook, error)
	Prompter func() forms.Prompter
	Output   *output.Options

	ScopeFlags cmdutil.ScopeFlags
	ValueFlags cmdutil.ValueFlags
	Event      string
	Timeout    time.Duration
	DryRun     bool

	def   integrations.Definition
	scope client.Scope
	given cmdutil.Settings
	// HTTPClient sends the test's requests; tests replace it.
	HTTPClient func(timeout time.Duration) *http.Client
}

// testView is the contract's JSON for a test.
type testView struct {
	Name            string  `json:"name"`
	Scope           string  `json:"scope"`
	Event           string  `json:"event"`
	URL             string  `json:"url"`
	Status          *int    `json:"status"`
	OK              bool    `json:"ok"`
	LatencyMS       int64   `json:"latency_ms"`
	Error           *string `json:"error"`
	ResponseExcerpt string  `json:"response_excerpt"`
}

type requestView struct {
	Method  string              `json:"method"`
	URL     string              `json:"url"`
	Headers map[string][]string `json:"headers"`
	Body    string              `json:"body"`
}

// NewCmdTest builds `integrations test`.
func NewCmdTest(f *cmdutil.Factory, runF func(*testOptions) error) *cobra.Command {
	opts := &testOptions{
		IO: f.IOStreams, Backend: f.Backend, Prompter: f.Prompter, Output: f.Output,
		Logs:       func() (logBook, error) { return f.Store() },
		HTTPClient: delivery.HTTPClient,
	}
	cmd := &cobra.Command{
		Use:   "test [<integration>]",
		Short: "Send a sample event to an integration, or check its endpoints, and report the answer",
		Long: heredoc.Doc(`
			Prove that an integration's settings work, as GitLab's "Test settings" button does:

			- chat notifications get a sample message in the service's own format;
			- webhook-based integrations (Jenkins, Datadog, Packagist, …) get a sample GitLab webhook
			  payload with its X-Gitlab-Event header, at the address derived from the settings;
			- issue trackers and other services with an address get their endpoints checked, and
			  the credentials where the service has a cheap authenticated call (Jira: serverInfo
			  and myself).

			The requests go from this machine, not from the GitLab server, so firewalls between
			them and the service can differ. Every request is recorded in the local store; see
			integrations logs. Exit 0 on success, 1 on failure (a non-2xx answer, a timeout, a TLS or
			DNS error), 2 when the integration cannot be tested from outside the server.

			On GitLab the server never returns secrets: give them with --set (env:NAME and
			file:PATH work), or type them when the terminal asks.
		`),
		Example: heredoc.Doc(`
			$ integrations test slack -p acme/web
			$ integrations test jenkins -p acme/web --event merge_request -o json
			$ integrations test jira -p acme/web --dry-run
			$ integrations test slack -p acme/web --host gitlab.example.com --set webhook=env:SLACK_WEBHOOK
		`),
		Args:              cmdutil.MaxArgs(1),
		ValidArgsFunction: cmdutil.CompleteIntegrationNames,
		RunE: func(cmd *cobra.Command, args []string) error {
			args, err := nameOrPick(cmd.Context(), f, opts.ScopeFlags, args, "test", func(d integrations.Definition) bool { return delivery.Testable(d) == nil })
			if err != nil {
				return err
			}
			if err := opts.complete(args); err != nil {
				return err
			}
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return testRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddScopeFlags(cmd, &opts.ScopeFlags)
	cmd.Flags().StringVar(&opts.Event, "event", "", "the sample `EVENT` to send (default push, or the integration's first event)")
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 10*time.Second, "how long each request may take, connecting, headers and body included")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the requests it would send, secrets redacted, and send nothing")
	cmd.Flags().StringArrayVar(&opts.ValueFlags.Sets, "set", nil, "use this value for the test, such as a secret the server does not return: `key=value`")
	_ = cmd.RegisterFlagCompletionFunc("event", cmdutil.CompleteEvents)
	_ = cmd.RegisterFlagCompletionFunc("set", cmdutil.CompleteSet)
	return cmd
}

func (o *testOptions) complete(args []string) error {
	var err error
	if o.def, o.scope, err = lookupAt(args[0], o.ScopeFlags, "test"); err != nil {
		return err
	}
	if err := delivery.Testable(o.def); err != nil {
		return cmdutil.FlagErrorWrap(err)
	}
	if o.Event == "" {
		o.Event = defaultTestEvent(o.def)
	} else if err := o.def.CheckEvent(o.Event); err != nil {
		return err
	}
	return nil
}

// validate checks the flags before any request: a typo in --set costs no round trip.
func (o *testOptions) validate() error {
	if o.Timeout <= 0 {
		return cmdutil.FlagErrorf("--timeout must be positive")
	}
	var err error
	o.given, err = o.ValueFlags.Parse(o.def, o.IO.In)
	return err
}

// defaultTestEvent is push where supported, as GitLab's default test event, else the first.
func defaultTestEvent(d integrations.Definition) string {
	events := d.SupportedEvents("")
	for _, e := range events {
		if e == "push" {
			return e
		}
	}
	if len(events) > 0 {
		return events[0]
	}
	return "push"
}

func testRun(ctx context.Context, o *testOptions) error {
	b, err := o.Backend()
	if err != nil {
		return err
	}
	if err := checkRemoved(ctx, o.def, b); err != nil {
		return err
	}
	cur, err := readKeyed(ctx, b, o.scope, o.def)
	if err != nil {
		return err
	}
	if !cur.Configured {
		return notConfigured(o.def, o.scope)
	}
	values := maps.Clone(cur.Values)
	maps.Copy(values, o.given.Values)
	if err := o.askWriteOnly(ctx, cur, values, b.Where()); err != nil {
		return err
	}
	server := "https://gitlab.example.com"
	if b.Capabilities().Server != "" {
		server = b.Where()
	}
	sample := delivery.NewSample(o.Event, delivery.SamplePath(cur.Scope.Level, cur.Scope.Path), server)
	// A real test happens now; services such as Matrix also use the time to tell messages apart.
	sample.Time = time.Now().UTC()
	t := delivery.Target{Def: o.def, Values: values, Event: o.Event, Sample: sample}
	plan, err := delivery.Build(t)
	if delivery.IsConfigError(err) {
		return cmdutil.FlagErrorWrap(err)
	}
	if err != nil {
		return err
	}
	if o.DryRun {
		warnLocalTargets(ctx, o.IO.ErrOut, plan)
		return printPlan(o, plan)
	}
	results := delivery.Send(ctx, o.HTTPClient(o.Timeout), plan)
	if err := o.record(ctx, b, results); err != nil {
		fmt.Fprintf(o.IO.ErrOut, "warning: the request log was not saved: %v\n", err)
	}
	last := results[len(results)-1]
	view := testView{
		Name: o.def.Name, Scope: cur.Scope.String(), Event: o.Event, URL: last.URL, OK: last.OK,
		LatencyMS: last.Latency.Milliseconds(), ResponseExcerpt: excerptLine(last.ResponseBody, 500),
	}
	if last.Status != 0 {
		view.Status = &last.Status
	}
	if last.Error != "" {
		view.Error = &last.Error
	}
	if err := output.Write(o.IO, *o.Output, view, func(p *output.Printer) { printTest(p, view, results) }); err != nil {
		return err
	}
	if !last.OK {
		fmt.Fprintf(o.IO.ErrOut, "error: %s test at %s failed: %s\n", o.def.Name, cur.Scope, last.Error)
		return cmdutil.ErrSilent
	}
	// A pass is what could mislead: GitLab itself may not be allowed to deliver there.
	warnLocalTargets(ctx, o.IO.ErrOut, plan)
	return nil
}

// askWriteOnly gets the secrets a server holds but never returns: from a masked prompt on a
// terminal, else the command names the --set flags to add.
func (o *testOptions) askWriteOnly(ctx context.Context, cur client.State, values map[string]string, where string) error {
	var need []string
	for _, f := range o.def.Fields {
		if cur.Unknown[f.Key] && values[f.Key] == "" && (f.Required || f.Key == "webhook") {
			need = append(need, f.Key)
		}
	}
	if len(need) == 0 {
		return nil
	}
	again, err := cmdutil.AskSecretsAgain(ctx, o.IO, o.Prompter, cmdutil.SecretsAgain{
		Keys: need,
		Why:  fmt.Sprintf("%s never returns %s; the test needs it", where, strings.Join(need, ", ")),
		Title: func(k string) string {
			f, _ := o.def.Field(k)
			return fmt.Sprintf("%s (%s) for the test — %s does not return it", f.Title, k, where)
		},
		Normalize: o.def.Normalize,
	})
	maps.Copy(values, again)
	return err
}

func (o *testOptions) record(ctx context.Context, b client.Backend, results []delivery.Result) error {
	logs, err := o.Logs()
	if err != nil {
		return err
	}
	now := time.Now()
	entries := make([]client.LogEntry, len(results))
	for i, r := range results {
		entries[i] = client.LogEntry{
			Time: now, Server: b.Capabilities().Server, Scope: o.scope.String(), Integration: o.def.Name, Event: o.Event,
			Method: r.Method, URL: r.URL, Status: r.Status, OK: r.OK, Latency: r.Latency, Error: r.Error,
			RequestBody: r.RequestBody, ResponseBody: r.ResponseBody,
		}
	}
	return logs.AddLogs(ctx, entries)
}

func printTest(p *output.Printer, v testView, results []delivery.Result) {
	for _, r := range results {
		status := "no answer"
		if r.Status != 0 {
			status = fmt.Sprintf("%d %s", r.Status, http.StatusText(r.Status))
		}
		mark := "✓"
		if !r.OK {
			mark = "✗"
		}
		p.Linef("%s %s %s → %s in %dms", mark, r.Method, r.URL, status, r.Latency.Milliseconds())
		if r.Error != "" {
			p.Linef("  %s", r.Error)
		}
	}
	if v.ResponseExcerpt != "" {
		p.Linef("  response: %s", v.ResponseExcerpt)
	}
}

func printPlan(o *testOptions, plan delivery.Plan) error {
	views := make([]requestView, len(plan.Steps))
	for i, s := range plan.Steps {
		h := map[string][]string{}
		for k, vs := range s.Header {
			for _, v := range vs {
				h[k] = append(h[k], redact.All(v, plan.Secrets))
			}
		}
		views[i] = requestView{Method: s.Method, URL: redact.All(s.URL, plan.Secrets), Headers: h, Body: redact.All(string(s.Body), plan.Secrets)}
	}
	return output.Write(o.IO, *o.Output, views, func(p *output.Printer) {
		p.Linef("dry run: %d request(s) %s would send for %s; nothing was sent", len(views), o.def.Name, o.Event)
		for _, v := range views {
			p.Linef("")
			p.Linef("%s %s", v.Method, v.URL)
			keys := make([]string, 0, len(v.Headers))
			for k := range v.Headers {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p.Linef("%s: %s", k, strings.Join(v.Headers[k], ", "))
			}
			if v.Body != "" {
				p.Linef("")
				p.Linef("%s", v.Body)
			}
		}
	})
}

func excerptLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// warnLocalTargets says when a test reached a loopback or private address: it works from this
// machine, but GitLab refuses to deliver webhooks to local networks unless an administrator
// allows them, so a passing test would promise what the server will not do. Only the host is
// named: the rest of a webhook URL may be its secret.
func warnLocalTargets(ctx context.Context, w io.Writer, plan delivery.Plan) {
	seen := map[string]bool{}
	for _, s := range plan.Steps {
		u, err := url.Parse(s.URL)
		if err != nil || seen[u.Hostname()] {
			continue
		}
		host := u.Hostname()
		seen[host] = true
		if kind := localKind(ctx, host); kind != "" {
			fmt.Fprintf(w, "warning: %s is %s: this machine reaches it, but GitLab blocks webhooks to local and private networks unless an administrator allows them (Admin > Settings > Network > Outbound requests)\n", host, kind)
		}
	}
}

// localKind names the kind of local address host is or resolves to, or "" for a public one.
func localKind(ctx context.Context, host string) string {
	ips := []net.IP{net.ParseIP(host)}
	if ips[0] == nil {
		if host == "localhost" || strings.HasSuffix(host, ".localhost") {
			return "a loopback address"
		}
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
		if err != nil {
			return "" // the test itself will say it cannot reach the host
		}
		ips = ips[:0]
		for _, a := range addrs {
			ips = append(ips, a.IP)
		}
	}
	for _, ip := range ips {
		switch {
		case ip.IsLoopback():
			return "a loopback address"
		case ip.IsPrivate():
			return "a private-network address"
		case ip.IsLinkLocalUnicast(), ip.IsUnspecified():
			return "a local address"
		}
	}
	return ""
}

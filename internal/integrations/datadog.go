package integrations

import (
	"regexp"
	"strings"

	"github.com/forgekit/integrations/internal/quote"
)

func init() {
	register(hookBased(Definition{
		Name:        "datadog",
		Title:       "Datadog",
		Description: "Sends pipeline and job data to Datadog CI Visibility, so you can follow pipeline runs, find failing jobs and trace slow ones. Job logs can be collected too. CI Visibility decides the pipeline and job events: GitLab sets both from it on every save.",
		// GitLab's Datadog does not build on the Monitoring base; the category is our grouping.
		Category:   "monitoring",
		APISlug:    "datadog",
		LegacyType: "DatadogService",
		Fields: []Field{
			text("datadog_site", "Datadog site", "The Datadog site your account is on, such as datadoghq.eu for the EU site.").
				def("datadoghq.com").requiredWhen("when active and no API URL is set").
				placeholder("datadoghq.com").section(Connection).exposesSecrets().
				checked(otherPattern(datadogSite, "a Datadog site such as datadoghq.com or us5.datadoghq.com")),
			urlField("api_url", "API URL", "Advanced: the full intake URL to send data to, instead of the one derived from the site.").
				requiredWhen("when active and no Datadog site is set").
				placeholder("https://webhook-intake.datadoghq.com/api/v2/webhook").section(Connection).exposesSecrets(),
			password("api_key", "API key", "A Datadog API key of your organisation (an API key, not an application key).").
				required().section(Connection).checked(otherSecretPattern(datadogAPIKey, "an API key (letters, digits and underscores only)")),
			checkbox("datadog_ci_visibility", "CI Visibility", "Send pipeline and job events to Datadog",
				"Switches the pipeline and job events on or off together. When never set, GitLab follows whether the integration is active.").
				section(Configuration),
			checkbox("archive_trace_events", "Job logs", "Send job logs to Datadog",
				"Datadog shows the logs beside each job's trace. Needs CI Visibility.").
				section(Configuration),
			text("datadog_service", "Service", "A service tag for everything this GitLab sends, handy when several GitLab instances report to one account.").
				placeholder("gitlab-ci").section(Configuration),
			text("datadog_env", "Environment", "The env tag for everything this GitLab sends, for self-managed instances.").
				placeholder("ci").section(Configuration),
			textarea("datadog_tags", "Tags", "Extra tags, one key:value pair per line.").
				placeholder("team:platform\nregion:eu").section(Configuration).checked(datadogTagsCheck),
		},
		// Job events are not an event here: the API declares build_events, but GitLab stores
		// job_events and datadog_ci_visibility sets it (and pipeline_events) on every save.
		// archive_trace_events is one API parameter: the "Job logs" field above.
		Events: []string{
			"pipeline", "push", "merge_request", "note", "tag_push", "subgroup", "project",
		},
		// pipeline starts off and follows datadog_ci_visibility once that is set.
		DefaultEvents: map[string]bool{"pipeline": false},
		Notes: []string{
			"GitLab sets the pipeline and job events from datadog_ci_visibility on every save, so change them through it; GitLab's settings page shows no event checkboxes.",
			"Job events are not set here: GitLab stores them as job_events and CI Visibility decides them. Job logs are the archive_trace_events field.",
			"GitLab never returns the subgroup and project events, so their state on a server is unknown.",
			"Changing datadog_site or api_url clears the stored API key unless it is sent again.",
		},
		Test: testable("sends a sample push event to the Datadog intake URL; succeeds on an HTTP 2xx answer"),
	}))
}

var (
	datadogAPIKey  = regexp.MustCompile(`^\w+$`)
	datadogSite    = regexp.MustCompile(`^\w+([-.]\w+)*\.[a-zA-Z]{2,5}(:[0-9]{1,5})?$`)
	datadogTagLine = regexp.MustCompile(`^[\w-]+:.*\S.*$`)
)

// datadogTagsCheck applies GitLab's rule to each non-blank line: key:value, where the key is
// letters, digits, _ or - and the value is not blank. GitLab strips the whole text first.
func datadogTagsCheck(v string) error {
	for i, line := range strings.Split(strings.TrimSpace(v), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if !datadogTagLine.MatchString(line) {
			return errorf("line %d, %s, is not a key:value tag", i+1, quote.Value(line))
		}
	}
	return nil
}

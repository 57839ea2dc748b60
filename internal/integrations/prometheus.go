package integrations

func init() {
	register(monitoring(Definition{
		Name:        "prometheus",
		Title:       "Prometheus",
		Description: "Reads metrics from a Prometheus server to chart them in GitLab and alert on them. GitLab has deprecated it.",
		LegacyType:  "PrometheusService",
		Deprecated:  "deprecated by GitLab (gitlab-org/gitlab#560601); the newest versions keep only an empty stub and drop it from the REST API",
		Fields: []Field{
			checkbox("manual_configuration", "Manual configuration", "Use the Prometheus server below",
				"Turn on to read from the server at the API URL instead of a Prometheus installed in a cluster.").
				required(),
			urlField("api_url", "API URL", "The address of the Prometheus server. Used with manual configuration.").
				placeholder("https://prometheus.example.com/"),
			text("google_iap_audience_client_id", "Google IAP audience client ID", "For a server behind Google Identity-Aware Proxy: the OAuth client ID IAP protects it with.").
				placeholder("123456789-abc.apps.googleusercontent.com"),
			textarea("google_iap_service_account_json", "Google IAP service account key", "For a server behind Google Identity-Aware Proxy: the JSON key of a service account allowed through. GitLab masks it in reads."),
		},
		Notes: []string{
			"Newer GitLab versions drop it from the REST API; older ones serve it at /integrations/prometheus.",
			"GitLab activates it on its own when a cluster's Prometheus is available, or when manual configuration is on.",
		},
		Test: testable("queries the Prometheus API at the API URL; needs manual configuration and a valid, active integration"),
	}))
}

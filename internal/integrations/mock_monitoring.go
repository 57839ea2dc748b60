package integrations

func init() {
	register(monitoring(Definition{
		Name:        "mock_monitoring",
		Title:       "Mock monitoring",
		Description: "A stand-in monitoring service that returns canned metrics. GitLab has it only in development and test environments.",
		APISlug:     "mock-monitoring",
		LegacyType:  "MockMonitoringService",
		DevOnly:     true,
		Test:        notTestable("GitLab offers no test for the mock service"),
	}))
}

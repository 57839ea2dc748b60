package redact

import "testing"

func TestURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://u:p@ci.example/project/x":              "https://REDACTED@ci.example/project/x",
		"https://intake.example/api?dd-api-key=abc&a=1": "https://intake.example/api?dd-api-key=REDACTED&a=1",
		"https://h.example/hook?token=t0k":              "https://h.example/hook?token=REDACTED",
		"https://h.example/path?ref=main":               "https://h.example/path?ref=main",
	} {
		if got := URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValues(t *testing.T) {
	got := Values(`{"token":"abcd1234","other":"abcd"}`, []string{"abcd", "abcd1234", "x"})
	if got != `{"token":"REDACTED","other":"REDACTED"}` {
		t.Errorf("got %s", got)
	}
}

func TestSecretURLsKeepTheirHost(t *testing.T) {
	got := Values("POST https://hooks.slack.com/services/T0/B0/XYZ failed", []string{"https://hooks.slack.com/services/T0/B0/XYZ"})
	if got != "POST https://hooks.slack.com/REDACTED failed" {
		t.Errorf("got %s", got)
	}
}

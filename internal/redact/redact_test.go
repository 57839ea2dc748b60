package redact

import (
	"strings"
	"testing"
)

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

func TestEveryEncodingOfASecretIsHidden(t *testing.T) {
	secret := "https://hooks.example/T0/B0/x?a=1&sig=<é>"
	basic := BasicAuth("bot@example.com", "pa:ss&w0rd")
	echoed := []string{
		secret,
		`https:\/\/hooks.example\/T0\/B0\/x?a=1\u0026sig=\u003cé\u003e`,          // JSON, HTML-safe, slashes escaped
		`https://hooks.example/T0/B0/x?a=1\u0026sig=\u003c\u00e9\u003e`,          // JSON, ASCII only
		"https://hooks.example/T0/B0/x?a=1&amp;sig=&lt;é&gt;",                    // HTML
		"https%3A%2F%2Fhooks.example%2FT0%2FB0%2Fx%3Fa%3D1%26sig%3D%3C%C3%A9%3E", // query-escaped
		"https%3a%2f%2fhooks.example%2fT0%2fB0%2fx%3fa%3d1%26sig%3d%3c%c3%a9%3e", // lower-case hex
		"aHR0cHM6Ly9ob29rcy5leGFtcGxlL1QwL0IwL3g/YT0xJnNpZz08w6k+",               // base64
		"aHR0cHM6Ly9ob29rcy5leGFtcGxlL1QwL0IwL3g_YT0xJnNpZz08w6k-",               // base64url
		basic,
		strings.TrimPrefix(basic, "Basic "), // the bare base64
		"bot@example.com:pa:ss&w0rd",        // what it decodes to
		"bot%40example.com%3Apa%3Ass%26w0rd",
		"pa:ss&w0rd", // the password alone
	}
	for _, e := range echoed {
		got := Values("got: "+e+".", []string{secret, basic})
		if strings.Contains(got, "w0rd") || strings.Contains(got, "sig") || strings.Contains(got, "YT0x") || strings.Contains(got, "Ym90") {
			t.Errorf("%s\n  became %s", e, got)
		}
	}
}

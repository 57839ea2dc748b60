package integrations

import (
	"encoding/json"
	"errors"
	"regexp"

	"github.com/forgekit/integrations/internal/quote"
)

func init() {
	register(Definition{
		Name:        "google_play",
		Title:       "Google Play",
		Description: "Gives CI/CD jobs a Google Play service account key and your app's package name, so pipelines can publish Android builds to Google Play.",
		Levels:      projectOnly,
		APISlug:     "google-play",
		Fields: []Field{
			text("package_name", "Package name", "The application ID of the Android app, as listed in the Play Console.").
				required().placeholder("com.example.myapp").section(Connection).
				checked(otherPattern(googlePlayPackageName, "an Android package name such as com.example.myapp")),
			text("service_account_key_file_name", "Service account key file name", "The name of the JSON key file you downloaded, kept for reference.").
				required().placeholder("my-play-service-account.json").section(Connection),
			text("service_account_key", "Service account key", "The contents of the service account's JSON key file.").
				required().apiOnly().sensitive().checked(googlePlayServiceAccountKeyCheck),
			otherProtectedRefs("google_play_protected_refs"),
		},
		Notes: []string{
			"Sets the CI/CD variables SUPPLY_PACKAGE_NAME and SUPPLY_JSON_KEY_DATA (masked), as fastlane supply expects.",
			"GitLab returns the service account key in reads, because it is a text field; we mask it.",
		},
		Test: testable("lists the app's reviews through the Google Play Android Developer API; fails when Google rejects the request"),
	})
}

var googlePlayPackageName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*){1,20}$`)

// googlePlayServiceAccountKeyFields are the string members GitLab's google_service_account_key
// JSON schema requires.
var googlePlayServiceAccountKeyFields = []string{
	"type", "project_id", "private_key_id", "private_key", "client_email", "client_id",
	"auth_uri", "token_uri", "auth_provider_x509_cert_url", "client_x509_cert_url",
}

// googlePlayServiceAccountKeyCheck applies GitLab's schema: a JSON object of type
// "service_account" with every required member a string.
func googlePlayServiceAccountKeyCheck(v string) error {
	var key map[string]any
	if err := json.Unmarshal([]byte(v), &key); err != nil {
		// Only the position: json's messages may quote part of the key.
		if se := (*json.SyntaxError)(nil); errors.As(err, &se) {
			return errorf("is not valid JSON (error at byte %d)", se.Offset)
		}
		return errorf("is not a JSON object")
	}
	for _, name := range googlePlayServiceAccountKeyFields {
		if _, ok := key[name].(string); !ok {
			return errorf("is not a service account key: %s is missing or not a string", quote.Value(name))
		}
	}
	if key["type"] != "service_account" {
		return errorf("is not a service account key: type is %s, not \"service_account\"", quote.Value(anyString(key["type"])))
	}
	return nil
}

func anyString(v any) string {
	s, _ := v.(string)
	return s
}

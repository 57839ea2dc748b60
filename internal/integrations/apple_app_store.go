package integrations

import (
	"crypto/x509"
	"encoding/pem"
	"regexp"
	"strings"

	"github.com/forgekit/integrations/internal/quote"
)

func init() {
	register(Definition{
		Name:        "apple_app_store",
		Title:       "Apple App Store Connect",
		Description: "Gives CI/CD jobs the credentials of an App Store Connect API key, so pipelines can build, sign and upload iOS and macOS apps.",
		Levels:      projectOnly,
		APISlug:     "apple-app-store",
		Fields: []Field{
			text("app_store_issuer_id", "Issuer ID", "The issuer ID shown on the Keys page of App Store Connect's Users and Access section.").
				required().section(Connection).placeholder("57246542-96fe-1a63-e053-0824d011072a").
				checked(otherPattern(appleAppStoreIssuerID, "a lowercase UUID")),
			text("app_store_key_id", "Key ID", "The ID of the API key, as listed beside the key in App Store Connect.").
				required().section(Connection).placeholder("2X9R4HXF34").
				checked(appleAppStoreKeyIDCheck),
			text("app_store_private_key_file_name", "Private key file name", "The name of the .p8 file you downloaded, kept for reference.").
				required().section(Connection).placeholder("AuthKey_2X9R4HXF34.p8"),
			text("app_store_private_key", "Private key", "The contents of the .p8 private key file, in PEM form.").
				required().apiOnly().sensitive().checked(appleAppStorePrivateKeyCheck),
			otherProtectedRefs("app_store_protected_refs"),
		},
		Notes: []string{
			"Sets the CI/CD variables APP_STORE_CONNECT_API_KEY_ISSUER_ID, APP_STORE_CONNECT_API_KEY_KEY_ID, APP_STORE_CONNECT_API_KEY_KEY (the key, base64) and APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64.",
			"GitLab returns the private key in reads, because it is a text field; we mask it.",
		},
		Test: testable("lists the apps the key can see through the App Store Connect API; fails with the first error Apple returns"),
	})
}

var (
	appleAppStoreIssuerID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	appleAppStoreKeyID    = regexp.MustCompile(`^[A-Z0-9]+$`)
)

// appleAppStoreKeyIDCheck mirrors GitLab's /\A(?=.*[A-Z])(?=.*[0-9])[A-Z0-9]+\z/: uppercase
// letters and digits only, with at least one of each.
func appleAppStoreKeyIDCheck(v string) error {
	if !appleAppStoreKeyID.MatchString(v) || !strings.ContainsAny(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") ||
		!strings.ContainsAny(v, "0123456789") {
		return errorf("%s is not a key ID (uppercase letters and digits, with at least one of each)", quote.Value(v))
	}
	return nil
}

// appleAppStorePrivateKeyCheck accepts what GitLab's certificate key validator accepts in
// practice: a PEM block holding a private key (App Store keys are PKCS #8 EC keys).
func appleAppStorePrivateKeyCheck(v string) error {
	block, _ := pem.Decode([]byte(v))
	if block == nil {
		return errorf("is not a PEM private key (it should start with -----BEGIN PRIVATE KEY-----)")
	}
	if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		return nil
	}
	if _, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return nil
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return nil
	}
	return errorf("is not a valid PEM private key")
}

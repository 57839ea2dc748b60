// Package redact keeps secrets out of what the tool prints and records: URLs with tokens in
// their query or userinfo, and known secret values anywhere in a text.
package redact

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Mask replaces a hidden value.
const Mask = "REDACTED"

var (
	secretParams = regexp.MustCompile(`(?i)([?&](?:private_token|access_token|token|api_key|apitoken|secret_key|dd-api-key|password|key)=)[^&#]*`)
	userinfo     = regexp.MustCompile(`(?i)^([a-z][a-z0-9+.-]*://)[^/@]+@`)
)

// URL hides the secrets a URL may carry: token-like query parameters and userinfo.
func URL(u string) string {
	u = secretParams.ReplaceAllString(u, "${1}"+Mask)
	return userinfo.ReplaceAllString(u, "${1}"+Mask+"@")
}

// Values replaces every occurrence of each secret in s, longest first so that a secret that
// contains another is hidden whole. Secrets shorter than four characters are left alone: they
// would mask unrelated text and carry little.
func Values(s string, secrets []string) string {
	list := make([]string, 0, len(secrets))
	for _, v := range secrets {
		if len(v) >= 4 {
			list = append(list, v)
		}
	}
	sort.Slice(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
	for _, v := range list {
		s = strings.ReplaceAll(s, v, masked(v))
	}
	return s
}

// masked is what replaces a secret. A secret URL (a webhook) keeps its scheme and host, so a
// person can still tell where a request went; its path and query, which carry the secret, go.
func masked(secret string) string {
	u, err := url.Parse(secret)
	if err != nil || u.Scheme == "" || u.Host == "" || u.User != nil || (u.Path == "" && u.RawQuery == "") {
		return Mask
	}
	return u.Scheme + "://" + u.Host + "/" + Mask
}

// All hides known secrets, then URL secrets.
func All(s string, secrets []string) string { return URL(Values(s, secrets)) }

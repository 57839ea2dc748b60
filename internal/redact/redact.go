// Package redact keeps secrets out of what the tool prints and records: URLs with tokens in
// their query or userinfo, and known secret values anywhere in a text, in every form a server
// may echo them back in.
package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode/utf16"
)

// Mask replaces a hidden value.
const Mask = "REDACTED"

var (
	secretParams = regexp.MustCompile(`(?i)([?&](?:private_token|access_token|token|api_key|apitoken|secret_key|dd-api-key|password|key)=)[^&#]*`)
	userinfo     = regexp.MustCompile(`(?i)^([a-z][a-z0-9+.-]*://)[^/@]+@`)
	percentHex   = regexp.MustCompile(`%[0-9A-F]{2}`)
)

// URL hides the secrets a URL may carry: token-like query parameters and userinfo.
func URL(u string) string {
	// Each pattern needs its "=" or "@": a text without one (most of what servers say, every
	// 404 of a bulk inventory) is returned without running the regexps.
	if strings.Contains(u, "=") {
		u = secretParams.ReplaceAllString(u, "${1}"+Mask)
	}
	if strings.Contains(u, "@") {
		u = userinfo.ReplaceAllString(u, "${1}"+Mask+"@")
	}
	return u
}

// placeholderParam is a query parameter whose value is a {NAME} placeholder.
var placeholderParam = regexp.MustCompile(`([?&][^=&#]+=)(\{[A-Za-z_][A-Za-z0-9_]*\})`)

// HookURL hides what a webhook URL typed with its secrets in clear carries (userinfo,
// token-like parameters); {NAME} placeholders are names of URL variables, not secrets, and
// stay.
func HookURL(u string) string {
	out := URL(u)
	for _, m := range placeholderParam.FindAllStringSubmatch(u, -1) {
		out = strings.Replace(out, m[1]+Mask, m[1]+m[2], 1)
	}
	return out
}

// Values replaces every occurrence of each secret in s, in each of its forms (see Forms),
// longest first so that a secret that contains another is hidden whole. Secrets shorter than
// four characters are left alone: they would mask unrelated text and carry little.
func Values(s string, secrets []string) string { return NewSet(secrets).Values(s) }

// Set is secrets made ready for Values once: their forms, longest first. A client redacting
// every error it reads (each 404 of a bulk inventory) would otherwise derive them each time.
type Set struct{ forms []form }

type form struct{ text, mask string }

// NewSet prepares secrets.
func NewSet(secrets []string) *Set {
	seen := map[string]bool{}
	var list []form
	for _, v := range secrets {
		if len(v) < 4 {
			continue
		}
		m := masked(v)
		for _, f := range Forms(v) {
			if len(f) >= 4 && !seen[f] {
				seen[f] = true
				list = append(list, form{f, m})
			}
		}
	}
	sort.SliceStable(list, func(i, j int) bool { return len(list[i].text) > len(list[j].text) })
	return &Set{list}
}

// Values is the package's Values with the set's secrets.
func (set *Set) Values(s string) string {
	for _, f := range set.forms {
		s = strings.ReplaceAll(s, f.text, f.mask)
	}
	return s
}

// All is the package's All with the set's secrets.
func (set *Set) All(s string) string { return URL(set.Values(s)) }

// Forms are the ways a secret may come back from a server or go into what we print: as is,
// JSON-escaped (with or without HTML escaping, slashes escaped or not, non-ASCII as \u),
// HTML-escaped, URL-escaped for a query or a path (either hex case), and base64 in its four
// alphabets. An HTTP Authorization value also yields its credentials: the bare token, and for
// Basic the base64 and the user:password pair it decodes to.
func Forms(secret string) []string {
	out := []string{secret}
	add := func(fs ...string) {
		for _, f := range fs {
			if f != "" && f != secret {
				out = append(out, f)
			}
		}
	}
	jsonHTML := jsonEscape(secret, true)
	jsonPlain := jsonEscape(secret, false)
	add(jsonHTML, jsonPlain, strings.ReplaceAll(jsonHTML, "/", `\/`), strings.ReplaceAll(jsonPlain, "/", `\/`),
		jsonASCII(secret), html.EscapeString(secret))
	for _, e := range []string{url.QueryEscape(secret), url.PathEscape(secret)} {
		add(e, percentHex.ReplaceAllStringFunc(e, strings.ToLower))
	}
	b := []byte(secret)
	add(base64.StdEncoding.EncodeToString(b), base64.URLEncoding.EncodeToString(b),
		base64.RawStdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b))
	scheme, cred, ok := strings.Cut(secret, " ")
	switch {
	case !ok:
	case strings.EqualFold(scheme, "Basic"):
		add(cred)
		if pair, err := base64.StdEncoding.DecodeString(cred); err == nil {
			add(Forms(string(pair))...)
			if _, pass, ok := strings.Cut(string(pair), ":"); ok && len(pass) >= 4 {
				add(Forms(pass)...)
			}
		}
	case strings.EqualFold(scheme, "Bearer"), strings.EqualFold(scheme, "token"):
		add(Forms(cred)...)
	}
	return out
}

// BasicAuth is the Authorization value for user and password, for callers that list it among
// their secrets: Forms then covers the base64 and the pair.
func BasicAuth(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

func jsonEscape(s string, escapeHTML bool) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s)
	out := strings.TrimSuffix(buf.String(), "\n")
	return strings.TrimSuffix(strings.TrimPrefix(out, `"`), `"`)
}

// jsonASCII is s JSON-escaped with every non-ASCII character as \uXXXX (surrogate pairs above
// the BMP), as many servers write JSON.
func jsonASCII(s string) string {
	var b strings.Builder
	for _, r := range jsonEscape(s, true) {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&b, `\u%04x`, u)
		}
	}
	return b.String()
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

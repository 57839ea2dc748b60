package gitlabfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// errBadBody is a body that does not parse as its content type says.
var errBadBody = errors.New("message body does not match declared format")

// requestParams merges what Grape merges into params: the query string, then a form or JSON body
// (the body wins). Values are strings and string lists (from query and form; key[] gives a list)
// or decoded JSON values (string, json.Number, bool, nil, []any, map[string]any).
func requestParams(r *http.Request, body []byte) (map[string]any, error) {
	out := map[string]any{}
	addValues(out, r.URL.Query())
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
	case strings.HasSuffix(ct, "json") || (ct == "" && trimmed[0] == '{'):
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return nil, errBadBody
		}
		for k, v := range m {
			out[k] = v
		}
	case ct == "application/x-www-form-urlencoded" || ct == "":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, errBadBody
		}
		addValues(out, vals)
	case ct == "multipart/form-data":
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return nil, errBadBody
		}
		addValues(out, r.MultipartForm.Value)
	}
	return out, nil
}

func addValues(out map[string]any, vals url.Values) {
	for k, vs := range vals {
		if len(vs) == 0 {
			continue
		}
		if name, ok := strings.CutSuffix(k, "[]"); ok {
			out[name] = append([]string(nil), vs...)
			continue
		}
		out[k] = vs[len(vs)-1]
	}
}

// parseBoolString is the string set Grape's Boolean coercion accepts.
func parseBoolString(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "t", "1", "yes", "y", "on":
		return true, true
	case "false", "f", "0", "no", "n", "off":
		return false, true
	}
	return false, false
}

// asBool reads a stored or sent value as a boolean.
func asBool(v any) (bool, bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case string:
		return parseBoolString(v)
	case json.Number:
		return parseBoolString(v.String())
	case int:
		return v != 0, v == 0 || v == 1
	case int64:
		return v != 0, v == 0 || v == 1
	}
	return false, false
}

// coerce converts a sent value to the parameter's type, as Grape does. It returns the value to
// store (nil for null and, except for strings, the empty string) and whether the value was valid.
func coerce(kind paramKind, v any) (any, bool) {
	if v == nil {
		return nil, true
	}
	if s, ok := v.(string); ok && s == "" && kind != kindString {
		return nil, true
	}
	switch kind {
	case kindBool:
		return asBool(v)
	case kindInt:
		switch v := v.(type) {
		case json.Number:
			n, err := strconv.ParseInt(v.String(), 10, 64)
			return n, err == nil
		case string:
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n, err == nil
		}
		return nil, false
	case kindStrings:
		switch v := v.(type) {
		case []string:
			return v, true
		case []any:
			out := make([]string, 0, len(v))
			for _, it := range v {
				s, ok := scalarString(it)
				if !ok {
					return nil, false
				}
				out = append(out, s)
			}
			return out, true
		}
		return nil, false
	default:
		return scalarString(v)
	}
}

// scalarString is Grape's String coercion: strings as they are, numbers and booleans written out.
func scalarString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

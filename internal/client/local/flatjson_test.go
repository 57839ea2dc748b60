package local

import (
	"encoding/json"
	"reflect"
	"testing"
)

// columns are documents the settings columns hold, or could after damage or by hand.
var columns = []string{
	`{}`, `[]`, `null`, ``, `{"a":"b"}`, `{"a":"b","c":""}`, `{"push":true,"note":false}`, `["webhook","token"]`,
	`{"a":"b\"c"}`, `{"a":"\u00e9"}`, `{"a":"é"}`, `{"a":"\u003c"}`, `{"a": "b"}`, ` {"a":"b"}`, `{"a":"b"} `,
	`{"a":"b",}`, `{"a":"b"`, `{"a":"b"}x`, `{"a":"b","a":"c"}`, `{"a":true}`, `{"a":"true"}`, `{"a":truex}`,
	`{"a":tru}`, `{"a":null}`, `{"a":1}`, `{a:"b"}`, `{"a"}`, `{"a":}`, `["a",]`, `["a"`, `["a"]]`, `[1]`,
	`["a","a"]`, `[null]`, "[\"\xff\"]", "{\"a\":\"\xff\"}", "{\"\xc3\":true}", "{\"a\":\"\x01\"}", `{"":""}`, `{"a":"b"}{}`, `[""]`, `{"a":false,"b":true}`,
}

// The readers decode every column as json.Unmarshal does, result and failure alike, and read
// what json.Marshal writes of plain ASCII themselves.
func TestFlatJSONIsJSON(t *testing.T) {
	for _, doc := range columns {
		same(t, doc, unmarshalStrings)
		same(t, doc, unmarshalBools)
		same(t, doc, unmarshalList)
	}
	for _, v := range []any{map[string]string{}, map[string]string{"datadog_env": "prod", "url": "https://x.example/a?b=c#d"}, map[string]bool{"push": true, "note": false}, []string{}, []string{"api_key", "token"}} {
		raw, _ := json.Marshal(v)
		var ok bool
		switch v.(type) {
		case []string:
			_, ok = readList(string(raw))
		case map[string]bool:
			_, ok = readFlat(string(raw), (*flatJSON).bool)
		default:
			_, ok = readFlat(string(raw), func(j *flatJSON) (string, bool) { return j.str() })
		}
		if !ok {
			t.Errorf("%s left to json.Unmarshal", raw)
		}
	}
}

func same[T any](t *testing.T, doc string, read func(string) (T, error)) {
	t.Helper()
	var want T
	got, gotErr := read(doc)
	wantErr := json.Unmarshal([]byte(doc), &want)
	if (gotErr == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
		t.Errorf("%T of %q: %#v, %v; json.Unmarshal: %#v, %v", got, doc, got, gotErr, want, wantErr)
	}
}

// Fuzzing looks for a column the readers decode otherwise than json.Unmarshal (go test -fuzz
// FuzzFlatJSONIsJSON ./internal/client/local).
func FuzzFlatJSONIsJSON(f *testing.F) {
	for _, doc := range columns {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		same(t, doc, unmarshalStrings)
		same(t, doc, unmarshalBools)
		same(t, doc, unmarshalList)
	})
}

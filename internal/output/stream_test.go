package output

import (
	"bytes"
	"encoding/json"
	"testing"
)

type streamed struct {
	Name   string            `json:"name"`
	Events []string          `json:"events"`
	Extra  map[string]any    `json:"extra,omitempty"`
	Ptr    *bool             `json:"ptr"`
	Nested map[string]string `json:"nested"`
}

// Streaming a list writes exactly what MarshalIndent writes, so scripts see no difference.
func TestStreamedJSONIsMarshalIndent(t *testing.T) {
	yes := true
	for name, data := range map[string]any{
		"empty":  []streamed{},
		"nil":    []streamed(nil),
		"one":    []streamed{{Name: "a<b>&c", Events: []string{}}},
		"many":   []streamed{{Name: "x", Events: []string{"push", "tag_push"}, Ptr: &yes, Extra: map[string]any{"n": 1.5, "s": []any{}}}, {Name: "y", Nested: map[string]string{"k": "v"}}},
		"object": map[string]any{"a": []int{1, 2}},
	} {
		var got bytes.Buffer
		if err := writeJSON(&got, data, ""); err != nil {
			t.Fatal(err)
		}
		want, _ := json.MarshalIndent(data, "", "  ")
		if got.String() != string(want)+"\n" {
			t.Errorf("%s:\ngot  %q\nwant %q", name, got.String(), want)
		}
	}
}

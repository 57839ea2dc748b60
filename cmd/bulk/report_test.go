package bulk

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/forgekit/integrations/internal/bulk"
	"github.com/forgekit/integrations/internal/change"
)

// A report streamed one target at a time is byte for byte the report marshalled whole.
func TestStreamedReportIsMarshalIndent(t *testing.T) {
	msg := "the server said <no> & more"
	for name, rep := range map[string]*bulk.Report{
		"plan":  {Targets: []*bulk.Target{{Name: "project:a/b", Kind: "project", Action: bulk.ActConfigure, Result: bulk.Planned, Changes: []change.Change{{Field: "url", Before: nil, After: "https://x"}}}}},
		"run":   {RunID: "20261202T000000Z-abc123", Totals: bulk.Totals{Planned: 2, Failed: 1}, Targets: []*bulk.Target{{Name: "group:a", Result: bulk.Failed, Error: &msg, Attempts: 3}, {Name: "project:a/c"}}},
		"empty": {RunID: "r", Targets: []*bulk.Target{}},
		"nil":   {},
	} {
		var got bytes.Buffer
		if err := (streamedReport{rep}).StreamJSON(&got); err != nil {
			t.Fatal(err)
		}
		want, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if got.String() != string(want) {
			t.Errorf("%s:\ngot  %s\nwant %s", name, got.String(), want)
		}
	}
}

package manifest

import (
	"bufio"
	"bytes"
	"io"
	"sort"
	"unicode"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
	"go.yaml.in/yaml/v3"
)

// WriteSnapshot writes the manifest Export and Encode would make of the same scopes, byte for
// byte, one scope at a time: the header (from the variables the references need, which takes
// a first pass), then each scope as it is encoded. It returns how many scopes it wrote.
func WriteSnapshot(w io.Writer, snap client.Snapshot, header func(needed []string) string) (int, error) {
	var (
		needed []string
		keys   []string
		which  []int
	)
	for i := range snap.Len() {
		entries, vars, err := snapshotEntries(snap, i, false)
		if err != nil {
			return 0, err
		}
		if entries != nil {
			needed = append(needed, vars...)
			keys, which = append(keys, snap.Scope(i).String()), append(which, i)
		}
	}
	if len(keys) == 0 {
		raw, err := Encode(File{Version: Version, Scopes: map[string]*ScopeSettings{}}, header(needed))
		if err != nil {
			return 0, err
		}
		_, err = w.Write(raw)
		return 0, err
	}
	// The order yaml gives a map's keys.
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return yamlKeyLess(keys[order[a]], keys[order[b]]) })

	bw := bufio.NewWriterSize(w, 64<<10)
	head, err := Encode(File{Version: Version}, header(needed))
	if err != nil {
		return 0, err
	}
	// "…version: 1\nscopes: {}\n" without its empty map: the scopes follow, two spaces in.
	_, _ = bw.Write(bytes.TrimSuffix(head, []byte(" {}\n")))
	_, _ = bw.WriteString("\n")
	var text []byte // a scope's, reused
	for _, k := range order {
		entries, _, err := snapshotEntries(snap, which[k], true)
		if err != nil {
			return 0, err
		}
		var ok bool
		if text, ok = appendScope(text[:0], keys[k], entries); !ok {
			if text, err = encodeScope(text[:0], keys[k], entries); err != nil {
				return 0, err
			}
		}
		_, _ = bw.Write(text)
	}
	return len(keys), bw.Flush()
}

// encodeScope appends what the library writes of one scope under scopes:, for the scopes
// appendScope leaves to it.
func encodeScope(buf []byte, key string, s *ScopeSettings) ([]byte, error) {
	var chunk bytes.Buffer
	enc := yaml.NewEncoder(&chunk)
	enc.SetIndent(2)
	if err := enc.Encode(map[string]*ScopeSettings{key: s}); err != nil {
		return buf, err
	}
	if err := enc.Close(); err != nil {
		return buf, err
	}
	for _, line := range bytes.SplitAfter(chunk.Bytes(), []byte("\n")) {
		if len(line) > 0 {
			buf = append(append(buf, "  "...), line...)
		}
	}
	return buf, nil
}

// snapshotEntries is what Export makes of one scope (nil for nothing to write), and the
// variables its references need. The first pass (full false), which needs only whether the
// scope is written and those variables, gets no settings: events are not read, nor entries
// made.
func snapshotEntries(snap client.Snapshot, i int, full bool) (*ScopeSettings, []string, error) {
	states, err := snap.States(i, full)
	if err != nil {
		return nil, nil, err
	}
	var needed []string
	var hooks []*HookSettings
	if hs, ok := snap.(client.HookSnapshot); ok && len(hs.Hooks(i)) > 0 {
		hooks, needed = exportHooks(hs.Hooks(i))
	}
	var entries map[string]*Settings
	if full {
		entries = make(map[string]*Settings, len(states))
	}
	written := len(hooks) > 0
	for _, st := range states {
		def, err := integrations.Lookup(st.Name)
		if err != nil {
			continue
		}
		written = true
		switch {
		case !full && !st.Inherited:
			needed = secretVars(needed, def, st)
		case !full:
		case st.Inherited:
			entries[def.Name] = &Settings{Inherit: true}
		default:
			entry := &Settings{}
			needed = append(needed, fill(entry, def, st)...)
			entries[def.Name] = entry
		}
	}
	if !written {
		return nil, needed, nil
	}
	return &ScopeSettings{Hooks: hooks, Integrations: entries}, needed, nil
}

// yamlKeyLess orders string keys as go.yaml.in/yaml/v3 sorts a map's keys (its keyList.Less:
// letters by code point, runs of digits by value), so that a streamed export lists scopes in
// the order the encoded whole did.
func yamlKeyLess(a, b string) bool {
	ar, br := []rune(a), []rune(b)
	digits := false
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			digits = unicode.IsDigit(ar[i])
			continue
		}
		al, bl := unicode.IsLetter(ar[i]), unicode.IsLetter(br[i])
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			if digits {
				return al
			}
			return bl
		}
		var ai, bi int
		var an, bn int64
		if ar[i] == '0' || br[i] == '0' {
			for j := i - 1; j >= 0 && unicode.IsDigit(ar[j]); j-- {
				if ar[j] != '0' {
					an, bn = 1, 1
					break
				}
			}
		}
		for ai = i; ai < len(ar) && unicode.IsDigit(ar[ai]); ai++ {
			an = an*10 + int64(ar[ai]-'0')
		}
		for bi = i; bi < len(br) && unicode.IsDigit(br[bi]); bi++ {
			bn = bn*10 + int64(br[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return ar[i] < br[i]
	}
	return len(ar) < len(br)
}

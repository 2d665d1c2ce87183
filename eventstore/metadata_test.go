package eventstore

import (
	"encoding/json"
	"testing"
)

// decodeMetadata must read stored metadata exactly as json.Unmarshal into
// Metadata does, and refuse what it refuses.
func FuzzDecodeMetadata(f *testing.F) {
	for _, s := range []string{
		`{"actor": "an-quan"}`,
		`{"actor": "a", "reason": "tr\u00ecnh \"k\u00fd\"", "causationId": "c", "correlationId": "x"}`,
		`{"reason": null, "actor": "b", "extra": {"n": [1, 2.5e3, true, null]}}`,
		`{}`, ` { "actor" : "\ud83d\ude00" } `,
		`{"actor": 1}`, `{"actor": "a",}`, `{"actor" "a"}`, `[]`, `{"actor": "a"} x`, `{"actor": "\x01"}`, ``,
		"{\"\":\"\xce\"}", `{"":"\ud800"}`, `{"ACTOR": "a", "actor": "b"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		got, err := decodeMetadata(src)
		var want Metadata
		wantErr := json.Unmarshal(src, &want)
		if wantErr != nil {
			if err == nil {
				t.Fatalf("decodeMetadata(%q) = %+v, json.Unmarshal fails: %v", src, got, wantErr)
			}
			return
		}
		if _, err := canonicalJSON(src); err != nil {
			return // not JSON that jsonb stores (invalid UTF-8, lone surrogates): refusing it is right
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(src, &obj) != nil {
			return // valid JSON but not an object (null): refusing it is right
		}
		if err != nil {
			t.Fatalf("decodeMetadata(%q): %v; json.Unmarshal gives %+v", src, err, want)
		}
		if got != want {
			t.Fatalf("decodeMetadata(%q) = %+v, want %+v", src, got, want)
		}
	})
}

package payload

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

const secret = "Tin sai về sạt lở ở xã Phúc Khoa"

func TestCodecRoundTripHidesPlaintext(t *testing.T) {
	c, err := NewCodec(key(1))
	if err != nil {
		t.Fatal(err)
	}
	dc := DataConverter(c)
	p, err := dc.ToPayload(map[string]string{"title": secret, "actor": "reporter1"})
	if err != nil {
		t.Fatal(err)
	}
	if enc := string(p.GetMetadata()[converter.MetadataEncoding]); enc != Encoding {
		t.Errorf("encoding %q, want %q", enc, Encoding)
	}
	if id := string(p.GetMetadata()[MetadataKeyID]); id != KeyID(key(1)) {
		t.Errorf("key id %q, want %q", id, KeyID(key(1)))
	}
	raw := string(p.GetData())
	for _, s := range []string{secret, "reporter1", "title", "json/plain"} {
		if strings.Contains(raw, s) {
			t.Errorf("encrypted payload shows %q", s)
		}
	}
	var got map[string]string
	if err := dc.FromPayload(p, &got); err != nil {
		t.Fatal(err)
	}
	if got["title"] != secret || got["actor"] != "reporter1" {
		t.Errorf("decoded %v", got)
	}
}

func TestCodecPassesUnencryptedThrough(t *testing.T) {
	c, _ := NewCodec(key(1))
	plain, err := converter.GetDefaultDataConverter().ToPayload("written before encryption")
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := DataConverter(c).FromPayload(plain, &got); err != nil || got != "written before encryption" {
		t.Fatalf("FromPayload = %q, %v", got, err)
	}
}

func TestCodecKeys(t *testing.T) {
	old, _ := NewCodec(key(1))
	enc, err := old.Encode([]*commonpb.Payload{{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"x"`)}})
	if err != nil {
		t.Fatal(err)
	}

	rotated, _ := NewCodec(key(2), key(1))
	dec, err := rotated.Decode(enc)
	if err != nil || string(dec[0].GetData()) != `"x"` {
		t.Fatalf("rotated codec: %v, %v", dec, err)
	}
	if rotated.CurrentKeyID() != KeyID(key(2)) {
		t.Errorf("current key %s, want %s", rotated.CurrentKeyID(), KeyID(key(2)))
	}

	other, _ := NewCodec(key(3))
	if _, err := other.Decode(enc); err == nil || !strings.Contains(err.Error(), KeyID(key(1))) {
		t.Errorf("another key: err %v, want one naming key %s", err, KeyID(key(1)))
	}

	// A payload moved to another key id, or altered, does not open.
	forged := &commonpb.Payload{Metadata: map[string][]byte{}, Data: append([]byte(nil), enc[0].GetData()...)}
	for k, v := range enc[0].GetMetadata() {
		forged.Metadata[k] = v
	}
	forged.Data[len(forged.Data)-1] ^= 1
	if _, err := old.Decode([]*commonpb.Payload{forged}); err == nil {
		t.Error("altered ciphertext decoded")
	}

	for _, bad := range [][][]byte{nil, {key(1)[:16]}} {
		if _, err := NewCodec(bad...); err == nil {
			t.Errorf("NewCodec(%d keys) accepted", len(bad))
		}
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "payload.key")
	// Processes starting together agree on one key.
	var wg sync.WaitGroup
	got := make([][][]byte, 8)
	errs := make([]error, 8)
	for i := range got {
		wg.Add(1)
		go func() { defer wg.Done(); got[i], errs[i] = LoadOrCreateKeyFile(path) }()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if len(got[i]) != 1 || !bytes.Equal(got[i][0], got[0][0]) {
			t.Fatalf("process %d read another key", i)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	if left, _ := filepath.Glob(path + ".new-*"); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// Rotation: a new key on top, the old one below.
	b, _ := os.ReadFile(path)
	if err := os.WriteFile(path, append([]byte(encodeKey(key(9))+"\n"), b...), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, err := LoadOrCreateKeyFile(path)
	if err != nil || len(keys) != 2 || !bytes.Equal(keys[0], key(9)) || !bytes.Equal(keys[1], got[0][0]) {
		t.Fatalf("after rotation: %d keys, %v", len(keys), err)
	}

	for _, bad := range []string{"", "# only a comment\n", "bm90IGEga2V5\n"} {
		if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadOrCreateKeyFile(path); err == nil {
			t.Errorf("key file %q accepted", bad)
		}
	}
}

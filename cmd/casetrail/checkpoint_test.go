package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCheckpointKeyFile: the key is created once with mode 0600 and reused;
// a file that is not a hex seed is refused, never replaced.
func TestCheckpointKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", checkpointKeyFile)
	if _, err := loadCheckpointKey(path); err == nil {
		t.Fatal("loaded a key that does not exist")
	}
	k1, err := loadOrCreateCheckpointKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v, %v; want mode 0600", fi, err)
	}
	k2, err := loadOrCreateCheckpointKey(path)
	if err != nil || !k1.Equal(k2) {
		t.Fatalf("second load: %v; want the same key", err)
	}
	if err := os.WriteFile(path, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadOrCreateCheckpointKey(path); err == nil {
		t.Fatal("a bad key file was accepted")
	}
	if b, _ := os.ReadFile(path); string(b) != "not a key\n" {
		t.Fatal("a bad key file was replaced")
	}
}

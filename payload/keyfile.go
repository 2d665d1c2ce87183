package payload

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// LoadOrCreateKeyFile reads the keys in path, creating the file with one new
// random key (mode 0600) if it does not exist. The file holds one key per
// line, base64 of KeySize bytes; the first line is the current key (new
// payloads), the lines after it older keys still read (rotation: put a new
// key on top, keep the old ones below while histories encrypted with them
// may still be read). Empty lines and lines starting with # are ignored.
// Processes racing to create the file all end up with the one that was
// written first.
func LoadOrCreateKeyFile(path string) ([][]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := createKeyFile(path); err != nil {
			return nil, err
		}
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("payload key file: %w", err)
	}
	keys, err := parseKeys(b)
	if err != nil {
		return nil, fmt.Errorf("payload key file %s: %w", path, err)
	}
	return keys, nil
}

func parseKeys(b []byte) ([][]byte, error) {
	var keys [][]byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := base64.StdEncoding.DecodeString(line)
		if err != nil || len(k) != KeySize {
			return nil, fmt.Errorf("line %d is not the base64 of %d bytes", n, KeySize)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("no key")
	}
	return keys, nil
}

// createKeyFile writes a new key under a temporary name and links it into
// place, which fails rather than replaces when another process was first.
func createKeyFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("payload key file: %w", err)
	}
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return fmt.Errorf("payload key file: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".new-*")
	if err != nil {
		return fmt.Errorf("payload key file: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	content := "# CaseTrail payload key (AES-256); first line encrypts, all lines decrypt. Back it up: without it Temporal histories cannot be read.\n" + encodeKey(k) + "\n"
	if _, err := tmp.WriteString(content); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("payload key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("payload key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("payload key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("payload key file: %w", err)
	}
	return nil
}

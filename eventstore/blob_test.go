package eventstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestBlobs(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	ctx := context.Background()
	content := []byte("ảnh chụp màn hình trang giả mạo")
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])

	// Concurrent and repeated puts of the same bytes store one row.
	var wg sync.WaitGroup
	digests := make([]string, 4)
	errs := make([]error, 4)
	for i := range digests {
		wg.Go(func() { digests[i], errs[i] = s.PutBlob(ctx, "image/png", content) })
	}
	wg.Wait()
	for i := range digests {
		if errs[i] != nil || digests[i] != want {
			t.Fatalf("PutBlob = %s, %v; want %s", digests[i], errs[i], want)
		}
	}
	if d, err := s.PutBlob(ctx, "text/plain", content); d != want || err != nil {
		t.Errorf("second PutBlob = %s, %v", d, err)
	}
	var rows int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM blobs`).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("%d blob rows (%v), want 1", rows, err)
	}
	mt, got, err := s.GetBlob(ctx, strings.ToUpper(want))
	if err != nil || mt != "image/png" || !bytes.Equal(got, content) {
		t.Errorf("GetBlob = %q, %q, %v", mt, got, err)
	}

	empty, err := s.PutBlob(ctx, "", nil)
	if err != nil || empty != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("empty blob = %s, %v", empty, err)
	}
	if mt, got, err := s.GetBlob(ctx, empty); err != nil || mt != "application/octet-stream" || len(got) != 0 {
		t.Errorf("GetBlob(empty) = %q, %d bytes, %v", mt, len(got), err)
	}

	if _, err := s.PutBlob(ctx, "application/pdf", make([]byte, MaxBlobBytes+1)); !errors.Is(err, ErrInvalid) {
		t.Errorf("blob over 10 MiB: %v, want ErrInvalid", err)
	}
	large := bytes.Repeat([]byte{7}, MaxBlobBytes)
	d, err := s.PutBlob(ctx, "application/pdf", large)
	if err != nil {
		t.Fatalf("blob of exactly 10 MiB: %v", err)
	}
	if _, got, err := s.GetBlob(ctx, d); err != nil || !bytes.Equal(got, large) {
		t.Errorf("GetBlob(10 MiB) = %d bytes, %v", len(got), err)
	}

	if _, _, err := s.GetBlob(ctx, strings.Repeat("0", 64)); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown blob: %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", "xyz", strings.Repeat("g", 64), want[:62]} {
		if _, _, err := s.GetBlob(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("GetBlob(%q): %v, want ErrInvalid", bad, err)
		}
	}

	if _, err := s.Pool().Exec(ctx, `UPDATE blobs SET content = 'x'`); err == nil {
		t.Error("blobs can be updated")
	}
	_, err = s.Pool().Exec(ctx, `ALTER TABLE blobs DISABLE TRIGGER blobs_append_only;
UPDATE blobs SET content = 'tampered' WHERE sha256 = '`+want+`'`)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.GetBlob(ctx, want); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("tampered blob: %v", err)
	}
}

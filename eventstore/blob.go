package eventstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// MaxBlobBytes is the largest blob PutBlob accepts (10 MiB).
const MaxBlobBytes = 10 << 20

// PutBlob stores content under its SHA-256 and returns the lower-case hex
// digest. Content is stored once however often it is put; the media type of
// the first put is kept ("application/octet-stream" when empty). Content
// larger than MaxBlobBytes is ErrInvalid.
func (s *Store) PutBlob(ctx context.Context, mediaType string, content []byte) (string, error) {
	if err := s.check(ctx, "put blob"); err != nil {
		return "", err
	}
	if len(content) > MaxBlobBytes {
		return "", fmt.Errorf("eventstore: put blob: %w", invalid("%d bytes, at most %d", len(content), MaxBlobBytes))
	}
	if mediaType == "" {
		mediaType = "application/octet-stream"
	}
	if err := checkText("media type", mediaType, MaxNameBytes); err != nil {
		return "", fmt.Errorf("eventstore: put blob: %w", err)
	}
	if content == nil {
		content = []byte{} // an empty blob, not NULL
	}
	sum := sha256.Sum256(content)
	digest := hex.EncodeToString(sum[:])
	op := "put blob " + digest
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM blobs WHERE sha256 = $1)`, digest).Scan(&exists); err != nil {
		return "", classify(op, err)
	}
	if exists {
		return digest, nil
	}
	// Same key, same content: a concurrent put of the same bytes is not a conflict.
	if _, err := s.pool.Exec(ctx, `INSERT INTO blobs (sha256, media_type, size, content) VALUES ($1, $2, $3, $4)
ON CONFLICT (sha256) DO NOTHING`, digest, mediaType, len(content), content); err != nil {
		return "", classify(op, err)
	}
	return digest, nil
}

// GetBlob returns the media type and content stored under sha256hex, after
// checking that the content still hashes to it. An unknown digest is
// ErrNotFound; a malformed one is ErrInvalid.
func (s *Store) GetBlob(ctx context.Context, sha256hex string) (mediaType string, content []byte, err error) {
	digest := strings.ToLower(sha256hex)
	op := "get blob " + digest
	if err := s.check(ctx, op); err != nil {
		return "", nil, err
	}
	if b, err := hex.DecodeString(digest); err != nil || len(b) != sha256.Size {
		return "", nil, fmt.Errorf("eventstore: get blob: %w", invalid("%q is not a hex SHA-256 digest", sha256hex))
	}
	err = s.pool.QueryRow(ctx, `SELECT media_type, content FROM blobs WHERE sha256 = $1`, digest).Scan(&mediaType, &content)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, fmt.Errorf("eventstore: %s: %w", op, ErrNotFound)
	}
	if err != nil {
		return "", nil, classify(op, err)
	}
	if sum := sha256.Sum256(content); hex.EncodeToString(sum[:]) != digest {
		return "", nil, fmt.Errorf("eventstore: %s: stored content does not match its digest", op)
	}
	return mediaType, content, nil
}

package eventstore

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
)

// The anchored log. The per-stream chains say nothing about positions, and
// anyone who can write the table can recompute them. Two things more:
//
//   - the global chain: every event's global_hash chains it to the event
//     before it in the global log (GlobalHash). casetrail_append computes it
//     under its advisory lock, so it follows commit order and covers the
//     global position; migration 004 backfilled the events stored before;
//   - signed checkpoints: a process holding an Ed25519 key that is kept
//     outside the database signs (position, global hash at that position,
//     number of streams, Merkle root of the stream heads at that position)
//     and stores it in the append-only checkpoints table; operators export
//     them to write-once storage.
//
// VerifyLog recomputes the global chain from the rows and checks every
// checkpoint against it with only the public keys. An edit at or before a
// checkpoint's position (an event changed with its chains recomputed, a
// stream's tail cut, a stream deleted, two positions swapped) changes the
// recomputed global hash there, which no one without the key can re-sign.
// Events after the last checkpoint are covered only by the unkeyed chains.

// globalDomain starts every global hash.
const globalDomain = "casetrail/global/v1"

// checkpointDomain starts every signed checkpoint message.
const checkpointDomain = "casetrail/checkpoint/v1"

// GlobalHash returns the global hash (lower-case hex) of the event at
// position pos whose per-stream hash is hash, on top of prev, the global
// hash at pos-1 (64 zeros before position 1):
//
//	SHA-256("casetrail/global/v1" || prev (32 bytes) || u64(pos) || hash (32 bytes))
//
// with u64 the 8-byte big-endian position. It is what casetrail_append
// stores in events.global_hash.
func GlobalHash(prev string, pos int64, hash string) (string, error) {
	p, err := hex.DecodeString(prev)
	if err != nil || len(p) != sha256.Size {
		return "", fmt.Errorf("bad previous global hash %q", prev)
	}
	h, err := hex.DecodeString(hash)
	if err != nil || len(h) != sha256.Size {
		return "", fmt.Errorf("bad event hash %q", hash)
	}
	buf := make([]byte, 0, len(globalDomain)+2*sha256.Size+8)
	buf = append(buf, globalDomain...)
	buf = append(buf, p...)
	buf = binary.BigEndian.AppendUint64(buf, uint64(pos))
	buf = append(buf, h...)
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:]), nil
}

// ChainHash returns the per-stream hash of e on top of prevHash, as Append
// computed it and Verify recomputes it (see the package documentation). e's
// Data is canonicalized first, so an event as any read returns it will do.
func ChainHash(prevHash string, e RecordedEvent) (string, error) {
	canon, err := canonicalJSON(e.Data)
	if err != nil {
		return "", fmt.Errorf("data: %w", err)
	}
	e.Data = canon
	e.OccurredAt = e.OccurredAt.UTC().Truncate(time.Microsecond)
	e.RecordedAt = e.RecordedAt.UTC().Truncate(time.Microsecond)
	return eventHash(prevHash, &e)
}

// StreamHead is the last event of a stream at some global position.
type StreamHead struct {
	Stream  string
	Version int64
	Hash    string // the event's per-stream hash, hex
}

// StreamRoot returns the Merkle root (hex) of heads, taken in byte order of
// the stream ids: leaf = SHA-256(0x00 || u32 length of stream || stream ||
// u64(version) || hash (32 bytes)), node = SHA-256(0x01 || left || right),
// an odd last node is carried up as it is. No heads is 64 zeros. heads is
// not modified.
func StreamRoot(heads []StreamHead) (string, error) {
	levels, _, err := streamTree(heads) // proof.go
	if err != nil {
		return "", err
	}
	if len(levels) == 0 {
		return zeroHash, nil
	}
	top := levels[len(levels)-1][0]
	return hex.EncodeToString(top[:]), nil
}

// SignedCheckpoint anchors the log up to Position: signed with an Ed25519
// key kept outside the database, it commits to the global hash at Position
// and to every stream's head there.
type SignedCheckpoint struct {
	// Seq is the checkpoint's number in the checkpoints table (not signed;
	// 0 for one that was not stored).
	Seq        int64     `json:"seq,omitempty"`
	Position   int64     `json:"position"`
	GlobalHash string    `json:"globalHash"` // 64 zeros at position 0
	Streams    int64     `json:"streams"`    // streams with an event at or before Position
	StreamRoot string    `json:"streamRoot"` // StreamRoot of their heads at Position
	CreatedAt  time.Time `json:"createdAt"`  // UTC, microsecond precision
	KeyID      string    `json:"keyId"`      // KeyID of the signing key
	Signature  string    `json:"signature"`  // hex Ed25519 signature of Message
}

// Message returns the bytes that are signed: u32-length-prefixed
// "casetrail/checkpoint/v1", u64(position), global hash (32 bytes),
// u64(streams), stream root (32 bytes), u32-length-prefixed createdAt
// (RFC 3339 with nanoseconds, UTC) and u32-length-prefixed key id.
func (c SignedCheckpoint) Message() ([]byte, error) {
	gh, err := hex.DecodeString(c.GlobalHash)
	if err != nil || len(gh) != sha256.Size {
		return nil, fmt.Errorf("bad global hash %q", c.GlobalHash)
	}
	root, err := hex.DecodeString(c.StreamRoot)
	if err != nil || len(root) != sha256.Size {
		return nil, fmt.Errorf("bad stream root %q", c.StreamRoot)
	}
	var b []byte
	lp := func(s string) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	lp(checkpointDomain)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Position))
	b = append(b, gh...)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Streams))
	b = append(b, root...)
	lp(formatTime(c.CreatedAt))
	lp(c.KeyID)
	return b, nil
}

// KeyID names a public key: the first 8 bytes of its SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// VerifySignature checks c's signature with pub, which must be the key
// KeyID names.
func (c SignedCheckpoint) VerifySignature(pub ed25519.PublicKey) error {
	if KeyID(pub) != c.KeyID {
		return fmt.Errorf("signed by key %s, not %s", c.KeyID, KeyID(pub))
	}
	msg, err := c.Message()
	if err != nil {
		return err
	}
	sig, err := hex.DecodeString(c.Signature)
	if err != nil || !ed25519.Verify(pub, msg, sig) {
		return errors.New("signature does not verify")
	}
	return nil
}

// checkpointColumns selects a checkpoint in the order scanCheckpoint reads it.
const checkpointColumns = `seq, position, global_hash, streams, stream_root, created_at, key_id, signature`

func scanCheckpoint(row pgx.Row) (SignedCheckpoint, error) {
	var c SignedCheckpoint
	err := row.Scan(&c.Seq, &c.Position, &c.GlobalHash, &c.Streams, &c.StreamRoot, &c.CreatedAt, &c.KeyID, &c.Signature)
	c.CreatedAt = c.CreatedAt.UTC()
	return c, err
}

// SignCheckpoint signs the log as it is now with key and stores the
// checkpoint. Before signing it checks that the latest stored checkpoint
// still matches the global chain and that the chain links from there to the
// head, and refuses to sign otherwise: a signer never blesses an edit made
// before the checkpoint it last signed.
func (s *Store) SignCheckpoint(ctx context.Context, key ed25519.PrivateKey) (SignedCheckpoint, error) {
	const op = "sign checkpoint"
	if err := s.check(ctx, op); err != nil {
		return SignedCheckpoint{}, err
	}
	c := SignedCheckpoint{KeyID: KeyID(key.Public().(ed25519.PublicKey))}
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT global_position, global_hash FROM events ORDER BY global_position DESC LIMIT 1`).
			Scan(&c.Position, &c.GlobalHash)
		if errors.Is(err, pgx.ErrNoRows) {
			c.Position, c.GlobalHash = 0, zeroHash
		} else if err != nil {
			return err
		}
		if err := checkSinceLast(ctx, tx, c.Position); err != nil {
			return err
		}
		heads, err := streamHeadsAt(ctx, tx, c.Position)
		if err != nil {
			return err
		}
		c.Streams = int64(len(heads))
		c.StreamRoot, err = StreamRoot(heads)
		return err
	})
	if err != nil {
		return SignedCheckpoint{}, classify(op, err)
	}
	c.CreatedAt = time.Now().UTC().Truncate(time.Microsecond)
	msg, err := c.Message()
	if err != nil {
		return SignedCheckpoint{}, fmt.Errorf("eventstore: %s: %w", op, err)
	}
	c.Signature = hex.EncodeToString(ed25519.Sign(key, msg))
	err = s.pool.QueryRow(ctx, `INSERT INTO checkpoints (position, global_hash, streams, stream_root, created_at, key_id, signature)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq`,
		c.Position, c.GlobalHash, c.Streams, c.StreamRoot, c.CreatedAt, c.KeyID, c.Signature).Scan(&c.Seq)
	if err != nil {
		return SignedCheckpoint{}, classify(op, err)
	}
	return c, nil
}

// checkSinceLast checks, in tx, that the latest stored checkpoint's global
// hash is still the one at its position and that the global chain links
// from there up to head.
func checkSinceLast(ctx context.Context, tx pgx.Tx, head int64) error {
	last, err := scanCheckpoint(tx.QueryRow(ctx, `SELECT `+checkpointColumns+` FROM checkpoints ORDER BY seq DESC LIMIT 1`))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if last.Position > head {
		return fmt.Errorf("refusing to sign: checkpoint %d is at position %d but the log ends at %d", last.Seq, last.Position, head)
	}
	prev := zeroHash
	if last.Position > 0 {
		if err := tx.QueryRow(ctx, `SELECT global_hash FROM events WHERE global_position = $1`, last.Position).Scan(&prev); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("refusing to sign: position %d of checkpoint %d is missing", last.Position, last.Seq)
			}
			return err
		}
	}
	if prev != last.GlobalHash {
		return fmt.Errorf("refusing to sign: the global hash at position %d is not the one checkpoint %d signed", last.Position, last.Seq)
	}
	for after := last.Position; after < head; {
		rows, err := tx.Query(ctx, `SELECT global_position, hash, global_hash FROM events
WHERE global_position > $1 ORDER BY global_position LIMIT 10000`, after)
		if err != nil {
			return err
		}
		var pos int64
		var hash, stored string
		_, err = pgx.ForEachRow(rows, []any{&pos, &hash, &stored}, func() error {
			if pos != after+1 {
				return fmt.Errorf("refusing to sign: global position %d is missing", after+1)
			}
			gh, err := GlobalHash(prev, pos, hash)
			if err != nil || gh != stored {
				return fmt.Errorf("refusing to sign: the global chain is broken at position %d", pos)
			}
			prev, after = gh, pos
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// LastSignedCheckpoint returns the most recently stored checkpoint; ok is
// false when there is none.
func (s *Store) LastSignedCheckpoint(ctx context.Context) (c SignedCheckpoint, ok bool, err error) {
	if err := s.check(ctx, "last checkpoint"); err != nil {
		return c, false, err
	}
	c, err = scanCheckpoint(s.pool.QueryRow(ctx, `SELECT `+checkpointColumns+` FROM checkpoints ORDER BY seq DESC LIMIT 1`))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, classify("last checkpoint", err)
	}
	return c, true, nil
}

// SignedCheckpoints returns every stored checkpoint in the order stored.
func (s *Store) SignedCheckpoints(ctx context.Context) ([]SignedCheckpoint, error) {
	if err := s.check(ctx, "list checkpoints"); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+checkpointColumns+` FROM checkpoints ORDER BY seq`)
	if err != nil {
		return nil, classify("list checkpoints", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SignedCheckpoint, error) { return scanCheckpoint(r) })
	if err != nil {
		return nil, classify("list checkpoints", err)
	}
	return out, nil
}

// maxProblems bounds the problems a LogReport lists.
const maxProblems = 100

// LogReport is what VerifyLog found.
type LogReport struct {
	Events      int64  // events read
	Streams     int    // streams seen
	Head        int64  // highest global position read
	HeadHash    string // recomputed global hash at Head
	Checkpoints int    // checkpoints checked (stored and external)
	// Anchored is the highest position covered by a checkpoint that
	// verified; events above it are covered only by the unkeyed chains.
	Anchored int64
	// Problems says what is wrong, one sentence each, in log order; empty
	// when the log verifies. At most maxProblems are listed; Omitted counts
	// the rest.
	Problems []string
	Omitted  int
}

// OK reports whether nothing is wrong.
func (r *LogReport) OK() bool { return len(r.Problems) == 0 }

func (r *LogReport) problem(format string, args ...any) {
	if len(r.Problems) >= maxProblems {
		r.Omitted++
		return
	}
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// VerifyLog reads the whole log in global order and checks, with only the
// public keys:
//   - positions are 1, 2, 3, ... without gaps;
//   - each stream appears in version order without gaps, each event's
//     prev_hash being the hash of the stream's previous event (Verify
//     recomputes the hashes themselves from the data);
//   - every stored global_hash is the recomputed global chain;
//   - every checkpoint, stored or in external (for example exported
//     earlier to write-once storage), is signed by one of keys and matches
//     the recomputed global hash at its position, and the last one also the
//     stream heads there (for the others the matching global hash implies
//     them);
//   - every external checkpoint is still in the checkpoints table.
func (s *Store) VerifyLog(ctx context.Context, keys []ed25519.PublicKey, external []SignedCheckpoint) (LogReport, error) {
	const op = "verify log"
	var rep LogReport
	if err := s.check(ctx, op); err != nil {
		return rep, err
	}
	stored, err := s.SignedCheckpoints(ctx)
	if err != nil {
		return rep, err
	}
	byKey := map[string]ed25519.PublicKey{}
	for _, k := range keys {
		byKey[KeyID(k)] = k
	}
	inTable := map[string]bool{}
	for _, c := range stored {
		inTable[c.Signature] = true
	}
	type pending struct {
		SignedCheckpoint
		name string
	}
	var cps []pending
	for _, c := range stored {
		cps = append(cps, pending{c, fmt.Sprintf("checkpoint %d (position %d)", c.Seq, c.Position)})
	}
	for i, c := range external {
		name := fmt.Sprintf("external checkpoint %d (position %d, %s)", i+1, c.Position, formatTime(c.CreatedAt))
		if !inTable[c.Signature] {
			rep.problem("%s is missing from the checkpoints table: checkpoints were deleted", name)
		}
		cps = append(cps, pending{c, name})
	}
	valid := cps[:0:0]
	for _, c := range cps {
		rep.Checkpoints++
		k, ok := byKey[c.KeyID]
		if !ok {
			rep.problem("%s is signed by key %s, which is not among the public keys given", c.name, c.KeyID)
			continue
		}
		if err := c.VerifySignature(k); err != nil {
			rep.problem("%s: %v: forged or altered", c.name, err)
			continue
		}
		valid = append(valid, c)
	}
	sort.SliceStable(valid, func(i, j int) bool { return valid[i].Position < valid[j].Position })

	heads := map[string]StreamHead{}
	prev := zeroHash
	next := 0 // index in valid of the next checkpoint to compare
	compare := func(pos int64) error {
		for ; next < len(valid) && valid[next].Position <= pos; next++ {
			c := valid[next]
			if c.Position < pos { // its position was never reached: it is missing
				rep.problem("%s: global position %d is missing from the log", c.name, c.Position)
				continue
			}
			if c.GlobalHash != prev {
				rep.problem("%s: the log up to position %d is not the one signed (global hash %s, signed %s): events at or before it were changed, removed or reordered",
					c.name, pos, short(prev), short(c.GlobalHash))
				continue
			}
			if next < len(valid)-1 {
				// The global hash matched, so the log up to here is the one
				// signed, and so are its stream heads: the root (a sort and
				// a hash per stream) is checked for the last checkpoint only.
				rep.Anchored = max(rep.Anchored, c.Position)
				continue
			}
			hs := make([]StreamHead, 0, len(heads))
			for _, h := range heads {
				hs = append(hs, h)
			}
			root, err := StreamRoot(hs)
			if err != nil {
				return err
			}
			if int64(len(hs)) != c.Streams || root != c.StreamRoot {
				rep.problem("%s: the stream heads at position %d are not the ones signed (%d streams, signed %d)", c.name, pos, len(hs), c.Streams)
				continue
			}
			rep.Anchored = max(rep.Anchored, c.Position)
		}
		return nil
	}
	if err := compare(0); err != nil {
		return rep, fmt.Errorf("eventstore: %s: %w", op, err)
	}
	globalBroken := false
	var after int64
	for {
		rows, err := s.pool.Query(ctx, `SELECT global_position, stream, version, prev_hash, hash, global_hash FROM events
WHERE global_position > $1 ORDER BY global_position LIMIT 10000`, after)
		if err != nil {
			return rep, classify(op, err)
		}
		var pos, version int64
		var stream, prevHash, hash, globalHash string
		n := 0
		_, err = pgx.ForEachRow(rows, []any{&pos, &stream, &version, &prevHash, &hash, &globalHash}, func() error {
			n++
			rep.Events++
			if pos != rep.Head+1 {
				rep.problem("global positions %d to %d are missing: events were removed", rep.Head+1, pos-1)
			}
			h, seen := heads[stream]
			switch {
			case version != h.Version+1:
				rep.problem("stream %s: version %d at position %d follows version %d: events were removed or reordered", stream, version, pos, h.Version)
			case seen && prevHash != h.Hash || !seen && prevHash != zeroHash:
				rep.problem("stream %s: version %d at position %d does not link to the previous event's hash", stream, version, pos)
			}
			heads[stream] = StreamHead{Stream: stream, Version: version, Hash: hash}
			gh, err := GlobalHash(prev, pos, hash)
			if err != nil {
				rep.problem("position %d: %v", pos, err)
				gh = zeroHash
			}
			if gh != globalHash && !globalBroken {
				globalBroken = true
				rep.problem("global chain broken at position %d (stream %s version %d): stored global hash %s, recomputed %s",
					pos, stream, version, short(globalHash), short(gh))
			}
			prev, rep.Head, rep.HeadHash = gh, pos, gh
			return compare(pos)
		})
		if err != nil {
			return rep, classify(op, err)
		}
		if n < 10000 {
			break
		}
		after = rep.Head
	}
	rep.Streams = len(heads)
	for ; next < len(valid); next++ {
		c := valid[next]
		rep.problem("%s is beyond the end of the log (position %d): events were removed", c.name, rep.Head)
	}
	return rep, nil
}

// short abbreviates a hex hash for messages.
func short(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}

// ParsePublicKeys reads Ed25519 public keys, one per line as 64 hex digits
// (what `casetrail checkpoint --public-key` prints); blank lines and lines
// starting with # are skipped.
func ParsePublicKeys(text []byte) ([]ed25519.PublicKey, error) {
	var keys []ed25519.PublicKey
	for i, line := range bytes.Split(text, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		raw, err := hex.DecodeString(string(line))
		if err != nil || len(raw) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("line %d: not an Ed25519 public key in hex (64 digits)", i+1)
		}
		keys = append(keys, ed25519.PublicKey(raw))
	}
	if len(keys) == 0 {
		return nil, errors.New("no public key")
	}
	return keys, nil
}

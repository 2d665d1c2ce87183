package eventstore

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"

	"casetrail/eventstore/pgtest"
)

// checkGlobalChain recomputes every stored global_hash in Go.
func checkGlobalChain(t *testing.T, s *Store) int {
	t.Helper()
	rows, err := s.Pool().Query(context.Background(), `SELECT global_position, hash, global_hash FROM events ORDER BY global_position`)
	if err != nil {
		t.Fatal(err)
	}
	prev, n := zeroHash, 0
	var pos int64
	var hash, stored string
	if _, err := pgx.ForEachRow(rows, []any{&pos, &hash, &stored}, func() error {
		n++
		if pos != int64(n) {
			return fmt.Errorf("position %d where %d was expected", pos, n)
		}
		gh, err := GlobalHash(prev, pos, hash)
		if err != nil {
			return err
		}
		if gh != stored {
			return fmt.Errorf("position %d: stored global hash %s, Go computes %s", pos, stored, gh)
		}
		prev = gh
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func testKey(t *testing.T, seed byte) ed25519.PrivateKey {
	t.Helper()
	b := make([]byte, ed25519.SeedSize)
	for i := range b {
		b[i] = seed
	}
	return ed25519.NewKeyFromSeed(b)
}

func pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

// TestGlobalChainInCommitOrder: concurrent appends, some of them refused
// inside their group (version conflicts on a shared stream), leave a global
// chain that Go recomputes exactly, and VerifyLog finds nothing wrong.
func TestGlobalChainInCommitOrder(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			stream := fmt.Sprintf("case-%d", w%3) // two writers per stream: conflicts
			for i := range 15 {
				for {
					v, err := s.StreamVersion(ctx, stream)
					if err != nil {
						t.Error(err)
						return
					}
					_, err = s.Append(ctx, stream, v, ev("E", fmt.Sprintf(`{"w":%d,"i":%d}`, w, i)), ev("F", `{}`))
					if errors.Is(err, ErrConflict) {
						continue
					}
					if err != nil {
						t.Error(err)
					}
					break
				}
			}
		})
	}
	wg.Wait()
	if n := checkGlobalChain(t, s); n != 6*15*2 {
		t.Fatalf("%d events, want %d", n, 6*15*2)
	}
	rep, err := s.VerifyLog(ctx, nil, nil)
	if err != nil || !rep.OK() || rep.Events != 180 || rep.Streams != 3 {
		t.Fatalf("VerifyLog = %+v, %v", rep, err)
	}
}

// TestMigrationBackfillsGlobalChain applies the migrations before 004,
// appends through the old casetrail_append, then applies the rest: the
// existing events get their global chain, and later appends continue it.
func TestMigrationBackfillsGlobalChain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m, err := migrate.NewMigrator(ctx, conn.Conn(), versionTable)
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := fs.Sub(migrationFiles, "migrations")
	if err := m.LoadMigrations(sub); err != nil {
		t.Fatal(err)
	}
	if err := m.MigrateTo(ctx, 3); err != nil {
		t.Fatal(err)
	}
	conn.Release()
	old := New(pool)
	for i := range 5 {
		mustAppend(t, old, fmt.Sprintf("case-%d", i%2), int64(i/2), ev("E", fmt.Sprintf(`{"i":%d}`, i)))
	}
	if err := Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	s := New(pool)
	mustAppend(t, s, "case-0", 3, ev("E", `{"after":true}`))
	if n := checkGlobalChain(t, s); n != 6 {
		t.Fatalf("%d events, want 6", n)
	}
	if _, err := s.Pool().Exec(ctx, `UPDATE events SET global_hash = global_hash`); err == nil {
		t.Error("the append-only guard is off after the migration")
	}
}

// rechain does what an insider who knows the algorithms does after an
// edit: renumbers the positions 1, 2, ... in their current order and
// recomputes every stream chain and the global chain, writing the rows back
// with the append-only guard disabled.
func rechain(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	var all []RecordedEvent
	for after := int64(0); ; {
		page, err := s.ReadAll(ctx, after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		after = page[len(page)-1].GlobalPosition
	}
	err := pgx.BeginFunc(ctx, s.Pool(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `ALTER TABLE events DISABLE TRIGGER events_append_only`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE events SET global_position = global_position + 1000000000`); err != nil {
			return err
		}
		heads := map[string]string{}
		gprev := zeroHash
		for i, e := range all {
			prev, ok := heads[e.Stream]
			if !ok {
				prev = zeroHash
			}
			h, err := ChainHash(prev, e)
			if err != nil {
				return err
			}
			pos := int64(i + 1)
			gh, err := GlobalHash(gprev, pos, h)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE events SET global_position = $1, prev_hash = $2, hash = $3, global_hash = $4 WHERE id = $5`,
				pos, prev, h, gh, e.ID); err != nil {
				return err
			}
			heads[e.Stream], gprev = h, gh
		}
		_, err := tx.Exec(ctx, `ALTER TABLE events ENABLE TRIGGER events_append_only`)
		return err
	})
	if err != nil {
		t.Fatalf("rechain: %v", err)
	}
}

// insiderLog builds three interleaved streams of four events, signs a
// checkpoint with key, and appends two events more.
func insiderLog(t *testing.T, key ed25519.PrivateKey) *Store {
	t.Helper()
	s := newTestStore(t)
	for v := range 4 {
		for _, st := range []string{"case-a", "case-b", "case-c"} {
			mustAppend(t, s, st, int64(v), ev("E", fmt.Sprintf(`{"s":%q,"v":%d}`, st, v+1)))
		}
	}
	if _, err := s.SignCheckpoint(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, s, "case-a", 4, ev("E", `{}`))
	mustAppend(t, s, "case-d", 0, ev("E", `{}`))
	return s
}

// TestCheckpointsCatchInsiderEdits performs the four edits of issue 12 as
// an insider who also recomputes every chain: the chains verify, the
// signed checkpoint does not.
func TestCheckpointsCatchInsiderEdits(t *testing.T) {
	t.Parallel()
	key := testKey(t, 1)
	keys := []ed25519.PublicKey{pub(key)}
	exec := func(t *testing.T, s *Store, qs ...string) {
		t.Helper()
		err := pgx.BeginFunc(context.Background(), s.Pool(), func(tx pgx.Tx) error {
			for _, q := range append(append([]string{`ALTER TABLE events DISABLE TRIGGER events_append_only`}, qs...),
				`ALTER TABLE events ENABLE TRIGGER events_append_only`) {
				if _, err := tx.Exec(context.Background(), q); err != nil {
					return fmt.Errorf("%s: %w", q, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name string
		edit func(t *testing.T, s *Store)
		want string // in one of the problems; "" = none
	}{
		{"untouched", func(*testing.T, *Store) {}, ""},
		{"edited event, chains recomputed", func(t *testing.T, s *Store) {
			exec(t, s, `UPDATE events SET data = '{"s":"case-b","v":2,"x":"forged"}' WHERE stream = 'case-b' AND version = 2`)
		}, "is not the one signed"},
		{"stream tail cut", func(t *testing.T, s *Store) {
			exec(t, s, `DELETE FROM events WHERE stream = 'case-b' AND version >= 3`)
		}, "checkpoint 1 (position 12)"},
		{"stream deleted", func(t *testing.T, s *Store) {
			exec(t, s, `DELETE FROM events WHERE stream = 'case-c'`)
		}, "checkpoint 1 (position 12)"},
		{"two positions swapped", func(t *testing.T, s *Store) {
			// Positions 4 (case-a v2) and 5 (case-b v2): each stream stays in
			// version order.
			exec(t, s, `UPDATE events SET global_position = 1000 WHERE global_position = 4`,
				`UPDATE events SET global_position = 4 WHERE global_position = 5`,
				`UPDATE events SET global_position = 5 WHERE global_position = 1000`)
		}, "is not the one signed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := insiderLog(t, key)
			ctx := context.Background()
			c.edit(t, s)
			rechain(t, s)
			streams, err := s.Streams(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range streams {
				if rep, err := s.Verify(ctx, st); err != nil || !rep.OK {
					t.Fatalf("after the edit Verify(%s) = %+v, %v: the insider should have recomputed the chain", st, rep, err)
				}
			}
			rep, err := s.VerifyLog(ctx, keys, nil)
			if err != nil {
				t.Fatal(err)
			}
			all := strings.Join(rep.Problems, "\n")
			if strings.Contains(all, "global chain broken") {
				t.Fatalf("the insider's global chain does not verify: %s", all)
			}
			if c.want == "" {
				if !rep.OK() || rep.Anchored != 12 || rep.Checkpoints != 1 || rep.Head != 14 {
					t.Fatalf("untouched log: %+v", rep)
				}
				return
			}
			t.Logf("VerifyLog problems:\n%s", all)
			if rep.OK() || !strings.Contains(all, c.want) {
				t.Fatalf("VerifyLog problems:\n%s\nwant one containing %q", all, c.want)
			}
			if _, err := s.SignCheckpoint(ctx, key); err == nil || !strings.Contains(err.Error(), "refusing to sign") {
				t.Errorf("SignCheckpoint after the edit: %v; want a refusal", err)
			}
		})
	}
}

// TestCheckpointKeysAndTable: only the right public key verifies; an
// altered or deleted checkpoint row is found; checkpoints are append-only.
func TestCheckpointKeysAndTable(t *testing.T) {
	t.Parallel()
	key, other := testKey(t, 1), testKey(t, 2)
	s := insiderLog(t, key)
	ctx := context.Background()
	cps, err := s.SignedCheckpoints(ctx)
	if err != nil || len(cps) != 1 {
		t.Fatalf("SignedCheckpoints = %v, %v", cps, err)
	}
	if err := cps[0].VerifySignature(pub(key)); err != nil {
		t.Fatal(err)
	}
	if rep, _ := s.VerifyLog(ctx, []ed25519.PublicKey{pub(other)}, nil); rep.OK() || !strings.Contains(rep.Problems[0], "not among the public keys") {
		t.Errorf("VerifyLog with another key: %+v", rep)
	}
	// Rotation: a checkpoint signed with the new key; both keys verify.
	if _, err := s.SignCheckpoint(ctx, other); err != nil {
		t.Fatal(err)
	}
	if rep, _ := s.VerifyLog(ctx, []ed25519.PublicKey{pub(key), pub(other)}, nil); !rep.OK() || rep.Anchored != 14 {
		t.Errorf("VerifyLog with both keys after rotation: %+v", rep)
	}
	for _, q := range []string{`UPDATE checkpoints SET position = 1`, `DELETE FROM checkpoints`, `TRUNCATE checkpoints`} {
		if _, err := s.Pool().Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v; want the append-only guard", q, err)
		}
	}
	keys := []ed25519.PublicKey{pub(key), pub(other)}
	if _, err := s.Pool().Exec(ctx, `ALTER TABLE checkpoints DISABLE TRIGGER USER;
UPDATE checkpoints SET position = 13, global_hash = (SELECT global_hash FROM events WHERE global_position = 13) WHERE seq = 1;
ALTER TABLE checkpoints ENABLE TRIGGER USER`); err != nil {
		t.Fatal(err)
	}
	if rep, _ := s.VerifyLog(ctx, keys, nil); rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), "forged or altered") {
		t.Errorf("VerifyLog after altering a checkpoint row: %+v", rep)
	}
	// The exported first checkpoint, after its row is deleted.
	if _, err := s.Pool().Exec(ctx, `ALTER TABLE checkpoints DISABLE TRIGGER USER; DELETE FROM checkpoints WHERE seq = 1;
ALTER TABLE checkpoints ENABLE TRIGGER USER`); err != nil {
		t.Fatal(err)
	}
	if rep, _ := s.VerifyLog(ctx, keys, nil); !rep.OK() {
		t.Errorf("VerifyLog without the deleted row: %+v", rep)
	}
	if rep, _ := s.VerifyLog(ctx, keys, cps); rep.OK() || !strings.Contains(rep.Problems[0], "missing from the checkpoints table") {
		t.Errorf("VerifyLog with the exported checkpoint: %+v", rep)
	}
}

func TestStreamRoot(t *testing.T) {
	h := func(b byte) string { return strings.Repeat(fmt.Sprintf("%02x", b), 32) }
	a := []StreamHead{{"case-b", 2, h(2)}, {"case-a", 1, h(1)}, {"case-c", 3, h(3)}}
	r1, err := StreamRoot(a)
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := StreamRoot([]StreamHead{a[2], a[1], a[0]})
	if r1 != r2 || a[0].Stream != "case-b" {
		t.Errorf("root depends on order (%s, %s) or input was sorted", r1, r2)
	}
	for i, changed := range [][]StreamHead{
		{a[0], a[1]},
		{{"case-b", 3, h(2)}, a[1], a[2]},
		{{"case-b", 2, h(9)}, a[1], a[2]},
		{{"case-x", 2, h(2)}, a[1], a[2]},
	} {
		if r, _ := StreamRoot(changed); r == r1 {
			t.Errorf("change %d keeps the root", i)
		}
	}
	if r, _ := StreamRoot(nil); r != zeroHash {
		t.Errorf("empty root %s", r)
	}
	if _, err := StreamRoot([]StreamHead{a[0], a[0]}); err == nil {
		t.Error("duplicate stream accepted")
	}
}

// TestCheckpointsAsAppRole: the application's role can sign, list and
// verify checkpoints, and cannot rewrite them.
func TestCheckpointsAsAppRole(t *testing.T) {
	t.Parallel()
	admin := newTestStore(t)
	ctx := context.Background()
	cfg := admin.Pool().Config()
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, "SET ROLE casetrail_app")
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	app := New(pool)
	mustAppend(t, app, "case-r", 0, ev("CaseReported", `{}`))
	key := testKey(t, 3)
	if _, err := app.SignCheckpoint(ctx, key); err != nil {
		t.Fatalf("SignCheckpoint as casetrail_app: %v", err)
	}
	if rep, err := app.VerifyLog(ctx, []ed25519.PublicKey{pub(key)}, nil); err != nil || !rep.OK() || rep.Anchored != 1 {
		t.Fatalf("VerifyLog as casetrail_app = %+v, %v", rep, err)
	}
	if _, err := pool.Exec(ctx, `ALTER TABLE checkpoints DISABLE TRIGGER USER`); err == nil {
		t.Error("casetrail_app could disable the checkpoints guard")
	}
	if _, err := pool.Exec(ctx, `DELETE FROM checkpoints`); err == nil {
		t.Error("casetrail_app could delete checkpoints")
	}
}

// TestCheckpointStreamRoot: a checkpoint whose global hash matches but
// whose stream heads do not (a signer's mistake) is reported.
func TestCheckpointStreamRoot(t *testing.T) {
	t.Parallel()
	key := testKey(t, 4)
	s := insiderLog(t, key)
	ctx := context.Background()
	good, err := s.SignCheckpoint(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	bad := good
	bad.Streams, bad.StreamRoot = good.Streams-1, strings.Repeat("ab", 32)
	msg, err := bad.Message()
	if err != nil {
		t.Fatal(err)
	}
	bad.Signature = fmt.Sprintf("%x", ed25519.Sign(key, msg))
	if _, err := s.Pool().Exec(ctx, `INSERT INTO checkpoints (position, global_hash, streams, stream_root, created_at, key_id, signature)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, bad.Position, bad.GlobalHash, bad.Streams, bad.StreamRoot, bad.CreatedAt, bad.KeyID, bad.Signature); err != nil {
		t.Fatal(err)
	}
	rep, err := s.VerifyLog(ctx, []ed25519.PublicKey{pub(key)}, nil)
	if err != nil || rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), "stream heads at position 14 are not the ones signed (4 streams, signed 3)") {
		t.Fatalf("VerifyLog = %+v, %v", rep, err)
	}
}

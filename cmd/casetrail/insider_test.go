//go:build linux

package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/eventstore"
	"casetrail/eventstore/pgtest"
)

// TestInsiderEditsCaughtByVerify (issue 12, finding 3): after a checkpoint
// was signed, an insider with the database superuser edits the log four
// ways, each time recomputing every stream chain and the global chain the
// way the store would. The stream chains then verify (the old `casetrail
// verify` said ok), but `casetrail verify` checks the signed checkpoint,
// with only the public key, and fails naming it. An untouched copy passes.
func TestInsiderEditsCaughtByVerify(t *testing.T) {
	s := newServer(t, serverOptions{})
	var ids []string
	for i := range 3 {
		c, _ := s.report(t, "reporter1", reportInput{
			ClientRequestID: fmt.Sprintf("insider-%d", i),
			Kind:            "FALSE_INFORMATION",
			Unit:            "lai-chau/tan-uyen/xa-phuc-khoa",
			Title:           fmt.Sprintf("Tin sai sự thật về xã Phúc Khoa số %d", i),
			Description:     "Bài đăng sai sự thật về việc thu hồi đất.",
			Subjects:        []subjectInput{{Platform: "FACEBOOK", URL: fmt.Sprintf("https://www.facebook.com/tin-sai-%d", i)}},
		})
		ids = append(ids, c.ID)
	}
	for round := range 3 { // interleave the streams in the global log
		for _, id := range ids {
			s.mutate(t, "handler1", fmt.Sprintf(`addComment(id: $id, text: "ghi chú %d")`, round), `($id: ID!)`, map[string]any{"id": id})
		}
	}

	out, err := s.run("checkpoint")
	if err != nil || !regexp.MustCompile(`checkpoint 1: position \d+`).MatchString(out) {
		t.Fatalf("casetrail checkpoint: %v\n%s", err, out)
	}
	out, err = s.run("checkpoint", "--public-key")
	if err != nil {
		t.Fatalf("casetrail checkpoint --public-key: %v\n%s", err, out)
	}
	pubFile := filepath.Join(t.TempDir(), "checkpoint.pub")
	if err := os.WriteFile(pubFile, []byte(keyLines(out)), 0o644); err != nil {
		t.Fatal(err)
	}
	// One event more; serve signs a last checkpoint when it stops.
	s.mutate(t, "handler1", `addComment(id: $id, text: "sau điểm neo")`, `($id: ID!)`, map[string]any{"id": ids[0]})
	if err := s.stop(30 * time.Second); err != nil {
		t.Fatalf("serve after SIGTERM: %v", err)
	}
	exported := filepath.Join(t.TempDir(), "checkpoints.jsonl")
	if out, err := s.run("checkpoint", "--export", exported); err != nil || !strings.Contains(out, "2 checkpoints exported") {
		t.Fatalf("casetrail checkpoint --export after serve stopped: %v; want the command's and serve's last checkpoint\n%s", err, out)
	}
	// The demo seed's admin-stream events (one per unit, grant, account and
	// user) + 16 case events.
	data, err := os.ReadFile(seedFile(t))
	if err != nil {
		t.Fatal(err)
	}
	seed, err := ParseSeed("demo-seed.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	last := len(seed.Units) + len(seed.Grants) + len(seed.OfficialAccounts) + len(seed.Users) + 16
	if out, err := verifyAt(s, s.dbURL); err != nil || !strings.Contains(out, fmt.Sprintf("2 checkpoints checked, anchored up to position %d", last)) {
		t.Fatalf("casetrail verify: %v; want both checkpoints, the last at position %d\n%s", err, last, out)
	}
	// The database superuser, not the server, from here on.
	otherKey := filepath.Join(t.TempDir(), "other.pub")
	pub, _, _ := ed25519.GenerateKey(nil)
	if err := os.WriteFile(otherKey, []byte(hex.EncodeToString(pub)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := verifyAt(s, s.dbURL, "--public-key", otherKey); err == nil || !strings.Contains(out, "not among the public keys") {
		t.Errorf("verify with another public key: %v; want a failure naming the key\n%s", err, out)
	}

	edits := []struct {
		name string
		sql  []string
	}{
		{"untouched", nil},
		{"event edited, chains recomputed", []string{
			`UPDATE events SET data = jsonb_set(data, '{title}', to_jsonb('Trang chính thức'::text)) WHERE stream = 'case-` + ids[0] + `' AND version = 1`}},
		{"stream tail cut", []string{
			`DELETE FROM events WHERE stream = 'case-` + ids[1] + `' AND version > (SELECT max(version) - 2 FROM events WHERE stream = 'case-` + ids[1] + `')`}},
		{"stream deleted", []string{
			`DELETE FROM events WHERE stream = 'case-` + ids[2] + `'`}},
		{"two positions swapped", []string{
			// The first two neighbours of different streams trade places;
			// every stream stays in version order.
			`CREATE TEMP TABLE pair AS SELECT a.global_position AS p FROM events a JOIN events b
			   ON b.global_position = a.global_position + 1 AND b.stream <> a.stream ORDER BY a.global_position LIMIT 1`,
			`UPDATE events SET global_position = global_position + 1000000000 WHERE global_position = (SELECT p FROM pair)`,
			`UPDATE events SET global_position = global_position - 1 WHERE global_position = (SELECT p + 1 FROM pair)`,
			`UPDATE events SET global_position = (SELECT p + 1 FROM pair) WHERE global_position = (SELECT p + 1000000000 FROM pair)`}},
	}
	for _, e := range edits {
		dbURL := copyDatabase(t, s.dbURL)
		if e.sql != nil {
			insiderEdit(t, dbURL, e.sql)
		}
		for _, args := range [][]string{nil, {"--public-key", pubFile, "--checkpoints", exported}} {
			out, err := verifyAt(s, dbURL, args...)
			if e.sql == nil {
				if err != nil || !strings.Contains(out, "0 broken") || strings.Contains(out, "BROKEN") {
					t.Errorf("%s %v: casetrail verify: %v; want success\n%s", e.name, args, err, out)
				}
				continue
			}
			if args == nil {
				t.Logf("%s: casetrail verify: %v\n%s", e.name, err, out)
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() == 0 {
				t.Errorf("%s %v: casetrail verify: %v; want a non-zero exit\n%s", e.name, args, err, out)
			}
			// The stream chains were recomputed: only the checkpoint tells.
			if !strings.Contains(out, ", 0 broken") || !strings.Contains(out, "BROKEN log: checkpoint ") ||
				!strings.Contains(out, "does not verify against its checkpoints") {
				t.Errorf("%s %v: want every stream chain ok and the checkpoint named:\n%s", e.name, args, out)
			}
			if strings.Contains(out, "global chain broken") {
				t.Errorf("%s: the insider's global chain does not verify; the edit is not the one meant:\n%s", e.name, out)
			}
		}
	}

	// The insider also deletes the stored checkpoints: verify without them
	// passes (the limit the README states), the exported copies tell.
	dbURL := copyDatabase(t, s.dbURL)
	insiderEdit(t, dbURL, []string{`DELETE FROM events WHERE stream = 'case-` + ids[2] + `'`, `DELETE FROM checkpoints`})
	if out, err := verifyAt(s, dbURL); err != nil {
		t.Errorf("stream and checkpoints deleted, no export given: casetrail verify: %v; the chains alone cannot tell\n%s", err, out)
	}
	out, err = verifyAt(s, dbURL, "--checkpoints", exported)
	if err == nil || !strings.Contains(out, "missing from the checkpoints table") || !strings.Contains(out, "beyond the end of the log") {
		t.Errorf("stream and checkpoints deleted, export given: casetrail verify: %v; want the exported checkpoints named\n%s", err, out)
	}
}

// keyLines keeps the lines of `casetrail checkpoint --public-key` output
// that are comments or keys (not log lines).
func keyLines(out string) string {
	var b strings.Builder
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "#") || regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(l) {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// verifyAt runs `casetrail verify` against dbURL with s's data directory.
func verifyAt(s *server, dbURL string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, append([]string{"verify"}, args...)...)
	cmd.Env = append(s.environ(), "DATABASE_URL="+dbURL) // the last one counts
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// copyDatabase makes a copy of the database at src (nobody may be
// connected to it) and drops it at cleanup.
func copyDatabase(t *testing.T, src string) string {
	t.Helper()
	ctx := context.Background()
	u, err := url.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	from := strings.TrimPrefix(u.Path, "/")
	name := fmt.Sprintf("ct_insider_copy_%d", time.Now().UnixNano())
	conn, err := pgx.Connect(ctx, pgtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for attempt := 0; ; attempt++ {
		_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{from}.Sanitize())
		if err == nil || attempt == 20 || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(250 * time.Millisecond) // a closing session of the stopped server
	}
	if err != nil {
		t.Fatalf("copy database %s: %v", from, err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), pgtest.AdminURL())
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	})
	u.Path = "/" + name
	return u.String()
}

// insiderEdit runs statements as the superuser with triggers off
// (session_replication_role = replica: the append-only guard does not
// fire), then does what an insider who knows the algorithms does next:
// numbers the positions 1, 2, ... in their new order and recomputes every
// stream chain and the global chain.
func insiderEdit(t *testing.T, dbURL string, stmts []string) {
	t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
		for _, q := range stmts {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("edit: %v", err)
	}
	store := eventstore.New(pool)
	var all []eventstore.RecordedEvent
	for after := int64(0); ; {
		page, err := store.ReadAll(ctx, after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		after = page[len(page)-1].GlobalPosition
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE events SET global_position = global_position + 1000000000`); err != nil {
			return err
		}
		zero := strings.Repeat("0", 64)
		heads, gprev := map[string]string{}, zero
		for i, e := range all {
			prev, ok := heads[e.Stream]
			if !ok {
				prev = zero
			}
			h, err := eventstore.ChainHash(prev, e)
			if err != nil {
				return err
			}
			pos := int64(i + 1)
			gh, err := eventstore.GlobalHash(gprev, pos, h)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE events SET global_position = $1, prev_hash = $2, hash = $3, global_hash = $4 WHERE id = $5`,
				pos, prev, h, gh, e.ID); err != nil {
				return err
			}
			heads[e.Stream], gprev = h, gh
		}
		return nil
	})
	if err != nil {
		t.Fatalf("recompute the chains: %v", err)
	}
}

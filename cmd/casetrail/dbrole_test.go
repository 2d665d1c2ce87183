//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"casetrail/eventstore"
	"casetrail/eventstore/pgtest"
)

// TestLeastPrivilege (issue 12, finding 1): given the README's superuser
// DATABASE_URL, serve connects as a login role of its own, which can read
// and append events but can neither rewrite them nor switch the guard
// trigger off; in production the superuser URL is refused.
func TestLeastPrivilege(t *testing.T) {
	s := newServer(t, serverOptions{})
	c, _ := s.report(t, "reporter1", reportInput{
		ClientRequestID: "e2e-least-privilege", Kind: "IMPERSONATION", Unit: "lai-chau/tan-uyen/xa-phuc-khoa",
		Title: "Trang giả mạo UBND xã Phúc Khoa", Description: "Kiểm tra quyền của máy chủ với cơ sở dữ liệu.",
		Subjects: []subjectInput{{Platform: "FACEBOOK", URL: "https://www.facebook.com/ubnd.phuckhoa.quyen"}},
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	super, err := pgx.Connect(ctx, s.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer super.Close(context.Background())
	eventually(t, 10*time.Second, "serve connected only as its own role", connectedAs(ctx, super, appLoginRole))

	cfg, err := pgx.ParseConfig(s.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.User, cfg.Password = appLoginRole, appPassword(s.dbURL)
	app, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect as %s: %v", appLoginRole, err)
	}
	defer app.Close(context.Background())
	var n int
	if err := app.QueryRow(ctx, `SELECT count(*) FROM events WHERE stream = $1`, "case-"+c.ID).Scan(&n); err != nil || n == 0 {
		t.Fatalf("the server's role reads %d events of the case: %v", n, err)
	}
	for _, stmt := range []string{
		`UPDATE events SET metadata = metadata || '{"actor":"ke-gian"}' WHERE stream = 'case-` + c.ID + `'`,
		`DELETE FROM events`,
		`TRUNCATE events`,
		`SET session_replication_role = replica`,
		`ALTER TABLE events DISABLE TRIGGER ALL`,
		`CREATE TABLE hidden (x int)`,
	} {
		_, err := app.Exec(ctx, stmt)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || (pgErr.Code != "42501" && pgErr.Code != "42P01") {
			t.Errorf("as %s, %q: %v, want permission denied", appLoginRole, stmt, err)
		}
	}
	if v := s.readCase(t, "handler1", c.ID); v.Version != n {
		t.Errorf("case version %d, %d events", v.Version, n)
	}
	// The read-model gauges are read by the server's role too.
	resp, err := http.Get(s.url("/metrics"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `casetrail_open_cases{status="REPORTED"} 1`) {
		t.Errorf("/metrics has no open REPORTED case:\n%s", body)
	}

	// Production refuses to run as the superuser.
	pctx, pcancel := context.WithTimeout(ctx, 30*time.Second)
	defer pcancel()
	cmd := exec.CommandContext(pctx, s.bin, "serve", "--seed", seedFile(t), "--deadlines", s.policy)
	cmd.Env = append(s.environ(), "CASETRAIL_ENV=production", "CASETRAIL_JWT_SECRET="+strings.Repeat("k", 40),
		"CASETRAIL_LISTEN="+freeAddr(t), "CASETRAIL_METRICS_LISTEN="+freeAddr(t))
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "superuser") {
		t.Errorf("production serve with a superuser DATABASE_URL: %v\n%s", err, out)
	}
}

// TestServerRoleNamedByOperator: with CASETRAIL_MIGRATE_DATABASE_URL the
// owner migrates and sets up the role DATABASE_URL names, and serve runs as
// that role only.
func TestServerRoleNamedByOperator(t *testing.T) {
	const role = "casetrail_e2e_operator"
	owner := pgtest.NewDatabase(t)
	cfg, err := pgx.ParseConfig(owner)
	if err != nil {
		t.Fatal(err)
	}
	serverURL := fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", role, "mat-khau-e2e", cfg.Host, cfg.Port, cfg.Database)
	s := newServer(t, serverOptions{Env: []string{"CASETRAIL_MIGRATE_DATABASE_URL=" + owner, "DATABASE_URL=" + serverURL}})
	s.report(t, "reporter1", reportInput{
		ClientRequestID: "e2e-operator-role", Kind: "FALSE_INFORMATION", Unit: "lai-chau/tan-uyen/xa-phuc-khoa",
		Title: "Tin sai về giá điện", Description: "Kiểm tra vai trò do người vận hành đặt tên.",
		Subjects: []subjectInput{{Platform: "FACEBOOK", URL: "https://www.facebook.com/tin.sai.gia.dien"}},
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	super, err := pgx.Connect(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	defer super.Close(context.Background())
	eventually(t, 10*time.Second, "serve connected only as the operator's role", connectedAs(ctx, super, role))
}

// connectedAs returns a check that every other client connection to super's
// database runs as role.
func connectedAs(ctx context.Context, super *pgx.Conn, role string) func() error {
	return func() error {
		rows, err := super.Query(ctx, `SELECT DISTINCT usename::text FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`)
		if err != nil {
			return err
		}
		users, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		if !slices.Equal(users, []string{role}) {
			return fmt.Errorf("connections to the database as %v", users)
		}
		return nil
	}
}

// TestLoginRoleNeverDemotes: setting up the server's role never alters a
// superuser or the connection's own role, even when DATABASE_URL names one
// (an operator who put the superuser in both URLs), and an operator's
// existing role is only made a member of casetrail_app.
func TestLoginRoleNeverDemotes(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	owner, err := eventstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	pool := owner.Pool()
	const super, operator = "casetrail_test_super", "casetrail_test_operator"
	for _, stmt := range []string{
		`DROP ROLE IF EXISTS ` + super, `CREATE ROLE ` + super + ` SUPERUSER NOLOGIN`,
		`DROP ROLE IF EXISTS ` + operator, `CREATE ROLE ` + operator + ` LOGIN CREATEDB`,
	} {
		if _, err := pool.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, r := range []string{super, operator} {
			_, _ = pool.Exec(context.Background(), `REVOKE casetrail_app FROM `+r)
			_, _ = pool.Exec(context.Background(), `DROP ROLE IF EXISTS `+r)
		}
	})
	var me string
	if err := pool.QueryRow(ctx, `SELECT current_user`).Scan(&me); err != nil {
		t.Fatal(err)
	}
	for _, own := range []bool{false, true} {
		for _, name := range []string{super, me, operator} {
			if err := ensureLoginRole(ctx, pool, name, "mat-khau", own); err != nil {
				t.Fatalf("%s (own %v): %v", name, own, err)
			}
		}
		var superStill, meStill, operatorCreatedb bool
		if err := pool.QueryRow(ctx, `SELECT
				(SELECT rolsuper FROM pg_roles WHERE rolname = $1),
				(SELECT rolsuper FROM pg_roles WHERE rolname = $2),
				(SELECT rolcreatedb FROM pg_roles WHERE rolname = $3)`, super, me, operator).Scan(&superStill, &meStill, &operatorCreatedb); err != nil {
			t.Fatal(err)
		}
		if !superStill || !meStill {
			t.Fatalf("own %v: a superuser was demoted (%s %v, %s %v)", own, super, superStill, me, meStill)
		}
		if !own && !operatorCreatedb {
			t.Errorf("the operator's existing role was altered")
		}
	}
	var member bool
	if err := pool.QueryRow(ctx, `SELECT pg_has_role($1, 'casetrail_app', 'MEMBER')`, operator).Scan(&member); err != nil || !member {
		t.Errorf("the operator's role is not a member of casetrail_app: %v %v", member, err)
	}
}

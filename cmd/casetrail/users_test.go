package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"casetrail/eventstore/pgtest"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
	"casetrail/web"
)

// The demo seed has a user for every subject of its grants, without a
// password hash (development prints one-time passwords, production none).
func TestDemoSeedUsers(t *testing.T) {
	s := demoSeed(t)
	users := map[string]SeedUser{}
	for _, u := range s.Users {
		users[u.Username] = u
	}
	for _, g := range s.Grants {
		if g.Subject == incident.PublicSubject {
			continue // the citizens' report form's subject is no person
		}
		u, ok := users[g.Subject]
		if !ok {
			t.Errorf("grant subject %s has no user", g.Subject)
			continue
		}
		if u.PasswordHash != "" {
			t.Errorf("demo user %s has a password hash in the file", u.Username)
		}
	}
}

func TestSeedUsersSection(t *testing.T) {
	b, _ := bcrypt.GenerateFromPassword([]byte("x-long-password"), bcrypt.MinCost)
	good := "users:\n  - {username: handler1, name: \"Nguyễn Văn Hùng\"}\n  - {username: leader1, name: Lan, passwordHash: '" + string(b) + "', mustChangePassword: true}\n"
	s, err := ParseSeed("seed.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Users) != 2 || !s.Users[0].mustChange() || !s.Users[1].mustChange() || s.Users[1].PasswordHash == "" {
		t.Errorf("users %+v", s.Users)
	}
	no := false
	if (SeedUser{PasswordHash: "$2b$x", MustChangePassword: nil}).mustChange() || (SeedUser{MustChangePassword: &no}).mustChange() {
		t.Errorf("mustChange defaults")
	}
	for _, c := range []struct{ name, yaml, want string }{
		{"unknown field", "users:\n  - {username: a, name: A, role: LEADER}\n", `line 2: unknown field "role"`},
		{"bad username", "users:\n  - {username: 'Bad Name', name: A}\n", `line 2: user: username "Bad Name"`},
		{"no name", "users:\n  - {username: a}\n", "line 2: user a: name"},
		{"bad hash", "users:\n  - {username: a, name: A, passwordHash: secret}\n", "line 2: user a: passwordHash"},
		{"duplicate", "users:\n  - {username: a, name: A}\n  - {username: a, name: B}\n", "line 3: user a: already defined at line 2"},
	} {
		if _, err := ParseSeed("seed.yaml", []byte(c.yaml)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// Seed users are created once: in development with a one-time password
// logged once, in production without any password and nothing printed.
func TestSeedUsersCreated(t *testing.T) {
	ctx := context.Background()
	cfg := configFromEnv()
	cfg.DatabaseURL = pgtest.NewDatabase(t)
	store, err := prepareDatabase(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var logs bytes.Buffer
	a := &app{cfg: cfg, store: store, registry: readmodel.NewRegistry(store.Pool()), log: slog.New(slog.NewJSONHandler(&logs, nil))}
	f := false
	seed := []SeedUser{{Username: "handler1", Name: "Nguyễn Văn Hùng", MustChangePassword: &f}}
	if err := a.seedUsers(ctx, seed); err != nil {
		t.Fatal(err)
	}
	var line struct {
		Username, Password string
	}
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Contains(l, "one-time password") {
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatal(err)
			}
		}
	}
	if line.Username != "handler1" || line.Password == "" {
		t.Fatalf("development logs no one-time password:\n%s", logs.String())
	}
	users := web.NewUsers(store.Pool())
	u, err := users.Get(ctx, "handler1")
	if err != nil || u.MustChangePassword || u.PasswordHash == "" {
		t.Fatalf("seeded %+v %v", u, err)
	}
	// Again, with a new name: the name follows, the password stays, and
	// nothing more is printed.
	logs.Reset()
	seed[0].Name = "Nguyễn Văn Hùng (Tân Uyên)"
	if err := a.seedUsers(ctx, seed); err != nil {
		t.Fatal(err)
	}
	u2, _ := users.Get(ctx, "handler1")
	if u2.PasswordHash != u.PasswordHash || u2.DisplayName != "Nguyễn Văn Hùng (Tân Uyên)" || strings.Contains(logs.String(), "password\"") {
		t.Errorf("re-seeded: %+v\n%s", u2, logs.String())
	}

	a.cfg.Env = "production"
	if err := a.seedUsers(ctx, []SeedUser{{Username: "leader1", Name: "Trần Thị Lan"}}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), `"password":`) || !strings.Contains(logs.String(), "casetrail user passwd leader1") {
		t.Errorf("production logs:\n%s", logs.String())
	}
	if u, _ := users.Get(ctx, "leader1"); u == nil || u.PasswordHash != "" || !u.MustChangePassword {
		t.Errorf("production seed user %+v", u)
	}
}

// casetrail user add | passwd | disable | enable | list.
func TestUserCommand(t *testing.T) {
	ctx := context.Background()
	cfg := configFromEnv()
	cfg.DatabaseURL = pgtest.NewDatabase(t)
	run := func(input string, args ...string) (string, error) {
		t.Helper()
		stdin = strings.NewReader(input)
		defer func() { stdin = os.Stdin }()
		fs := flag.NewFlagSet("user", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		c := cfg
		c.flags(fs, "user")
		var out bytes.Buffer
		err := userCommand(ctx, c, fs, args, &out)
		return out.String(), err
	}
	out, err := run("", "add", "--username", "reporter1", "--name", "Lò Thị Mai")
	if err != nil {
		t.Fatal(err)
	}
	otp := regexp.MustCompile(`(?m)^[a-z2-9]{5}-[a-z2-9]{5}-[a-z2-9]{5}$`).FindString(out)
	if otp == "" || !strings.Contains(out, "one-time password of reporter1") {
		t.Fatalf("add printed:\n%s", out)
	}
	if _, err := run("", "add", "--username", "reporter1", "--name", "X"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("adding twice: %v", err)
	}
	if _, err := run("", "add", "--username", "Bad Name", "--name", "X"); err == nil {
		t.Errorf("a bad username was accepted")
	}
	if _, err := run("short\n", "add", "--username", "leader1", "--name", "Lan", "--password-stdin"); err == nil || !strings.Contains(err.Error(), "at least 10") {
		t.Errorf("a short password: %v", err)
	}
	if out, err := run("mat-khau-cua-lan-2026\n", "add", "--username", "leader1", "--name", "Trần Thị Lan", "--password-stdin"); err != nil || strings.Contains(out, "one-time") {
		t.Fatalf("add with stdin: %v\n%s", err, out)
	}
	if _, err := run("mat-khau-moi-cua-mai\n", "passwd", "reporter1", "--password-stdin", "--must-change"); err != nil {
		t.Fatal(err)
	}
	if out, err := run("", "disable", "leader1"); err != nil || !strings.Contains(out, "disabled") {
		t.Fatalf("disable: %v %s", err, out)
	}
	if _, err := run("", "disable", "nobody"); err == nil {
		t.Errorf("disabling an unknown user succeeded")
	}
	out, err = run("", "list")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`leader1\s+Trần Thị Lan\s+true\s+false\s+set`).MatchString(out) ||
		!regexp.MustCompile(`reporter1\s+Lò Thị Mai\s+false\s+true\s+set`).MatchString(out) {
		t.Errorf("list:\n%s", out)
	}
	if _, err := run("", "enable", "leader1"); err != nil {
		t.Fatal(err)
	}
	if _, err := run(""); err == nil {
		t.Errorf("no subcommand accepted")
	}
	if _, err := run("", "rename", "x"); err == nil {
		t.Errorf("an unknown subcommand accepted")
	}
}

package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"

	"casetrail/activities"
	"casetrail/eventstore/pgtest"
	"casetrail/eventstore/readmodel"
	"casetrail/web"
)

// Users' e-mail addresses from the seed file and the command line, and the
// directory notifications read them through (app.people): a seed user is
// created with its address (in UserCreated); an existing user without one
// gets the seed's (UserEmailChanged by the seed), one with an address set
// since keeps it; `casetrail user add --email` and `casetrail user email`
// set and remove it, each change on the admin stream; a bad address is
// refused by the seed parser and the command.
func TestUserEmails(t *testing.T) {
	ctx := context.Background()
	if _, err := ParseSeed("seed.yaml", []byte("users:\n  - {username: a, name: A, email: 'not an address'}\n")); err == nil ||
		!strings.Contains(err.Error(), "line 2: user a: email") {
		t.Errorf("a bad seed address: %v", err)
	}
	s, err := ParseSeed("seed.yaml", []byte("users:\n  - {username: handler1, name: \"Nguyễn Văn Hùng\", email: ' hung.nv@tanuyen.example '}\n"))
	if err != nil || s.Users[0].Email != "hung.nv@tanuyen.example" {
		t.Fatalf("seed address: %+v %v", s.Users, err)
	}

	cfg := configFromEnv()
	cfg.DatabaseURL = pgtest.NewDatabase(t)
	store, err := prepareDatabase(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	reg := readmodel.NewRegistry(store.Pool())
	a := &app{cfg: cfg, store: store, registry: reg, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	users := web.NewUsers(store.Pool())
	events := func() []string {
		t.Helper()
		recs, err := reg.AdminHistory(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range recs {
			out = append(out, r.Type+" "+r.Metadata.Actor+" "+string(r.Data))
		}
		return out
	}

	seed := []SeedUser{{Username: "handler1", Name: "Nguyễn Văn Hùng", Email: "hung.nv@tanuyen.example"},
		{Username: "leader1", Name: "Trần Thị Lan"}}
	if err := a.seedUsers(ctx, seed); err != nil {
		t.Fatal(err)
	}
	if u, _ := users.Get(ctx, "handler1"); u == nil || u.Email != "hung.nv@tanuyen.example" {
		t.Fatalf("seeded %+v", u)
	}
	ev := events()
	if len(ev) != 2 || !strings.Contains(ev[0], `"email":"hung.nv@tanuyen.example"`) || strings.Contains(ev[1], "email") {
		t.Fatalf("admin stream after the seed: %q", ev)
	}
	// leader1 gets an address in the file; handler1's changed since is kept.
	if err := users.SetEmail(ctx, "handler1", "hung.moi@tanuyen.example"); err != nil {
		t.Fatal(err)
	}
	seed[1].Email = "lan.tt@tanuyen.example"
	for range 2 { // the second start records nothing more
		if err := a.seedUsers(ctx, seed); err != nil {
			t.Fatal(err)
		}
	}
	if u, _ := users.Get(ctx, "handler1"); u.Email != "hung.moi@tanuyen.example" {
		t.Errorf("the seed overwrote handler1's address: %s", u.Email)
	}
	if u, _ := users.Get(ctx, "leader1"); u.Email != "lan.tt@tanuyen.example" {
		t.Errorf("leader1's address %q", u.Email)
	}
	ev = events()
	if len(ev) != 3 || !strings.HasPrefix(ev[2], "UserEmailChanged seed") || !strings.Contains(ev[2], "lan.tt@tanuyen.example") {
		t.Errorf("admin stream after re-seeding: %q", ev)
	}

	// The command line.
	run := func(args ...string) (string, error) {
		t.Helper()
		stdin = strings.NewReader("")
		defer func() { stdin = os.Stdin }()
		fs := flag.NewFlagSet("user", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		c := cfg
		c.flags(fs, "user")
		var out bytes.Buffer
		err := userCommand(ctx, c, fs, args, &out)
		return out.String(), err
	}
	if _, err := run("add", "--username", "reporter1", "--name", "Lò Thị Mai", "--email", "mai@"); err == nil || !strings.Contains(err.Error(), "email") {
		t.Errorf("add with a bad address: %v", err)
	}
	if _, err := users.Get(ctx, "reporter1"); err == nil {
		t.Error("add with a bad address created the user")
	}
	out, err := run("add", "--username", "reporter1", "--name", "Lò Thị Mai", "--email", "mai.lt@phuckhoa.example")
	if err != nil || !strings.Contains(out, "notifications of reporter1 go to mai.lt@phuckhoa.example") {
		t.Fatalf("add --email: %v\n%s", err, out)
	}
	if out, err := run("email", "leader1", "--email", "", "--reason", "Chuyển công tác"); err != nil || !strings.Contains(out, "no e-mail address") {
		t.Fatalf("email removal: %v %s", err, out)
	}
	if _, err := run("email", "leader1", "--email", "sai dia chi"); err == nil {
		t.Error("a bad address was set")
	}
	if _, err := run("email", "nobody", "--email", "x@y.example"); err == nil {
		t.Error("an unknown user got an address")
	}
	out, err = run("list")
	if err != nil || !regexp.MustCompile(`reporter1\s+Lò Thị Mai\s+false\s+true\s+set\s+mai.lt@phuckhoa.example`).MatchString(out) {
		t.Errorf("list: %v\n%s", err, out)
	}
	ev = events()
	tail := ev[3:]
	if len(tail) != 3 || !strings.HasPrefix(tail[0], "UserCreated cli:") || !strings.HasPrefix(tail[1], "UserEmailChanged cli:") ||
		!strings.HasPrefix(tail[2], "UserEmailChanged cli:") || strings.Contains(tail[2], "@") {
		t.Errorf("admin stream after the commands: %q", tail)
	}

	// The directory notifications read.
	people, err := a.people(ctx, []string{"reporter1", "leader1", "bot-import", "handler1"})
	if err != nil {
		t.Fatal(err)
	}
	want := []activities.Recipient{{Subject: "reporter1", Name: "Lò Thị Mai", Email: "mai.lt@phuckhoa.example"},
		{Subject: "leader1", Name: "Trần Thị Lan"}, {Subject: "bot-import"},
		{Subject: "handler1", Name: "Nguyễn Văn Hùng", Email: "hung.moi@tanuyen.example"}}
	if len(people) != len(want) {
		t.Fatalf("people = %+v", people)
	}
	for i := range want {
		if people[i] != want[i] {
			t.Errorf("people[%d] = %+v, want %+v", i, people[i], want[i])
		}
	}
}

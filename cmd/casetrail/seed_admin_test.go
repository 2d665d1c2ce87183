package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"strings"
	"testing"

	"casetrail/api"
	"casetrail/eventstore/pgtest"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

const adminSeedUnits = `units:
  - {id: lai-chau, name: "Tỉnh Lai Châu"}
  - {id: lai-chau/tan-uyen, name: "Tân Uyên", parent: lai-chau}
  - {id: lai-chau/tan-uyen/xa-phuc-khoa, name: "UBND xã Phúc Khoa", parent: lai-chau/tan-uyen}
  - {id: lai-chau/tan-uyen/xa-trung-dong, name: "UBND xã Trung Đồng", parent: lai-chau/tan-uyen}
`

const seedPeople = `users:
  - {username: leader1, name: "Trần Thị Lan"}
`

// newSeedApp is the part of a process that applies a seed: a fresh
// database, the registry, an authorizer.
func newSeedApp(t *testing.T) (*app, Config) {
	t.Helper()
	ctx := context.Background()
	cfg := configFromEnv()
	cfg.DatabaseURL = pgtest.NewDatabase(t)
	cfg.SeedPath = "/etc/casetrail/seed.yaml"
	store, err := prepareDatabase(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	authz, err := api.NewAuthorizer(ctx, store.Pool())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(authz.Close)
	return &app{cfg: cfg, store: store, registry: readmodel.NewRegistry(store.Pool()), authz: authz,
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}, cfg
}

func parseTestSeed(t *testing.T, text string) *Seed {
	t.Helper()
	s, err := ParseSeed("seed.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// adminTrail is the admin stream after version after as type/actor/subject
// (the grant's) lines.
func adminTrail(t *testing.T, reg *readmodel.Registry, after int64) []string {
	t.Helper()
	recs, err := reg.AdminHistory(context.Background(), after, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		line := r.Type + "/" + r.Metadata.Actor
		if r.Type == readmodel.TypeRoleGranted || r.Type == readmodel.TypeRoleRevoked {
			line += "/" + strings.Trim(strings.SplitN(strings.SplitN(string(r.Data), `"subject":`, 2)[1], ",", 2)[0], `" }`)
		}
		out = append(out, line)
	}
	return out
}

func headVersion(t *testing.T, reg *readmodel.Registry) int64 {
	t.Helper()
	recs, err := reg.AdminHistory(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return int64(len(recs))
}

// TestSeedRevokesRemovedGrants: a grant removed from the seed file is
// revoked at the next start, recorded as RoleRevoked by the seed; a grant
// an admin made, or made again after the seed, stays; applying the same
// seed again records nothing.
func TestSeedRevokesRemovedGrants(t *testing.T) {
	ctx := context.Background()
	a, _ := newSeedApp(t)
	first := adminSeedUnits + `grants:
  - {subject: handler1, role: HANDLER, unit: lai-chau/tan-uyen}
  - {subject: leader1, role: LEADER, unit: lai-chau/tan-uyen}
  - {subject: admin1, role: ADMIN, unit: lai-chau}
` + seedPeople
	if err := a.applySeed(ctx, parseTestSeed(t, first)); err != nil {
		t.Fatal(err)
	}
	// An admin gives handler1 a grant of its own, and takes leader1's
	// seed grant back and gives it again: now it is the admin's.
	admin := a.admin()
	ch := readmodel.Change{Actor: "admin1", Reason: "phân công lại"}
	if err := admin.GrantRole(ctx, ch, "handler1", api.RoleHandler, "lai-chau/tan-uyen/xa-phuc-khoa"); err != nil {
		t.Fatal(err)
	}
	if err := admin.RevokeRole(ctx, ch, "leader1", api.RoleLeader, "lai-chau/tan-uyen"); err != nil {
		t.Fatal(err)
	}
	if err := admin.GrantRole(ctx, ch, "leader1", api.RoleLeader, "lai-chau/tan-uyen"); err != nil {
		t.Fatal(err)
	}
	head := headVersion(t, a.registry)

	// The next start's seed lists neither handler1's nor leader1's grant.
	second := adminSeedUnits + `grants:
  - {subject: admin1, role: ADMIN, unit: lai-chau}
` + seedPeople
	if err := a.applySeed(ctx, parseTestSeed(t, second)); err != nil {
		t.Fatal(err)
	}
	if got := adminTrail(t, a.registry, head); strings.Join(got, ",") != "RoleRevoked/seed/handler1" {
		t.Fatalf("the second seed recorded %v; want handler1's seed grant revoked by the seed", got)
	}
	recs, _ := a.registry.AdminHistory(ctx, head, 0)
	if recs[0].Metadata.Reason != "seed file /etc/casetrail/seed.yaml" {
		t.Errorf("reason %q", recs[0].Metadata.Reason)
	}
	allowed := func(sub, role, unit string) bool {
		t.Helper()
		held, err := a.authz.HasGrant(ctx, sub, role, unit)
		if err != nil {
			t.Fatal(err)
		}
		return held
	}
	if allowed("handler1", api.RoleHandler, "lai-chau/tan-uyen") {
		t.Error("the grant removed from the seed is still held")
	}
	if ok, _ := a.authz.Allowed("handler1", incident.CmdTriageCase, "lai-chau/tan-uyen/xa-trung-dong"); ok {
		t.Error("the authorizer still allows the revoked grant")
	}
	if !allowed("handler1", api.RoleHandler, "lai-chau/tan-uyen/xa-phuc-khoa") || !allowed("leader1", api.RoleLeader, "lai-chau/tan-uyen") {
		t.Error("the seed revoked a grant an admin made")
	}
	// The same seed again: nothing to record.
	head = headVersion(t, a.registry)
	if err := a.applySeed(ctx, parseTestSeed(t, second)); err != nil {
		t.Fatal(err)
	}
	if got := adminTrail(t, a.registry, head); len(got) != 0 {
		t.Fatalf("the unchanged seed recorded %v", got)
	}
	// Listed again, it is granted again by the seed.
	if err := a.applySeed(ctx, parseTestSeed(t, first)); err != nil {
		t.Fatal(err)
	}
	if got := adminTrail(t, a.registry, head); strings.Join(got, ",") != "RoleGranted/seed/handler1" {
		t.Fatalf("the first seed again recorded %v", got)
	}
}

// TestUnitAndGrantCommands: `casetrail unit` and `casetrail user
// grant|revoke` make the administration's changes, recorded with the
// operator (cli:<os user>, or --actor) and the required reason, refused as
// the API refuses them.
func TestUnitAndGrantCommands(t *testing.T) {
	ctx := context.Background()
	a, cfg := newSeedApp(t)
	if err := a.applySeed(ctx, parseTestSeed(t, adminSeedUnits+"grants:\n  - {subject: handler1, role: HANDLER, unit: lai-chau/tan-uyen}\n")); err != nil {
		t.Fatal(err)
	}
	head := headVersion(t, a.registry)
	run := func(command func(context.Context, Config, *flag.FlagSet, []string, io.Writer) error, args ...string) (string, error) {
		t.Helper()
		fs := flag.NewFlagSet("admin", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		c := cfg
		c.flags(fs, "unit")
		var out bytes.Buffer
		err := command(ctx, c, fs, args, &out)
		return out.String(), err
	}
	mustRun := func(command func(context.Context, Config, *flag.FlagSet, []string, io.Writer) error, args ...string) string {
		t.Helper()
		out, err := run(command, args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out
	}
	const reason = "--reason=Nghị quyết 1671 sắp xếp xã"
	mustRun(unitCommand, "add", "--id", "lai-chau/tan-uyen/xa-ta-mit", "--name", "UBND xã Tà Mít", "--parent", "lai-chau/tan-uyen", reason)
	mustRun(unitCommand, "rename", "lai-chau/tan-uyen/xa-ta-mit", "--name", "UBND xã Tà Mít (mới)", reason, "--actor", "operator-lan")
	mustRun(unitCommand, "move", "lai-chau/tan-uyen/xa-ta-mit", "--parent", "lai-chau", reason)
	if out := mustRun(unitCommand, "close", "lai-chau/tan-uyen/xa-trung-dong", "--successor", "lai-chau/tan-uyen/xa-phuc-khoa", reason); !strings.Contains(out, "xa-phuc-khoa") {
		t.Errorf("close printed %q", out)
	}
	out := mustRun(unitCommand, "list")
	if !strings.Contains(out, "lai-chau/tan-uyen/xa-ta-mit") || !strings.Contains(out, "UBND xã Tà Mít (mới)") ||
		!strings.Contains(out, "lai-chau/tan-uyen/xa-phuc-khoa") {
		t.Errorf("list:\n%s", out)
	}
	for _, bad := range []struct {
		args []string
		says string
	}{
		{[]string{"add", "--id", "lai-chau/x", "--name", "X", "--parent", "lai-chau"}, "--reason is required"},
		{[]string{"add", "--id", "Lai Chau/X", "--name", "X", reason}, "id:"},
		{[]string{"move", "lai-chau/tan-uyen", "--parent", "lai-chau/tan-uyen/xa-phuc-khoa", reason}, "parent:"},
		{[]string{"close", "lai-chau/tan-uyen", "--successor", "lai-chau", reason}, "open sub-units"},
		{[]string{"close", "lai-chau/tan-uyen/xa-phuc-khoa", reason}, "--successor is required"},
		{[]string{"rename", "lai-chau/nowhere", "--name", "X", reason}, "not found"},
	} {
		if _, err := run(unitCommand, bad.args...); err == nil || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("unit %v: %v; want an error saying %q", bad.args, err, bad.says)
		}
	}

	mustRun(userCommand, "grant", "handler1", "--role", "LEADER", "--unit", "lai-chau/tan-uyen/xa-ta-mit", reason)
	if _, err := run(userCommand, "grant", "ghost", "--role", "LEADER", "--unit", "lai-chau", reason); err == nil || !strings.Contains(err.Error(), "subject:") {
		t.Errorf("grant to nobody: %v", err)
	}
	if _, err := run(userCommand, "grant", "handler1", "--role", "LEADER", "--unit", "lai-chau"); err == nil || !strings.Contains(err.Error(), "--reason") {
		t.Errorf("grant without a reason: %v", err)
	}
	mustRun(userCommand, "revoke", "handler1", "--role", "LEADER", "--unit", "lai-chau/tan-uyen/xa-ta-mit", reason)
	if _, err := run(userCommand, "revoke", "handler1", "--role", "LEADER", "--unit", "lai-chau/tan-uyen/xa-ta-mit", reason); err == nil ||
		!strings.Contains(err.Error(), "does not hold") {
		t.Errorf("revoking twice: %v", err)
	}

	recs, err := a.registry.AdminHistory(ctx, head, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.Type+"/"+r.Metadata.Actor)
		if r.Metadata.Reason != "Nghị quyết 1671 sắp xếp xã" {
			t.Errorf("%s: reason %q", r.Type, r.Metadata.Reason)
		}
	}
	cli := "cli:" + osUser()
	want := []string{"UnitDefined/" + cli, "UnitChanged/operator-lan", "UnitChanged/" + cli, "UnitClosed/" + cli, "RoleGranted/" + cli, "RoleRevoked/" + cli}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("admin stream: %v\nwant %v", got, want)
	}
	if u, err := a.registry.Unit(ctx, "lai-chau/tan-uyen/xa-trung-dong"); err != nil || u.Successor != "lai-chau/tan-uyen/xa-phuc-khoa" || !u.Closed() {
		t.Errorf("closed unit %+v %v", u, err)
	}
}

package readmodel

import (
	"context"
	"io/fs"
	"testing"

	"casetrail/eventstore"
	"casetrail/eventstore/pgtest"
	"casetrail/incident"
)

func TestUnits(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// Children before parents, escalation targets before they exist: one
	// transaction sorts it out.
	units := []incident.Unit{
		{ID: "lai-chau/tan-uyen/xa-phuc-khoa", Name: "UBND xã Phúc Khoa", Parent: "lai-chau/tan-uyen"},
		{ID: "lai-chau/tan-uyen", Name: "Tân Uyên", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl", Symbol: "UBND-VHTT"},
		{ID: "lai-chau", Name: "Tỉnh Lai Châu"},
		{ID: "lai-chau/so-vhttdl", Name: "Sở Văn hóa, Thể thao và Du lịch", Parent: "lai-chau"},
		{ID: "lai-chau/xa-sin-ho", Name: "UBND xã Sìn Hồ", Parent: "lai-chau"},
	}
	if err := e.reg.UpsertUnits(ctx, units); err != nil {
		t.Fatal(err)
	}
	// Idempotent.
	if err := e.reg.UpsertUnits(ctx, units); err != nil {
		t.Fatal(err)
	}
	all, err := e.reg.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 || all[0].ID != "lai-chau" || all[2].Symbol != "UBND-VHTT" {
		t.Fatalf("units: %+v", all)
	}
	u, err := e.reg.Unit(ctx, "lai-chau/tan-uyen/xa-phuc-khoa")
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "unit", u, units[0])
	if _, err := e.reg.Unit(ctx, "ha-noi"); codeOf(err) != incident.CodeNotFound {
		t.Fatalf("unknown unit: %v", err)
	}

	for _, tc := range []struct{ unit, want string }{
		{"lai-chau/tan-uyen/xa-phuc-khoa", "lai-chau/so-vhttdl"}, // nearest ancestor's
		{"lai-chau/tan-uyen", "lai-chau/so-vhttdl"},              // its own
		{"lai-chau/xa-sin-ho", ""},                               // none up the chain
		{"lai-chau", ""},
	} {
		got, err := e.reg.EscalationTarget(ctx, tc.unit)
		if err != nil || got != tc.want {
			t.Fatalf("escalation target of %s: %q %v, want %q", tc.unit, got, err, tc.want)
		}
	}
	if _, err := e.reg.EscalationTarget(ctx, "ha-noi"); codeOf(err) != incident.CodeNotFound {
		t.Fatalf("escalation target of an unknown unit: %v", err)
	}
	// Units are data: the commune moves up to the province and now
	// escalates where the province says.
	if err := e.reg.UpsertUnits(ctx, []incident.Unit{
		{ID: "lai-chau", Name: "Tỉnh Lai Châu", EscalatesTo: "lai-chau/so-vhttdl"},
		{ID: "lai-chau/tan-uyen/xa-phuc-khoa", Name: "UBND xã Phúc Khoa", Parent: "lai-chau"},
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.reg.EscalationTarget(ctx, "lai-chau/xa-sin-ho"); got != "lai-chau/so-vhttdl" {
		t.Fatalf("after the reform: %q", got)
	}

	for name, tc := range map[string]struct {
		units []incident.Unit
		field string
	}{
		"unknown parent":     {[]incident.Unit{{ID: "x", Name: "X", Parent: "nowhere"}}, "parent"},
		"unknown escalation": {[]incident.Unit{{ID: "x", Name: "X", EscalatesTo: "nowhere"}}, "escalatesTo"},
		"own parent":         {[]incident.Unit{{ID: "x", Name: "X", Parent: "x"}}, "parent"},
		"escalates to self":  {[]incident.Unit{{ID: "x", Name: "X", EscalatesTo: "x"}}, "escalatesTo"},
		"cycle":              {[]incident.Unit{{ID: "lai-chau", Name: "Tỉnh", Parent: "lai-chau/tan-uyen"}}, "parent"},
		"empty id":           {[]incident.Unit{{ID: "", Name: "X"}}, "id"},
		"empty segment":      {[]incident.Unit{{ID: "a//b", Name: "X"}}, "id"},
		"space in id":        {[]incident.Unit{{ID: "lai chau", Name: "X"}}, "id"},
		"no name":            {[]incident.Unit{{ID: "y", Name: " "}}, "name"},
	} {
		t.Run(name, func(t *testing.T) {
			err := e.reg.UpsertUnits(ctx, tc.units)
			var ie *incident.Error
			if !asError(err, &ie) || ie.Code != incident.CodeBadUserInput || ie.Field != tc.field {
				t.Fatalf("got %v, want BAD_USER_INPUT on %s", err, tc.field)
			}
		})
	}
	// A failed upsert writes nothing.
	if after, _ := e.reg.Units(ctx); len(after) != 5 {
		t.Fatalf("%d units after failed upserts", len(after))
	}
}

func TestOfficialAccounts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.reg.UpsertUnits(ctx, genUnits); err != nil {
		t.Fatal(err)
	}
	a, err := e.reg.RegisterOfficialAccount(ctx, testChange, "lai-chau/tan-uyen", incident.Facebook, " https://www.facebook.com/ubndtanuyen/?fbclid=1 ", "UBND huyện Tân Uyên")
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == "" || a.NormalizedURL != "https://facebook.com/ubndtanuyen" || a.URL != "https://www.facebook.com/ubndtanuyen/?fbclid=1" || !a.Verified || a.CreatedAt.IsZero() {
		t.Fatalf("account %+v", a)
	}
	// The same account again, written differently: the stored one, unchanged.
	again, err := e.reg.RegisterOfficialAccount(ctx, testChange, "lai-chau/tan-uyen", incident.Facebook, "http://m.facebook.com/ubndtanuyen", "Tên khác")
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "re-registered", again, a)
	if _, err := e.reg.RegisterOfficialAccount(ctx, testChange, "lai-chau/xa-sin-ho", incident.Facebook, "https://facebook.com/ubndtanuyen", "Sìn Hồ"); codeOf(err) != incident.CodeConflict {
		t.Fatalf("same URL for another unit: %v", err)
	}
	b, err := e.reg.RegisterOfficialAccount(ctx, testChange, "lai-chau/tan-uyen/xa-phuc-khoa", incident.Zalo, "https://zalo.me/ubndxaphuckhoa", "UBND xã Phúc Khoa")
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.reg.RegisterOfficialAccount(ctx, testChange, "dien-bien", incident.Facebook, "https://www.facebook.com/dienbien.gov.vn", "Điện Biên")
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		unit     string
		platform incident.Platform
		url      string
		name     string
		code     string
	}{
		"relative url":     {"dien-bien", incident.Facebook, "facebook.com/x", "X", incident.CodeBadUserInput},
		"ftp url":          {"dien-bien", incident.Facebook, "ftp://x.vn/a", "X", incident.CodeBadUserInput},
		"unknown platform": {"dien-bien", "MYSPACE", "https://x.vn", "X", incident.CodeBadUserInput},
		"no name":          {"dien-bien", incident.Facebook, "https://x.vn", "", incident.CodeBadUserInput},
		"unknown unit":     {"ha-noi", incident.Facebook, "https://x.vn", "X", incident.CodeNotFound},
	} {
		if _, err := e.reg.RegisterOfficialAccount(ctx, testChange, tc.unit, tc.platform, tc.url, tc.name); codeOf(err) != tc.code {
			t.Fatalf("%s: %v, want %s", name, err, tc.code)
		}
	}

	list := func(unit string) []string { return accountIDs(t, e, unit) }
	mustEqual(t, "all", list(""), []string{c.ID, a.ID, b.ID})
	mustEqual(t, "subtree", list("lai-chau"), []string{a.ID, b.ID})
	mustEqual(t, "leaf", list("lai-chau/tan-uyen/xa-phuc-khoa"), []string{b.ID})
	mustEqual(t, "none", list("lai-chau/tan"), []string(nil))

	refs, err := e.reg.OfficialAccountRefs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "refs", refs, []incident.OfficialAccountRef{c.Ref(), a.Ref(), b.Ref()})
	if refs[1] != (incident.OfficialAccountRef{ID: a.ID, Unit: "lai-chau/tan-uyen", Platform: incident.Facebook, URL: a.URL, DisplayName: "UBND huyện Tân Uyên"}) {
		t.Fatalf("ref %+v", refs[1])
	}
}

// TestOfficialAccountsFollowParents: a unit's accounts include those of a
// child whose id does not start with the unit's (ids are names, not paths),
// and not those of a unit whose id only looks like a child's.
func TestOfficialAccountsFollowParents(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	units := append(genUnits[:0:0], genUnits...)
	units = append(units,
		incident.Unit{ID: "phong-vhtt-tan-uyen", Name: "Phòng VH-TT Tân Uyên", Parent: "lai-chau/tan-uyen"},
		incident.Unit{ID: "lai-chau/tan-uyen-cu", Name: "Tân Uyên (cũ)", Parent: "dien-bien"},
	)
	if err := e.reg.UpsertUnits(ctx, units); err != nil {
		t.Fatal(err)
	}
	register := func(unit, url string) string {
		t.Helper()
		a, err := e.reg.RegisterOfficialAccount(ctx, testChange, unit, incident.Facebook, url, "Trang "+unit)
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	district := register("lai-chau/tan-uyen", "https://www.facebook.com/ubndtanuyen")
	office := register("phong-vhtt-tan-uyen", "https://www.facebook.com/vhtt.tanuyen")
	lookalike := register("lai-chau/tan-uyen-cu", "https://www.facebook.com/tanuyencu")
	list := func(unit string) []string { return accountIDs(t, e, unit) }
	mustEqual(t, "district", list("lai-chau/tan-uyen"), []string{district, office})
	mustEqual(t, "province", list("lai-chau"), []string{district, office})
	mustEqual(t, "office", list("phong-vhtt-tan-uyen"), []string{office})
	mustEqual(t, "other province", list("dien-bien"), []string{lookalike})
}

// accountIDs returns the ids of the official accounts of unit's subtree, in
// the registry's order.
func accountIDs(t *testing.T, e *env, unit string) []string {
	t.Helper()
	accs, err := e.reg.OfficialAccounts(e.ctx, unit)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range accs {
		ids = append(ids, a.ID)
	}
	return ids
}

func TestSchemaIsIdempotent(t *testing.T) {
	e := newEnv(t)
	errs := make(chan error, 3)
	for range 3 {
		go func() { errs <- EnsureSchema(context.Background(), e.store.Pool()) }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	files, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var v int
	if err := e.store.Pool().QueryRow(context.Background(), `SELECT version FROM `+VersionTable).Scan(&v); err != nil || v != len(files) || v < 2 {
		t.Fatalf("schema version %d %v, want %d (the migrations)", v, err, len(files))
	}
	var paths []string
	if err := e.store.Pool().QueryRow(context.Background(), `SELECT readmodel_unit_path('a/b/c')`).Scan(&paths); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "unit path", paths, []string{"a", "a/b", "a/b/c"})
}

// Migration 2 takes the facet lexemes ('status:CLOSED' and the like) out of
// the search vectors stored by version 1, and keeps the words.
func TestMigrationDropsFacetLexemes(t *testing.T) {
	ctx := context.Background()
	store, err := eventstore.Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	conn, err := store.Pool().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	m, err := newMigrator(ctx, conn.Conn())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.MigrateTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO cases (id, number, kind, status, severity, unit, reported_by, reported_at, updated_at, version, search, global_position, doc)
		VALUES ('a', 'VV-2026-000001', 'IMPERSONATION', 'CLOSED', NULL, 'lai-chau/tan-uyen', 'r', now(), now(), 3,
			$$'gia' 'kind:IMPERSONATION' 'mao' 'status' 'status:CLOSED' 'unit:lai-chau/tan-uyen'$$, 3, '{}')`); err != nil {
		t.Fatal(err)
	}
	if err := m.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var search string
	if err := conn.QueryRow(ctx, `SELECT search::text FROM cases WHERE id = 'a'`).Scan(&search); err != nil {
		t.Fatal(err)
	}
	if want := `'gia' 'mao' 'status'`; search != want {
		t.Fatalf("search after migration = %s, want %s", search, want)
	}
}

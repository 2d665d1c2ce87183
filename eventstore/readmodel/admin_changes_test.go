package readmodel

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"casetrail/incident"
)

var adminChange = Change{Actor: "admin1", Reason: "Quyết định 1234/QĐ-UBND"}

// lastAdminEvent returns the last event of the admin stream with its
// payload decoded into v (when not nil).
func lastAdminEvent(t *testing.T, e *env, v any) [3]string {
	t.Helper()
	recs, err := e.reg.AdminHistory(e.ctx, 0, 0)
	if err != nil || len(recs) == 0 {
		t.Fatalf("admin stream: %d events, %v", len(recs), err)
	}
	last := recs[len(recs)-1]
	if v != nil {
		if err := json.Unmarshal(last.Data, v); err != nil {
			t.Fatal(err)
		}
	}
	return [3]string{last.Type, last.Metadata.Actor, last.Metadata.Reason}
}

// TestUnitAdministration: units created, changed and closed by an admin
// are events with the admin and the reason; refused changes record
// nothing; the seed's next definition neither reopens a closed unit nor
// undoes the admin's change; a replay restores closing.
func TestUnitAdministration(t *testing.T) {
	e := newEnv(t)
	ctx := e.ctx
	seed := Change{Actor: "seed", Reason: "seed file demo.yaml"}
	if _, err := e.reg.DefineUnits(ctx, seed, genUnits); err != nil {
		t.Fatal(err)
	}
	count := func() int { return len(adminEvents(t, e)) }
	start := count()

	// Created.
	u, err := e.reg.CreateUnit(ctx, adminChange, incident.Unit{ID: "lai-chau/tan-uyen/xa-ta-mit", Name: " UBND xã Tà Mít ",
		Parent: "lai-chau/tan-uyen", Symbol: " UBND "})
	if err != nil {
		t.Fatal(err)
	}
	var payload incident.Unit
	if got := lastAdminEvent(t, e, &payload); got != [3]string{TypeUnitDefined, "admin1", adminChange.Reason} || payload != u {
		t.Fatalf("created: %v %+v", got, payload)
	}
	if stored, _ := e.reg.Unit(ctx, u.ID); stored != u || u.Symbol != "UBND" {
		t.Fatalf("stored %+v, answered %+v", stored, u)
	}
	for _, bad := range []struct {
		u     incident.Unit
		field string
	}{
		{incident.Unit{ID: "lai-chau/tan-uyen/xa-ta-mit", Name: "Trùng"}, "id"},
		{incident.Unit{ID: "Lai-Chau/Moi", Name: "Hoa"}, "id"},
		{incident.Unit{ID: "lai-chau/moi", Name: "Mới", Parent: "nowhere"}, "parent"},
		{incident.Unit{ID: "lai-chau/moi", Name: "Mới", EscalatesTo: "nowhere"}, "escalatesTo"},
		{incident.Unit{ID: "lai-chau/moi", Name: " "}, "name"},
	} {
		var de *incident.Error
		if _, err := e.reg.CreateUnit(ctx, adminChange, bad.u); !asError(err, &de) || de.Code != incident.CodeBadUserInput || de.Field != bad.field {
			t.Errorf("create %+v: %v; want BAD_USER_INPUT on %s", bad.u, err, bad.field)
		}
	}
	if n := count(); n != start+1 {
		t.Fatalf("refused creations recorded: %d events, want %d", n, start+1)
	}

	// Changed: renamed and moved; a cycle and nothing at all record nothing.
	name, parent := "Huyện Tân Uyên", "lai-chau/so-vhttdl"
	moved, err := e.reg.UpdateUnit(ctx, adminChange, "lai-chau/tan-uyen", UnitChange{Name: &name, Parent: &parent})
	if err != nil || moved.Name != name || moved.Parent != parent || moved.EscalatesTo != "lai-chau/so-vhttdl" {
		t.Fatalf("update: %+v %v", moved, err)
	}
	if payload = (incident.Unit{}); lastAdminEvent(t, e, &payload)[0] != TypeUnitChanged || payload != moved {
		t.Fatalf("changed: %+v", payload)
	}
	loop := "lai-chau/tan-uyen/xa-ta-mit"
	if _, err := e.reg.UpdateUnit(ctx, adminChange, "lai-chau/tan-uyen", UnitChange{Parent: &loop}); codeOf(err) != incident.CodeBadUserInput {
		t.Fatalf("a cycle: %v", err)
	}
	if _, err := e.reg.UpdateUnit(ctx, adminChange, "lai-chau/tan-uyen", UnitChange{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.reg.UpdateUnit(ctx, adminChange, "nowhere", UnitChange{Name: &name}); codeOf(err) != incident.CodeNotFound {
		t.Fatalf("unknown unit: %v", err)
	}
	if n := count(); n != start+2 {
		t.Fatalf("%d events after the changes, want %d", n, start+2)
	}

	// Closed: not while sub-units are open; the successor must be open and
	// outside; closing records UnitClosed with the time and the successor.
	if _, err := e.reg.CloseUnit(ctx, adminChange, "lai-chau/tan-uyen", "lai-chau"); codeOf(err) != incident.CodeBadUserInput ||
		!strings.Contains(err.Error(), "lai-chau/tan-uyen/xa-phuc-khoa") {
		t.Fatalf("close with open communes: %v", err)
	}
	if _, err := e.reg.CloseUnit(ctx, adminChange, "lai-chau/tan-uyen/xa-phuc-khoa", "lai-chau/nowhere"); codeOf(err) != incident.CodeBadUserInput {
		t.Fatalf("unknown successor: %v", err)
	}
	closed, err := e.reg.CloseUnit(ctx, adminChange, "lai-chau/tan-uyen/xa-phuc-khoa", "lai-chau/tan-uyen/xa-trung-dong")
	if err != nil || !closed.Closed() || closed.Successor != "lai-chau/tan-uyen/xa-trung-dong" {
		t.Fatalf("close: %+v %v", closed, err)
	}
	if payload = (incident.Unit{}); lastAdminEvent(t, e, &payload)[0] != TypeUnitClosed || payload != closed {
		t.Fatalf("closed: %+v", payload)
	}
	if stored, _ := e.reg.Unit(ctx, closed.ID); stored != closed {
		t.Fatalf("stored %+v, answered %+v", stored, closed)
	}
	if _, err := e.reg.CloseUnit(ctx, adminChange, closed.ID, "lai-chau"); codeOf(err) != incident.CodeBadUserInput {
		t.Fatalf("closed twice: %v", err)
	}
	if _, err := e.reg.CloseUnit(ctx, adminChange, "lai-chau/tan-uyen/xa-muong-khoa", closed.ID); codeOf(err) != incident.CodeBadUserInput {
		t.Fatalf("a closed successor: %v", err)
	}

	// The seed applied again records nothing: the closed unit stays closed,
	// the admin's rename and move stay.
	before := count()
	if n, err := e.reg.DefineUnits(ctx, seed, genUnits); err != nil || n != 0 || count() != before {
		t.Fatalf("seed again: %d changed, %v, %d events (was %d)", n, err, count(), before)
	}
	if u, _ := e.reg.Unit(ctx, closed.ID); u != closed {
		t.Fatalf("seed reopened %+v", u)
	}
	if u, _ := e.reg.Unit(ctx, "lai-chau/tan-uyen"); u != moved {
		t.Fatalf("seed undid the admin's change: %+v", u)
	}

	// Closing is restored from the stream like the rest of the unit.
	if _, err := e.store.Pool().Exec(ctx, `UPDATE units SET closed_at = NULL, successor = NULL`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.reg.ReplayAdmin(ctx); err != nil {
		t.Fatal(err)
	}
	if u, _ := e.reg.Unit(ctx, closed.ID); u != closed {
		t.Fatalf("replayed %+v, want %+v", u, closed)
	}
}

// TestOfficialAccountAdministration: an account's URL, name, verified and
// disabled flags change through events; the normalized URL stays unique; a
// disabled account is no longer OFFICIAL nor matched against, and is
// listed only when asked for; the search ignores case and diacritics; a
// replay restores the changes.
func TestOfficialAccountAdministration(t *testing.T) {
	e := newEnv(t)
	ctx := e.ctx
	if err := e.reg.UpsertUnits(ctx, genUnits); err != nil {
		t.Fatal(err)
	}
	a, err := e.reg.RegisterOfficialAccount(ctx, adminChange, "lai-chau/tan-uyen", incident.Facebook, "https://www.facebook.com/ubndtanuyen", "UBND huyện Tân Uyên")
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.reg.RegisterOfficialAccount(ctx, adminChange, "lai-chau/cong-an", incident.Zalo, "https://zalo.me/congan-laichau", "Công an tỉnh Lai Châu")
	if err != nil {
		t.Fatal(err)
	}

	url, name := "https://m.facebook.com/tanuyen.gov/?fbclid=x", "Trang thông tin huyện Tân Uyên"
	changed, err := e.reg.ChangeOfficialAccount(ctx, adminChange, a.ID, AccountChange{URL: &url, DisplayName: &name})
	if err != nil || changed.NormalizedURL != "https://facebook.com/tanuyen.gov" || changed.DisplayName != name || changed.URL != url {
		t.Fatalf("change: %+v %v", changed, err)
	}
	var p AccountChanged
	if got := lastAdminEvent(t, e, &p); got != [3]string{TypeOfficialAccountChanged, "admin1", adminChange.Reason} ||
		strings.Join(p.Changed, ",") != "url,displayName" || p.URL != url || !p.Verified {
		t.Fatalf("changed: %v %+v", got, p)
	}
	taken := "http://zalo.me/congan-laichau/"
	if _, err := e.reg.ChangeOfficialAccount(ctx, adminChange, a.ID, AccountChange{URL: &taken}); codeOf(err) != incident.CodeBadUserInput ||
		!strings.Contains(err.Error(), b.ID) {
		t.Fatalf("a URL another account has: %v", err)
	}
	if _, err := e.reg.ChangeOfficialAccount(ctx, adminChange, "nowhere", AccountChange{DisplayName: &name}); codeOf(err) != incident.CodeNotFound {
		t.Fatalf("unknown account: %v", err)
	}
	before := len(adminEvents(t, e))
	if _, err := e.reg.ChangeOfficialAccount(ctx, adminChange, a.ID, AccountChange{DisplayName: &name}); err != nil || len(adminEvents(t, e)) != before {
		t.Fatalf("no change recorded something: %v", err)
	}

	// Disabled: no longer OFFICIAL, not matched, listed when asked for.
	check := func(want string) {
		t.Helper()
		res, err := e.reader.CheckAccount(ctx, "https://facebook.com/tanuyen.gov")
		if err != nil || res.Result != want {
			t.Fatalf("check: %+v %v; want %s", res, err, want)
		}
	}
	check(incident.AccountOfficial)
	yes, no := true, false
	off, err := e.reg.ChangeOfficialAccount(ctx, adminChange, a.ID, AccountChange{Disabled: &yes, Verified: &no})
	if err != nil || !off.Disabled || off.Verified {
		t.Fatalf("disable: %+v %v", off, err)
	}
	check(incident.AccountUnknown)
	refs, _ := e.reg.OfficialAccountRefs(ctx)
	if len(refs) != 1 || refs[0].ID != b.ID {
		t.Fatalf("refs with one disabled: %+v", refs)
	}
	search := func(q AccountQuery) (ids []string) {
		t.Helper()
		list, err := e.reg.SearchOfficialAccounts(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			ids = append(ids, x.ID)
		}
		return ids
	}
	mustEqual(t, "all", search(AccountQuery{}), []string{b.ID})
	mustEqual(t, "with disabled", search(AccountQuery{IncludeDisabled: true}), []string{b.ID, a.ID})
	mustEqual(t, "folded name", search(AccountQuery{Search: "CONG AN tinh", IncludeDisabled: true}), []string{b.ID})
	mustEqual(t, "folded name of a disabled", search(AccountQuery{Search: "thong tin tân uyên", IncludeDisabled: true}), []string{a.ID})
	mustEqual(t, "URL", search(AccountQuery{Search: "tanuyen.gov", IncludeDisabled: true}), []string{a.ID})
	mustEqual(t, "unit", search(AccountQuery{Unit: "lai-chau/tan-uyen", IncludeDisabled: true}), []string{a.ID})
	if got := search(AccountQuery{Search: "điện biên"}); len(got) != 0 {
		t.Fatalf("nothing matches: %v", got)
	}
	on, err := e.reg.ChangeOfficialAccount(ctx, adminChange, a.ID, AccountChange{Disabled: &no})
	if err != nil || on.Disabled {
		t.Fatalf("enable: %+v %v", on, err)
	}
	check(incident.AccountOfficial)
	if _, err := e.reg.ChangeOfficialAccount(ctx, adminChange, a.ID, AccountChange{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}

	// The rows are the projection of the stream.
	want, _ := e.reg.OfficialAccounts(ctx, "")
	if _, err := e.store.Pool().Exec(ctx, `DELETE FROM official_accounts`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.reg.ReplayAdmin(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := e.reg.OfficialAccounts(ctx, "")
	mustEqual(t, "replayed accounts", got, want)
	if _, err := e.store.Pool().Exec(ctx, `UPDATE official_accounts SET disabled = false, url = 'https://x.y/z', normalized_url = 'https://x.y/z' WHERE id = $1`, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.reg.ReplayAdmin(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ = e.reg.OfficialAccounts(ctx, "")
	mustEqual(t, "accounts edited then replayed", got, want)
}

// TestRecordChange: Record runs check, appends, then applies under the
// admin lock; a failed check records nothing, ErrUnchanged records nothing
// and succeeds, a failed apply leaves the event and returns the failure.
func TestRecordChange(t *testing.T) {
	e := newEnv(t)
	ctx := e.ctx
	var applied []string
	apply := func(name string) func(ctx context.Context) error {
		return func(ctx context.Context) error { applied = append(applied, name); return nil }
	}
	refuse := incident.BadInput("username", "taken")
	if err := e.reg.Record(ctx, adminChange, TypeUserCreated, UserChange{Username: "a"}, func(ctx context.Context) error { return refuse }, apply("a")); err != refuse {
		t.Fatalf("refused: %v", err)
	}
	if err := e.reg.Record(ctx, adminChange, TypeUserDisabled, UserChange{Username: "b"}, func(ctx context.Context) error { return ErrUnchanged }, apply("b")); err != nil {
		t.Fatalf("unchanged: %v", err)
	}
	if err := e.reg.Record(ctx, adminChange, TypeUserCreated, UserChange{Username: "c", Name: "Cê"}, nil, apply("c")); err != nil {
		t.Fatal(err)
	}
	failed := errors.New("users table gone")
	if err := e.reg.Record(ctx, adminChange, TypePasswordReset, UserChange{Username: "c"}, nil, func(ctx context.Context) error { return failed }); err != failed {
		t.Fatalf("failed apply: %v", err)
	}
	if err := e.reg.Record(ctx, Change{}, TypeUserCreated, UserChange{Username: "d"}, nil, apply("d")); err == nil {
		t.Fatal("a change without an actor was accepted")
	}
	mustEqual(t, "applied", applied, []string{"c"})
	mustEqual(t, "admin stream", adminEvents(t, e), [][3]string{
		{TypeUserCreated, "admin1", adminChange.Reason}, {TypePasswordReset, "admin1", adminChange.Reason}})
	var u UserChange
	lastAdminEvent(t, e, &u)
	mustEqual(t, "payload", u, UserChange{Username: "c"})
}

// TestGrantStates: the last event of each grant, with its actor.
func TestGrantStates(t *testing.T) {
	e := newEnv(t)
	seed := Change{Actor: "seed", Reason: "seed"}
	g1 := RoleGrant{Subject: "a", Role: "HANDLER", Unit: "x"}
	g2 := RoleGrant{Subject: "b", Role: "LEADER", Unit: "x"}
	for _, step := range []struct {
		ch     Change
		g      RoleGrant
		revoke bool
	}{{seed, g1, false}, {seed, g2, false}, {adminChange, g1, true}, {adminChange, g1, false}} {
		if err := e.reg.RecordGrant(e.ctx, step.ch, step.g, step.revoke); err != nil {
			t.Fatal(err)
		}
	}
	got, err := e.reg.GrantStates(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "states", got, []GrantState{{RoleGrant: g2, Actor: "seed"}, {RoleGrant: g1, Actor: "admin1"}})
}

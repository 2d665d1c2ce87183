package readmodel

import (
	"context"
	"encoding/json"
	"testing"

	"casetrail/incident"
)

// testChange is the actor and reason of the registry changes tests make.
var testChange = Change{Actor: "test-admin", Reason: "test"}

// adminEvents returns the admin stream's events as (type, actor, reason).
func adminEvents(t *testing.T, e *env) [][3]string {
	t.Helper()
	recs, err := e.reg.AdminHistory(e.ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][3]string, len(recs))
	for i, r := range recs {
		out[i] = [3]string{r.Type, r.Metadata.Actor, r.Metadata.Reason}
	}
	return out
}

// TestRegisterOfficialAccountIsAnEvent: registering appends one
// OfficialAccountRegistered with the actor and the reason, before the row
// exists; registering it again, or for another unit, appends nothing; the
// admin stream verifies like any stream.
func TestRegisterOfficialAccountIsAnEvent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.reg.UpsertUnits(ctx, genUnits); err != nil {
		t.Fatal(err)
	}
	if got := adminEvents(t, e); len(got) != 0 {
		t.Fatalf("admin stream before any change: %v", got)
	}
	ch := Change{Actor: "admin-1", Reason: "công văn 12/UBND"}
	a, err := e.reg.RegisterOfficialAccount(ctx, ch, "lai-chau/tan-uyen", incident.Facebook, "https://www.facebook.com/ubndtanuyen", "UBND huyện Tân Uyên")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := e.reg.AdminHistory(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Type != TypeOfficialAccountRegistered || recs[0].Metadata.Actor != "admin-1" ||
		recs[0].Metadata.Reason != "công văn 12/UBND" || recs[0].Stream != AdminStream {
		t.Fatalf("admin stream: %+v", recs)
	}
	var p AccountRegistered
	if err := json.Unmarshal(recs[0].Data, &p); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "payload", p, AccountRegistered{ID: a.ID, Unit: a.Unit, Platform: a.Platform, URL: a.URL, NormalizedURL: a.NormalizedURL, DisplayName: a.DisplayName})
	if !a.CreatedAt.Equal(recs[0].OccurredAt) {
		t.Errorf("created at %s, event at %s", a.CreatedAt, recs[0].OccurredAt)
	}
	if _, err := e.reg.RegisterOfficialAccount(ctx, ch, "lai-chau/tan-uyen", incident.Facebook, "http://m.facebook.com/ubndtanuyen", "Khác"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.reg.RegisterOfficialAccount(ctx, ch, "dien-bien", incident.Facebook, "https://facebook.com/ubndtanuyen", "Khác"); codeOf(err) != incident.CodeConflict {
		t.Fatalf("another unit: %v", err)
	}
	if _, err := e.reg.RegisterOfficialAccount(ctx, Change{}, "dien-bien", incident.Facebook, "https://facebook.com/dienbien", "Điện Biên"); err == nil {
		t.Fatal("a change without an actor was accepted")
	}
	if got := adminEvents(t, e); len(got) != 1 {
		t.Fatalf("after repeats: %v", got)
	}
	if accs, _ := e.reg.OfficialAccounts(ctx, "dien-bien"); len(accs) != 0 {
		t.Fatalf("an account without an event was written: %+v", accs)
	}
	rep, err := e.store.Verify(ctx, AdminStream)
	if err != nil || !rep.OK || rep.EventsChecked != 1 {
		t.Fatalf("verify admin stream: %+v %v", rep, err)
	}
}

// TestDefineUnitsRecordsOnlyChanges: the first definition appends one
// UnitDefined per unit, the same units again append nothing, one renamed
// unit appends one UnitChanged, and a refused set appends nothing.
func TestDefineUnitsRecordsOnlyChanges(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ch := Change{Actor: "seed", Reason: "seed file a.yaml"}
	n, err := e.reg.DefineUnits(ctx, ch, genUnits)
	if err != nil || n != len(genUnits) {
		t.Fatalf("define: %d %v", n, err)
	}
	got := adminEvents(t, e)
	if len(got) != len(genUnits) || got[0] != [3]string{TypeUnitDefined, "seed", "seed file a.yaml"} {
		t.Fatalf("admin stream: %v", got)
	}
	if n, err := e.reg.DefineUnits(ctx, ch, genUnits); err != nil || n != 0 {
		t.Fatalf("define again: %d %v", n, err)
	}
	renamed := append([]incident.Unit(nil), genUnits...)
	renamed[1].Name += " (mới)"
	if n, err := e.reg.DefineUnits(ctx, Change{Actor: "seed", Reason: "seed file b.yaml"}, renamed); err != nil || n != 1 {
		t.Fatalf("rename: %d %v", n, err)
	}
	got = adminEvents(t, e)
	if len(got) != len(genUnits)+1 || got[len(got)-1] != [3]string{TypeUnitChanged, "seed", "seed file b.yaml"} {
		t.Fatalf("after rename: %v", got)
	}
	if u, _ := e.reg.Unit(ctx, renamed[1].ID); u.Name != renamed[1].Name {
		t.Fatalf("unit not renamed: %+v", u)
	}
	bad := []incident.Unit{{ID: "x/y", Name: "Y", Parent: "x/z"}}
	if _, err := e.reg.DefineUnits(ctx, ch, bad); codeOf(err) != incident.CodeBadUserInput {
		t.Fatalf("unknown parent: %v", err)
	}
	if after := adminEvents(t, e); len(after) != len(got) {
		t.Fatalf("a refused definition was recorded: %v", after[len(got):])
	}
}

// TestRecordGrant: a grant and a revocation are events with their actor.
func TestRecordGrant(t *testing.T) {
	e := newEnv(t)
	g := RoleGrant{Subject: "alice", Role: "AUDITOR", Unit: "lai-chau"}
	if err := e.reg.RecordGrant(e.ctx, testChange, g, false); err != nil {
		t.Fatal(err)
	}
	if err := e.reg.RecordGrant(e.ctx, Change{Actor: "bob", Reason: "left"}, g, true); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "admin stream", adminEvents(t, e), [][3]string{{TypeRoleGranted, "test-admin", "test"}, {TypeRoleRevoked, "bob", "left"}})
}

// TestRebuildRestoresRegistryFromAdminStream: rows deleted or edited behind
// the registry's back come back from the admin stream on Rebuild; a row no
// event describes stays.
func TestRebuildRestoresRegistryFromAdminStream(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.reg.DefineUnits(ctx, testChange, genUnits); err != nil {
		t.Fatal(err)
	}
	if err := e.reg.UpsertUnit(ctx, incident.Unit{ID: "legacy", Name: "Legacy"}); err != nil {
		t.Fatal(err)
	}
	a, err := e.reg.RegisterOfficialAccount(ctx, testChange, "lai-chau/tan-uyen", incident.Facebook, "https://www.facebook.com/ubndtanuyen", "UBND huyện Tân Uyên")
	if err != nil {
		t.Fatal(err)
	}
	before, _ := e.reg.Units(ctx)
	if _, err := e.store.Pool().Exec(ctx, `DELETE FROM official_accounts`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Pool().Exec(ctx, `UPDATE units SET name = 'sửa lén' WHERE id = $1`, genUnits[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.proj.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	accs, err := e.reg.OfficialAccounts(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "accounts after rebuild", accs, []incident.OfficialAccount{a})
	after, _ := e.reg.Units(ctx)
	mustEqual(t, "units after rebuild", after, before)
}

// TestUnitOffice: how a unit issues letters (issue 16: drafting unit,
// numbering mode, letterhead, place, default signer) is kept with it, read
// back, recorded on the admin stream when it changes and restored by a
// replay of the stream.
func TestUnitOffice(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	units := append([]incident.Unit(nil), genUnits...)
	i := -1
	for j, u := range units {
		if u.ID == "lai-chau/tan-uyen/xa-phuc-khoa" {
			i = j
		}
	}
	if i < 0 {
		t.Fatal("no xa-phuc-khoa among genUnits")
	}
	if _, err := e.reg.DefineUnits(ctx, testChange, units); err != nil {
		t.Fatal(err)
	}
	before := len(adminEvents(t, e))
	units[i].Drafting, units[i].Numbering = "VP", "MANUAL"
	units[i].IssuingBody, units[i].ParentBody, units[i].Place = "Ủy ban nhân dân\nxã Phúc Khoa", "UBND huyện Tân Uyên", "Phúc Khoa"
	units[i].Signer = incident.Signer{Prefix: "tm", Authority: "Ủy ban nhân dân", Title: "Chủ tịch", Name: "Lò Văn Pấu"}
	if n, err := e.reg.DefineUnits(ctx, testChange, units); err != nil || n != 1 {
		t.Fatalf("define the office: %d %v", n, err)
	}
	want := units[i]
	want.Numbering = incident.NumberingManual
	want.Signer.Prefix = "TM."
	got, err := e.reg.Unit(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "unit", got, want)
	if n, err := e.reg.DefineUnits(ctx, testChange, units); err != nil || n != 0 {
		t.Fatalf("the same office again: %d %v", n, err)
	}
	if ev := adminEvents(t, e); len(ev) != before+1 || ev[len(ev)-1][0] != TypeUnitChanged {
		t.Fatalf("admin stream: %v", ev[before:])
	}
	if _, err := e.store.Pool().Exec(ctx, `UPDATE units SET office = NULL`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.reg.ReplayAdmin(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ = e.reg.Unit(ctx, want.ID)
	mustEqual(t, "replayed unit", got, want)
	bad := append([]incident.Unit(nil), units...)
	bad[i].Numbering = "sometimes"
	if _, err := e.reg.DefineUnits(ctx, testChange, bad); codeOf(err) != incident.CodeBadUserInput {
		t.Fatalf("unknown numbering: %v", err)
	}
}

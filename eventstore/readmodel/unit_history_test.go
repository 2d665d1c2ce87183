package readmodel

import (
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// reorgDay is the first instant of 1/7/2025 in Vietnam, the day of the
// reorganisation.
var reorgDay = time.Date(2025, 7, 1, 0, 0, 0, 0, incident.VietnamTime)

// historyUnits are the units of TestUnitsAsTheyWere, as a seed defines
// them: the new ward with the day it came into being.
var historyUnits = []incident.Unit{
	{ID: "lai-chau", Name: "Tỉnh Lai Châu"},
	{ID: "lai-chau/so-vhttdl", Name: "Sở VHTTDL", Parent: "lai-chau"},
	{ID: "lai-chau/tan-uyen", Name: "Huyện Tân Uyên", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl"},
	{ID: "lai-chau/tan-uyen/xa-phuc-khoa", Name: "UBND xã Phúc Khoa", Parent: "lai-chau/tan-uyen"},
	{ID: "lai-chau/phuong-tan-phong", Name: "UBND phường Tân Phong", Parent: "lai-chau", ValidFrom: reorgDay},
}

// TestUnitsAsTheyWere: validFrom is stored and recorded; a unit created by
// the administration is valid from its creation; a rename shows in the
// periodic report of a period that ends after it, not in one that ended
// before; closing on a day (the seed's reorganisations) is checked against
// the validity of the unit and its successor and dates the closing in the
// history; the history follows the stream incrementally.
func TestUnitsAsTheyWere(t *testing.T) {
	e := newEnv(t)
	ctx := e.ctx
	seed := Change{Actor: "seed", Reason: "seed file test.yaml"}
	if _, err := e.reg.DefineUnits(ctx, seed, historyUnits); err != nil {
		t.Fatal(err)
	}
	if u, err := e.reg.Unit(ctx, "lai-chau/phuong-tan-phong"); err != nil || !u.ValidFrom.Equal(reorgDay) {
		t.Fatalf("validFrom stored: %+v %v", u, err)
	}
	if u, _ := e.reg.Unit(ctx, "lai-chau/tan-uyen"); !u.ValidFrom.IsZero() {
		t.Fatalf("a unit the seed gives no validFrom has one: %v", u.ValidFrom)
	}
	if n, err := e.reg.DefineUnits(ctx, seed, historyUnits); err != nil || n != 0 {
		t.Fatalf("the same seed again: %d changed, %v", n, err)
	}
	before := time.Now()
	created, err := e.reg.CreateUnit(ctx, adminChange, incident.Unit{ID: "lai-chau/to-cong-tac", Name: "Tổ công tác", Parent: "lai-chau"})
	if err != nil {
		t.Fatal(err)
	}
	if created.ValidFrom.Before(before.Truncate(time.Microsecond)) || created.ValidFrom.After(time.Now()) {
		t.Fatalf("created unit valid from %v; want its creation (after %v)", created.ValidFrom, before)
	}

	// Cases of March 2026 (15/02 – 14/03), reported before the rename:
	// the admin stream's events are all recorded now, after them.
	march, err := incident.ParseReportPeriod("2026-03")
	if err != nil {
		t.Fatal(err)
	}
	e.report(t, "reporter1", ict(2026, 3, 2, 9, 0), incident.Report{Unit: "lai-chau/tan-uyen/xa-phuc-khoa"})
	e.catchUp(t)
	e.now = time.Now()
	rowName := func(rep incident.PeriodicReport, id string) string {
		for _, r := range rep.Rows {
			if r.Unit.ID == id {
				return r.Unit.Name
			}
		}
		t.Fatalf("no row of %s in %+v", id, rep.Rows)
		return ""
	}
	rep, err := e.reader.PeriodicReport(ctx, "lai-chau", march)
	if err != nil {
		t.Fatal(err)
	}
	if got := rowName(rep, "lai-chau/tan-uyen"); got != "Huyện Tân Uyên" || rep.Rows[0].Received+rep.Totals.Received == 0 {
		t.Fatalf("before the rename: row %q, %+v", got, rep.Totals)
	}

	renamed := "UBND huyện Tân Uyên"
	if _, err := e.reg.UpdateUnit(ctx, adminChange, "lai-chau/tan-uyen", UnitChange{Name: &renamed}); err != nil {
		t.Fatal(err)
	}
	province := "UBND tỉnh Lai Châu"
	if _, err := e.reg.UpdateUnit(ctx, adminChange, "lai-chau", UnitChange{Name: &province}); err != nil {
		t.Fatal(err)
	}
	e.now = time.Now()
	rep, err = e.reader.PeriodicReport(ctx, "lai-chau", march)
	if err != nil {
		t.Fatal(err)
	}
	if got := rowName(rep, "lai-chau/tan-uyen"); got != "Huyện Tân Uyên" || rep.Unit.Name != "Tỉnh Lai Châu" || rep.Totals.Unit.Name != "Tỉnh Lai Châu" {
		t.Errorf("March, ended before the renames: row %q, unit %q, totals %q; want the old names", got, rep.Unit.Name, rep.Totals.Unit.Name)
	}
	running := incident.PeriodContaining(incident.PeriodMonth, e.now)
	rep, err = e.reader.PeriodicReport(ctx, "lai-chau", running)
	if err != nil {
		t.Fatal(err)
	}
	if got := rowName(rep, "lai-chau/tan-uyen"); got != renamed || rep.Unit.Name != province {
		t.Errorf("the running period, after the renames: row %q, unit %q; want %q, %q", got, rep.Unit.Name, renamed, province)
	}

	// Closing on a day.
	for _, bad := range []struct {
		id, successor string
		at            time.Time
		field         string
	}{
		{"lai-chau/tan-uyen/xa-phuc-khoa", "lai-chau/phuong-tan-phong", time.Now().Add(time.Hour), "validTo"},
		{"lai-chau/tan-uyen/xa-phuc-khoa", "lai-chau/phuong-tan-phong", reorgDay.AddDate(0, -1, 0), "successor"},
		{"lai-chau/tan-uyen", "lai-chau/phuong-tan-phong", reorgDay, "id"}, // its commune is open
	} {
		n := len(adminEvents(t, e))
		if _, err := e.reg.CloseUnitOn(ctx, seed, bad.id, bad.successor, bad.at); codeOf(err) != incident.CodeBadUserInput || fieldOf(err) != bad.field {
			t.Errorf("close %s on %v: %v; want BAD_USER_INPUT on %s", bad.id, bad.at, err, bad.field)
		}
		if len(adminEvents(t, e)) != n {
			t.Errorf("a refused closing recorded an event")
		}
	}
	for _, id := range []string{"lai-chau/tan-uyen/xa-phuc-khoa", "lai-chau/tan-uyen"} {
		u, err := e.reg.CloseUnitOn(ctx, seed, id, "lai-chau/phuong-tan-phong", reorgDay)
		if err != nil {
			t.Fatal(err)
		}
		if !u.ClosedAt.Equal(reorgDay) || u.Successor != "lai-chau/phuong-tan-phong" {
			t.Fatalf("closed %+v", u)
		}
		if got := lastAdminEvent(t, e, nil); got != [3]string{TypeUnitClosed, "seed", seed.Reason} {
			t.Fatalf("closing recorded as %v", got)
		}
	}

	hist, err := e.reg.UnitHistory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at     time.Time
		name   string
		closed bool
	}{
		{reorgDay.Add(-time.Second), "Huyện Tân Uyên", false},
		{reorgDay, "Huyện Tân Uyên", true}, // closed on the day, though recorded now
		{time.Now(), renamed, true},
	} {
		u, ok := hist.UnitAt("lai-chau/tan-uyen", c.at)
		if !ok || u.Name != c.name || u.Closed() != c.closed {
			t.Errorf("tan-uyen at %v: %q closed %v (%v); want %q closed %v", c.at, u.Name, u.Closed(), ok, c.name, c.closed)
		}
	}
	if again, err := e.reg.UnitHistory(ctx); err != nil || again != hist {
		t.Errorf("nothing appended, yet the history was folded again (%v)", err)
	}
	if _, err := e.reg.UpdateUnit(ctx, adminChange, "lai-chau/so-vhttdl", UnitChange{Name: ptr("Sở Văn hóa, Thể thao và Du lịch")}); err != nil {
		t.Fatal(err)
	}
	if later, err := e.reg.UnitHistory(ctx); err != nil || later == hist || !strings.HasPrefix(mustName(t, later, "lai-chau/so-vhttdl"), "Sở Văn hóa") {
		t.Errorf("the history missed an appended change (%v)", err)
	}
	// A reader of another process folds the same history from the stream.
	if other, err := NewReader(e.store.Pool()).UnitHistory(ctx); err != nil || mustName(t, other, "lai-chau/tan-uyen") != renamed {
		t.Errorf("another reader's history: %v", err)
	}
}

func mustName(t *testing.T, h *incident.UnitHistory, id string) string {
	t.Helper()
	name, ok := h.NameAt(id, time.Now())
	if !ok {
		t.Fatalf("the history lacks %s", id)
	}
	return name
}

func fieldOf(err error) string {
	var ie *incident.Error
	if asError(err, &ie) {
		return ie.Field
	}
	return ""
}

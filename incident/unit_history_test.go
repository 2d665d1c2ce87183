package incident_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// vnAt is a wall-clock time in Vietnam.
func vnAt(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, incident.VietnamTime)
}

// unitLife is the recorded life of a few units of Lai Châu (issue 17 §5):
// the seed defines them on 1/3/2025; an admin renames the district on
// 1/5/2025; the seed, applied again on 1/9/2025, records the
// reorganisation of 1/7/2025 (dated back) closing the district and its
// commune into the new ward, which it defines with validFrom 1/7/2025; an
// admin creates a unit on 1/10/2025 and renames the province on 1/11/2025.
var unitLife = func() []incident.UnitRecord {
	reorg := vnAt(2025, 7, 1, 0)
	province := incident.Unit{ID: "lai-chau", Name: "Tỉnh Lai Châu"}
	so := incident.Unit{ID: "lai-chau/so-vhttdl", Name: "Sở VHTTDL", Parent: "lai-chau"}
	district := incident.Unit{ID: "lai-chau/tan-uyen", Name: "Huyện Tân Uyên", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl"}
	commune := incident.Unit{ID: "lai-chau/tan-uyen/xa-phuc-khoa", Name: "UBND xã Phúc Khoa", Parent: "lai-chau/tan-uyen"}
	renamed := district
	renamed.Name = "UBND huyện Tân Uyên"
	ward := incident.Unit{ID: "lai-chau/phuong-tan-phong", Name: "UBND phường Tân Phong", Parent: "lai-chau", ValidFrom: reorg}
	closedCommune := commune
	closedCommune.ClosedAt, closedCommune.Successor = reorg, ward.ID
	closedDistrict := renamed
	closedDistrict.ClosedAt, closedDistrict.Successor = reorg, ward.ID
	created := incident.Unit{ID: "lai-chau/to-cong-tac", Name: "Tổ công tác", Parent: "lai-chau", ValidFrom: vnAt(2025, 10, 1, 9)}
	renamedProvince := province
	renamedProvince.Name = "UBND tỉnh Lai Châu"
	return []incident.UnitRecord{
		{At: vnAt(2025, 3, 1, 8), Unit: province},
		{At: vnAt(2025, 3, 1, 8), Unit: so},
		{At: vnAt(2025, 3, 1, 8), Unit: district},
		{At: vnAt(2025, 3, 1, 8), Unit: commune},
		{At: vnAt(2025, 5, 1, 8), Unit: renamed},
		{At: vnAt(2025, 9, 1, 8), Unit: ward},
		{At: vnAt(2025, 9, 1, 8), Unit: closedCommune},
		{At: vnAt(2025, 9, 1, 8), Unit: closedDistrict},
		{At: vnAt(2025, 10, 1, 9), Unit: created},
		{At: vnAt(2025, 11, 1, 8), Unit: renamedProvince},
	}
}()

func TestUnitHistoryUnitAt(t *testing.T) {
	h := incident.NewUnitHistory(unitLife)
	for _, tc := range []struct {
		name      string
		id        string
		at        time.Time
		ok        bool
		wantName  string
		closed    bool
		successor string
	}{
		{"before the first record: the first known name", "lai-chau/tan-uyen", vnAt(2024, 1, 1, 0), true, "Huyện Tân Uyên", false, ""},
		{"at the first record", "lai-chau/tan-uyen", vnAt(2025, 3, 1, 8), true, "Huyện Tân Uyên", false, ""},
		{"just before the rename", "lai-chau/tan-uyen", vnAt(2025, 5, 1, 7), true, "Huyện Tân Uyên", false, ""},
		{"at the rename", "lai-chau/tan-uyen", vnAt(2025, 5, 1, 8), true, "UBND huyện Tân Uyên", false, ""},
		{"before the reorganisation", "lai-chau/tan-uyen", vnAt(2025, 6, 30, 23), true, "UBND huyện Tân Uyên", false, ""},
		{"the reorganisation dated back: closed on its date though recorded later", "lai-chau/tan-uyen", vnAt(2025, 7, 1, 0), true, "UBND huyện Tân Uyên", true, "lai-chau/phuong-tan-phong"},
		{"closed, after it was recorded", "lai-chau/tan-uyen/xa-phuc-khoa", vnAt(2025, 12, 1, 0), true, "UBND xã Phúc Khoa", true, "lai-chau/phuong-tan-phong"},
		{"the new ward before its validFrom", "lai-chau/phuong-tan-phong", vnAt(2025, 6, 30, 23), false, "", false, ""},
		{"the new ward from its validFrom, before it was recorded", "lai-chau/phuong-tan-phong", vnAt(2025, 7, 1, 0), true, "UBND phường Tân Phong", false, ""},
		{"a unit the administration created, before", "lai-chau/to-cong-tac", vnAt(2025, 10, 1, 8), false, "", false, ""},
		{"a unit the administration created, after", "lai-chau/to-cong-tac", vnAt(2025, 10, 1, 9), true, "Tổ công tác", false, ""},
		{"the province before its rename", "lai-chau", vnAt(2025, 10, 31, 0), true, "Tỉnh Lai Châu", false, ""},
		{"the province after its rename", "lai-chau", vnAt(2025, 11, 2, 0), true, "UBND tỉnh Lai Châu", false, ""},
		{"an unknown unit", "lai-chau/khong-co", vnAt(2025, 11, 2, 0), false, "", false, ""},
	} {
		u, ok := h.UnitAt(tc.id, tc.at)
		if ok != tc.ok || u.Name != tc.wantName || u.Closed() != tc.closed || u.Successor != tc.successor {
			t.Errorf("%s: UnitAt(%s, %s) = %q closed %v successor %q, ok %v; want %q closed %v successor %q, ok %v",
				tc.name, tc.id, tc.at.Format(time.RFC3339), u.Name, u.Closed(), u.Successor, ok, tc.wantName, tc.closed, tc.successor, tc.ok)
		}
		if name, nameOK := h.NameAt(tc.id, tc.at); name != tc.wantName || nameOK != tc.ok {
			t.Errorf("%s: NameAt = %q %v; want %q %v", tc.name, name, nameOK, tc.wantName, tc.ok)
		}
	}
	var none *incident.UnitHistory
	if _, ok := none.UnitAt("lai-chau", vnAt(2025, 1, 1, 0)); ok {
		t.Error("a nil history knows a unit")
	}
}

func TestUnitsAsOf(t *testing.T) {
	for _, tc := range []struct {
		at       time.Time
		units    string // ids of the tree, in order
		target   string // where cases of the district escalate to
		receiver string // where a report to the commune goes
	}{
		{vnAt(2025, 4, 1, 0), "lai-chau lai-chau/so-vhttdl lai-chau/tan-uyen lai-chau/tan-uyen/xa-phuc-khoa",
			"lai-chau/so-vhttdl", "lai-chau/tan-uyen/xa-phuc-khoa"},
		{vnAt(2025, 8, 1, 0), "lai-chau lai-chau/so-vhttdl lai-chau/tan-uyen lai-chau/tan-uyen/xa-phuc-khoa lai-chau/phuong-tan-phong",
			"lai-chau/so-vhttdl", "lai-chau/phuong-tan-phong"},
		{vnAt(2025, 12, 1, 0), "lai-chau lai-chau/so-vhttdl lai-chau/tan-uyen lai-chau/tan-uyen/xa-phuc-khoa lai-chau/phuong-tan-phong lai-chau/to-cong-tac",
			"lai-chau/so-vhttdl", "lai-chau/phuong-tan-phong"},
	} {
		tree := incident.UnitsAsOf(unitLife, tc.at)
		var ids []string
		for _, u := range tree.Units() {
			ids = append(ids, u.ID)
		}
		if got := strings.Join(ids, " "); got != tc.units {
			t.Errorf("%s: units %s; want %s", tc.at.Format("2006-01-02"), got, tc.units)
		}
		if err := tree.Check(); err != nil {
			t.Errorf("%s: %v", tc.at.Format("2006-01-02"), err)
		}
		if got := tree.EscalationTarget("lai-chau/tan-uyen"); got != tc.target {
			t.Errorf("%s: escalation target %q; want %q", tc.at.Format("2006-01-02"), got, tc.target)
		}
		if got, err := tree.ReceivingUnit("lai-chau/tan-uyen/xa-phuc-khoa"); err != nil || got != tc.receiver {
			t.Errorf("%s: receiving unit %q %v; want %q", tc.at.Format("2006-01-02"), got, err, tc.receiver)
		}
	}
	if n := len(incident.UnitsAsOf(nil, vnAt(2025, 1, 1, 0)).Units()); n != 0 {
		t.Errorf("no records: %d units", n)
	}
}

func TestUnitValidity(t *testing.T) {
	from, to := vnAt(2020, 1, 1, 0), vnAt(2025, 7, 1, 0)
	for _, tc := range []struct {
		name string
		u    incident.Unit
		at   time.Time
		want bool
	}{
		{"no known beginning, open", incident.Unit{}, vnAt(1990, 1, 1, 0), true},
		{"before validFrom", incident.Unit{ValidFrom: from}, from.Add(-time.Second), false},
		{"at validFrom", incident.Unit{ValidFrom: from}, from, true},
		{"open, long after", incident.Unit{ValidFrom: from}, vnAt(2040, 1, 1, 0), true},
		{"before closing", incident.Unit{ValidFrom: from, ClosedAt: to}, to.Add(-time.Second), true},
		{"at closing: gone", incident.Unit{ValidFrom: from, ClosedAt: to}, to, false},
		{"closed, no known beginning", incident.Unit{ClosedAt: to}, vnAt(1990, 1, 1, 0), true},
	} {
		if got := tc.u.ValidAt(tc.at); got != tc.want {
			t.Errorf("%s: ValidAt = %v; want %v", tc.name, got, tc.want)
		}
		if !tc.u.ValidTo().Equal(tc.u.ClosedAt) {
			t.Errorf("%s: ValidTo %v differs from ClosedAt %v", tc.name, tc.u.ValidTo(), tc.u.ClosedAt)
		}
	}

	// CleanUnit: validFrom in UTC to the microsecond; no closing before it.
	u, err := incident.CleanUnit(incident.Unit{ID: "a", Name: "A", ValidFrom: from.Add(123 * time.Nanosecond)})
	if err != nil || !u.ValidFrom.Equal(from) || u.ValidFrom.Location() != time.UTC {
		t.Errorf("CleanUnit validFrom = %v %v; want %v in UTC", u.ValidFrom, err, from)
	}
	_, err = incident.CleanUnit(incident.Unit{ID: "a", Name: "A", ValidFrom: to, ClosedAt: from, Successor: "b"})
	if incident.ErrorCode(err) != incident.CodeBadUserInput || fieldOf(err) != "validTo" {
		t.Errorf("closing before validFrom: %v; want BAD_USER_INPUT on validTo", err)
	}

	// Events recorded before validFrom existed fold as before, and a
	// unit's JSON carries it only when known.
	var old incident.Unit
	if err := json.Unmarshal([]byte(`{"id":"a","name":"A","closedAt":"2025-07-01T00:00:00Z","successor":"b"}`), &old); err != nil ||
		!old.ValidFrom.IsZero() || !old.Closed() {
		t.Errorf("an old UnitClosed payload: %+v %v", old, err)
	}
	b, _ := json.Marshal(incident.Unit{ID: "a", Name: "A", ValidFrom: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)})
	if want := `{"id":"a","name":"A","validFrom":"2025-07-01T00:00:00Z"}`; string(b) != want {
		t.Errorf("JSON = %s; want %s", b, want)
	}
}

func TestCheckCloseOn(t *testing.T) {
	now := vnAt(2025, 9, 1, 8)
	tree := incident.NewUnitTree([]incident.Unit{
		{ID: "lai-chau", Name: "Tỉnh Lai Châu"},
		{ID: "lai-chau/tan-uyen", Name: "Tân Uyên", Parent: "lai-chau", ValidFrom: vnAt(2008, 1, 1, 0)},
		{ID: "lai-chau/phuong-tan-phong", Name: "Phường Tân Phong", Parent: "lai-chau", ValidFrom: vnAt(2025, 7, 1, 0)},
		{ID: "lai-chau/xa-cu", Name: "Xã cũ", Parent: "lai-chau"},
	})
	for _, tc := range []struct {
		name, id, successor string
		at                  time.Time
		field, says         string // "" when it may be closed
	}{
		{"the day of the reorganisation", "lai-chau/tan-uyen", "lai-chau/phuong-tan-phong", vnAt(2025, 7, 1, 0), "", ""},
		{"now", "lai-chau/xa-cu", "lai-chau", now, "", ""},
		{"in the future", "lai-chau/tan-uyen", "lai-chau/phuong-tan-phong", vnAt(2025, 9, 2, 0), "validTo", "in the future"},
		{"before the unit was", "lai-chau/tan-uyen", "lai-chau", vnAt(2007, 1, 1, 0), "validTo", "came into being on 2008-01-01"},
		{"before the successor was", "lai-chau/tan-uyen", "lai-chau/phuong-tan-phong", vnAt(2025, 6, 1, 0), "successor", "comes into being on 2025-07-01"},
		{"CheckClose's rules hold too", "lai-chau/tan-uyen", "", vnAt(2025, 7, 1, 0), "successor", "is required"},
	} {
		err := tree.CheckCloseOn(tc.id, tc.successor, tc.at, now)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if incident.ErrorCode(err) != incident.CodeBadUserInput || fieldOf(err) != tc.field || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v; want BAD_USER_INPUT on %s saying %q", tc.name, err, tc.field, tc.says)
		}
	}
}

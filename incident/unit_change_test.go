package incident_test

import (
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// reorganised is a province after the reorganisation of 1/7/2025: the
// district tan-uyen is closed into the province, its commune phuc-khoa
// into the new commune tan-uyen-moi; an old commune still open under the
// closed district is a trap for closing.
var reorganised = func() []incident.Unit {
	closed := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	return []incident.Unit{
		{ID: "lai-chau", Name: "Tỉnh Lai Châu"},
		{ID: "lai-chau/so-vhttdl", Name: "Sở VHTTDL", Parent: "lai-chau"},
		{ID: "lai-chau/tan-uyen", Name: "Tân Uyên", Parent: "lai-chau", ClosedAt: closed, Successor: "lai-chau"},
		{ID: "lai-chau/tan-uyen/xa-phuc-khoa", Name: "Phúc Khoa", Parent: "lai-chau/tan-uyen", ClosedAt: closed, Successor: "lai-chau/xa-tan-uyen-moi"},
		{ID: "lai-chau/tan-uyen/xa-trung-dong", Name: "Trung Đồng", Parent: "lai-chau/tan-uyen"},
		{ID: "lai-chau/xa-tan-uyen-moi", Name: "Xã Tân Uyên", Parent: "lai-chau"},
		{ID: "lai-chau/xa-tan-uyen-moi/thon-1", Name: "Thôn 1", Parent: "lai-chau/xa-tan-uyen-moi"},
		{ID: "lai-chau/xa-cu", Name: "Xã cũ", Parent: "lai-chau", ClosedAt: closed, Successor: "lai-chau/tan-uyen/xa-phuc-khoa"},
		{ID: "lai-chau/xa-mo-coi", Name: "Xã mồ côi", Parent: "lai-chau", ClosedAt: closed},
	}
}()

func TestReceivingUnit(t *testing.T) {
	tree := incident.NewUnitTree(reorganised)
	for _, tc := range []struct {
		id, want, err string
	}{
		{"lai-chau/so-vhttdl", "lai-chau/so-vhttdl", ""},
		{"lai-chau/tan-uyen/xa-phuc-khoa", "lai-chau/xa-tan-uyen-moi", ""},
		{"lai-chau/xa-cu", "lai-chau/xa-tan-uyen-moi", ""}, // two closed in a row
		{"lai-chau/tan-uyen", "lai-chau", ""},
		{"lai-chau/unknown", "lai-chau/unknown", ""}, // existence is the caller's check
		{"lai-chau/xa-mo-coi", "", "no open unit succeeds it"},
	} {
		got, err := tree.ReceivingUnit(tc.id)
		if tc.err != "" {
			if incident.ErrorCode(err) != incident.CodeBadUserInput || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %q %v; want an error saying %q", tc.id, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %q %v; want %q", tc.id, got, err, tc.want)
		}
	}

	loop := incident.NewUnitTree([]incident.Unit{
		{ID: "a", ClosedAt: time.Now(), Successor: "b"}, {ID: "b", ClosedAt: time.Now(), Successor: "a"},
		{ID: "c", ClosedAt: time.Now(), Successor: "gone"},
	})
	for _, id := range []string{"a", "c"} {
		if got, err := loop.ReceivingUnit(id); incident.ErrorCode(err) != incident.CodeBadUserInput {
			t.Errorf("%s: %q %v; want BAD_USER_INPUT", id, got, err)
		}
	}
}

func TestCheckNewUnit(t *testing.T) {
	tree := incident.NewUnitTree(reorganised)
	for _, tc := range []struct {
		name  string
		u     incident.Unit
		field string // "" when accepted
	}{
		{"a commune", incident.Unit{ID: "lai-chau/xa-moi", Name: "Xã mới", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl", Symbol: "UBND"}, ""},
		{"a root", incident.Unit{ID: "dien-bien", Name: "Điện Biên"}, ""},
		{"taken id", incident.Unit{ID: "lai-chau/so-vhttdl", Name: "Trùng"}, "id"},
		{"upper case", incident.Unit{ID: "lai-chau/Xa-Moi", Name: "X", Parent: "lai-chau"}, "id"},
		{"diacritics", incident.Unit{ID: "lai-chau/xã", Name: "X", Parent: "lai-chau"}, "id"},
		{"empty segment", incident.Unit{ID: "lai-chau//x", Name: "X", Parent: "lai-chau"}, "id"},
		{"space", incident.Unit{ID: "lai chau", Name: "X"}, "id"},
		{"unknown parent", incident.Unit{ID: "x", Name: "X", Parent: "nowhere"}, "parent"},
		{"closed parent", incident.Unit{ID: "lai-chau/tan-uyen/xa-moi", Name: "X", Parent: "lai-chau/tan-uyen"}, "parent"},
		{"unknown target", incident.Unit{ID: "x", Name: "X", EscalatesTo: "nowhere"}, "escalatesTo"},
		{"closed target", incident.Unit{ID: "x", Name: "X", EscalatesTo: "lai-chau/tan-uyen"}, "escalatesTo"},
		{"bad symbol", incident.Unit{ID: "x", Name: "X", Symbol: "UBND VHTT"}, "symbol"},
		{"slash in symbol", incident.Unit{ID: "x", Name: "X", Symbol: "UBND/VHTT"}, "symbol"},
		{"born closed", incident.Unit{ID: "x", Name: "X", ClosedAt: time.Now(), Successor: "lai-chau"}, "id"},
	} {
		err := tree.CheckNewUnit(tc.u)
		if got := fieldOf(err); got != tc.field || (tc.field != "" && incident.ErrorCode(err) != incident.CodeBadUserInput) {
			t.Errorf("%s: %v; want field %q", tc.name, err, tc.field)
		}
	}
}

func TestCheckUnitChange(t *testing.T) {
	tree := incident.NewUnitTree(reorganised)
	unit := func(id string) incident.Unit {
		u, ok := tree.Unit(id)
		if !ok {
			t.Fatalf("no unit %s", id)
		}
		return u
	}
	with := func(id string, change func(*incident.Unit)) incident.Unit {
		u := unit(id)
		change(&u)
		return u
	}
	for _, tc := range []struct {
		name  string
		u     incident.Unit
		code  string
		field string
	}{
		{"rename", with("lai-chau/so-vhttdl", func(u *incident.Unit) { u.Name = "Sở VHTTDL mới" }), "", ""},
		{"rename a closed unit", with("lai-chau/tan-uyen", func(u *incident.Unit) { u.Name = "Huyện Tân Uyên (cũ)" }), "", ""},
		{"move", with("lai-chau/xa-tan-uyen-moi/thon-1", func(u *incident.Unit) { u.Parent = "lai-chau/so-vhttdl" }), "", ""},
		{"become a root", with("lai-chau/so-vhttdl", func(u *incident.Unit) { u.Parent = "" }), "", ""},
		{"under a descendant", with("lai-chau/xa-tan-uyen-moi", func(u *incident.Unit) { u.Parent = "lai-chau/xa-tan-uyen-moi/thon-1" }),
			incident.CodeBadUserInput, "parent"},
		{"under itself via the root", with("lai-chau", func(u *incident.Unit) { u.Parent = "lai-chau/so-vhttdl" }), incident.CodeBadUserInput, "parent"},
		{"under a closed unit", with("lai-chau/xa-tan-uyen-moi", func(u *incident.Unit) { u.Parent = "lai-chau/tan-uyen" }), incident.CodeBadUserInput, "parent"},
		{"under an unknown unit", with("lai-chau/so-vhttdl", func(u *incident.Unit) { u.Parent = "nowhere" }), incident.CodeBadUserInput, "parent"},
		{"a closed parent kept", with("lai-chau/tan-uyen/xa-trung-dong", func(u *incident.Unit) { u.Name = "Trung Đồng (cũ)" }), "", ""},
		{"unknown target", with("lai-chau/so-vhttdl", func(u *incident.Unit) { u.EscalatesTo = "nowhere" }), incident.CodeBadUserInput, "escalatesTo"},
		{"bad symbol", with("lai-chau/so-vhttdl", func(u *incident.Unit) { u.Symbol = "SỞ VH" }), incident.CodeBadUserInput, "symbol"},
		{"reopen", with("lai-chau/tan-uyen", func(u *incident.Unit) { u.ClosedAt, u.Successor = time.Time{}, "" }), incident.CodeBadUserInput, "id"},
		{"unknown unit", incident.Unit{ID: "nowhere", Name: "X"}, incident.CodeNotFound, ""},
	} {
		err := tree.CheckUnitChange(tc.u)
		if incident.ErrorCode(err) != tc.code && !(tc.code == "" && err == nil) || fieldOf(err) != tc.field {
			t.Errorf("%s: %v; want %q on %q", tc.name, err, tc.code, tc.field)
		}
	}
}

func TestCheckClose(t *testing.T) {
	tree := incident.NewUnitTree(reorganised)
	for _, tc := range []struct {
		name, id, successor string
		code, field, says   string
	}{
		{"a leaf", "lai-chau/xa-tan-uyen-moi/thon-1", "lai-chau/xa-tan-uyen-moi", "", "", ""},
		{"a commune of a closed district", "lai-chau/tan-uyen/xa-trung-dong", "lai-chau/xa-tan-uyen-moi", "", "", ""},
		{"no successor", "lai-chau/tan-uyen/xa-trung-dong", "", incident.CodeBadUserInput, "successor", "required"},
		{"sub-units named", "lai-chau/xa-tan-uyen-moi", "lai-chau/so-vhttdl", incident.CodeBadUserInput, "id", "lai-chau/xa-tan-uyen-moi/thon-1"},
		{"the root with everything open", "lai-chau", "lai-chau/so-vhttdl", incident.CodeBadUserInput, "id", "open sub-units"},
		{"already closed", "lai-chau/tan-uyen", "lai-chau", incident.CodeBadUserInput, "id", "already closed"},
		{"itself", "lai-chau/xa-tan-uyen-moi/thon-1", "lai-chau/xa-tan-uyen-moi/thon-1", incident.CodeBadUserInput, "successor", "itself"},
		{"unknown successor", "lai-chau/xa-tan-uyen-moi/thon-1", "nowhere", incident.CodeBadUserInput, "successor", "does not exist"},
		{"closed successor", "lai-chau/xa-tan-uyen-moi/thon-1", "lai-chau/xa-cu", incident.CodeBadUserInput, "successor", "closed"},
		{"unknown unit", "nowhere", "lai-chau", incident.CodeNotFound, "", ""},
	} {
		err := tree.CheckClose(tc.id, tc.successor)
		if incident.ErrorCode(err) != tc.code && !(tc.code == "" && err == nil) || fieldOf(err) != tc.field ||
			(tc.says != "" && !strings.Contains(err.Error(), tc.says)) {
			t.Errorf("%s: %v; want %q on %q saying %q", tc.name, err, tc.code, tc.field, tc.says)
		}
	}
	// A successor within the closed unit.
	t2 := incident.NewUnitTree([]incident.Unit{{ID: "a"}, {ID: "a/b", Parent: "a", ClosedAt: time.Now(), Successor: "x"}, {ID: "x"}})
	if err := t2.CheckClose("a", "a/b"); fieldOf(err) != "successor" {
		t.Errorf("successor within: %v", err)
	}
}

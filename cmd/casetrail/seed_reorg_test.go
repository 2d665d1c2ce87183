package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// reorgSeedPath is the example of README's "Units that change".
const reorgSeedPath = "testdata/reorganisation-seed.yaml"

var reorgDay = time.Date(2025, 7, 1, 0, 0, 0, 0, incident.VietnamTime)

func readReorgSeed(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(reorgSeedPath)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSeedReorganisationParses(t *testing.T) {
	s, err := ParseSeed(reorgSeedPath, readReorgSeed(t))
	if err != nil {
		t.Fatal(err)
	}
	var ward incident.Unit
	for _, u := range s.Units {
		if u.ID == "lai-chau/phuong-tan-phong" {
			ward = u
		} else if !u.ValidFrom.IsZero() {
			t.Errorf("%s has validFrom %v, the file gives none", u.ID, u.ValidFrom)
		}
	}
	if !ward.ValidFrom.Equal(reorgDay) {
		t.Errorf("the ward's validFrom %v; want %v (the day's first instant in Vietnam)", ward.ValidFrom, reorgDay)
	}
	if len(s.Reorganisations) != 2 {
		t.Fatalf("reorganisations %+v", s.Reorganisations)
	}
	r := s.Reorganisations[0]
	if !r.On.Equal(reorgDay) || strings.Join(r.Close, ",") != "lai-chau/tan-uyen/xa-phuc-khoa,lai-chau/tan-uyen/xa-trung-dong" ||
		r.Successor != "lai-chau/phuong-tan-phong" || r.Reason != "Sắp xếp đơn vị hành chính cấp xã" {
		t.Errorf("first reorganisation %+v", r)
	}
	if at, err := ParseSeed("s.yaml", []byte("units:\n  - {id: a, name: A, validFrom: '2025-07-01T08:30:00+07:00'}\n")); err != nil ||
		!at.Units[0].ValidFrom.Equal(reorgDay.Add(8*time.Hour+30*time.Minute)) {
		t.Errorf("an RFC 3339 validFrom: %v", err)
	}

	units := "units:\n  - {id: a, name: A}\n  - {id: b, name: B}\n  - {id: c, name: C, validFrom: 2025-07-01}\n"
	for _, c := range []struct{ name, yaml, want string }{
		{"bad validFrom", "units:\n  - {id: a, name: A, validFrom: 1/7/2025}\n", `unit "a": validFrom: line 2: "1/7/2025" is not a date`},
		{"unknown field", units + "reorganisations:\n  - {date: 2025-07-01, close: [a], successor: b, when: x}\n", `line 6: unknown field "when"`},
		{"no day", units + "reorganisations:\n  - {close: [a], successor: b}\n", "line 6: reorganisation: on (the day, e.g. 2025-07-01) is required"},
		{"bad day", units + "reorganisations:\n  - {date: 2025-13-01, close: [a], successor: b}\n", `"2025-13-01" is not a date`},
		{"nothing closed", units + "reorganisations:\n  - {date: 2025-07-01, successor: b}\n", "close (the units it closed) is required"},
		{"no successor", units + "reorganisations:\n  - {date: 2025-07-01, close: [a]}\n", "successor (the unit that takes their new reports) is required"},
		{"unknown successor", units + "reorganisations:\n  - {date: 2025-07-01, close: [a], successor: z}\n", `successor "z" is not a unit of this file`},
		{"unknown unit", units + "reorganisations:\n  - {date: 2025-07-01, close: [a, z], successor: b}\n", `close: "z" is not a unit of this file`},
		{"own successor", units + "reorganisations:\n  - {date: 2025-07-01, close: [a, b], successor: b}\n", `"b" cannot succeed itself`},
		{"closed twice", units + "reorganisations:\n  - {date: 2025-07-01, close: [a], successor: b}\n  - {date: 2025-08-01, close: [a], successor: c}\n",
			`line 7: reorganisation: "a" is already closed by the reorganisation at line 6`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSeed("seed.yaml", []byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v; want one containing %q", err, c.want)
			}
		})
	}
}

// TestSeedReorganisation: the seed's reorganisations close the units on
// their day, each one UnitClosed event by the seed with the reason, the
// communes before the district; applying the seed again records nothing;
// a reorganisation whose day has not come waits; a unit the
// administration closed otherwise is left alone.
func TestSeedReorganisation(t *testing.T) {
	ctx := context.Background()
	a, _ := newSeedApp(t)
	s, err := ParseSeed(reorgSeedPath, readReorgSeed(t))
	if err != nil {
		t.Fatal(err)
	}
	// The units first, as a seed without its reorganisations defined them.
	reorgs := s.Reorganisations
	s.Reorganisations = nil
	if err := a.applySeed(ctx, s); err != nil {
		t.Fatal(err)
	}
	head := headVersion(t, a.registry)
	s.Reorganisations = reorgs
	if err := a.applySeed(ctx, s); err != nil {
		t.Fatal(err)
	}
	recs, err := a.registry.AdminHistory(ctx, head, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.Type+"/"+r.Metadata.Actor+"/"+r.Metadata.Reason)
	}
	const why = "seed file /etc/casetrail/seed.yaml: "
	want := []string{
		"UnitClosed/seed/" + why + "Sắp xếp đơn vị hành chính cấp xã",
		"UnitClosed/seed/" + why + "Sắp xếp đơn vị hành chính cấp xã",
		"UnitClosed/seed/" + why + "Kết thúc hoạt động của đơn vị hành chính cấp huyện",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the reorganisations recorded\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for id, successor := range map[string]string{
		"lai-chau/tan-uyen/xa-phuc-khoa":  "lai-chau/phuong-tan-phong",
		"lai-chau/tan-uyen/xa-trung-dong": "lai-chau/phuong-tan-phong",
		"lai-chau/tan-uyen":               "lai-chau",
	} {
		u, err := a.registry.Unit(ctx, id)
		if err != nil || !u.ClosedAt.Equal(reorgDay) || u.Successor != successor {
			t.Errorf("%s: closed %v, successor %q (%v); want closed on %v, successor %s", id, u.ClosedAt, u.Successor, err, reorgDay, successor)
		}
	}
	tree := incident.NewUnitTree(mustUnits(t, a.registry))
	if to, err := tree.ReceivingUnit("lai-chau/tan-uyen/xa-phuc-khoa"); err != nil || to != "lai-chau/phuong-tan-phong" {
		t.Errorf("a report to Phúc Khoa goes to %q (%v)", to, err)
	}
	hist, err := a.registry.UnitHistory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := hist.UnitAt("lai-chau/tan-uyen", reorgDay.Add(-time.Minute)); u.Closed() {
		t.Error("the district is closed before the reorganisation's day")
	}

	// Again: nothing to record, also when an admin has since closed a
	// unit the seed would close otherwise.
	head = headVersion(t, a.registry)
	if err := a.applySeed(ctx, s); err != nil {
		t.Fatal(err)
	}
	if got := adminTrail(t, a.registry, head); len(got) != 0 {
		t.Fatalf("the same seed again recorded %v", got)
	}
	later := string(readReorgSeed(t)) + `  - date: 2025-08-01
    close: [lai-chau/phuong-tan-phong]
    successor: lai-chau
  - date: ` + time.Now().In(incident.VietnamTime).AddDate(0, 0, 2).Format("2006-01-02") + `
    close: [lai-chau/so-vhttdl]
    successor: lai-chau
`
	if _, err := a.admin().CloseUnit(ctx, readmodel.Change{Actor: "admin1", Reason: "sáp nhập"}, "lai-chau/phuong-tan-phong", "lai-chau"); err != nil {
		t.Fatal(err)
	}
	head = headVersion(t, a.registry)
	if err := a.applySeed(ctx, parseTestSeed(t, later)); err != nil {
		t.Fatal(err)
	}
	if got := adminTrail(t, a.registry, head); len(got) != 0 {
		t.Fatalf("recorded %v; want nothing: the ward was closed by an admin, the department's day has not come", got)
	}
	if u, _ := a.registry.Unit(ctx, "lai-chau/so-vhttdl"); u.Closed() {
		t.Error("a reorganisation of a day to come was applied")
	}

	// A reorganisation the registry refuses stops the start, naming it.
	bad := adminSeedUnits + "reorganisations:\n  - {date: 2025-07-01, close: [lai-chau/tan-uyen], successor: lai-chau}\n"
	b, _ := newSeedApp(t)
	err = b.applySeed(ctx, parseTestSeed(t, bad))
	if err == nil || !strings.Contains(err.Error(), "seed reorganisation of 2025-07-01 (line 7): close lai-chau/tan-uyen") ||
		!strings.Contains(err.Error(), "open sub-units") {
		t.Fatalf("closing a district with open communes: %v", err)
	}
	// Listed together, the communes close before their district.
	together := adminSeedUnits + "reorganisations:\n  - {date: 2025-07-01, close: [lai-chau/tan-uyen, lai-chau/tan-uyen/xa-phuc-khoa, " +
		"lai-chau/tan-uyen/xa-trung-dong], successor: lai-chau}\n"
	if err := b.applySeed(ctx, parseTestSeed(t, together)); err != nil {
		t.Fatal(err)
	}
	if u, _ := b.registry.Unit(ctx, "lai-chau/tan-uyen"); !u.ClosedAt.Equal(reorgDay) {
		t.Errorf("the district listed before its communes: %+v", u)
	}
}

func mustUnits(t *testing.T, reg *readmodel.Registry) []incident.Unit {
	t.Helper()
	units, err := reg.Units(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return units
}

package main

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

func TestDemoSeedParses(t *testing.T) {
	s := demoSeed(t)
	if len(s.Units) < 5 || len(s.Grants) < 5 || len(s.OfficialAccounts) < 3 {
		t.Fatalf("demo seed too small: %d units, %d grants, %d accounts", len(s.Units), len(s.Grants), len(s.OfficialAccounts))
	}
	// The letters' settings (issue 16): Tân Uyên issues with a default
	// signer, Trung Đồng numbers by hand.
	tree := incident.NewUnitTree(s.Units)
	if u := incident.IssuingUnit(tree, "lai-chau/tan-uyen/xa-phuc-khoa"); u.ID != "lai-chau/tan-uyen" || u.Signer.Name == "" {
		t.Errorf("the commune's letters are issued by %+v; want Tân Uyên with a signer", u)
	}
	if u := incident.IssuingUnit(tree, "lai-chau/tan-uyen/xa-trung-dong"); !u.ManualNumbering() {
		t.Errorf("Trung Đồng %+v; want it to number by hand", u)
	}
	seen := map[string]bool{}
	for _, g := range s.Grants {
		seen[g.Role] = true
	}
	for r := range roles {
		if !seen[r] {
			t.Errorf("demo seed has no %s", r)
		}
	}
}

func TestSeedErrorsNameLineAndField(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"unknown top key", "unitz: []\n", "line 1"},
		{"unknown unit field", "units:\n  - {id: a, name: A, colour: red}\n", `line 2: unknown field "colour"`},
		{"missing name", "units:\n  - {id: a}\n", "line 2: unit: id and name are required"},
		{"dangling parent", "units:\n  - {id: a, name: A}\n  - {id: b, name: B, parent: zz}\n", `line 3: unit "b": parent "zz"`},
		{"dangling escalation", "units:\n  - {id: a, name: A, escalatesTo: q}\n", `escalatesTo "q"`},
		{"duplicate", "units:\n  - {id: a, name: A}\n  - {id: a, name: B}\n", "already defined at line 2"},
		{"cycle", "units:\n  - {id: a, name: A, parent: b}\n  - {id: b, name: B, parent: a}\n", "cycle"},
		{"bad role", "units:\n  - {id: a, name: A}\ngrants:\n  - {subject: s, role: BOSS, unit: a}\n", `line 4: grant: role "BOSS"`},
		{"grant unit", "units:\n  - {id: a, name: A}\ngrants:\n  - {subject: s, role: LEADER, unit: b}\n", `line 4: grant: unit "b"`},
		{"account url", "units:\n  - {id: a, name: A}\nofficialAccounts:\n  - {unit: a, platform: FACEBOOK, url: 'ftp://x', displayName: X}\n", "line 4: official account: url"},
		{"account platform", "units:\n  - {id: a, name: A}\nofficialAccounts:\n  - {unit: a, platform: MYSPACE, url: 'https://x.vn', displayName: X}\n", `platform "MYSPACE"`},
		{"not yaml", "units: [\n", "seed.yaml"},
		{"numbering", "units:\n  - {id: a, name: A, numbering: sometimes}\n", `line 2: unit "a": numbering: "sometimes"`},
		{"signer field", "units:\n  - {id: a, name: A, signer: {name: B, rank: C}}\n", `unit signer: line 2: unknown field "rank"`},
		{"signer prefix", "units:\n  - {id: a, name: A, signer: {name: B, prefix: KT}}\n", `line 2: unit "a": signer.title: is required`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSeed("seed.yaml", []byte(c.yaml))
			if err == nil {
				t.Fatalf("accepted %q", c.yaml)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

func TestPolicyFile(t *testing.T) {
	data, err := os.ReadFile("../../config/deadlines.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePolicy("deadlines.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	def := incident.DefaultPolicy()
	if p.Triage != def.Triage || p.Analysis[incident.Critical] != def.Analysis[incident.Critical] || p.Resolution[incident.Low] != def.Resolution[incident.Low] {
		t.Fatalf("shipped policy differs from the defaults: %+v", p)
	}

	p, err = ParsePolicy("p.yaml", []byte("triage: 2s\nanalysis: 3s\nresolution: {HIGH: 1m}\nreminders: [0.25]\nautoEscalateOnTakedownMiss: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Triage != 2*time.Second || p.Analysis[incident.Low] != 3*time.Second || p.Analysis[incident.Critical] != 3*time.Second {
		t.Errorf("single duration not applied to all severities: %+v", p.Analysis)
	}
	if p.Resolution[incident.High] != time.Minute || p.Resolution[incident.Low] != def.Resolution[incident.Low] {
		t.Errorf("per-severity map not merged over defaults: %+v", p.Resolution)
	}
	if len(p.Reminders) != 1 || p.AutoEscalateOnTakedownMiss {
		t.Errorf("reminders/auto-escalation not read: %+v", p)
	}

	bad := []struct{ yaml, want string }{
		{"triage: soon\n", `line 1: "soon" is not a positive Go duration`},
		{"triage: -1h\n", "positive"},
		{"analysis: {URGENT: 1h}\n", `"URGENT" is not a severity`},
		{"takedownResponse: {HIGH: 1h}\n", "takedownResponse: takes one duration"},
		{"reminders: [0.9, 0.5]\n", "reminders must be increasing"},
		{"deadline: 1h\n", "field deadline not found"},
		{"takedownResponse: 0wd\n", "not a number of working days"},
		{"takedownResponse: 1.5wd\n", "not a number of working days"},
		{"calendar: {weekend: [FRIDAY]}\n", `weekend: "FRIDAY" is not a day`},
		{"calendar: {holidays: [2027-02-30]}\n", "not a date"},
		{"calendar: {holidays: [2027-02-10..2027-02-04]}\n", "must run forwards"},
		{"calendar: {holidays: [2027-02-06], workdays: [2027-02-06]}\n", "both a day off and a working day"},
	}
	wd := "takedownResponse: 1wd\nresolution: {LOW: 10wd, HIGH: 5d}\n" +
		"calendar:\n  weekend: [SAT, SUN]\n  holidays: [2027-02-04..2027-02-10, 2027-04-30]\n  workdays: [2027-02-20]\n"
	if _, err := ParsePolicy("p.yaml", []byte(wd)); err == nil || !strings.Contains(err.Error(), `"5d"`) {
		t.Errorf("5d accepted as a span: %v", err)
	}
	p, err = ParsePolicy("p.yaml", []byte(strings.Replace(wd, "5d", "96h", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if p.Days(incident.DeadlineTakedownResponse, incident.High) != 1 || p.Days(incident.DeadlineResolution, incident.Low) != 10 ||
		p.Days(incident.DeadlineResolution, incident.High) != 0 || p.Resolution[incident.High] != 96*time.Hour {
		t.Errorf("working days not read: %+v", p.WorkingDays)
	}
	if got := len(p.Calendar.Holidays); got != 8 || p.Calendar.Holidays[7] != "2027-04-30" || len(p.Calendar.Workdays) != 1 {
		t.Errorf("calendar not read: %+v", p.Calendar)
	}
	if due := p.Due(incident.DeadlineTakedownResponse, incident.High, time.Date(2027, 2, 3, 10, 0, 0, 0, incident.VietnamTime)); !due.Equal(time.Date(2027, 2, 11, 10, 0, 0, 0, incident.VietnamTime)) {
		t.Errorf("1wd from the eve of Tết due %s", due)
	}

	for _, b := range bad {
		_, err := ParsePolicy("p.yaml", []byte(b.yaml))
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("ParsePolicy(%q) = %v, want error containing %q", b.yaml, err, b.want)
		}
	}
}

// The shipped playbook file is the embedded defaults; an office's file
// replaces the kinds it names and marks what it requires.
func TestPlaybookFiles(t *testing.T) {
	p := incident.DefaultPolicy()
	p.Playbooks = nil
	if err := loadPlaybooks(&p, "../../config/playbooks.yaml"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Playbooks, incident.DefaultPlaybooks()) {
		t.Fatalf("config/playbooks.yaml differs from incident.DefaultPlaybooks:\n%+v", p.Playbooks)
	}

	p, err := ParsePolicy("p.yaml", []byte("playbooks:\n  FALSE_INFORMATION:\n"+
		"    - {id: publish-correction, title: \"Đăng đính chính\", required: true, role: HANDLER, within: 4h, recordsUrl: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	fi := p.Playbooks[incident.FalseInformation]
	if len(fi) != 1 || !fi[0].Required || fi[0].Within != 4*time.Hour || !fi[0].RecordsURL {
		t.Fatalf("false-information playbook = %+v", fi)
	}
	if len(p.Playbooks[incident.Impersonation]) != len(incident.DefaultPlaybooks()[incident.Impersonation]) {
		t.Fatal("a kind the file does not name lost its default playbook")
	}

	bad := []struct{ yaml, want string }{
		{"playbooks: {PHISHING: [{id: a, title: x}]}\n", `unknown incident kind "PHISHING"`},
		{"playbooks: {IMPERSONATION: [{id: a, title: x, role: JANITOR}]}\n", `unknown role "JANITOR"`},
		{"playbooks: {IMPERSONATION: [{id: a, title: x}, {id: a, title: y}]}\n", `task id "a" twice`},
		{"playbooks: {IMPERSONATION: [{id: a, title: x, within: soon}]}\n", "soon"},
		{"playbooks: {IMPERSONATION: [{id: a, title: x, owner: me}]}\n", "field owner not found"},
	}
	for _, b := range bad {
		if _, err := ParsePolicy("p.yaml", []byte(b.yaml)); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("ParsePolicy(%q) = %v, want error containing %q", b.yaml, err, b.want)
		}
	}
}

// demoSeed parses config/demo-seed.yaml, failing the test when it cannot.
func demoSeed(t *testing.T) *Seed {
	t.Helper()
	data, err := os.ReadFile("../../config/demo-seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSeed("demo-seed.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

package incident_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// at is a wall-clock time in Asia/Ho_Chi_Minh.
func ict(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, incident.VietnamTime)
	if err != nil {
		panic(err)
	}
	return t
}

// tet2027 takes the week of Tết 2027 off (Thursday 4 to Wednesday 10
// February) and has Saturday 20 February worked instead.
var tet2027 = incident.Calendar{
	Holidays: []string{"2027-02-04", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10"},
	Workdays: []string{"2027-02-20"},
}

func TestAddWorkingDays(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cal   incident.Calendar
		start string
		n     int
		want  string
	}{
		{"friday 16:00 + 1 is monday 16:00", incident.Calendar{}, "2026-12-04 16:00", 1, "2026-12-07 16:00"},
		{"monday + 1 is tuesday", incident.Calendar{}, "2026-12-07 09:30", 1, "2026-12-08 09:30"},
		{"thursday + 3 crosses the weekend", incident.Calendar{}, "2026-12-03 08:00", 3, "2026-12-08 08:00"},
		{"saturday counts from monday", incident.Calendar{}, "2026-12-05 10:00", 1, "2026-12-07 10:00"},
		{"tết is skipped", tet2027, "2027-02-03 10:00", 3, "2027-02-15 10:00"},
		{"a worked saturday counts", tet2027, "2027-02-19 10:00", 1, "2027-02-20 10:00"},
		{"a six-day week", incident.Calendar{Weekend: []time.Weekday{time.Sunday}}, "2026-12-04 16:00", 1, "2026-12-05 16:00"},
		{"midnight of +07:00, not of UTC", incident.Calendar{}, "2026-12-04 23:30", 1, "2026-12-07 23:30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.cal.AddWorkingDays(ict(tc.start), tc.n)
			if want := ict(tc.want); !got.Equal(want) {
				t.Fatalf("%s + %dwd = %s, want %s", tc.start, tc.n, got.In(incident.VietnamTime), want)
			}
		})
	}
}

func TestWorkingPoint(t *testing.T) {
	for _, tc := range []struct {
		name       string
		cal        incident.Calendar
		start, due string
		f          float64
		want       string
	}{
		// Friday 16:00–24:00 and Monday 00:00–16:00 are the working time (24 h).
		{"half of a day over a weekend", incident.Calendar{}, "2026-12-04 16:00", "2026-12-07 16:00", 0.5, "2026-12-07 04:00"},
		{"a quarter stays on friday", incident.Calendar{}, "2026-12-04 16:00", "2026-12-07 16:00", 0.25, "2026-12-04 22:00"},
		{"no weekend inside is clock time", incident.Calendar{}, "2026-12-07 10:00", "2026-12-08 10:00", 0.8, "2026-12-08 05:12"},
		{"tết is skipped", tet2027, "2027-02-03 12:00", "2027-02-11 12:00", 0.5, "2027-02-03 24:00"},
		{"no working time falls back to the clock", incident.Calendar{}, "2026-12-05 00:00", "2026-12-07 00:00", 0.5, "2026-12-06 00:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := time.ParseInLocation("2006-01-02 15:04", strings.Replace(tc.want, " 24:00", " 23:59", 1), incident.VietnamTime)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(tc.want, " 24:00") {
				want = want.Add(time.Minute)
			}
			got := tc.cal.WorkingPoint(ict(tc.start), ict(tc.due), tc.f)
			if !got.Equal(want) {
				t.Fatalf("point %.2f = %s, want %s", tc.f, got.In(incident.VietnamTime), want)
			}
		})
	}
}

func TestCalendarValidate(t *testing.T) {
	for _, c := range []incident.Calendar{
		{Holidays: []string{"2027-02-30"}},
		{Workdays: []string{"5/2/2027"}},
		{Holidays: []string{"2027-02-20"}, Workdays: []string{"2027-02-20"}},
		{Weekend: []time.Weekday{0, 1, 2, 3, 4, 5, 6}},
		{Weekend: []time.Weekday{7}},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: accepted", c)
		}
	}
	if err := tet2027.Validate(); err != nil {
		t.Fatal(err)
	}
}

// wdPolicy counts the takedown response in working days and the triage in
// one working day for every severity.
func wdPolicy(cal incident.Calendar) incident.Policy {
	p := incident.DefaultPolicy()
	p.Calendar = cal
	p.WorkingDays = map[incident.DeadlineKind]map[incident.Severity]int{
		incident.DeadlineTakedownResponse: {incident.Low: 1, incident.Medium: 1, incident.High: 1, incident.Critical: 1},
		incident.DeadlineTriage:           {incident.Low: 1, incident.Medium: 1, incident.High: 1, incident.Critical: 1},
	}
	return p
}

func TestWorkingDayDeadlines(t *testing.T) {
	p := wdPolicy(incident.Calendar{})
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	h := newHistory(t)
	h.p = p
	h.do(reporter, validReport(), ict("2026-12-04 16:00")) // a Friday
	d := h.c.PendingDeadlines()[0]
	if d.Kind != incident.DeadlineTriage || !d.DueAt.Equal(ict("2026-12-07 16:00")) || d.WorkingDays != 1 {
		t.Fatalf("triage deadline %+v, want due Monday 16:00 counting 1 working day", d)
	}
	// The first reminder (0.5) falls at half of the working time: Monday 04:00.
	if w, ok := incident.NextWake(&h.c, p); !ok || !w.Equal(ict("2026-12-07 04:00")) {
		t.Fatalf("next wake %s, want Monday 04:00", w.In(incident.VietnamTime))
	}
	if ev := h.tick(ict("2026-12-06 12:00")); len(ev) != 0 {
		t.Fatalf("the weekend produced %v", types(ev))
	}
	if ev := h.tick(ict("2026-12-07 16:00")); !sameStrings(types(ev), []string{"DeadlineMissed"}) {
		t.Fatalf("Monday 16:00 produced %v, want the miss", types(ev))
	}
}

// A calendar changed after a deadline was set moves only the deadlines set
// after it: the old one keeps the due time its event gave it.
func TestCalendarChangeAppliesToNewDeadlines(t *testing.T) {
	h := newHistory(t)
	h.p = wdPolicy(incident.Calendar{})
	h.do(reporter, validReport(), ict("2027-02-03 10:00")) // a Wednesday, the eve of Tết
	old := h.c.PendingDeadlines()[0]
	if !old.DueAt.Equal(ict("2027-02-04 10:00")) {
		t.Fatalf("triage due %s under the old calendar", old.DueAt.In(incident.VietnamTime))
	}
	h.p = wdPolicy(tet2027)
	if d := h.c.Deadline(old.ID); !d.DueAt.Equal(old.DueAt) {
		t.Fatalf("the old deadline moved to %s", d.DueAt)
	}
	h.do(handler, incident.Triage{Severity: incident.High, Assignee: handler}, ict("2027-02-03 11:00"))
	h.do(handler, incident.StartAnalysis{}, ict("2027-02-03 12:00"))
	h.do(handler, incident.RecordAnalysis{Findings: "Trang mạo danh UBND.", Verdict: incident.VerdictFalse}, ict("2027-02-03 12:30"))
	h.do(handler, incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://facebook.com/fake", Reason: "giả mạo"}, ict("2027-02-03 13:00"))
	if want := ict("2027-02-11 13:00"); !h.c.Takedowns[0].DueAt.Equal(want) {
		t.Fatalf("takedown due %s, want %s (after Tết)", h.c.Takedowns[0].DueAt.In(incident.VietnamTime), want)
	}
}

// A policy without working days encodes as before, so the input of a
// workflow started before them reads the same.
func TestPolicyJSONUnchangedWithoutWorkingDays(t *testing.T) {
	b, err := json.Marshal(incident.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); strings.Contains(s, "workingDays") || strings.Contains(s, "calendar") {
		t.Fatalf("default policy JSON has the new keys: %s", s)
	}
	var p incident.Policy
	if err := json.Unmarshal(b, &p); err != nil || p.Days(incident.DeadlineTriage, incident.High) != 0 {
		t.Fatalf("round trip: %v %+v", err, p)
	}
	b, _ = json.Marshal(wdPolicy(tet2027))
	var q incident.Policy
	if err := json.Unmarshal(b, &q); err != nil || q.Days(incident.DeadlineTakedownResponse, incident.Low) != 1 || len(q.Calendar.Holidays) != 5 {
		t.Fatalf("round trip with working days: %v %s", err, b)
	}
}

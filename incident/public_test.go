package incident_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"casetrail/incident"
)

// TestPublicAnswer: the public hears OFFICIAL with the unit's name and the
// account's platform and name, KNOWN_IMPERSONATOR only with a case number,
// and UNKNOWN otherwise; nothing else of the check reaches it.
func TestPublicAnswer(t *testing.T) {
	acct := &incident.OfficialAccount{ID: "oa-7", Unit: "lai-chau/tan-uyen", Platform: incident.Facebook,
		URL: "https://www.facebook.com/ubndtanuyen", DisplayName: "UBND huyện Tân Uyên"}
	for _, tc := range []struct {
		name  string
		check incident.AccountCheck
		want  incident.PublicCheck
		keys  []string
	}{
		{"official", incident.AccountCheck{Result: incident.AccountOfficial, Account: acct},
			incident.PublicCheck{Result: "OFFICIAL", Unit: "Tân Uyên", Platform: incident.Facebook, DisplayName: "UBND huyện Tân Uyên"},
			[]string{"displayName", "platform", "result", "unit"}},
		{"official without its account", incident.AccountCheck{Result: incident.AccountOfficial},
			incident.PublicCheck{Result: "UNKNOWN"}, []string{"result"}},
		{"impersonator", incident.AccountCheck{Result: incident.AccountKnownImpersonator, CaseNumber: "VV-2026-000004"},
			incident.PublicCheck{Result: "KNOWN_IMPERSONATOR", CaseNumber: "VV-2026-000004"}, []string{"caseNumber", "result"}},
		{"impersonator without a number", incident.AccountCheck{Result: incident.AccountKnownImpersonator},
			incident.PublicCheck{Result: "UNKNOWN"}, []string{"result"}},
		{"unknown", incident.AccountCheck{Result: incident.AccountUnknown}, incident.PublicCheck{Result: "UNKNOWN"}, []string{"result"}},
	} {
		got := incident.PublicAnswer(tc.check, "Tân Uyên")
		if got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
		b, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, tc.keys) {
			t.Errorf("%s: JSON keys %v, want %v (%s)", tc.name, keys, tc.keys, b)
		}
	}
}

// TestPublicStatusOf: every status has one of the four public words, and
// the open stages of the handling are all "in progress".
func TestPublicStatusOf(t *testing.T) {
	want := map[incident.Status]string{
		incident.StatusReported: incident.PublicReceived, incident.StatusTriaged: incident.PublicInProgress,
		incident.StatusAnalysis: incident.PublicInProgress, incident.StatusAction: incident.PublicInProgress,
		incident.StatusEscalated: incident.PublicInProgress, incident.StatusResolved: incident.PublicResolved,
		incident.StatusClosed: incident.PublicResolved, incident.StatusRejected: incident.PublicRejected,
	}
	for _, s := range incident.Statuses {
		if got := incident.PublicStatusOf(s); got != want[s] || !slices.Contains(incident.PublicStatuses, got) {
			t.Errorf("%s: %s, want %s", s, got, want[s])
		}
	}
	for _, s := range incident.PublicImpersonationStatuses {
		if s.Open() || incident.PublicStatusOf(s) != incident.PublicResolved {
			t.Errorf("%s counts for the public check but is not settled", s)
		}
	}
}

func publicReport() incident.PublicReport {
	return incident.PublicReport{
		Unit: "lai-chau/tan-uyen/xa-phuc-khoa", Kind: incident.FalseInformation,
		URLs:        []string{"", " https://www.facebook.com/tin.gia/posts/1?fbclid=x ", "https://tiktok.com/@a/video/2"},
		Description: "  Tin đồn sai về dịch bệnh.  ",
	}
}

// TestPublicReportProblems: the form's rules, each problem named by its
// field and all found at once.
func TestPublicReportProblems(t *testing.T) {
	r, errs := incident.PublicReportProblems(publicReport())
	if len(errs) != 0 {
		t.Fatalf("a valid report: %v", errs)
	}
	if len(r.URLs) != 2 || r.URLs[0] != "https://www.facebook.com/tin.gia/posts/1?fbclid=x" || r.Description != "Tin đồn sai về dịch bệnh." {
		t.Errorf("cleaned: %+v", r)
	}

	fields := func(r incident.PublicReport) []string {
		_, errs := incident.PublicReportProblems(r)
		var out []string
		for _, e := range errs {
			if e.Code != incident.CodeBadUserInput {
				t.Errorf("%s: code %s", e.Field, e.Code)
			}
			out = append(out, e.Field)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		edit func(*incident.PublicReport)
		want []string
	}{
		{"no unit", func(r *incident.PublicReport) { r.Unit = " " }, []string{"unit"}},
		{"no kind", func(r *incident.PublicReport) { r.Kind = "" }, []string{"kind"}},
		{"no link", func(r *incident.PublicReport) { r.URLs = []string{" ", ""} }, []string{"urls"}},
		{"six links", func(r *incident.PublicReport) {
			r.URLs = []string{"https://a.vn/1", "https://a.vn/2", "https://a.vn/3", "https://a.vn/4", "https://a.vn/5", "https://a.vn/6"}
		}, []string{"urls"}},
		{"not a link", func(r *incident.PublicReport) { r.URLs = []string{"https://a.vn/1", "facebook.com/x", "ftp://a.vn"} },
			[]string{"urls[1]", "urls[2]"}},
		{"long link", func(r *incident.PublicReport) {
			r.URLs = []string{"https://a.vn/" + strings.Repeat("x", incident.MaxURL)}
		},
			[]string{"urls[0]"}},
		{"long description", func(r *incident.PublicReport) { r.Description = strings.Repeat("ạ", incident.MaxPublicDescription+1) },
			[]string{"description"}},
		{"name without consent", func(r *incident.PublicReport) { r.Name = "Lò Văn A" }, []string{"consent"}},
		{"phone without consent", func(r *incident.PublicReport) { r.Phone = "0912 345 678" }, []string{"consent"}},
		{"bad phone", func(r *incident.PublicReport) { r.Phone, r.Consent = "gọi tôi", true }, []string{"phone"}},
		{"short phone", func(r *incident.PublicReport) { r.Phone, r.Consent = "12345", true }, []string{"phone"}},
		{"long name", func(r *incident.PublicReport) {
			r.Name, r.Consent = strings.Repeat("a", incident.MaxPublicName+1), true
		}, []string{"name"}},
		{"everything", func(r *incident.PublicReport) { *r = incident.PublicReport{Phone: "x", Description: "\xff"} },
			[]string{"unit", "kind", "urls", "description", "phone", "consent"}},
		{"consent alone", func(r *incident.PublicReport) { r.Consent = true }, nil},
	} {
		r := publicReport()
		tc.edit(&r)
		if got := fields(r); !slices.Equal(got, tc.want) {
			t.Errorf("%s: fields %v, want %v", tc.name, got, tc.want)
		}
	}

	r = publicReport()
	r.Name, r.Phone, r.Consent = " Lò Văn A ", "+84 (912) 345-678", true
	r, err := incident.ValidatePublicReport(r)
	if err != nil || r.Name != "Lò Văn A" || r.Phone != "+84912345678" || !r.HasContact() {
		t.Errorf("contact: %+v, %v", r, err)
	}
}

// TestPublicReportReport: the case report of a public report carries the
// public channel, a title naming the first link and the links' platforms,
// and none of the citizen's contact details.
func TestPublicReportReport(t *testing.T) {
	r := publicReport()
	r.Name, r.Phone, r.Consent = "Lò Văn A", "0912345678", true
	r, err := incident.ValidatePublicReport(r)
	if err != nil {
		t.Fatal(err)
	}
	rep := r.Report("req-1")
	if rep.Channel != incident.ChannelPublic || rep.ClientRequestID != "req-1" || rep.Unit != r.Unit || rep.Kind != r.Kind ||
		rep.Title != "Phản ánh của người dân: facebook.com/tin.gia/posts/1" || rep.Description != r.Description {
		t.Errorf("report %+v", rep)
	}
	if len(rep.Subjects) != 2 || rep.Subjects[0].Platform != incident.Facebook || rep.Subjects[1].Platform != incident.TikTok {
		t.Errorf("subjects %+v", rep.Subjects)
	}
	b, _ := json.Marshal(rep)
	if strings.Contains(string(b), "Lò Văn A") || strings.Contains(string(b), "0912345678") {
		t.Errorf("contact details in the case report: %s", b)
	}
	if _, _, err := incident.ValidateReport(rep); err != nil {
		t.Errorf("the case report is refused: %v", err)
	}
	long := incident.PublicReportTitle([]string{"https://a.vn/" + strings.Repeat("đ", 400)})
	if n := len([]rune(long)); n != incident.MaxTitle || !strings.HasSuffix(long, "…") {
		t.Errorf("long title: %d characters", n)
	}
}

// TestPublicSubjectsKey: the same links, in any order, as typed or
// normalized, have one key.
func TestPublicSubjectsKey(t *testing.T) {
	a := incident.PublicSubjectsKey([]string{"https://www.facebook.com/x?fbclid=1", "https://tiktok.com/@b"})
	b := incident.PublicSubjectsKey([]string{"https://tiktok.com/@b/", "https://m.facebook.com/x", "https://facebook.com/x"})
	if a != b {
		t.Errorf("keys differ:\n%q\n%q", a, b)
	}
	if c := incident.PublicSubjectsKey([]string{"https://facebook.com/y"}); c == a {
		t.Errorf("other links, same key %q", c)
	}
}

// TestPublicChannelFold: a case counts the reports that came through the
// public form, whether they opened it or were merged into it.
func TestPublicChannelFold(t *testing.T) {
	h := newHistory(t)
	rep := validReport()
	rep.Channel = incident.ChannelPublic
	h.do(incident.PublicSubject, rep, t0)
	merge := validReport()
	merge.ClientRequestID = "req-2"
	h.do(reporter, incident.MergeReport{Report: merge}, at(1))
	merge.ClientRequestID, merge.Channel = "req-3", incident.ChannelPublic
	ps := h.do(incident.PublicSubject, incident.MergeReport{Report: merge}, at(2))
	if m, ok := ps[0].(incident.ReportMerged); !ok || m.Channel != incident.ChannelPublic {
		t.Errorf("merge event %+v", ps[0])
	}
	if h.c.PublicReports != 2 || h.c.MergedReports != 2 {
		t.Errorf("public reports %d, merged %d; want 2 and 2", h.c.PublicReports, h.c.MergedReports)
	}
	b, _ := json.Marshal(h.events[0].Data)
	if !strings.Contains(string(b), `"channel":"PUBLIC"`) {
		t.Errorf("CaseReported %s", b)
	}
	plain, _ := json.Marshal(incident.CaseReported{CaseID: "c"})
	if strings.Contains(string(plain), "channel") {
		t.Errorf("a report of the API names a channel: %s", plain)
	}
}

// TestTrackingCodes: codes have the form, spread over the alphabet, and
// come back from what people type.
func TestTrackingCodes(t *testing.T) {
	seen := map[string]bool{}
	signs := map[rune]bool{}
	for range 2000 {
		c := incident.NewTrackingCode()
		if got, ok := incident.CleanTrackingCode(c); !ok || got != c || seen[c] {
			t.Fatalf("code %q: clean %q %v, seen before %v", c, got, ok, seen[c])
		}
		seen[c] = true
		for _, r := range c {
			signs[r] = true
		}
	}
	if len(signs) != len(incident.TrackingCodeAlphabet) {
		t.Errorf("%d signs used of %d", len(signs), len(incident.TrackingCodeAlphabet))
	}
	for in, want := range map[string]string{
		"7kq2m-xp4rt": "7KQ2MXP4RT", " 7KQ2M XP4RT ": "7KQ2MXP4RT", "7KQ2MXP4R": "", "7KQ2MXP4R0": "", "7KQ2MXP4RI": "", "7KQ2M-XP4RTX": "",
	} {
		got, ok := incident.CleanTrackingCode(in)
		if got != want || ok != (want != "") {
			t.Errorf("CleanTrackingCode(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	if got := incident.FormatTrackingCode("7KQ2MXP4RT"); got != "7KQ2M-XP4RT" {
		t.Errorf("format: %s", got)
	}
}

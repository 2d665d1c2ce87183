package incident_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// analysedAt returns a HIGH case under policy p whose analysis was
// recorded just before now, ready for a takedown request at now.
func analysedAt(t *testing.T, p incident.Policy, now time.Time) *history {
	t.Helper()
	h := newHistory(t)
	h.p = p
	h.do(reporter, validReport(), now.Add(-4*time.Hour))
	h.do(handler, incident.Triage{Severity: incident.High, Assignee: handler}, now.Add(-3*time.Hour))
	h.do(handler, incident.StartAnalysis{}, now.Add(-2*time.Hour))
	h.do(handler, incident.RecordAnalysis{Findings: "Trang mạo danh UBND.", Verdict: incident.VerdictFalse}, now.Add(-time.Hour))
	return h
}

func takedown(ch incident.TakedownChannel, authority string) incident.RequestTakedown {
	return incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://www.facebook.com/ubnd.tanuyen.fake",
		Reason: "Mạo danh cơ quan nhà nước", Channel: ch, Authority: authority}
}

// The channel defaults to PLATFORM_REPORT; an AUTHORITY_REQUEST names its
// authority and a PLATFORM_REPORT names none; the event records both, and
// the takedown's due time is legal only for an authority request.
func TestTakedownChannelRules(t *testing.T) {
	const police = "Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao (PA05), Công an tỉnh Lai Châu"
	for _, tc := range []struct {
		name          string
		cmd           incident.RequestTakedown
		wantField     string // BAD_USER_INPUT on this field; "" accepted
		wantChannel   incident.TakedownChannel
		wantAuthority string
	}{
		{"no channel is a platform report", takedown("", ""), "", incident.TakedownPlatformReport, ""},
		{"platform report", takedown(incident.TakedownPlatformReport, ""), "", incident.TakedownPlatformReport, ""},
		{"authority request", takedown(incident.TakedownAuthorityRequest, police), "", incident.TakedownAuthorityRequest, police},
		{"authority trimmed of nothing, NFC", takedown(incident.TakedownAuthorityRequest, "Cục Phát thanh, truyền hình và thông tin điện tử"), "",
			incident.TakedownAuthorityRequest, "Cục Phát thanh, truyền hình và thông tin điện tử"},
		{"authority request without authority", takedown(incident.TakedownAuthorityRequest, ""), "authority", "", ""},
		{"authority request with a blank authority", takedown(incident.TakedownAuthorityRequest, "  \t"), "authority", "", ""},
		{"authority too long", takedown(incident.TakedownAuthorityRequest, strings.Repeat("a", incident.MaxShortText+1)), "authority", "", ""},
		{"platform report with an authority", takedown(incident.TakedownPlatformReport, police), "authority", "", ""},
		{"no channel with an authority", takedown("", police), "authority", "", ""},
		{"unknown channel", takedown("EMAIL", ""), "channel", "", ""},
		{"lower-case channel", takedown("authority_request", police), "channel", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := fixture(t, fxAnalysed)
			now := at(4)
			ps, err := incident.Decide(h.c, tc.cmd, now, h.p)
			if tc.wantField != "" {
				if incident.ErrorCode(err) != incident.CodeBadUserInput || fieldOf(err) != tc.wantField {
					t.Fatalf("Decide = %v, want BAD_USER_INPUT on %s", err, tc.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ev, ok := ps[0].(incident.TakedownRequested)
			if !ok || ev.Channel != tc.wantChannel || ev.Authority != tc.wantAuthority {
				t.Fatalf("event %+v, want channel %s authority %q", ps[0], tc.wantChannel, tc.wantAuthority)
			}
			h.record(handler, now, ps)
			td := h.c.Takedowns[0]
			if td.Via() != tc.wantChannel || td.Authority != tc.wantAuthority || !td.DueAt.Equal(now.Add(24*time.Hour)) {
				t.Fatalf("takedown %+v", td)
			}
			legal, follow := td.LegalDeadline(), td.FollowUpAt()
			if tc.wantChannel == incident.TakedownAuthorityRequest {
				if legal == nil || !legal.Equal(td.DueAt) || follow != nil {
					t.Fatalf("authority request: legal deadline %v, follow-up %v", legal, follow)
				}
			} else if legal != nil || follow == nil || !follow.Equal(td.DueAt) {
				t.Fatalf("platform report: legal deadline %v, follow-up %v", legal, follow)
			}
			wantDeadline(t, h.c, "TAKEDOWN_RESPONSE-4", incident.DeadlineTakedownResponse, "TD-1", now, now.Add(24*time.Hour), incident.StatePending)
		})
	}
}

// A platform report keeps the legal basis it is given (the contract's
// clients send one on plain requests), without its deadline becoming legal.
func TestPlatformReportKeepsLegalBasis(t *testing.T) {
	h := fixture(t, fxAnalysed)
	cmd := takedown("", "")
	cmd.LegalBasis = "Nghị định 147/2024/NĐ-CP, Điều 23"
	h.do(handler, cmd, at(4))
	td := h.c.Takedowns[0]
	if td.LegalBasis != cmd.LegalBasis || td.Via() != incident.TakedownPlatformReport || td.LegalDeadline() != nil {
		t.Fatalf("takedown %+v", td)
	}
}

// byChannel sets the per-channel spans of p.
func byChannel(p incident.Policy, spans map[incident.TakedownChannel]incident.ChannelSpan) incident.Policy {
	p.TakedownResponseByChannel = spans
	return p
}

// Each channel's deadline comes from its own span when the policy gives
// one, and from takedownResponse otherwise (clock time or working days).
func TestTakedownSpansByChannel(t *testing.T) {
	h := time.Hour
	friday := ict("2026-12-04 16:00")
	weekdays := incident.DefaultPolicy()
	weekdays.TakedownResponse = 48 * h
	wdAll := wdPolicy(incident.Calendar{}) // takedownResponse: 1wd
	for _, tc := range []struct {
		name     string
		p        incident.Policy
		ch       incident.TakedownChannel
		due      time.Time
		days     int
		spanText string
	}{
		{"defaults, platform report", incident.DefaultPolicy(), incident.TakedownPlatformReport, friday.Add(24 * h), 0, "24h0m0s"},
		{"defaults, authority request", incident.DefaultPolicy(), incident.TakedownAuthorityRequest, friday.Add(24 * h), 0, "24h0m0s"},
		{"takedownResponse alone applies to both", weekdays, incident.TakedownPlatformReport, friday.Add(48 * h), 0, "48h0m0s"},
		{"takedownResponse alone applies to both (authority)", weekdays, incident.TakedownAuthorityRequest, friday.Add(48 * h), 0, "48h0m0s"},
		{"per channel: platform 72h", byChannel(incident.DefaultPolicy(), map[incident.TakedownChannel]incident.ChannelSpan{
			incident.TakedownPlatformReport: {Duration: 72 * h}, incident.TakedownAuthorityRequest: {Duration: 24 * h}}),
			incident.TakedownPlatformReport, friday.Add(72 * h), 0, "72h0m0s"},
		{"per channel: authority 24h", byChannel(incident.DefaultPolicy(), map[incident.TakedownChannel]incident.ChannelSpan{
			incident.TakedownPlatformReport: {Duration: 72 * h}, incident.TakedownAuthorityRequest: {Duration: 24 * h}}),
			incident.TakedownAuthorityRequest, friday.Add(24 * h), 0, "24h0m0s"},
		{"only one channel given: the other keeps takedownResponse", byChannel(weekdays, map[incident.TakedownChannel]incident.ChannelSpan{
			incident.TakedownAuthorityRequest: {Duration: 24 * h}}),
			incident.TakedownPlatformReport, friday.Add(48 * h), 0, "48h0m0s"},
		{"platform 1wd from Friday 16:00 is Monday 16:00", byChannel(incident.DefaultPolicy(), map[incident.TakedownChannel]incident.ChannelSpan{
			incident.TakedownPlatformReport: {WorkingDays: 1}}),
			incident.TakedownPlatformReport, ict("2026-12-07 16:00"), 1, "1 working day(s)"},
		{"authority keeps the 24h clock over the weekend", byChannel(incident.DefaultPolicy(), map[incident.TakedownChannel]incident.ChannelSpan{
			incident.TakedownPlatformReport: {WorkingDays: 1}}),
			incident.TakedownAuthorityRequest, friday.Add(24 * h), 0, "24h0m0s"},
		{"takedownResponse 1wd, authority 24h: authority", byChannel(wdAll, map[incident.TakedownChannel]incident.ChannelSpan{
			incident.TakedownAuthorityRequest: {Duration: 24 * h}}),
			incident.TakedownAuthorityRequest, friday.Add(24 * h), 0, "24h0m0s"},
		{"takedownResponse 1wd, authority 24h: platform", byChannel(wdAll, map[incident.TakedownChannel]incident.ChannelSpan{
			incident.TakedownAuthorityRequest: {Duration: 24 * h}}),
			incident.TakedownPlatformReport, ict("2026-12-07 16:00"), 1, "1 working day(s)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.p.Validate(); err != nil {
				t.Fatal(err)
			}
			hs := analysedAt(t, tc.p, friday)
			authority := ""
			if tc.ch == incident.TakedownAuthorityRequest {
				authority = "Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu"
			}
			ps := hs.do(handler, takedown(tc.ch, authority), friday)
			sets := deadlineSets(ps)
			if len(sets) != 1 || sets[0].Kind != incident.DeadlineTakedownResponse || !sets[0].DueAt.Equal(tc.due) || sets[0].WorkingDays != tc.days {
				t.Fatalf("deadline set %+v, want TAKEDOWN_RESPONSE due %s counting %d working days", sets, tc.due.In(incident.VietnamTime), tc.days)
			}
			if td := hs.c.Takedowns[0]; !td.DueAt.Equal(tc.due) {
				t.Fatalf("takedown due %s, want %s", td.DueAt.In(incident.VietnamTime), tc.due.In(incident.VietnamTime))
			}
			if got := tc.p.ForChannel(tc.ch).SpanText(incident.DeadlineTakedownResponse, incident.High); got != tc.spanText {
				t.Errorf("span text %q, want %q", got, tc.spanText)
			}
			// A missed deadline escalates on either channel, saying the span it had.
			var ev []incident.Payload
			for _, e := range hs.tick(tc.due) {
				if _, other := e.(incident.DeadlineReminder); !other { // the resolution's reminders
					ev = append(ev, e)
				}
			}
			if !sameStrings(types(ev), []string{"DeadlineMissed", "EscalationRequested", "DeadlineSet"}) || ev[0].(incident.DeadlineMissed).Ref != "TD-1" {
				t.Fatalf("at the due time: %+v", ev)
			}
			if r := ev[1].(incident.EscalationRequested).Reason; !strings.Contains(r, "within "+tc.spanText) {
				t.Errorf("escalation reason %q does not say %q", r, tc.spanText)
			}
		})
	}
}

// The first reminder of a platform report counted in working days falls at
// half of its working time.
func TestChannelWorkingDayReminder(t *testing.T) {
	p := byChannel(incident.DefaultPolicy(), map[incident.TakedownChannel]incident.ChannelSpan{incident.TakedownPlatformReport: {WorkingDays: 1}})
	friday := ict("2026-12-04 16:00")
	h := analysedAt(t, p, friday)
	h.do(handler, takedown("", ""), friday)
	var d incident.Deadline
	for _, x := range h.c.PendingDeadlines() {
		if x.Kind == incident.DeadlineTakedownResponse {
			d = x
		}
	}
	if d.WorkingDays != 1 {
		t.Fatalf("takedown deadline %+v", d)
	}
	if ev := h.tick(ict("2026-12-06 12:00")); len(ev) != 0 {
		t.Fatalf("the weekend produced %v", types(ev))
	}
	reminded := func(now time.Time) []float64 {
		var out []float64
		for _, e := range h.tick(now) {
			if r, ok := e.(incident.DeadlineReminder); ok && r.DeadlineID == d.ID {
				out = append(out, r.Fraction)
			}
		}
		return out
	}
	if r := reminded(ict("2026-12-07 03:59")); len(r) != 0 {
		t.Fatalf("Monday 03:59 reminded the takedown at %v", r)
	}
	if r := reminded(ict("2026-12-07 04:00")); len(r) != 1 || r[0] != 0.5 {
		t.Fatalf("Monday 04:00 reminded the takedown at %v, want its first reminder", r)
	}
}

func TestChannelSpansValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spans map[incident.TakedownChannel]incident.ChannelSpan
		want  string
	}{
		{"unknown channel", map[incident.TakedownChannel]incident.ChannelSpan{"EMAIL": {Duration: time.Hour}}, `unknown channel "EMAIL"`},
		{"no span", map[incident.TakedownChannel]incident.ChannelSpan{incident.TakedownPlatformReport: {}}, "PLATFORM_REPORT needs one positive"},
		{"both spans", map[incident.TakedownChannel]incident.ChannelSpan{incident.TakedownPlatformReport: {Duration: time.Hour, WorkingDays: 1}}, "needs one positive"},
		{"negative", map[incident.TakedownChannel]incident.ChannelSpan{incident.TakedownAuthorityRequest: {Duration: -time.Hour}}, "AUTHORITY_REQUEST needs one positive"},
		{"negative days", map[incident.TakedownChannel]incident.ChannelSpan{incident.TakedownAuthorityRequest: {Duration: time.Hour, WorkingDays: -1}}, "needs one positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := byChannel(incident.DefaultPolicy(), tc.spans).Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate = %v, want %q", err, tc.want)
			}
		})
	}
}

// A TakedownRequested written before channels existed has neither channel
// nor authority: it reads as a PLATFORM_REPORT without authority, keeping
// the due time and the deadline its events gave it (the one of
// takedownResponse). A workflow opened then has a policy without
// per-channel spans and a request command without channel, so a replay
// decides the same due time.
func TestTakedownBeforeChannels(t *testing.T) {
	h := fixture(t, fxAnalysed)
	requested := at(4)
	due := requested.Add(24 * time.Hour)
	old := []struct{ typ, data string }{
		{incident.TypeTakedownRequested, `{"takedownId":"TD-1","platform":"FACEBOOK","targetUrl":"https://www.facebook.com/ubnd.tanuyen.fake",` +
			`"reason":"Mạo danh","legalBasis":"Nghị định 147/2024/NĐ-CP, Điều 23","dueAt":"` + due.Format(time.RFC3339Nano) + `"}`},
		{incident.TypeDeadlineSet, `{"deadlineId":"TAKEDOWN_RESPONSE-4","kind":"TAKEDOWN_RESPONSE","ref":"TD-1","dueAt":"` + due.Format(time.RFC3339Nano) + `"}`},
	}
	for _, o := range old {
		p, err := incident.DecodePayload(o.typ, []byte(o.data))
		if err != nil {
			t.Fatal(err)
		}
		h.record(handler, requested, []incident.Payload{p})
	}
	td := h.c.Takedowns[0]
	if td.Channel != "" || td.Via() != incident.TakedownPlatformReport || td.Authority != "" || !td.DueAt.Equal(due) ||
		td.LegalDeadline() != nil || td.FollowUpAt() == nil || !td.FollowUpAt().Equal(due) || td.LegalBasis == "" {
		t.Fatalf("old takedown reads %+v", td)
	}
	wantDeadline(t, h.c, "TAKEDOWN_RESPONSE-4", incident.DeadlineTakedownResponse, "TD-1", requested, due, incident.StatePending)
	// Its state encodes as before: no channel key appears.
	if b, _ := json.Marshal(td); strings.Contains(string(b), "channel") || strings.Contains(string(b), "authority") {
		t.Fatalf("old takedown encodes %s", b)
	}

	// The replay: the old command and the old policy, decoded from JSON.
	var cmd incident.RequestTakedown
	if err := json.Unmarshal([]byte(`{"platform":"FACEBOOK","targetUrl":"https://www.facebook.com/ubnd.tanuyen.fake","reason":"Mạo danh"}`), &cmd); err != nil {
		t.Fatal(err)
	}
	oldPolicy := incident.DefaultPolicy()
	oldPolicy.TakedownResponse = 30 * time.Hour
	b, _ := json.Marshal(oldPolicy)
	if strings.Contains(string(b), "takedownResponseByChannel") {
		t.Fatalf("a policy without per-channel spans encodes the key: %s", b)
	}
	var decoded incident.Policy
	if err := json.Unmarshal(b, &decoded); err != nil || decoded.TakedownResponseByChannel != nil {
		t.Fatalf("decode policy: %v %+v", err, decoded.TakedownResponseByChannel)
	}
	replay := fixture(t, fxAnalysed)
	replay.p = decoded
	ps := replay.do(handler, cmd, requested)
	if got := replay.c.Takedowns[0]; !got.DueAt.Equal(requested.Add(30*time.Hour)) || got.Via() != incident.TakedownPlatformReport {
		t.Fatalf("replayed takedown %+v", got)
	}
	if sets := deadlineSets(ps); len(sets) != 1 || !sets[0].DueAt.Equal(requested.Add(30*time.Hour)) {
		t.Fatalf("replayed deadline %+v", sets)
	}

	// A policy with per-channel spans round-trips through the workflow input.
	withSpans := byChannel(incident.DefaultPolicy(), map[incident.TakedownChannel]incident.ChannelSpan{
		incident.TakedownPlatformReport: {WorkingDays: 2}, incident.TakedownAuthorityRequest: {Duration: 24 * time.Hour}})
	b, _ = json.Marshal(withSpans)
	var back incident.Policy
	if err := json.Unmarshal(b, &back); err != nil || back.TakedownResponseByChannel[incident.TakedownPlatformReport].WorkingDays != 2 ||
		back.TakedownResponseByChannel[incident.TakedownAuthorityRequest].Duration != 24*time.Hour {
		t.Fatalf("round trip: %v %s", err, b)
	}
}

// ForChannel leaves the policy it is called on alone.
func TestForChannelCopies(t *testing.T) {
	p := byChannel(wdPolicy(incident.Calendar{}), map[incident.TakedownChannel]incident.ChannelSpan{
		incident.TakedownAuthorityRequest: {Duration: 24 * time.Hour}, incident.TakedownPlatformReport: {WorkingDays: 3}})
	a := p.ForChannel(incident.TakedownAuthorityRequest)
	pr := p.ForChannel(incident.TakedownPlatformReport)
	if a.Days(incident.DeadlineTakedownResponse, incident.Low) != 0 || a.Span(incident.DeadlineTakedownResponse, incident.Low) != 24*time.Hour {
		t.Fatalf("authority policy: %d days, %s", a.Days(incident.DeadlineTakedownResponse, incident.Low), a.Span(incident.DeadlineTakedownResponse, incident.Low))
	}
	if pr.Days(incident.DeadlineTakedownResponse, incident.Critical) != 3 || a.Days(incident.DeadlineTriage, incident.Low) != 1 {
		t.Fatalf("platform policy: %+v", pr.WorkingDays)
	}
	if p.Days(incident.DeadlineTakedownResponse, incident.Low) != 1 || p.TakedownResponse != 24*time.Hour {
		t.Fatalf("ForChannel changed its receiver: %+v", p.WorkingDays)
	}
}

// BenchmarkRequestTakedown decides a takedown request under the defaults
// (the baseline) and under per-channel spans (ForChannel copies the policy).
func BenchmarkRequestTakedown(b *testing.B) {
	friday := ict("2026-12-04 16:00")
	for _, bc := range []struct {
		name string
		p    incident.Policy
	}{
		{"defaults", incident.DefaultPolicy()},
		{"per-channel working days", byChannel(wdPolicy(incident.Calendar{}), map[incident.TakedownChannel]incident.ChannelSpan{
			incident.TakedownPlatformReport: {WorkingDays: 3}, incident.TakedownAuthorityRequest: {Duration: 24 * time.Hour}})},
	} {
		var c incident.Case
		for i, cmd := range []incident.Command{validReport(), incident.Triage{Severity: incident.High, Assignee: handler}, incident.StartAnalysis{},
			incident.RecordAnalysis{Findings: "Trang mạo danh UBND.", Verdict: incident.VerdictFalse}} {
			now := friday.Add(time.Duration(i-4) * time.Hour)
			ps, err := incident.Decide(c, cmd, now, bc.p)
			if err != nil {
				b.Fatal(err)
			}
			for _, p := range ps {
				if err := incident.Apply(&c, incident.Event{Type: p.EventType(), Actor: handler, At: now, Data: p}); err != nil {
					b.Fatal(err)
				}
			}
		}
		cmd := takedown(incident.TakedownPlatformReport, "")
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := incident.Decide(c, cmd, friday, bc.p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

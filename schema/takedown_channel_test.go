package schema

import (
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// TestTakedownChannelFields sends requestTakedown through the graph on each
// channel and reads the new fields back: the channel (PLATFORM_REPORT when
// left out), the authority, and the due time as the legal deadline of an
// authority request or the follow-up of a platform report.
func TestTakedownChannelFields(t *testing.T) {
	_, e := newTestSchema(t)
	c := e.seed(t, "reporter1", unitCommune, "r-1", "https://facebook.com/fake")
	e.do(t, c.ID, "handler1", incident.Triage{Severity: incident.High, Assignee: "handler1"}, incident.StartAnalysis{},
		incident.RecordAnalysis{Findings: "mạo danh", Verdict: incident.VerdictFalse})
	const request = `mutation($id: ID!, $in: TakedownInput!) { requestTakedown(id: $id, input: $in) {
		takedowns { id channel authority legalBasis dueAt legalDeadline followUpAt } } }`
	const police = "Công an tỉnh Lai Châu (PA05)"
	in := func(extra map[string]any) map[string]any {
		m := map[string]any{"platform": "FACEBOOK", "targetUrl": "https://facebook.com/fake", "reason": "mạo danh"}
		for k, v := range extra {
			m[k] = v
		}
		return map[string]any{"id": c.ID, "in": m}
	}
	for i, tc := range []struct {
		name       string
		vars       map[string]any
		channel    string
		authority  any
		legalBasis any
	}{
		{"no channel, with the legal basis clients send", in(map[string]any{"legalBasis": "Nghị định 147/2024/NĐ-CP, Điều 23"}),
			"PLATFORM_REPORT", nil, "Nghị định 147/2024/NĐ-CP, Điều 23"},
		{"platform report", in(map[string]any{"channel": "PLATFORM_REPORT"}), "PLATFORM_REPORT", nil, nil},
		{"authority request", in(map[string]any{"channel": "AUTHORITY_REQUEST", "authority": police, "legalBasis": "Điều 23"}),
			"AUTHORITY_REQUEST", police, "Điều 23"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := e.ok(t, "handler1", request, tc.vars)
			tds := dig(d, "requestTakedown", "takedowns").([]any)
			if len(tds) != i+1 {
				t.Fatalf("takedowns: %s", toJSON(tds))
			}
			td := tds[i]
			if dig(td, "channel") != tc.channel || dig(td, "authority") != tc.authority || dig(td, "legalBasis") != tc.legalBasis {
				t.Fatalf("takedown: %s", toJSON(td))
			}
			due := dig(td, "dueAt").(string)
			if at, err := time.Parse(time.RFC3339, due); err != nil || !at.Equal(e.w.now.Add(24*time.Hour)) {
				t.Fatalf("dueAt %s: %v", due, err)
			}
			legal, follow := dig(td, "legalDeadline"), dig(td, "followUpAt")
			if tc.channel == "AUTHORITY_REQUEST" && (legal != due || follow != nil) {
				t.Fatalf("authority request: legalDeadline %v followUpAt %v, want %s and null", legal, follow, due)
			}
			if tc.channel == "PLATFORM_REPORT" && (legal != nil || follow != due) {
				t.Fatalf("platform report: legalDeadline %v followUpAt %v, want null and %s", legal, follow, due)
			}
		})
	}

	// Refusals: BAD_USER_INPUT naming the field, and nothing recorded.
	before := len(e.w.cases[c.ID].Takedowns)
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		field       string
	}{
		{"authority request without authority", request, in(map[string]any{"channel": "AUTHORITY_REQUEST"}), "authority"},
		{"authority request with a blank authority", request, in(map[string]any{"channel": "AUTHORITY_REQUEST", "authority": "  "}), "authority"},
		{"platform report with an authority", request, in(map[string]any{"channel": "PLATFORM_REPORT", "authority": police}), "authority"},
		{"no channel with an authority", request, in(map[string]any{"authority": police}), "authority"},
		{"authority too long", request, in(map[string]any{"channel": "AUTHORITY_REQUEST", "authority": strings.Repeat("a", 501)}), "authority"},
		{"unknown channel", request, in(map[string]any{"channel": "EMAIL"}), ""},
		{"unknown channel literal", `mutation($id: ID!) { requestTakedown(id: $id, input: {platform: FACEBOOK, targetUrl: "https://facebook.com/fake", reason: "r", channel: FAX}) { id } }`,
			map[string]any{"id": c.ID}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.run(t, "handler1", tc.query, tc.vars)
			if r.code() != incident.CodeBadUserInput || (tc.field != "" && !strings.HasSuffix(r.field(), tc.field)) {
				t.Fatalf("got code %q field %q, want BAD_USER_INPUT on %q: %s", r.code(), r.field(), tc.field, toJSON(r.Errors))
			}
		})
	}
	if n := len(e.w.cases[c.ID].Takedowns); n != before {
		t.Fatalf("refused requests recorded takedowns: %d, want %d", n, before)
	}

	// A takedown recorded before channels existed (no channel in its event
	// or its projected state) reads as a platform report.
	e.w.mu.Lock()
	old := &e.w.cases[c.ID].Takedowns[0]
	old.Channel = ""
	e.w.mu.Unlock()
	d := e.ok(t, "auditor1", `query($id: ID!) { case(id: $id) { takedowns { id channel authority dueAt legalDeadline followUpAt } } }`, map[string]any{"id": c.ID})
	td := dig(d, "case", "takedowns").([]any)[0]
	if dig(td, "channel") != "PLATFORM_REPORT" || dig(td, "legalDeadline") != nil || dig(td, "followUpAt") != dig(td, "dueAt") {
		t.Fatalf("old takedown: %s", toJSON(td))
	}
}

// TestTakedownChannelSDL checks the additions as a client sees them: the
// enum, the optional input fields (no declared default: see
// takedownChannelFields), and the new fields' types.
func TestTakedownChannelSDL(t *testing.T) {
	s, _ := newTestSchema(t)
	sdl, err := SDL(s)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(sdl, "enum TakedownChannel {")
	if i < 0 {
		t.Fatal("served SDL has no enum TakedownChannel")
	}
	enum, _, _ := strings.Cut(sdl[i:], "}")
	if !strings.Contains(enum, "  AUTHORITY_REQUEST\n") || !strings.Contains(enum, "  PLATFORM_REPORT\n") {
		t.Errorf("enum TakedownChannel: %s", enum)
	}
	for _, want := range []string{
		"  channel: TakedownChannel\n",
		"authority: String",
		"channel: TakedownChannel!",
		"legalDeadline: DateTime",
		"followUpAt: DateTime",
	} {
		if !strings.Contains(sdl, want) {
			t.Errorf("served SDL lacks %q", want)
		}
	}
}

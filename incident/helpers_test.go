package incident_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// t0 is when the test case is reported.
var t0 = time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)

// at returns t0 plus h hours.
func at(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }

// Actors of the test histories.
const (
	reporter = "reporter1"
	handler  = "handler1"
	leader   = "leader1"
)

// fieldOf returns the field named by a domain error ("" when err is not one).
func fieldOf(err error) string {
	var e *incident.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// validReport is a report Decide accepts on an empty case.
func validReport() incident.Report {
	return incident.Report{
		CaseID:          "c-1",
		Number:          "VV-2025-000001",
		ClientRequestID: "req-1",
		Kind:            incident.Impersonation,
		Unit:            "lai-chau/tan-uyen/xa-phuc-khoa",
		EscalatesTo:     "lai-chau/so-vhttdl",
		Title:           "Trang giả mạo UBND huyện Tân Uyên",
		Description:     "Trang đăng thông báo thu phí giả.",
		Subjects: []incident.SubjectInput{{
			Platform:    incident.Facebook,
			URL:         "https://www.facebook.com/ubnd.tanuyen.fake?fbclid=IwAR0",
			DisplayName: "UBND huyện Tân Uyên",
		}},
	}
}

// history is a case driven through Decide and DueEvents the way the workflow
// drives it: every accepted decision is wrapped into events and folded.
type history struct {
	t      *testing.T
	p      incident.Policy
	c      incident.Case
	events []incident.Event
}

func newHistory(t *testing.T) *history {
	t.Helper()
	return &history{t: t, p: incident.DefaultPolicy()}
}

// record wraps payloads into events by actor at now and folds them.
func (h *history) record(actor string, now time.Time, ps []incident.Payload) {
	h.t.Helper()
	for _, p := range ps {
		e := incident.Event{
			ID:    fmt.Sprintf("ev-%d", len(h.events)+1),
			Type:  p.EventType(),
			Actor: actor,
			At:    now,
			Data:  p,
		}
		if err := incident.Apply(&h.c, e); err != nil {
			h.t.Fatalf("apply %s: %v", e.Type, err)
		}
		h.events = append(h.events, e)
	}
}

// do decides cmd by actor at now, fails the test on an error, and records the events.
func (h *history) do(actor string, cmd incident.Command, now time.Time) []incident.Payload {
	h.t.Helper()
	ps, err := incident.Decide(h.c, cmd, now, h.p)
	if err != nil {
		h.t.Fatalf("%s on a %s case: %v", cmd.Name(), h.c.Status, err)
	}
	h.record(actor, now, ps)
	return ps
}

// tick runs the deadline clock at now and records what it decides as the system's.
func (h *history) tick(now time.Time) []incident.Payload {
	h.t.Helper()
	ps := incident.DueEvents(h.c, now, h.p)
	h.record(incident.SystemActor, now, ps)
	return ps
}

// The stages of the lifecycle the tests start from, in order. Each builds on
// the one before it, except RESOLVED (from ACTION) and REJECTED (from TRIAGED).
const (
	fxReported       = "REPORTED"
	fxTriaged        = "TRIAGED"
	fxAnalysis       = "ANALYSIS"
	fxAnalysed       = "ANALYSIS+recorded"
	fxAction         = "ACTION"
	fxEscPending     = "ESCALATED/PENDING_APPROVAL"
	fxEscApproved    = "ESCALATED/APPROVED"
	fxEscSent        = "ESCALATED/SENT"
	fxEscAcknowledge = "ESCALATED/ACKNOWLEDGED"
	fxResolved       = "RESOLVED"
	fxClosed         = "CLOSED"
	fxRejected       = "REJECTED"
)

var fixtures = []string{fxReported, fxTriaged, fxAnalysis, fxAnalysed, fxAction, fxEscPending, fxEscApproved, fxEscSent, fxEscAcknowledge, fxResolved, fxClosed, fxRejected}

// fixture returns a history in stage name (see the fx constants). Its
// deadlines, with the default policy and severity HIGH:
//
//	TRIAGE-1 (report, met at triage), ANALYSIS-2 (met by recordAnalysis),
//	RESOLUTION-3, TAKEDOWN_RESPONSE-4 (ref TD-1), ESCALATION_APPROVAL-5
//	(met by approval), ESCALATION_RESPONSE-6 (met by the response).
func fixture(t *testing.T, name string) *history {
	t.Helper()
	h := newHistory(t)
	steps := []struct {
		stage string
		actor string
		cmd   incident.Command
		h     float64
	}{
		{fxReported, reporter, validReport(), 0},
		{fxTriaged, handler, incident.Triage{Severity: incident.High, Assignee: handler}, 1},
		{fxAnalysis, handler, incident.StartAnalysis{}, 2},
		{fxAnalysed, handler, incident.RecordAnalysis{Findings: "Trang mạo danh UBND.", Verdict: incident.VerdictFalse}, 3},
		{fxAction, handler, incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://www.facebook.com/ubnd.tanuyen.fake", Reason: "Mạo danh cơ quan nhà nước"}, 4},
		{fxEscPending, handler, incident.RequestEscalation{Reason: "Nền tảng không phản hồi"}, 5},
		{fxEscApproved, leader, incident.ApproveEscalation{Note: "Đồng ý"}, 6},
		{fxEscSent, incident.SystemActor, incident.SendEscalation{DispatchNumber: "123/UBND-VHTT"}, 7},
		{fxEscAcknowledge, handler, incident.RecordEscalationResponse{Response: "Sở đã tiếp nhận"}, 8},
	}
	branch := map[string]struct {
		from  string
		actor string
		cmd   incident.Command
		h     float64
	}{
		fxResolved: {fxAction, handler, incident.Resolve{Resolution: "Trang đã bị gỡ"}, 9},
		fxClosed:   {fxResolved, leader, incident.Close{Note: "Xác nhận"}, 10},
		fxRejected: {fxTriaged, handler, incident.Reject{Reason: "Không phải sự cố"}, 2},
	}
	if b, ok := branch[name]; ok {
		h = fixture(t, b.from)
		h.do(b.actor, b.cmd, at(b.h))
		return h
	}
	for _, s := range steps {
		h.do(s.actor, s.cmd, at(s.h))
		if s.stage == name {
			return h
		}
	}
	t.Fatalf("unknown fixture %q", name)
	return nil
}

// types returns the event types of ps.
func types(ps []incident.Payload) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.EventType()
	}
	return out
}

func sameStrings(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}

// deadlineSets returns the DeadlineSet payloads of ps.
func deadlineSets(ps []incident.Payload) []incident.DeadlineSet {
	var out []incident.DeadlineSet
	for _, p := range ps {
		if d, ok := p.(incident.DeadlineSet); ok {
			out = append(out, d)
		}
	}
	return out
}

// pendingKinds returns the kinds of the pending deadlines of c, in order.
func pendingKinds(c incident.Case) string {
	var out []string
	for _, d := range c.PendingDeadlines() {
		out = append(out, string(d.Kind))
	}
	return strings.Join(out, ",")
}

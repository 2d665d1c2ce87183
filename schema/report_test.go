package schema

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// reportWorld is the fake world with periodic reports: it answers a fixed
// report for the unit and period asked, and records them.
type reportWorld struct {
	*world
	asked []string
}

func (w *reportWorld) PeriodicReport(ctx context.Context, unit string, p incident.ReportPeriod) (incident.PeriodicReport, error) {
	w.asked = append(w.asked, unit+" "+p.String())
	ratio, median := 0.75, 30.5
	row := incident.ReportRow{Unit: incident.ReportUnit{ID: unitCommune, Name: "UBND xã Phúc Khoa"}, Received: 3,
		ReceivedByKind: []incident.KindCount{{Kind: incident.Impersonation, Count: 2}, {Kind: incident.FalseInformation, Count: 1}},
		Resolved:       2, OpenAtEnd: 1, TakedownsSent: 2, TakedownsRemoved: 1, TakedownsUnanswered: 1, EscalationsSent: 1,
		DeadlineMetRatio: &ratio, MedianResolveHours: &median}
	own := incident.ReportRow{Unit: incident.ReportUnit{ID: unit, Name: "Tân Uyên"}, Direct: true, Received: 1, Rejected: 1,
		ReceivedByKind: []incident.KindCount{{Kind: incident.AccountCompromised, Count: 1}}}
	totals := row
	totals.Unit, totals.Received, totals.Rejected = own.Unit, 4, 1
	totals.ReceivedByKind = append(totals.ReceivedByKind, own.ReceivedByKind...)
	_, to := p.Bounds()
	return incident.PeriodicReport{Unit: own.Unit, Period: p, AsOf: to, MadeAt: to.Add(time.Hour),
		Rows: []incident.ReportRow{row, own}, Totals: totals}, nil
}

const reportDoc = `query R($unit: ID!, $period: String!) { periodicReport(unit: $unit, period: $period) {
  unit { id } period { kind year number from to label code } asOf
  rows { unit { id name } direct received receivedByKind { kind count } resolved closed rejected openAtEnd overdue missed
    takedownsSent takedownsRemoved takedownsRefused takedownsUnanswered escalationsSent deadlineMetRatio medianResolveHours }
  totals { unit { id } received rejected receivedByKind { kind count } }
  xlsxUrl csvUrl docxUrl pdfUrl } }`

func TestPeriodicReportField(t *testing.T) {
	_, e := newTestSchema(t)
	rw := &reportWorld{world: e.w}
	s, err := New(Deps{Auth: e.auth, Commands: e.w, Reads: e.w, Cases: rw, Logger: slog.New(slog.NewTextHandler(e.log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e.s = s
	vars := map[string]any{"unit": unitDistrict, "period": "2026-Q1"}
	for _, sub := range []string{"leader1", "auditor1"} {
		data := e.ok(t, sub, reportDoc, vars)
		got := compact(data["periodicReport"])
		for _, want := range []string{
			`"period":{"code":"2026-Q1","from":"2025-12-15T00:00:00+07:00","kind":"QUARTER","label":"quý I năm 2026","number":1,"to":"2026-03-15T00:00:00+07:00","year":2026}`,
			`"receivedByKind":[{"count":0,"kind":"ACCOUNT_COMPROMISED"},{"count":2,"kind":"IMPERSONATION"},{"count":1,"kind":"FALSE_INFORMATION"}]`,
			`"deadlineMetRatio":0.75`, `"medianResolveHours":30.5`, `"direct":true`,
			`"unit":{"id":"lai-chau/tan-uyen/xa-phuc-khoa","name":"UBND xã Phúc Khoa"}`,
			`"xlsxUrl":"/reports/file.xlsx?period=2026-Q1\u0026unit=lai-chau%2Ftan-uyen"`,
			`"pdfUrl":"/reports/file.pdf?period=2026-Q1\u0026unit=lai-chau%2Ftan-uyen"`,
			`"totals":{"received":4,"receivedByKind":[{"count":1,"kind":"ACCOUNT_COMPROMISED"}`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: %s lacks %s", sub, got, want)
			}
		}
	}
	if strings.Join(rw.asked, ",") != "lai-chau/tan-uyen 2026-Q1,lai-chau/tan-uyen 2026-Q1" {
		t.Errorf("asked %v", rw.asked)
	}
	for _, tc := range []struct {
		sub, unit, period, code, field string
	}{
		{"handler1", unitDistrict, "2026-03", incident.CodeForbidden, ""}, // HANDLER reads stats, not reports
		{"reporter1", unitCommune, "2026-03", incident.CodeForbidden, ""}, // nor does REPORTER
		{"leader1", unitProvince, "2026-03", incident.CodeForbidden, ""},  // above the leader's unit
		{"outsider", unitDistrict, "2026-03", incident.CodeForbidden, ""}, // another district's leader
		{"leader1", "lai-chau/nowhere", "2026-03", incident.CodeNotFound, "unit"},
		{"leader1", unitDistrict, "2026-3", incident.CodeBadUserInput, "period"},
		{"leader1", unitDistrict, "March 2026", incident.CodeBadUserInput, "period"},
		{"leader1", unitDistrict, "2026-Q5", incident.CodeBadUserInput, "period"},
		{"", unitDistrict, "2026-03", incident.CodeUnauthenticated, ""},
	} {
		r := e.run(t, tc.sub, reportDoc, map[string]any{"unit": tc.unit, "period": tc.period})
		if r.code() != tc.code || (tc.field != "" && r.field() != tc.field) {
			t.Errorf("%s %s %s: %s, want %s on %q", tc.sub, tc.unit, tc.period, toJSON(r.Errors), tc.code, tc.field)
		}
		if tc.code == incident.CodeBadUserInput && !strings.Contains(r.Errors[0].Message, `"2026-H1"`) {
			t.Errorf("%q: the message does not name the forms: %s", tc.period, r.Errors[0].Message)
		}
	}
	if len(rw.asked) != 2 {
		t.Errorf("refused requests reached the reader: %v", rw.asked)
	}
}

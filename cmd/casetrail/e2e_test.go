//go:build linux

package main

// End-to-end tests of the real binary: `casetrail serve` with the demo seed,
// the embedded Temporal server and PostgreSQL, driven over HTTP.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os/exec"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"
	"golang.org/x/text/unicode/norm"

	"casetrail/api"
)

const zeroHash = "0000000000000000000000000000000000000000000000000000000000000000"

var (
	caseNumberRE = regexp.MustCompile(`^VV-\d{4}-\d{6}$`)
	hashRE       = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

func parseTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("%q is not an RFC 3339 time: %v", s, err)
	}
	return v
}

// span returns to-from of two RFC 3339 times.
func span(t testing.TB, from, to string) time.Duration {
	return parseTime(t, to).Sub(parseTime(t, from))
}

// near reports whether d is within a second of want.
func near(d, want time.Duration) bool { return (d - want).Abs() <= time.Second }

// checkChain checks the contract's hash chain and numbering of a stream.
func checkChain(t testing.TB, events []eventView) {
	t.Helper()
	var prevPos uint64
	for i, e := range events {
		if e.Version != i+1 {
			t.Errorf("event %d has version %d; versions must be 1..n without gaps", i, e.Version)
		}
		want := zeroHash
		if i > 0 {
			want = events[i-1].Hash
		}
		if e.PrevHash != want {
			t.Errorf("event %d (%s): prevHash %s, want %s", e.Version, e.Type, e.PrevHash, want)
		}
		if !hashRE.MatchString(e.Hash) {
			t.Errorf("event %d: hash %q is not lower-case hex SHA-256", e.Version, e.Hash)
		}
		pos, err := strconv.ParseUint(e.GlobalPosition, 10, 64)
		if err != nil || pos <= prevPos {
			t.Errorf("event %d: globalPosition %q is not a decimal above %d", e.Version, e.GlobalPosition, prevPos)
		}
		prevPos = pos
	}
}

// TestEndToEndLifecycle walks one case through its whole life over HTTP
// (issue 4): reported by a reporter (idempotently, then merged with a second
// report), worked by a handler, closed by a leader and audited; refused
// commands write nothing; `casetrail verify` finds a tampered event.
func TestEndToEndLifecycle(t *testing.T) {
	s := newServer(t, serverOptions{})
	const (
		reporter = "reporter1"
		handler  = "handler1"
		leader   = "leader1"
		auditor  = "auditor1"
		commune  = "lai-chau/tan-uyen/xa-phuc-khoa"
		fakePage = "https://www.facebook.com/ubnd.tanuyen.gov/"
	)
	title := "Trang Facebook giả mạo UBND huyện Tân Uyên"
	in := reportInput{
		ClientRequestID: "e2e-lifecycle-1",
		Kind:            "IMPERSONATION",
		Unit:            commune,
		Title:           norm.NFD.String(title), // stored NFC-normalized
		Description:     "Trang đăng thông báo tuyển dụng giả, dùng ảnh đại diện và tên của UBND huyện.",
		Subjects:        []subjectInput{{Platform: "FACEBOOK", URL: fakePage, DisplayName: "UBND huyện Tân Uyên"}},
	}

	// Report, then the same report again: the same case, unchanged.
	reported, merged := s.report(t, reporter, in)
	if merged || reported.Status != "REPORTED" || reported.ReportedBy != reporter || reported.Unit.ID != commune || reported.Kind != "IMPERSONATION" {
		t.Fatalf("reported case: merged=%v %+v", merged, reported)
	}
	if reported.Title != title {
		t.Errorf("title %q (%d bytes); want the NFC form %q", reported.Title, len(reported.Title), title)
	}
	if !caseNumberRE.MatchString(reported.Number) {
		t.Errorf("case number %q; want VV-yyyy-nnnnnn", reported.Number)
	}
	if len(reported.Subjects) != 1 || reported.Subjects[0].NormalizedURL != "https://facebook.com/ubnd.tanuyen.gov" {
		t.Errorf("subjects %+v; want one, normalized to https://facebook.com/ubnd.tanuyen.gov", reported.Subjects)
	}
	if d := reported.deadline("TRIAGE"); d == nil || d.State != "PENDING" || !near(span(t, reported.ReportedAt, d.DueAt), 4*time.Hour) {
		t.Errorf("TRIAGE deadline %+v; want PENDING, due 4h after the report (%s)", d, reported.ReportedAt)
	}
	again, merged := s.report(t, reporter, in)
	if merged || !reflect.DeepEqual(again, reported) {
		t.Errorf("repeated report (same clientRequestId): merged=%v\n got %+v\nwant %+v", merged, again, reported)
	}

	// A second report of the same page (another URL variant), by someone
	// else: merged into the open case.
	second := reportInput{
		ClientRequestID: "e2e-lifecycle-merge",
		Kind:            "IMPERSONATION",
		Unit:            "lai-chau/tan-uyen",
		Title:           "Trang mạo danh UBND huyện xin thông tin cá nhân",
		Description:     "Người dân phản ánh qua đường dây nóng.",
		Subjects:        []subjectInput{{Platform: "FACEBOOK", URL: "https://m.facebook.com/ubnd.tanuyen.gov?fbclid=IwAR3xYz"}},
	}
	atV3, merged := s.report(t, handler, second)
	if !merged || atV3.ID != reported.ID || atV3.MergedReports != 1 || atV3.Version != reported.Version+1 || atV3.Status != "REPORTED" {
		t.Fatalf("second report: merged=%v id=%s mergedReports=%d version=%d status=%s; want merged into %s (mergedReports 1, version %d)",
			merged, atV3.ID, atV3.MergedReports, atV3.Version, atV3.Status, reported.ID, reported.Version+1)
	}
	if again, merged := s.report(t, handler, second); !merged || !reflect.DeepEqual(again, atV3) {
		t.Errorf("repeated merged report: merged=%v, case changed: %+v", merged, again)
	}

	// Limits: a 300-character title is accepted, 301 is BAD_USER_INPUT and
	// opens nothing.
	countCases := func() int {
		var d struct{ Cases struct{ TotalCount int } }
		s.must(t, auditor, `{ cases { totalCount } }`, nil, &d)
		return d.Cases.TotalCount
	}
	longTitle := []rune(strings.Repeat("Tin sai sự thật về lũ quét ở xã Phúc Khoa lan truyền trên TikTok. ", 10))
	rumour := reportInput{
		ClientRequestID: "e2e-lifecycle-2",
		Kind:            "FALSE_INFORMATION",
		Unit:            commune,
		Title:           string(longTitle[:300]),
		Description:     "Video cắt ghép cảnh lũ năm trước.",
		Subjects:        []subjectInput{{Platform: "TIKTOK", URL: "https://www.tiktok.com/@tinnong247/video/7311112223334445556"}},
	}
	other, _ := s.report(t, reporter, rumour)
	if utf8.RuneCountInString(other.Title) != 300 || other.ID == reported.ID {
		t.Fatalf("300-character title: got %d characters, case %s", utf8.RuneCountInString(other.Title), other.ID)
	}
	before := countCases()
	rumour.ClientRequestID, rumour.Title = "e2e-lifecycle-3", string(longTitle[:301])
	rumour.Subjects[0].URL = "https://www.tiktok.com/@tinnong247/video/1"
	e := s.refused(t, reporter, reportMutation, map[string]any{"in": rumour}, "BAD_USER_INPUT")
	if e.Extensions.Field != "title" && !strings.Contains(e.Message, "title") {
		t.Errorf("301-character title: error %+v does not name the field", e)
	}
	if n := countCases(); n != before {
		t.Errorf("a refused report changed the number of cases: %d -> %d", before, n)
	}

	// The handler works the case.
	id := reported.ID
	vars := func(kv ...any) map[string]any {
		m := map[string]any{"id": id}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	triaged := s.mutate(t, handler, `triageCase(id: $id, severity: HIGH, assignee: "handler1", note: "Ưu tiên: đang lừa đảo người dân", expectedVersion: $v)`,
		`($id: ID!, $v: Int)`, vars("v", atV3.Version))
	if triaged.Status != "TRIAGED" || triaged.Severity == nil || *triaged.Severity != "HIGH" || triaged.Assignee == nil || *triaged.Assignee != handler {
		t.Fatalf("triaged: %+v", triaged)
	}
	if d := triaged.deadline("TRIAGE"); d == nil || d.State != "MET" || d.SettledAt == nil {
		t.Errorf("TRIAGE deadline after triage: %+v; want MET with settledAt", d)
	}
	if d := triaged.deadline("ANALYSIS"); d == nil || d.State != "PENDING" || !near(span(t, triaged.UpdatedAt, d.DueAt), 12*time.Hour) {
		t.Errorf("ANALYSIS deadline %+v; want PENDING, due 12h (HIGH) after triage at %s", d, triaged.UpdatedAt)
	}
	if d := triaged.deadline("RESOLUTION"); d == nil || d.State != "PENDING" || !near(span(t, reported.ReportedAt, d.DueAt), 120*time.Hour) {
		t.Errorf("RESOLUTION deadline %+v; want PENDING, due 120h (HIGH) after the report", d)
	}
	// The same caller reads its own write at once, in a list too.
	var list struct {
		Cases struct {
			Edges []struct{ Node struct{ ID, Status string } }
		}
	}
	s.must(t, handler, `{ cases(filter: {status: [TRIAGED]}) { edges { node { id status } } } }`, nil, &list)
	if len(list.Cases.Edges) != 1 || list.Cases.Edges[0].Node.ID != id {
		t.Errorf("cases(status: TRIAGED) right after triage: %+v", list.Cases.Edges)
	}

	// A stale expectedVersion is a CONFLICT and writes nothing.
	const startAnalysis = `mutation($id: ID!, $v: Int) { startAnalysis(id: $id, expectedVersion: $v) { version } }`
	s.refused(t, handler, startAnalysis, vars("v", atV3.Version), "CONFLICT")
	if c := s.readCase(t, handler, id); c.Version != triaged.Version || c.Status != "TRIAGED" {
		t.Fatalf("after a CONFLICT: version %d status %s; want %d TRIAGED", c.Version, c.Status, triaged.Version)
	}

	analysing := s.mutate(t, handler, `startAnalysis(id: $id, expectedVersion: $v)`, `($id: ID!, $v: Int)`, vars("v", triaged.Version))
	if analysing.Status != "ANALYSIS" {
		t.Fatalf("startAnalysis: status %s", analysing.Status)
	}
	const recordAnalysis = `mutation($id: ID!, $in: AnalysisInput!) { recordAnalysis(id: $id, input: $in) { version } }`
	e = s.refused(t, handler, recordAnalysis, vars("in", map[string]any{"findings": "   "}), "BAD_USER_INPUT")
	if !strings.Contains(e.Extensions.Field+e.Message, "findings") {
		t.Errorf("blank findings: error %+v does not name the field", e)
	}
	if c := s.readCase(t, handler, id); c.Version != analysing.Version {
		t.Fatalf("a BAD_USER_INPUT command changed the version: %d -> %d", analysing.Version, c.Version)
	}
	analysed := s.mutate(t, handler, `recordAnalysis(id: $id, input: $in)`, `($id: ID!, $in: AnalysisInput!)`, vars("in", map[string]any{
		"findings":   "Trang lập ngày 20/11, dùng logo và tên UBND huyện, không có trong danh sách trang chính thức.",
		"verdict":    "FALSE",
		"legalBasis": "Nghị định 147/2024/NĐ-CP",
	}))
	a := analysed.Analysis
	if a == nil || a.Verdict == nil || *a.Verdict != "FALSE" || a.RecordedBy != handler {
		t.Fatalf("recordAnalysis: analysis %+v", a)
	}
	if a.ImpersonatedAccount == nil || a.ImpersonatedAccount.URL != "https://www.facebook.com/ubndtanuyen" || a.Similarity == nil || *a.Similarity <= 0 || *a.Similarity > 1 {
		t.Errorf("impersonation analysis: account %+v similarity %v; want the registered page of UBND huyện Tân Uyên", a.ImpersonatedAccount, a.Similarity)
	}
	if d := analysed.deadline("ANALYSIS"); d == nil || d.State != "MET" {
		t.Errorf("ANALYSIS deadline after recordAnalysis: %+v", d)
	}

	screenshot := []byte("<html><body><h1>UBND huyện Tân Uyên</h1><p>Tuyển dụng 50 chỉ tiêu, nộp phí hồ sơ 500.000đ</p></body></html>")
	sum := sha256.Sum256(screenshot)
	withEvidence := s.mutate(t, handler, `addEvidence(id: $id, input: $in)`, `($id: ID!, $in: EvidenceInput!)`, vars("in", map[string]any{
		"description":   "Ảnh chụp trang lúc 09:12",
		"url":           fakePage,
		"mediaType":     "text/html",
		"contentBase64": base64.StdEncoding.EncodeToString(screenshot),
	}))
	if len(withEvidence.Evidence) != 1 {
		t.Fatalf("addEvidence: evidence %+v", withEvidence.Evidence)
	}
	if ev := withEvidence.Evidence[0]; ev.Sha256 != hex.EncodeToString(sum[:]) || ev.SizeBytes != len(screenshot) || ev.MediaType != "text/html" || ev.AddedBy != handler {
		t.Errorf("evidence %+v; want sha256 %x, %d bytes, text/html, added by %s", ev, sum, len(screenshot), handler)
	}

	inAction := s.mutate(t, handler, `requestTakedown(id: $id, input: $in, expectedVersion: $v)`, `($id: ID!, $in: TakedownInput!, $v: Int)`, vars(
		"v", withEvidence.Version,
		"in", map[string]any{"platform": "FACEBOOK", "targetUrl": fakePage, "reason": "Mạo danh cơ quan nhà nước", "legalBasis": "Nghị định 147/2024/NĐ-CP, Điều 23"}))
	if inAction.Status != "ACTION" || len(inAction.Takedowns) != 1 {
		t.Fatalf("requestTakedown: status %s takedowns %+v", inAction.Status, inAction.Takedowns)
	}
	td := inAction.Takedowns[0]
	if td.Status != "SENT" || td.RequestedBy != handler || !near(span(t, td.RequestedAt, td.DueAt), 24*time.Hour) {
		t.Errorf("takedown %+v; want SENT by %s, due 24h after the request", td, handler)
	}
	if d := inAction.deadline("TAKEDOWN_RESPONSE"); d == nil || d.State != "PENDING" || d.Ref == nil || *d.Ref != td.ID || d.DueAt != td.DueAt {
		t.Errorf("TAKEDOWN_RESPONSE deadline %+v; want PENDING for %s due %s", d, td.ID, td.DueAt)
	}
	removed := s.mutate(t, handler, `recordTakedownResponse(id: $id, input: $in)`, `($id: ID!, $in: TakedownResponseInput!)`, vars(
		"in", map[string]any{"takedownId": td.ID, "outcome": "REMOVED", "platformReference": "FB-2026-118"}))
	if got := removed.Takedowns[0]; got.Status != "REMOVED" || got.PlatformReference == nil || *got.PlatformReference != "FB-2026-118" || got.RespondedAt == nil {
		t.Errorf("takedown after the response: %+v", got)
	}
	if d := removed.deadline("TAKEDOWN_RESPONSE"); d == nil || d.State != "MET" {
		t.Errorf("TAKEDOWN_RESPONSE deadline after the response: %+v", d)
	}

	// Closing before resolving is not a transition; nothing is written.
	const closeCase = `mutation($id: ID!) { closeCase(id: $id, note: "Đóng hồ sơ") { version } }`
	s.refused(t, leader, closeCase, vars(), "INVALID_TRANSITION")
	if c := s.readCase(t, leader, id); c.Version != removed.Version || c.Status != "ACTION" {
		t.Fatalf("after INVALID_TRANSITION: version %d status %s; want %d ACTION", c.Version, c.Status, removed.Version)
	}
	resolved := s.mutate(t, handler, `resolveCase(id: $id, resolution: $r)`, `($id: ID!, $r: String!)`, vars("r", "Facebook đã gỡ trang; đã đăng cảnh báo trên trang chính thức."))
	if resolved.Status != "RESOLVED" || resolved.Resolution == nil {
		t.Fatalf("resolveCase: %+v", resolved)
	}
	if d := resolved.deadline("RESOLUTION"); d == nil || d.State != "MET" {
		t.Errorf("RESOLUTION deadline after resolve: %+v", d)
	}
	closed := s.mutate(t, leader, `closeCase(id: $id, note: "Đã xác nhận kết quả")`, `($id: ID!)`, vars())
	if closed.Status != "CLOSED" {
		t.Fatalf("closeCase: status %s", closed.Status)
	}

	// The auditor replays and checks the case: its history once the
	// reporter was told of the resolution (a delivery record; issue 18).
	events := s.quietHistory(t, auditor, id)
	if d := deliveryOf(events, "CaseResolved"); len(d) != 1 || d[0].Type != "NotificationSent" || d[0].Actor != "system" ||
		!strings.Contains(d[0].Data, `"recipients":["`+reporter+`"]`) {
		t.Errorf("the reporter told of the resolution: %+v", d)
	}
	wantTypes := []string{
		"CaseReported", "DeadlineSet", // TRIAGE
		"ReportMerged",
		"CaseTriaged", "DeadlineMet", "DeadlineSet", "DeadlineSet", // TRIAGE met; ANALYSIS, RESOLUTION set
		"AnalysisStarted",
		"AnalysisRecorded", "DeadlineMet", // ANALYSIS
		"EvidenceAdded",
		"TakedownRequested", "DeadlineSet", // TAKEDOWN_RESPONSE
		"TakedownResponded", "DeadlineMet",
		"CaseResolved", "DeadlineMet", // RESOLUTION
		"CaseClosed",
	}
	if got := eventTypes(caseEventsOnly(events)); !slices.Equal(got, wantTypes) {
		t.Errorf("history types:\n got %v\nwant %v", got, wantTypes)
	}
	checkChain(t, events)
	if c := findEvents(events, "CaseClosed", ""); len(c) != 1 || c[0].Version != closed.Version {
		t.Errorf("CaseClosed %+v; the close answered version %d", c, closed.Version)
	}
	actors := map[string]string{"CaseReported": reporter, "ReportMerged": handler, "CaseTriaged": handler, "EvidenceAdded": handler, "CaseClosed": leader}
	for _, e := range events {
		if want, ok := actors[e.Type]; ok && e.Actor != want {
			t.Errorf("%s by %q; want %q", e.Type, e.Actor, want)
		}
	}
	if ev := findEvents(events, "CaseReported", ""); len(ev) != 1 || ev[0].field("title") != title {
		t.Errorf("CaseReported data %v; want the title %q", ev, title)
	}

	const asOf = `query($id: ID!, $v: Int) { caseAsOf(id: $id, version: $v) { ...C } }` + caseFields
	var past struct{ CaseAsOf *caseView }
	s.must(t, auditor, asOf, vars("v", 3), &past)
	if past.CaseAsOf == nil || !reflect.DeepEqual(*past.CaseAsOf, atV3) {
		t.Errorf("caseAsOf(version: 3):\n got %+v\nwant %+v", past.CaseAsOf, atV3)
	}
	s.must(t, auditor, asOf, vars("v", len(events)), &past)
	eventually(t, 10*time.Second, "caseAsOf(latest version) equal to the case", func() error {
		if now := s.readCase(t, auditor, id); past.CaseAsOf == nil || !reflect.DeepEqual(*past.CaseAsOf, now) {
			return fmt.Errorf("caseAsOf(latest version) differs from case:\n got %+v\nwant %+v", past.CaseAsOf, now)
		}
		return nil
	})

	const verifyQuery = `query($id: ID!) { verifyCase(id: $id) { caseId ok eventsChecked firstBadVersion headHash } }`
	type integrity struct {
		CaseID          string
		OK              bool
		EventsChecked   int
		FirstBadVersion *int
		HeadHash        string
	}
	var v struct{ VerifyCase integrity }
	s.must(t, auditor, verifyQuery, vars(), &v)
	if want := (integrity{CaseID: id, OK: true, EventsChecked: len(events), HeadHash: events[len(events)-1].Hash}); !reflect.DeepEqual(v.VerifyCase, want) {
		t.Errorf("verifyCase: %+v; want %+v", v.VerifyCase, want)
	}

	// Search without diacritics, and by number.
	for _, text := range []string{"gia mao", "GIẢ MẠO", reported.Number} {
		var found struct {
			Cases struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID string } }
			}
		}
		s.must(t, auditor, `query($f: CaseFilter) { cases(filter: $f) { totalCount edges { node { id } } } }`, map[string]any{"f": map[string]any{"text": text}}, &found)
		if found.Cases.TotalCount != 1 || len(found.Cases.Edges) != 1 || found.Cases.Edges[0].Node.ID != id {
			t.Errorf("cases(text: %q): %+v; want only %s", text, found.Cases, id)
		}
	}

	// Statistics of the leader's units.
	var st struct {
		Stats struct {
			Total, Open, Overdue int
			ByStatus             []struct {
				Status string
				Count  int
			}
			ByKind []struct {
				Kind  string
				Count int
			}
			MedianHoursToResolve *float64
			DeadlineMetRatio     *float64
		}
	}
	s.must(t, leader, `{ stats { total open overdue byStatus { status count } byKind { kind count } medianHoursToResolve deadlineMetRatio } }`, nil, &st)
	byStatus, byKind := map[string]int{}, map[string]int{}
	for _, x := range st.Stats.ByStatus {
		if x.Count != 0 {
			byStatus[x.Status] += x.Count
		}
	}
	for _, x := range st.Stats.ByKind {
		if x.Count != 0 {
			byKind[x.Kind] += x.Count
		}
	}
	if st.Stats.Total != 2 || st.Stats.Open != 1 || st.Stats.Overdue != 0 ||
		!maps.Equal(byStatus, map[string]int{"CLOSED": 1, "REPORTED": 1}) || !maps.Equal(byKind, map[string]int{"IMPERSONATION": 1, "FALSE_INFORMATION": 1}) {
		t.Errorf("stats: %+v; want 2 cases (1 CLOSED, 1 REPORTED; 1 IMPERSONATION, 1 FALSE_INFORMATION), 1 open, 0 overdue", st.Stats)
	}
	if m := st.Stats.MedianHoursToResolve; m == nil || *m < 0 || *m > 1 {
		t.Errorf("medianHoursToResolve %v; want the few minutes of this test", m)
	}
	if r := st.Stats.DeadlineMetRatio; r == nil || *r != 1 {
		t.Errorf("deadlineMetRatio %v; want 1 (every settled deadline was met)", r)
	}

	// The registry of official accounts, and what the case taught it.
	const check = `query($u: String!) { checkAccount(url: $u) { result caseNumber officialAccount { url displayName unit { id } } } }`
	type checked struct {
		CheckAccount struct {
			Result          string
			CaseNumber      *string
			OfficialAccount *struct {
				URL, DisplayName string
				Unit             unitRef
			}
		}
	}
	var ca checked
	s.must(t, reporter, check, map[string]any{"u": "https://m.facebook.com/ubndtanuyen/"}, &ca)
	if r := ca.CheckAccount; r.Result != "OFFICIAL" || r.OfficialAccount == nil || r.OfficialAccount.URL != "https://www.facebook.com/ubndtanuyen" || r.OfficialAccount.Unit.ID != "lai-chau/tan-uyen" {
		t.Errorf("checkAccount(official page): %+v", r)
	}
	s.must(t, auditor, check, map[string]any{"u": fakePage}, &ca)
	if r := ca.CheckAccount; r.Result != "KNOWN_IMPERSONATOR" || r.CaseNumber == nil || *r.CaseNumber != reported.Number {
		t.Errorf("checkAccount(impersonating page) as auditor: %+v; want KNOWN_IMPERSONATOR %s", r, reported.Number)
	}
	s.must(t, "handler2", check, map[string]any{"u": fakePage}, &ca)
	if r := ca.CheckAccount; r.Result != "KNOWN_IMPERSONATOR" || r.CaseNumber != nil {
		t.Errorf("checkAccount(impersonating page) as handler2 of another unit: %+v; want no case number", r)
	}
	s.must(t, reporter, check, map[string]any{"u": "https://www.facebook.com/some.unknown.page"}, &ca)
	if ca.CheckAccount.Result != "UNKNOWN" {
		t.Errorf("checkAccount(unknown page): %+v", ca.CheckAccount)
	}

	// `casetrail verify` passes, then names the case whose event was altered.
	if out, err := s.run("verify"); err != nil || !strings.Contains(out, "0 broken") {
		t.Fatalf("casetrail verify on an intact store: %v\n%s", err, out)
	}
	tamper(t, s.dbURL, "case-"+id, 1)
	out, err := s.run("verify")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 || !strings.Contains(out, id) {
		t.Errorf("casetrail verify after tampering: %v; want a non-zero exit naming case %s\n%s", err, id, out)
	}
	if out, err := s.run("verify", "--case", other.ID); err != nil {
		t.Errorf("casetrail verify --case (untouched case): %v\n%s", err, out)
	}
	s.must(t, auditor, verifyQuery, vars(), &v)
	if v.VerifyCase.OK || v.VerifyCase.FirstBadVersion == nil || *v.VerifyCase.FirstBadVersion != 1 {
		t.Errorf("verifyCase after tampering: %+v; want ok=false, firstBadVersion 1", v.VerifyCase)
	}

	// SIGTERM stops the server cleanly.
	if err := s.stop(30 * time.Second); err != nil {
		t.Errorf("serve after SIGTERM: %v; want exit status 0", err)
	}
}

// tamper rewrites the title in the data of one event behind the store's
// back, the way an intruder with database access would: the append-only
// trigger is disabled around the UPDATE. It first checks that the trigger
// does refuse an UPDATE.
func tamper(t *testing.T, dbURL, stream string, version int) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE events SET data = data WHERE stream = $1 AND version = $2`, stream, version); err == nil {
		t.Errorf("UPDATE of events succeeded; the append-only guard should refuse it")
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `ALTER TABLE events DISABLE TRIGGER USER`); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE events SET data = jsonb_set(data, '{title}', to_jsonb('Trang chính thức'::text)) WHERE stream = $1 AND version = $2`, stream, version)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return errors.New("no such event")
		}
		_, err = tx.Exec(ctx, `ALTER TABLE events ENABLE TRIGGER USER`)
		return err
	})
	if err != nil {
		t.Fatalf("tamper with %s version %d: %v", stream, version, err)
	}
}

// TestEscalationAndMissedDeadline runs on second-long deadlines (the
// embedded server fires timers about once a second, so waits are polls with
// a generous bound): an unanswered takedown is missed by the system, which
// asks for an escalation; a leader approves it, it is sent with a dispatch
// number and answered. A case never triaged misses its TRIAGE deadline, and
// the overdue filter follows the contract's definition.
func TestEscalationAndMissedDeadline(t *testing.T) {
	s := newServer(t, serverOptions{Policy: `
triage: 4s
analysis: 1h
takedownResponse: 6s
escalationApproval: 1h
escalationResponse: 1h
resolution: 2h
reminders: [0.5]
autoEscalateOnTakedownMiss: true
`})
	const (
		commune  = "lai-chau/tan-uyen/xa-phuc-khoa"
		province = "lai-chau/so-vhttdl" // where Tân Uyên escalates to
		fakePage = "https://www.facebook.com/tintuc.tanuyen24h"
	)
	untriaged, _ := s.report(t, "reporter1", reportInput{
		ClientRequestID: "e2e-deadline-triage", Kind: "ACCOUNT_COMPROMISED", Unit: commune,
		Title: "Tài khoản Zalo của xã bị chiếm quyền", Description: "Không đăng nhập được từ sáng nay.",
		Subjects: []subjectInput{{Platform: "ZALO", URL: "https://zalo.me/ubndxaphuckhoa"}},
	})
	c, _ := s.report(t, "reporter1", reportInput{
		ClientRequestID: "e2e-deadline-takedown", Kind: "IMPERSONATION", Unit: commune,
		Title: "Trang tin giả mạo Cổng thông tin huyện", Description: "Đăng tin sai về giải phóng mặt bằng.",
		Subjects: []subjectInput{{Platform: "FACEBOOK", URL: fakePage}},
	})
	id := c.ID
	vars := func(kv ...any) map[string]any {
		m := map[string]any{"id": id}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	s.mutate(t, "handler1", `triageCase(id: $id, severity: MEDIUM, assignee: "handler1")`, `($id: ID!)`, vars())
	s.mutate(t, "handler1", `startAnalysis(id: $id)`, `($id: ID!)`, vars())
	s.mutate(t, "handler1", `recordAnalysis(id: $id, input: {findings: "Trang mạo danh", verdict: FALSE})`, `($id: ID!)`, vars())
	inAction := s.mutate(t, "handler1", `requestTakedown(id: $id, input: $in)`, `($id: ID!, $in: TakedownInput!)`, vars(
		"in", map[string]any{"platform": "FACEBOOK", "targetUrl": fakePage, "reason": "Mạo danh cơ quan nhà nước"}))
	if d := inAction.deadline("TRIAGE"); d == nil || d.State != "MET" {
		t.Fatalf("TRIAGE deadline of the worked case: %+v; want MET (triaged within its 4s)", d)
	}
	td := inAction.Takedowns[0]
	if !near(span(t, td.RequestedAt, td.DueAt), 6*time.Second) {
		t.Errorf("takedown due %s after the request; the policy file says 6s", span(t, td.RequestedAt, td.DueAt))
	}

	// The platform does not answer: the system misses the deadline and asks
	// for an escalation.
	var events []eventView
	eventually(t, time.Minute, "DeadlineMissed(TAKEDOWN_RESPONSE)", func() error {
		events = s.history(t, "handler1", id)
		if findEvents(events, "EscalationRequested", "") == nil {
			return errMissing
		}
		return nil
	})
	checkChain(t, events)
	reminders := findEvents(events, "DeadlineReminder", "TAKEDOWN_RESPONSE")
	missed := findEvents(events, "DeadlineMissed", "TAKEDOWN_RESPONSE")
	escalated := findEvents(events, "EscalationRequested", "")
	if len(reminders) != 1 || len(missed) != 1 || len(escalated) != 1 {
		t.Fatalf("events: %v; want one reminder (50%%), one miss and one escalation request", eventTypes(events))
	}
	if r, m, x := reminders[0], missed[0], escalated[0]; r.Actor != "system" || m.Actor != "system" || x.Actor != "system" ||
		!(r.Version < m.Version && m.Version < x.Version) || r.field("fraction") != "0.5" {
		t.Errorf("reminder %+v, miss %+v, escalation %+v; want them by system, in that order, the reminder at 0.5", r, m, x)
	}
	if parseTime(t, missed[0].OccurredAt).Before(parseTime(t, td.DueAt)) {
		t.Errorf("DeadlineMissed at %s, before the due time %s", missed[0].OccurredAt, td.DueAt)
	}
	if to := escalated[0].field("to"); to != province {
		t.Errorf("escalation to %q; want %q (escalatesTo of lai-chau/tan-uyen)", to, province)
	}
	var cur caseView
	eventually(t, 30*time.Second, "the read model shows the escalation", func() error {
		cur = s.readCase(t, "leader1", id)
		if cur.Status != "ESCALATED" || cur.Escalation == nil {
			return errMissing
		}
		return nil
	})
	if e := cur.Escalation; e.Status != "PENDING_APPROVAL" || e.RequestedBy != "system" || e.To.ID != province {
		t.Errorf("escalation %+v; want PENDING_APPROVAL requested by system to %s", e, province)
	}
	if cur.Takedowns[0].Status != "EXPIRED" {
		t.Errorf("takedown status %s; want EXPIRED", cur.Takedowns[0].Status)
	}
	if d := cur.deadline("TAKEDOWN_RESPONSE"); d == nil || d.State != "MISSED" || d.SettledAt == nil || parseTime(t, *d.SettledAt).Before(parseTime(t, d.DueAt)) {
		t.Errorf("TAKEDOWN_RESPONSE deadline %+v; want MISSED, settled after it was due", d)
	}
	if d := cur.deadline("ESCALATION_APPROVAL"); d == nil || d.State != "PENDING" {
		t.Errorf("ESCALATION_APPROVAL deadline %+v; want PENDING", d)
	}

	// Only a leader of the case's unit approves; the letter goes out.
	const approve = `mutation($id: ID!, $v: Int) { approveEscalation(id: $id, note: "Đồng ý chuyển Sở", expectedVersion: $v) { version } }`
	s.refused(t, "handler1", approve, vars("v", cur.Version), "FORBIDDEN")
	s.refused(t, "leader2", approve, vars("v", cur.Version), "FORBIDDEN") // leader of the receiving unit, not of the case's
	s.mutate(t, "leader1", `approveEscalation(id: $id, note: "Đồng ý chuyển Sở", expectedVersion: $v)`, `($id: ID!, $v: Int)`, vars("v", cur.Version))
	eventually(t, 30*time.Second, "escalation SENT", func() error {
		cur = s.readCase(t, "handler1", id)
		if cur.Escalation == nil || cur.Escalation.Status != "SENT" {
			return errMissing
		}
		return nil
	})
	e := cur.Escalation
	// Numbered as Decree 30/2020, Art. 15 sets it: by the issuing unit
	// (Tân Uyên, whose letterhead the commune writes through), the first
	// of its register this year, with its symbol — not the receiving
	// unit's counter and symbol ("1/SVHTTDL") as before issue 16.
	if e.ApprovedBy == nil || *e.ApprovedBy != "leader1" || e.ApprovedAt == nil || e.SentAt == nil ||
		e.DispatchNumber == nil || *e.DispatchNumber != "01/UBND-VHTT" {
		t.Errorf("sent escalation %+v; want approved by leader1, sent with dispatch number 01/UBND-VHTT", e)
	}
	if l := e.Letter; l == nil || l.Number != 1 || l.Symbol != "UBND-VHTT" || l.DispatchNumber != "01/UBND-VHTT" || l.Manual ||
		l.Issuer.ID != "lai-chau/tan-uyen" || l.Signer != (struct{ Prefix, Authority, Title, Name string }{"KT.", "Chủ tịch", "Phó Chủ tịch", "Trần Thị Lan"}) ||
		!regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(l.Sha256) || l.PdfURL == nil || *l.PdfURL != "/cases/"+id+"/letters/escalation.pdf" {
		t.Errorf("letter %+v; want 01/UBND-VHTT of Tân Uyên signed by its default signer, with the PDF's SHA-256", l)
	}
	if d := cur.deadline("ESCALATION_APPROVAL"); d == nil || d.State != "MET" {
		t.Errorf("ESCALATION_APPROVAL deadline %+v; want MET", d)
	}
	if d := cur.deadline("ESCALATION_RESPONSE"); d == nil || d.State != "PENDING" {
		t.Errorf("ESCALATION_RESPONSE deadline %+v; want PENDING", d)
	}
	ack := s.mutate(t, "handler1", `recordEscalationResponse(id: $id, response: "Sở đã tiếp nhận công văn", resolved: false)`, `($id: ID!)`, vars())
	if ack.Escalation.Status != "ACKNOWLEDGED" || ack.Escalation.Response == nil || ack.Escalation.RespondedAt == nil {
		t.Errorf("after an acknowledging response: %+v", ack.Escalation)
	}
	if d := ack.deadline("ESCALATION_RESPONSE"); d == nil || d.State != "MET" {
		t.Errorf("ESCALATION_RESPONSE deadline %+v; want MET", d)
	}
	done := s.mutate(t, "handler1", `recordEscalationResponse(id: $id, response: "Sở đã phối hợp gỡ trang", resolved: true)`, `($id: ID!)`, vars())
	if done.Escalation.Status != "RESOLVED" {
		t.Errorf("after a resolving response: escalation %s", done.Escalation.Status)
	}
	resolved := s.mutate(t, "handler1", `resolveCase(id: $id, resolution: "Trang đã bị gỡ theo đề nghị của Sở")`, `($id: ID!)`, vars())
	if resolved.Status != "RESOLVED" {
		t.Errorf("resolveCase after the escalation: %s", resolved.Status)
	}
	events = s.history(t, "auditor1", id)
	checkChain(t, events)
	if sent := findEvents(events, "EscalationSent", ""); len(sent) != 1 || e.DispatchNumber == nil || sent[0].field("dispatchNumber") != *e.DispatchNumber ||
		e.Letter == nil || sent[0].field("sha256") != e.Letter.Sha256 || sent[0].field("number") != "1" || sent[0].field("symbol") != "UBND-VHTT" ||
		sent[0].field("issuedAt") == "" || !strings.Contains(sent[0].field("signer"), "Trần Thị Lan") {
		t.Errorf("EscalationSent events %+v; want one recording the letter %+v", sent, e.Letter)
	}

	// Trung Đồng's clerk numbers in the commune's own register (the seed's
	// numbering: manual): the approval gives the number; none, or one the
	// commune already used this year, is refused.
	s.escalationByHand(t)

	// The case nobody triaged: TRIAGE is missed by the system.
	eventually(t, time.Minute, "DeadlineMissed(TRIAGE)", func() error {
		if findEvents(s.history(t, "leader1", untriaged.ID), "DeadlineMissed", "TRIAGE") == nil {
			return errMissing
		}
		return nil
	})
	events = s.history(t, "leader1", untriaged.ID)
	if got, want := eventTypes(caseEventsOnly(events)), []string{"CaseReported", "DeadlineSet", "DeadlineReminder", "DeadlineMissed"}; !slices.Equal(got, want) {
		t.Errorf("untriaged case history %v; want %v", got, want)
	}
	if m := findEvents(events, "DeadlineMissed", "TRIAGE"); len(m) != 1 || m[0].Actor != "system" {
		t.Errorf("DeadlineMissed(TRIAGE): %+v; want one, by system", m)
	}
	eventually(t, 30*time.Second, "the read model shows TRIAGE missed", func() error {
		if d := s.readCase(t, "leader1", untriaged.ID).deadline("TRIAGE"); d == nil || d.State != "MISSED" {
			return errMissing
		}
		return nil
	})

	// overdue: "only cases with at least one PENDING deadline already past
	// due". A MISSED deadline is not PENDING, so the untriaged case (whose
	// only deadline was missed) is not overdue, and neither is the resolved one.
	overdue := func(want bool) map[string]caseView {
		var d struct {
			Cases struct {
				TotalCount int
				Edges      []struct{ Node caseView }
			}
		}
		s.must(t, "leader1", `query($o: Boolean) { cases(filter: {overdue: $o}) { totalCount edges { node { ...C } } } }`+caseFields, map[string]any{"o": want}, &d)
		out := map[string]caseView{}
		for _, e := range d.Cases.Edges {
			out[e.Node.ID] = e.Node
		}
		return out
	}
	asked := time.Now()
	yes, no := overdue(true), overdue(false)
	if _, ok := yes[untriaged.ID]; ok {
		t.Errorf("cases(overdue: true) lists %s, whose only deadline is MISSED, not PENDING", untriaged.ID)
	}
	if _, ok := no[untriaged.ID]; !ok {
		t.Errorf("cases(overdue: false) does not list %s", untriaged.ID)
	}
	if _, ok := no[id]; !ok {
		t.Errorf("cases(overdue: false) does not list the resolved case %s", id)
	}
	for cid, c := range yes {
		pastDue := false
		for _, d := range c.Deadlines {
			pastDue = pastDue || (d.State == "PENDING" && parseTime(t, d.DueAt).Before(time.Now()))
		}
		if !pastDue {
			t.Errorf("cases(overdue: true) lists %s without a PENDING deadline past due: %+v", cid, c.Deadlines)
		}
	}
	for cid, c := range no {
		for _, d := range c.Deadlines {
			if d.State == "PENDING" && parseTime(t, d.DueAt).Before(asked.Add(-2*time.Second)) {
				t.Errorf("cases(overdue: false) lists %s with a PENDING deadline past due: %+v", cid, d)
			}
		}
	}
	var st struct{ Stats struct{ Overdue int } }
	s.must(t, "leader1", `{ stats { overdue } }`, nil, &st)
	if st.Stats.Overdue != len(yes) {
		t.Errorf("stats.overdue %d; cases(overdue: true) lists %d", st.Stats.Overdue, len(yes))
	}
}

// TestRestartAfterKill (issue 5): serve is killed with SIGKILL while a case
// has a pending deadline and restarted on the same data directory and
// database. The case is intact, its deadline still fires, and it takes
// commands again. The start-up times to /readyz are logged (warm machine;
// measured, never asserted).
func TestRestartAfterKill(t *testing.T) {
	s := newServer(t, serverOptions{Policy: "triage: 1h\nanalysis: 8s\nreminders: []\n"})
	c, _ := s.report(t, "handler1", reportInput{
		ClientRequestID: "e2e-restart", Kind: "FALSE_INFORMATION", Unit: "lai-chau/tan-uyen/xa-trung-dong",
		Title: "Tin đồn sai về dịch bệnh ở xã Trung Đồng", Description: "Bài đăng lan truyền trong nhóm cư dân.",
		Subjects: []subjectInput{{Platform: "FACEBOOK", URL: "https://www.facebook.com/groups/cudantrungdong/posts/123"}},
	})
	id := c.ID
	triaged := s.mutate(t, "handler1", `triageCase(id: $id, severity: LOW, assignee: "handler1")`, `($id: ID!)`, map[string]any{"id": id})
	due := triaged.deadline("ANALYSIS")
	if due == nil || due.State != "PENDING" || !near(span(t, triaged.UpdatedAt, due.DueAt), 8*time.Second) {
		t.Fatalf("ANALYSIS deadline %+v; want PENDING, due 8s after triage", due)
	}
	before := s.history(t, "auditor1", id)
	caseBefore := s.readCase(t, "auditor1", id)
	if caseBefore.Version != len(before) {
		t.Fatalf("case at version %d with %d events", caseBefore.Version, len(before))
	}

	s.kill()
	var exit *exec.ExitError
	if !errors.As(s.wait, &exit) || exit.String() != "signal: killed" {
		t.Fatalf("serve after SIGKILL: %v", s.wait)
	}
	killedAt := time.Now()
	restart := s.start()
	t.Logf("restarted after SIGKILL in %s; the ANALYSIS deadline is due %s after the restart was ready",
		restart.Round(time.Millisecond), parseTime(t, due.DueAt).Sub(killedAt.Add(restart)).Round(time.Millisecond))

	// The stream is intact: the same events, hashes and positions; anything
	// new can only be the deadline's own clock.
	after := s.history(t, "auditor1", id)
	if len(after) < len(before) || !reflect.DeepEqual(after[:len(before)], before) {
		t.Fatalf("history changed across the restart:\nbefore %+v\n after %+v", before, after)
	}
	for _, e := range after[len(before):] {
		if (e.Type != "DeadlineMissed" && e.Type != "DeadlineReminder") || e.field("kind") != "ANALYSIS" {
			t.Errorf("unexpected event after the restart: %+v", e)
		}
	}
	if len(after) == len(before) {
		if c := s.readCase(t, "auditor1", id); !reflect.DeepEqual(c, caseBefore) {
			t.Errorf("case changed across the restart:\n got %+v\nwant %+v", c, caseBefore)
		}
	}
	const verifyQuery = `query($id: ID!) { verifyCase(id: $id) { ok eventsChecked } }`
	var v struct {
		VerifyCase struct {
			OK            bool
			EventsChecked int
		}
	}
	s.must(t, "auditor1", verifyQuery, map[string]any{"id": id}, &v)
	if !v.VerifyCase.OK || v.VerifyCase.EventsChecked < len(before) {
		t.Errorf("verifyCase after the restart: %+v", v.VerifyCase)
	}

	// The durable timer survived: the deadline fires, once.
	var events []eventView
	eventually(t, time.Minute, "DeadlineMissed(ANALYSIS) after the restart, and its notification recorded", func() error {
		events = s.history(t, "auditor1", id)
		if findEvents(events, "DeadlineMissed", "ANALYSIS") == nil || deliveryOf(events, "DeadlineMissed") == nil {
			return errMissing
		}
		return nil
	})
	missed := findEvents(events, "DeadlineMissed", "ANALYSIS")
	if len(missed) != 1 || missed[0].Actor != "system" || parseTime(t, missed[0].OccurredAt).Before(parseTime(t, due.DueAt)) {
		t.Errorf("DeadlineMissed(ANALYSIS): %+v; want one, by system, at or after %s", missed, due.DueAt)
	}
	if r := findEvents(events, "DeadlineReminder", ""); len(r) != 0 {
		t.Errorf("reminders %+v; the policy file has none", r)
	}
	checkChain(t, events)
	s.must(t, "auditor1", verifyQuery, map[string]any{"id": id}, &v)
	if !v.VerifyCase.OK || v.VerifyCase.EventsChecked != len(events) {
		t.Errorf("verifyCase after the deadline fired: %+v; want ok over %d events", v.VerifyCase, len(events))
	}
	eventually(t, 30*time.Second, "the read model shows ANALYSIS missed", func() error {
		if d := s.readCase(t, "handler1", id).deadline("ANALYSIS"); d == nil || d.State != "MISSED" {
			return errMissing
		}
		return nil
	})

	// The case takes commands again.
	if c := s.mutate(t, "handler1", `startAnalysis(id: $id)`, `($id: ID!)`, map[string]any{"id": id}); c.Status != "ANALYSIS" || c.Version != len(events)+1 {
		t.Errorf("startAnalysis after the restart: status %s version %d; want ANALYSIS at %d", c.Status, c.Version, len(events)+1)
	}

	// A clean restart, for the start-up figure.
	if err := s.stop(30 * time.Second); err != nil {
		t.Errorf("serve after SIGTERM: %v", err)
	}
	clean := s.start()
	t.Logf("start-up to /readyz (warm machine): first start on a fresh data directory and database %s; restart after SIGKILL %s; restart after SIGTERM %s",
		s.startups[0].Round(time.Millisecond), restart.Round(time.Millisecond), clean.Round(time.Millisecond))
}

// seedGrants are the grants of config/demo-seed.yaml (one role on one unit
// per subject), plus a subject with a valid token and no grant.
var seedGrants = map[string]struct{ role, unit string }{
	"reporter1": {"REPORTER", "lai-chau/tan-uyen/xa-phuc-khoa"},
	"handler1":  {"HANDLER", "lai-chau/tan-uyen"},
	"leader1":   {"LEADER", "lai-chau/tan-uyen"},
	"auditor1":  {"AUDITOR", "lai-chau"},
	"admin1":    {"ADMIN", "lai-chau"},
	"handler2":  {"HANDLER", "lai-chau/phuong-tan-phong"},
	"leader2":   {"LEADER", "lai-chau/so-vhttdl"},
	"nobody":    {},
}

// within reports whether unit is scope or below it (unit ids of the demo
// seed are paths).
func within(unit, scope string) bool {
	return scope != "" && (unit == scope || strings.HasPrefix(unit, scope+"/"))
}

// may reports whether sub may do an action open to roles (space-separated)
// on an object of unit, by the table of docs/ARCHITECTURE.md.
func may(sub, roles, unit string) bool {
	g := seedGrants[sub]
	return g.role != "" && slices.Contains(strings.Fields(roles), g.role) && within(unit, g.unit)
}

// Who may do what (docs/ARCHITECTURE.md: the lifecycle table, "history, caseAsOf,
// verifyCase: HANDLER, LEADER and AUDITOR of the case's units", auditors
// and leaders read cases and statistics; admins keep the registry).
const (
	readers   = "REPORTER HANDLER LEADER AUDITOR"
	auditors  = "HANDLER LEADER AUDITOR"
	handlers  = "HANDLER"
	leaders   = "LEADER"
	triagers  = "HANDLER LEADER"
	reporters = "REPORTER HANDLER LEADER"
)

// matrixCase is a case of the authorization matrix.
type matrixCase struct {
	id, number, unit, title string
	version                 int
}

// matrixOp is a query or mutation on one case. Mutations that would change
// the case are sent with a stale expectedVersion: allowed, they answer
// CONFLICT and write nothing; addEvidence and addComment really write.
type matrixOp struct {
	name    string
	roles   string
	query   string
	allowed string // the code of an allowed call ("" for success)
	write   bool   // an allowed call appends one event
}

const staleVersion = 1_000_000

var caseOps = []matrixOp{
	{"case", readers, `query($id: ID!) { case(id: $id) { id } }`, "", false},
	{"caseByNumber", readers, `query($n: String!) { caseByNumber(number: $n) { id } }`, "", false},
	{"history", auditors, `query($id: ID!) { case(id: $id) { id history(limit: 3) { version } } }`, "", false},
	{"caseAsOf", auditors, `query($id: ID!) { caseAsOf(id: $id, version: 1) { id } }`, "", false},
	{"verifyCase", auditors, `query($id: ID!) { verifyCase(id: $id) { caseId ok } }`, "", false},
	{"triageCase", triagers, `mutation($id: ID!, $v: Int) { triageCase(id: $id, severity: LOW, assignee: "handler1", expectedVersion: $v) { id } }`, "CONFLICT", false},
	{"assignCase", triagers, `mutation($id: ID!, $v: Int) { assignCase(id: $id, assignee: "handler1", expectedVersion: $v) { id } }`, "CONFLICT", false},
	{"startAnalysis", handlers, `mutation($id: ID!, $v: Int) { startAnalysis(id: $id, expectedVersion: $v) { id } }`, "CONFLICT", false},
	{"recordAnalysis", handlers, `mutation($id: ID!, $v: Int) { recordAnalysis(id: $id, input: {findings: "x"}, expectedVersion: $v) { id } }`, "CONFLICT", false},
	{"addEvidence", "REPORTER HANDLER", `mutation($id: ID!) { addEvidence(id: $id, input: {description: "ảnh chụp", mediaType: "text/plain", contentBase64: "YmFuZyBjaHVuZw=="}) { id } }`, "", true},
	{"requestTakedown", handlers, `mutation($id: ID!, $v: Int) { requestTakedown(id: $id, input: {platform: FACEBOOK, targetUrl: "https://facebook.com/x", reason: "x"}, expectedVersion: $v) { id } }`, "CONFLICT", false},
	{"recordTakedownResponse", handlers, `mutation($id: ID!, $v: Int) { recordTakedownResponse(id: $id, input: {takedownId: "TD-1", outcome: REMOVED}, expectedVersion: $v) { id } }`, "CONFLICT", false},
	{"requestEscalation", handlers, `mutation($id: ID!, $v: Int) { requestEscalation(id: $id, reason: "x", expectedVersion: $v) { id } }`, "CONFLICT", false},
	{"approveEscalation", leaders, `mutation($id: ID!, $v: Int) { approveEscalation(id: $id, expectedVersion: $v) { id } }`, "CONFLICT", false},
	{"declineEscalation", leaders, `mutation($id: ID!, $v: Int) { declineEscalation(id: $id, reason: "x", expectedVersion: $v) { id } }`, "CONFLICT", false},
	{"recordEscalationResponse", handlers, `mutation($id: ID!, $v: Int) { recordEscalationResponse(id: $id, response: "x", resolved: false, expectedVersion: $v) { id } }`, "CONFLICT", false},
	{"resolveCase", handlers, `mutation($id: ID!, $v: Int) { resolveCase(id: $id, resolution: "x", expectedVersion: $v) { id } }`, "CONFLICT", false},
	{"closeCase", leaders, `mutation($id: ID!, $v: Int) { closeCase(id: $id, expectedVersion: $v) { id } }`, "CONFLICT", false},
	{"rejectCase", triagers, `mutation($id: ID!, $v: Int) { rejectCase(id: $id, reason: "x", expectedVersion: $v) { id } }`, "CONFLICT", false},
	{"reopenCase", triagers, `mutation($id: ID!, $v: Int) { reopenCase(id: $id, reason: "x", expectedVersion: $v) { id } }`, "CONFLICT", false},
	{"addComment", reporters, `mutation($id: ID!) { addComment(id: $id, text: "Đã xem") { id } }`, "", true},
}

// nullReads are the reads that answer an unknown case with null, and their
// data then.
var nullReads = map[string]string{
	"case": `{"case":null}`, "caseByNumber": `{"caseByNumber":null}`, "history": `{"case":null}`, "caseAsOf": `{"caseAsOf":null}`,
}

// checkUnknownCase: for an id and a number that exist nowhere, every read
// answers null, and verifyCase and every command FORBIDDEN with the message
// of a case outside the subject's units (issue 12: a command does not tell
// which ids exist).
func checkUnknownCase(t *testing.T, s *server, sub string, fixed []*matrixCase) {
	for _, op := range caseOps {
		answer := func(id, number string) gqlResponse {
			vars := map[string]any{"id": id, "v": staleVersion}
			if strings.Contains(op.query, "$n:") {
				vars = map[string]any{"n": number}
			} else if !strings.Contains(op.query, "$v:") {
				delete(vars, "v")
			}
			return s.gql(t, sub, op.query, vars)
		}
		unknown := answer("6b1f3c2e-0000-4000-8000-000000000000", "VV-2026-999999")
		if null, ok := nullReads[op.name]; ok {
			if unknown.code() != "" || string(unknown.Data) != null {
				t.Errorf("%s %s on an unknown case: %+v data %s; want %s", sub, op.name, unknown.Errors, unknown.Data, null)
			}
			continue
		}
		if unknown.code() != "FORBIDDEN" {
			t.Errorf("%s %s on an unknown case: %+v; want FORBIDDEN", sub, op.name, unknown.Errors)
			continue
		}
		for _, c := range fixed {
			if may(sub, op.roles, c.unit) {
				continue
			}
			if out := answer(c.id, c.number); out.code() != "FORBIDDEN" || unknown.Errors[0].Message != out.Errors[0].Message {
				t.Errorf("%s %s: unknown case %+v, case of %s %+v; want the same FORBIDDEN", sub, op.name, unknown.Errors, c.unit, out.Errors)
			}
			break
		}
	}
}

// TestAuthorizationMatrix (issue 4, "0 leaks"): every subject of the seed ×
// every query and mutation of the contract × cases inside and outside its
// units, over HTTP. Lists and statistics never include what the subject may
// not read; refused calls write nothing and echo nothing of the case; bad
// credentials are HTTP 401 UNAUTHENTICATED.
func TestAuthorizationMatrix(t *testing.T) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	s := newServer(t, serverOptions{Env: []string{"CASETRAIL_JWT_SECRET=" + hex.EncodeToString(secret)}})
	t.Run("unauthenticated", func(t *testing.T) { checkUnauthenticated(t, s, []byte(hex.EncodeToString(secret))) })

	var cases []*matrixCase
	open := func(sub, unit, key string) *matrixCase {
		c, merged := s.report(t, sub, reportInput{
			ClientRequestID: key, Kind: "IMPERSONATION", Unit: unit,
			Title: "Trang mạo danh " + key, Description: "ma trận phân quyền",
			Subjects: []subjectInput{{Platform: "FACEBOOK", URL: "https://facebook.com/matrix." + key}},
		})
		if merged || c.Unit.ID != unit {
			t.Fatalf("report %s in %s: merged=%v unit=%s", key, unit, merged, c.Unit.ID)
		}
		return &matrixCase{id: c.ID, number: c.Number, unit: unit, title: c.Title, version: c.Version}
	}
	fixed := []*matrixCase{
		open("reporter1", "lai-chau/tan-uyen/xa-phuc-khoa", "m-commune"),
		open("handler2", "lai-chau/phuong-tan-phong", "m-ward"),
		open("handler1", "lai-chau/tan-uyen", "m-district"),
		open("leader2", "lai-chau/so-vhttdl", "m-department"),
	}
	cases = append(cases, fixed...)
	initial := map[string]int{}
	for _, c := range fixed {
		initial[c.id] = c.version
	}
	subjects := slices.Sorted(maps.Keys(seedGrants))

	checkLists := func(t *testing.T) {
		for _, sub := range subjects {
			checkVisibility(t, s, sub, cases)
		}
	}
	t.Run("lists before", checkLists)

	allowed, forbidden := 0, 0
	for _, sub := range subjects {
		t.Run(sub, func(t *testing.T) {
			for _, c := range fixed {
				for _, op := range caseOps {
					vars := map[string]any{"id": c.id, "v": staleVersion}
					if strings.Contains(op.query, "$n:") {
						vars = map[string]any{"n": c.number}
					} else if !strings.Contains(op.query, "$v:") {
						delete(vars, "v")
					}
					r := s.gql(t, sub, op.query, vars)
					if may(sub, op.roles, c.unit) {
						allowed++
						if r.code() != op.allowed || r.Status != 200 {
							t.Errorf("%s %s on a case of %s: HTTP %d %+v; want allowed (%q)", sub, op.name, c.unit, r.Status, r.Errors, op.allowed)
						} else if op.allowed == "" && !strings.Contains(string(r.Data), c.id) {
							t.Errorf("%s %s on a case of %s: data %s without the case", sub, op.name, c.unit, r.Data)
						}
						if op.write && r.code() == "" {
							c.version++
						}
						continue
					}
					forbidden++
					if r.code() != "FORBIDDEN" || r.Status != 200 {
						t.Errorf("%s %s on a case of %s: HTTP %d %+v data %s; want FORBIDDEN", sub, op.name, c.unit, r.Status, r.Errors, r.Data)
					}
					for _, secret := range []string{c.id, c.number, c.title} {
						if strings.Contains(string(r.Body), secret) {
							t.Errorf("%s %s on a case of %s: the refusal leaks %q: %s", sub, op.name, c.unit, secret, r.Body)
						}
					}
				}
			}
			// Unit-scoped mutations, on the unit of each case.
			for i, c := range fixed {
				key := sub + "-" + strconv.Itoa(i)
				var d struct {
					ReportIncident *struct {
						Case struct {
							ID    string
							Unit  unitRef
							Title string
						}
					}
				}
				r := s.gql(t, sub, reportMutation, map[string]any{"in": reportInput{
					ClientRequestID: key, Kind: "FALSE_INFORMATION", Unit: c.unit, Title: "Tin sai " + key, Description: "x",
					Subjects: []subjectInput{{Platform: "WEBSITE", URL: "https://tin-sai.example/" + key}},
				}})
				if may(sub, reporters, c.unit) {
					allowed++
					if err := json.Unmarshal(r.Data, &d); err != nil || r.code() != "" || d.ReportIncident == nil {
						t.Errorf("%s reportIncident in %s: %+v; want a new case", sub, c.unit, r.Errors)
					} else {
						cases = append(cases, &matrixCase{id: d.ReportIncident.Case.ID, unit: c.unit, title: d.ReportIncident.Case.Title})
					}
				} else {
					forbidden++
					if r.code() != "FORBIDDEN" {
						t.Errorf("%s reportIncident in %s: %+v; want FORBIDDEN", sub, c.unit, r.Errors)
					}
				}
				r = s.gql(t, sub, `mutation($u: ID!, $url: String!) { registerOfficialAccount(unit: $u, platform: WEBSITE, url: $url, displayName: "Cổng thông tin") { id unit { id } } }`,
					map[string]any{"u": c.unit, "url": "https://cong-thong-tin.example/" + key})
				if may(sub, "ADMIN", c.unit) {
					allowed++
					if r.code() != "" || !strings.Contains(string(r.Data), c.unit) {
						t.Errorf("%s registerOfficialAccount in %s: %+v %s; want the account", sub, c.unit, r.Errors, r.Data)
					}
				} else {
					forbidden++
					if r.code() != "FORBIDDEN" {
						t.Errorf("%s registerOfficialAccount in %s: %+v; want FORBIDDEN", sub, c.unit, r.Errors)
					}
				}
			}
		})
	}
	t.Run("lists after", checkLists)
	t.Run("unknown cases", func(t *testing.T) {
		for _, sub := range subjects {
			checkUnknownCase(t, s, sub, fixed)
		}
	})
	t.Logf("authorization matrix: %d subjects, %d allowed and %d forbidden calls", len(subjects), allowed, forbidden)

	// Refused calls wrote nothing: each case grew only by the evidence and
	// comments that were allowed.
	for _, c := range fixed {
		events := s.history(t, "auditor1", c.id)
		if len(events) != c.version {
			t.Errorf("case of %s: %d events; want %d", c.unit, len(events), c.version)
		}
		for _, e := range events[initial[c.id]:] {
			if e.Type != "EvidenceAdded" && e.Type != "CommentAdded" {
				t.Errorf("case of %s: unexpected event %s by %s", c.unit, e.Type, e.Actor)
			} else if !may(e.Actor, reporters, c.unit) {
				t.Errorf("case of %s: %s by %s, who may not write it", c.unit, e.Type, e.Actor)
			}
		}
	}
}

// checkVisibility checks what sub sees in me, the lists, the statistics and
// the registry queries, against the cases that exist.
func checkVisibility(t *testing.T, s *server, sub string, cases []*matrixCase) {
	t.Helper()
	g := seedGrants[sub]
	var me struct {
		Me struct {
			Subject string
			Roles   []struct {
				Role string
				Unit unitRef
			}
		}
	}
	s.must(t, sub, `{ me { subject roles { role unit { id } } } }`, nil, &me)
	wantRoles := 0
	if g.role != "" {
		wantRoles = 1
	}
	if me.Me.Subject != sub || len(me.Me.Roles) != wantRoles || (wantRoles == 1 && (me.Me.Roles[0].Role != g.role || me.Me.Roles[0].Unit.ID != g.unit)) {
		t.Errorf("me as %s: %+v; want the grant %+v", sub, me.Me, g)
	}

	units := []string{""}
	for _, c := range cases[:4] {
		units = append(units, c.unit)
	}
	for _, unit := range units {
		var want, wantStats []string
		for _, c := range cases {
			if unit != "" && !within(c.unit, unit) {
				continue
			}
			if may(sub, readers, c.unit) {
				want = append(want, c.id)
			}
			if may(sub, auditors, c.unit) {
				wantStats = append(wantStats, c.id)
			}
		}
		var d struct {
			Cases struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID string } }
			}
			Stats struct{ Total int }
		}
		filter := map[string]any{}
		if unit != "" {
			filter["unit"] = unit
		}
		q := `query($f: CaseFilter, $u: ID) { cases(filter: $f, first: 200) { totalCount edges { node { id } } } stats(unit: $u) { total } }`
		s.must(t, sub, q, map[string]any{"f": filter, "u": unit}, &d)
		var got []string
		for _, e := range d.Cases.Edges {
			got = append(got, e.Node.ID)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) || d.Cases.TotalCount != len(want) {
			t.Errorf("cases(unit: %q) as %s: %d cases (totalCount %d) %v; want %v", unit, sub, len(got), d.Cases.TotalCount, got, want)
		}
		if d.Stats.Total != len(wantStats) {
			t.Errorf("stats(unit: %q) as %s: total %d; want %d", unit, sub, d.Stats.Total, len(wantStats))
		}
	}

	// The registry queries are open to every role, to no one without one.
	for _, q := range []struct{ query, want string }{
		{`{ units { id } }`, `"lai-chau/tan-uyen/xa-phuc-khoa"`},
		{`{ officialAccounts { url } }`, `"https://www.facebook.com/ubndtanuyen"`},
		{`{ checkAccount(url: "https://www.facebook.com/ubndtanuyen") { result } }`, `"OFFICIAL"`},
	} {
		r := s.gql(t, sub, q.query, nil)
		switch {
		case g.role == "" && r.code() != "FORBIDDEN":
			t.Errorf("%s as %s (no role): %+v %s; want FORBIDDEN", q.query, sub, r.Errors, r.Data)
		case g.role != "" && (len(r.Errors) > 0 || !strings.Contains(string(r.Data), q.want)):
			t.Errorf("%s as %s: %+v %s; want %s", q.query, sub, r.Errors, r.Data, q.want)
		}
	}
}

// checkUnauthenticated sends missing, malformed, forged and expired
// credentials: each is HTTP 401 with a GraphQL error UNAUTHENTICATED. A
// token minted here with the server's secret and good claims is accepted,
// so the refusals are about what each one changes.
func checkUnauthenticated(t *testing.T, s *server, secret []byte) {
	now := time.Now()
	claims := func(change func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": api.TokenIssuer, "aud": api.TokenAudience, "sub": "handler1", "jti": "e2e-well-formed", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		if change != nil {
			change(c)
		}
		return c
	}
	sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
		tok, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	body := []byte(`{"query":"{ me { subject } }"}`)
	good := s.post(t, body, "Authorization", "Bearer "+sign(jwt.SigningMethodHS256, secret, claims(nil)))
	if good.Status != 200 || !strings.Contains(string(good.Data), "handler1") {
		t.Fatalf("a well-formed token: HTTP %d %s %+v", good.Status, good.Data, good.Errors)
	}
	bad := []struct{ name, header string }{
		{"no header", ""},
		{"not a JWT", "Bearer not-a-token"},
		{"basic scheme", "Basic aGFuZGxlcjE6cGFzcw=="},
		{"another secret", "Bearer " + sign(jwt.SigningMethodHS256, []byte("a-secret-the-server-never-had-0123456789"), claims(nil))},
		{"expired", "Bearer " + sign(jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) {
			c["iat"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
		}))},
		{"no expiry", "Bearer " + sign(jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "exp") }))},
		{"wrong audience", "Bearer " + sign(jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["aud"] = "another-api" }))},
		{"wrong issuer", "Bearer " + sign(jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["iss"] = "someone" }))},
		{"HS512", "Bearer " + sign(jwt.SigningMethodHS512, secret, claims(nil))},
		{"alg none", "Bearer " + sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil))},
	}
	for _, b := range bad {
		var header []string
		if b.header != "" {
			header = []string{"Authorization", b.header}
		}
		r := s.post(t, body, header...)
		if r.Status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" || len(r.Data) > 0 && string(r.Data) != "null" {
			t.Errorf("%s: HTTP %d %s; want 401 with a GraphQL error UNAUTHENTICATED", b.name, r.Status, r.Body)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, s.url("/graphql?query=%7Bme%7Bsubject%7D%7D"), nil)
	if r := s.send(t, req); r.Status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" {
		t.Errorf("GET without a token: HTTP %d %s", r.Status, r.Body)
	}
}

// TestHostileQueries sends what graphql-go v0.8.1 does not guard against by
// itself to the running server: each request is answered with a bounded
// error and a GraphQL error body, and the server keeps serving.
func TestHostileQueries(t *testing.T) {
	s := newServer(t, serverOptions{})
	auth := "Bearer " + s.token(t, "handler1")
	nest := func(depth int) string { // units { parent { parent ... { id } } }, depth fields deep
		return "{ units " + strings.Repeat("{ parent ", depth-2) + "{ id }" + strings.Repeat(" }", depth-2) + " }"
	}
	var aliases strings.Builder
	aliases.WriteString("{")
	for i := range 1000 {
		fmt.Fprintf(&aliases, " a%d: me { subject }", i)
	}
	aliases.WriteString(" }")
	gql := func(query string) []byte {
		b, _ := json.Marshal(map[string]string{"query": query})
		return b
	}
	const mib = 1 << 20
	huge := func() []byte { // 30 MiB of valid JSON
		pad := strings.Repeat("x", 30*mib)
		b, _ := json.Marshal(map[string]any{"query": "{ me { subject } }", "variables": map[string]string{"pad": pad}})
		return b
	}()

	type hostile struct {
		name        string
		body        []byte
		contentType string
		chunked     bool   // send without Content-Length
		status      []int  // acceptable HTTP statuses
		codes       string // acceptable error codes, space-separated
	}
	cases := []hostile{
		{name: "fragment cycle", body: gql(`query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }`), status: []int{200, 400}, codes: "QUERY_TOO_COMPLEX BAD_USER_INPUT"},
		{name: "self-referencing fragment", body: gql(`{ ...A } fragment A on Query { me { subject } ...A }`), status: []int{200, 400}, codes: "QUERY_TOO_COMPLEX BAD_USER_INPUT"},
		{name: "depth 50", body: gql(nest(50)), status: []int{200, 400}, codes: "QUERY_TOO_COMPLEX"},
		{name: "1,000 aliases", body: gql(aliases.String()), status: []int{200, 400}, codes: "QUERY_TOO_COMPLEX"},
		{name: "30 MiB body", body: huge, status: []int{413}, codes: "BAD_USER_INPUT QUERY_TOO_COMPLEX"},
		{name: "30 MiB body, chunked", body: huge, chunked: true, status: []int{413}, codes: "BAD_USER_INPUT QUERY_TOO_COMPLEX"},
		{name: "malformed JSON", body: []byte(`{"query": "{ me { subject } }"`), status: []int{400}, codes: "BAD_USER_INPUT"},
		{name: "not an object", body: []byte(`"{ me { subject } }"`), status: []int{400}, codes: "BAD_USER_INPUT"},
		{name: "text/plain", body: gql(`{ me { subject } }`), contentType: "text/plain", status: []int{400, 415}, codes: "BAD_USER_INPUT"},
		{name: "form", body: []byte(`query=%7B+me+%7B+subject+%7D+%7D`), contentType: "application/x-www-form-urlencoded", status: []int{400, 415}, codes: "BAD_USER_INPUT"},
	}
	client := &http.Client{Timeout: 30 * time.Second} // "bounded": an answer within this, or the test fails
	for _, h := range cases {
		t.Run(h.name, func(t *testing.T) {
			var body io.Reader = bytes.NewReader(h.body)
			if h.chunked {
				body = io.MultiReader(body) // hides the length: sent chunked
			}
			req, err := http.NewRequest(http.MethodPost, s.url("/graphql"), body)
			if err != nil {
				t.Fatal(err)
			}
			ct := h.contentType
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Authorization", auth)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			b, err := io.ReadAll(io.LimitReader(resp.Body, mib))
			resp.Body.Close()
			if err != nil {
				t.Fatalf("read answer: %v", err)
			}
			var r gqlResponse
			if err := json.Unmarshal(b, &r); err != nil {
				t.Fatalf("HTTP %d, not a GraphQL JSON body: %v: %.300s", resp.StatusCode, err, b)
			}
			if !slices.Contains(h.status, resp.StatusCode) || len(r.Errors) == 0 || r.Errors[0].Message == "" ||
				!slices.Contains(strings.Fields(h.codes), r.code()) || (len(r.Data) > 0 && string(r.Data) != "null") {
				t.Errorf("HTTP %d %.300s; want HTTP %v with an error coded %s and no data", resp.StatusCode, b, h.status, h.codes)
			}

			// The server still serves.
			var me struct{ Me struct{ Subject string } }
			s.must(t, "handler1", `{ me { subject } }`, nil, &me)
			if me.Me.Subject != "handler1" {
				t.Errorf("after the hostile request, me = %+v", me.Me)
			}
			hr, err := client.Get(s.url("/healthz"))
			if err != nil || hr.StatusCode != 200 {
				t.Fatalf("/healthz after the hostile request: %v %v", err, hr)
			}
			hr.Body.Close()
		})
	}

	// The limits are limits, not refusals of everything: a 12-deep query,
	// a few aliases and a mutation over GET.
	var deep struct{ Units []unitRef }
	s.must(t, "handler1", nest(12), nil, &deep)
	if len(deep.Units) < 9 {
		t.Errorf("a 12-deep query: %+v", deep.Units)
	}
	s.must(t, "handler1", `{ a: me { subject } b: me { subject } c: units { id } }`, nil, nil)
	req, _ := http.NewRequest(http.MethodGet, s.url("/graphql?query="+url.QueryEscape(`mutation { addComment(id: "x", text: "y") { id } }`)), nil)
	req.Header.Set("Authorization", auth)
	if r := s.send(t, req); r.Status != http.StatusMethodNotAllowed || r.code() == "" {
		t.Errorf("a mutation over GET: HTTP %d %s; want 405 with a GraphQL error", r.Status, r.Body)
	}
	if !s.running() {
		t.Fatalf("serve exited: %v", s.wait)
	}
	if lines := s.logLines("panic"); len(lines) > 0 {
		t.Errorf("the server logged panics:\n%s", strings.Join(lines, "\n"))
	}
}

// escalationByHand walks two cases of xã Trung Đồng, whose clerk numbers
// its letters by hand, to an escalation: approving without the register
// number, or with one already used this year, is BAD_USER_INPUT; the typed
// number is the letter's.
func (s *server) escalationByHand(t *testing.T) {
	t.Helper()
	const commune = "lai-chau/tan-uyen/xa-trung-dong"
	var ids []string
	for i, url := range []string{"https://www.facebook.com/trungdong.gia/posts/1", "https://www.facebook.com/trungdong.gia2/posts/2"} {
		c, _ := s.report(t, "handler1", reportInput{
			ClientRequestID: fmt.Sprintf("e2e-by-hand-%d", i), Kind: "FALSE_INFORMATION", Unit: commune,
			Title: "Tin sai về xã Trung Đồng", Description: "Bài đăng sai sự thật.",
			Subjects: []subjectInput{{Platform: "FACEBOOK", URL: url}},
		})
		v := map[string]any{"id": c.ID}
		s.mutate(t, "handler1", `triageCase(id: $id, severity: LOW, assignee: "handler1")`, `($id: ID!)`, v)
		s.mutate(t, "handler1", `startAnalysis(id: $id)`, `($id: ID!)`, v)
		s.mutate(t, "handler1", `requestEscalation(id: $id, reason: "Cần Sở chỉ đạo")`, `($id: ID!)`, v)
		ids = append(ids, c.ID)
	}
	approve := `mutation($id: ID!, $n: Int) { approveEscalation(id: $id, registerNumber: $n) { version } }`
	if e := s.refused(t, "leader1", approve, map[string]any{"id": ids[0]}, "BAD_USER_INPUT"); e.Extensions.Field != "registerNumber" {
		t.Errorf("approval without the register number: %+v", e)
	}
	first := s.mutate(t, "leader1", `approveEscalation(id: $id, registerNumber: 15)`, `($id: ID!)`, map[string]any{"id": ids[0]})
	if e := first.Escalation; e == nil || e.Letter == nil || e.Letter.DispatchNumber != "15/UBND-VP" || !e.Letter.Manual ||
		e.Letter.Issuer.ID != commune || e.Letter.Signer.Name != "Lò Văn Thắng" {
		t.Errorf("the commune's letter %+v", e)
	}
	if e := s.refused(t, "leader1", approve, map[string]any{"id": ids[1], "n": 15}, "BAD_USER_INPUT"); e.Extensions.Field != "registerNumber" ||
		!strings.Contains(e.Message, "15/UBND-VP") {
		t.Errorf("a number used twice: %+v", e)
	}
	if c := s.mutate(t, "leader1", `approveEscalation(id: $id, registerNumber: 16)`, `($id: ID!)`, map[string]any{"id": ids[1]}); c.Escalation.Letter == nil ||
		c.Escalation.Letter.DispatchNumber != "16/UBND-VP" {
		t.Errorf("the second letter %+v", c.Escalation)
	}
}

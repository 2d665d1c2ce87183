package activities_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"casetrail/activities"
	"casetrail/documents"
	"casetrail/incident"
	"casetrail/workflows"
)

// letterUnits is the registry the letter tests issue from: Tân Uyên keeps
// its register in CaseTrail and has a default signer; Phúc Khoa's clerk
// numbers by hand; Tân Phong has neither a signer nor a drafting unit.
var letterUnits = []incident.Unit{
	{ID: "lai-chau", Name: "Tỉnh Lai Châu", Symbol: "UBND"},
	{ID: "lai-chau/so-vhttdl", Name: "Sở Văn hóa, Thể thao và Du lịch", Parent: "lai-chau", Symbol: "SVHTTDL",
		IssuingBody: "Sở Văn hóa, Thể thao và Du lịch\ntỉnh Lai Châu"},
	{ID: "lai-chau/tan-uyen", Name: "Tân Uyên", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl", Symbol: "UBND-VHTT",
		IssuingBody: "Ủy ban nhân dân\nhuyện Tân Uyên", Place: "Tân Uyên",
		Signer: incident.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Lê Văn Thành"}},
	{ID: "lai-chau/tan-uyen/xa-phuc-khoa", Name: "UBND xã Phúc Khoa", Parent: "lai-chau/tan-uyen", Symbol: "UBND", Drafting: "VP",
		Numbering: incident.NumberingManual, IssuingBody: "Ủy ban nhân dân\nxã Phúc Khoa", Place: "Phúc Khoa"},
	{ID: "lai-chau/phuong-tan-phong", Name: "UBND phường Tân Phong", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl", Symbol: "UBND"},
	{ID: "lai-chau/tan-uyen/xa-trung-dong", Name: "UBND xã Trung Đồng", Parent: "lai-chau/tan-uyen", Symbol: "UBND"},
}

func letterActivities(h activities.Webhook) *activities.Activities {
	return &activities.Activities{
		Store:      store,
		Units:      func(context.Context) ([]incident.Unit, error) { return letterUnits, nil },
		Escalation: map[string]activities.Webhook{"lai-chau/so-vhttdl": h},
		DisplayName: func(_ context.Context, sub string) (string, error) {
			if sub == "leader9" {
				return "Trần Thị Lan", nil
			}
			return "", fmt.Errorf("no user %s", sub)
		},
	}
}

// approvedCase is an escalated case of unit, approved by leader1.
func approvedCase(id, unit string, registerNumber int, signer *incident.Signer) incident.Case {
	at := time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC)
	approved := at.Add(30 * time.Hour)
	return incident.Case{
		ID: id, Number: "VV-2026-000042", Kind: incident.Impersonation, Status: incident.StatusEscalated, Severity: incident.High,
		Title: "Trang giả mạo UBND huyện Tân Uyên", Unit: unit, EscalatesTo: "lai-chau/so-vhttdl",
		ReportedBy: "reporter1", ReportedAt: at, Version: 12,
		Subjects: []incident.Subject{{Platform: incident.Facebook, URL: "https://www.facebook.com/ubnd.tanuyen.gia", DisplayName: "UBND huyện Tân Uyên"}},
		Analysis: &incident.Analysis{Findings: "Trang dùng tên và ảnh của UBND huyện để thu tiền.", Verdict: incident.VerdictFalse, RecordedBy: "handler1", RecordedAt: at.Add(2 * time.Hour)},
		Escalation: &incident.Escalation{
			Status: incident.EscApproved, Reason: "Nền tảng không gỡ trang sau 24 giờ", To: "lai-chau/so-vhttdl",
			RequestedBy: "handler1", RequestedAt: at.Add(28 * time.Hour), ApprovedBy: "leader1", ApprovedAt: &approved,
			Signer: signer, RegisterNumber: registerNumber,
		},
	}
}

func issue(t *testing.T, a *activities.Activities, key string, at time.Time, c incident.Case) activities.IssueEscalationResult {
	t.Helper()
	res, err := a.IssueEscalation(context.Background(), activities.IssueEscalationInput{Key: key, At: at, Case: c})
	if err != nil {
		t.Fatalf("issue %s: %v", key, err)
	}
	return res
}

// TestIssueEscalationConcurrent: 20 letters approved at once across two
// issuing units are numbered 1..n in each unit's register for the year,
// none twice, none skipped; a retry gets its number and letter again.
func TestIssueEscalationConcurrent(t *testing.T) {
	_, w := newHook(t, 0)
	a := letterActivities(w)
	at := time.Date(2035, 6, 1, 3, 0, 0, 0, time.UTC)
	units := map[string]int{"lai-chau/tan-uyen": 12, "lai-chau/phuong-tan-phong": 8}
	type got struct {
		unit, key string
		letter    incident.Letter
	}
	var (
		mu   sync.Mutex
		out  []got
		wg   sync.WaitGroup
		errs = make(chan error, 20)
	)
	for unit, n := range units {
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := fmt.Sprintf("conc-%s-%d@%s", unit, i, at.Format(time.RFC3339))
				res, err := a.IssueEscalation(context.Background(), activities.IssueEscalationInput{
					Key: key, At: at, Case: approvedCase(fmt.Sprintf("case-%s-%d", unit, i), unit, 0, nil)})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				out = append(out, got{unit, key, res.Letter})
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for unit, n := range units {
		var numbers []int
		for _, g := range out {
			if g.unit == unit {
				numbers = append(numbers, g.letter.Number)
				if g.letter.Issuer != unit || g.letter.Manual || g.letter.IssuedAt.Year() != 2035 || g.letter.SHA256 == "" {
					t.Errorf("%s: letter %+v", g.key, g.letter)
				}
			}
		}
		slices.Sort(numbers)
		want := make([]int, n)
		for i := range want {
			want[i] = i + 1
		}
		if !slices.Equal(numbers, want) {
			t.Errorf("%s numbered %v; want %v (gap-free, distinct)", unit, numbers, want)
		}
	}
	for _, g := range out[:3] {
		again := issue(t, a, g.key, at.Add(time.Hour), approvedCase("other", g.unit, 0, nil))
		if again.Letter != g.letter {
			t.Errorf("retry of %s: %+v, want %+v", g.key, again.Letter, g.letter)
		}
	}
	var symbols []string
	for _, g := range out {
		if g.letter.Number == 5 {
			symbols = append(symbols, g.letter.DispatchNumber())
		}
	}
	slices.Sort(symbols)
	if !slices.Equal(symbols, []string{"05/UBND", "05/UBND-VHTT"}) {
		t.Errorf("dispatch numbers %v; want the issuers' own symbols with a leading zero", symbols)
	}
}

// TestIssueEscalationYearBoundary: numbering restarts at 01 on 1 January
// in Asia/Ho_Chi_Minh: 23:59 on 31 December (16:59 UTC) still counts in the
// old year, 00:00 on 1 January (17:00 UTC) is 01 of the new one.
func TestIssueEscalationYearBoundary(t *testing.T) {
	_, w := newHook(t, 0)
	a := letterActivities(w)
	c := approvedCase("year", "lai-chau/tan-uyen", 0, nil)
	before := time.Date(2036, 12, 31, 16, 59, 0, 0, time.UTC)
	after := time.Date(2036, 12, 31, 17, 0, 0, 0, time.UTC)
	for i, tc := range []struct {
		at   time.Time
		want string
		year int
	}{
		{before.Add(-time.Hour), "01/UBND-VHTT", 2036},
		{before, "02/UBND-VHTT", 2036},
		{after, "01/UBND-VHTT", 2037},
		{after.Add(time.Minute), "02/UBND-VHTT", 2037},
	} {
		l := issue(t, a, fmt.Sprintf("year-%d", i), tc.at, c).Letter
		if l.DispatchNumber() != tc.want || l.IssuedAt.In(documents.Vietnam).Year() != tc.year || !l.IssuedAt.Equal(tc.at) {
			t.Errorf("issued at %s: %s on %s; want %s in %d", tc.at, l.DispatchNumber(), l.IssuedAt.In(documents.Vietnam), tc.want, tc.year)
		}
	}
}

// TestIssueEscalationLetter: the letter is rendered, both formats stored in
// the blob store under the SHA-256 the result gives, the register row
// completed and final, the letter delivered with its PDF.
func TestIssueEscalationLetter(t *testing.T) {
	ctx := context.Background()
	h, w := newHook(t, 0)
	a := letterActivities(w)
	at := time.Date(2038, 12, 5, 2, 0, 0, 0, time.UTC)
	res := issue(t, a, "letter-1", at, approvedCase("letter", "lai-chau/tan-uyen", 0, nil))
	l := res.Letter
	wantSigner := incident.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Lê Văn Thành"}
	if l.DispatchNumber() != "01/UBND-VHTT" || l.Signer != wantSigner || res.Channel != workflows.ChannelWebhook {
		t.Errorf("letter %+v via %s", l, res.Channel)
	}
	mt, pdf, err := store.GetBlob(ctx, l.SHA256)
	if err != nil || mt != activities.MediaPDF || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("stored PDF: %s %d bytes %v", mt, len(pdf), err)
	}
	if mt, docx, err := store.GetBlob(ctx, l.DOCXSHA256); err != nil || mt != activities.MediaDOCX || !bytes.HasPrefix(docx, []byte("PK")) {
		t.Errorf("stored DOCX: %s %d bytes %v", mt, len(docx), err)
	}
	if text := pdfText(t, pdf); text != "" {
		for _, want := range []string{"ỦY BAN NHÂN DÂN", "HUYỆN TÂN UYÊN", "Số: 01/UBND-VHTT", "Tân Uyên, ngày 05 tháng 12 năm 2038",
			"Kính gửi: Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu", "VV-2026-000042", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lê Văn Thành", "Lưu: VT, VHTT."} {
			if !strings.Contains(text, want) {
				t.Errorf("the letter lacks %q:\n%s", want, text)
			}
		}
	}
	var body activities.EscalationLetter
	if err := json.Unmarshal(h.bodies[0], &body); err != nil || body.DispatchNumber != "01/UBND-VHTT" || body.LetterSHA256 != l.SHA256 ||
		body.From != "lai-chau/tan-uyen" || body.Signer == nil || *body.Signer != wantSigner {
		t.Errorf("delivered %+v (%v)", body, err)
	}
	if b, err := base64.StdEncoding.DecodeString(body.LetterPDF); err != nil || !bytes.Equal(b, pdf) {
		t.Errorf("the delivered PDF is not the stored one (%v)", err)
	}
	// A retry, the case having changed meanwhile, answers the same letter.
	later := approvedCase("letter", "lai-chau/tan-uyen", 0, &incident.Signer{Name: "Người khác"})
	later.Title = "Đã đổi"
	if again := issue(t, a, "letter-1", at.Add(24*time.Hour), later); again.Letter != l {
		t.Errorf("retry: %+v, want %+v", again.Letter, l)
	}
	// The register keeps an issued letter as it is.
	for _, sql := range []string{
		`UPDATE casetrail_dispatch_register SET n = 99 WHERE key = 'letter-1'`,
		`UPDATE casetrail_dispatch_register SET pdf_sha256 = NULL WHERE key = 'letter-1'`,
		`DELETE FROM casetrail_dispatch_register WHERE key = 'letter-1'`,
	} {
		if _, err := store.Pool().Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "dispatch") {
			t.Errorf("%s: %v, want the register's refusal", sql, err)
		}
	}

	// The leader's signer; a unit without one signs by the approver's name.
	named := &incident.Signer{Prefix: "KT.", Title: "Phó Chủ tịch", Name: "Nguyễn Thị Hoa"}
	if l := issue(t, a, "letter-2", at, approvedCase("letter2", "lai-chau/tan-uyen", 0, named)).Letter; l.Signer != (incident.Signer{
		Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Nguyễn Thị Hoa"}) || l.Number != 2 {
		t.Errorf("named signer: %+v", l)
	}
	// A commune without a letterhead writes through its district.
	if l := issue(t, a, "letter-4", at, approvedCase("letter4", "lai-chau/tan-uyen/xa-trung-dong", 0, nil)).Letter; l.Issuer != "lai-chau/tan-uyen" ||
		l.DispatchNumber() != "03/UBND-VHTT" || l.Signer.Name != "Lê Văn Thành" {
		t.Errorf("a commune's letter: %+v", l)
	}
	c := approvedCase("letter3", "lai-chau/phuong-tan-phong", 0, nil)
	c.Escalation.ApprovedBy = "leader9"
	if l := issue(t, a, "letter-3", at, c).Letter; l.Signer != (incident.Signer{Authority: documents.HeadOfBody, Name: "Trần Thị Lan"}) || l.Symbol != "UBND" {
		t.Errorf("fallback signer: %+v", l)
	}
}

// pdfText is the text of a PDF as pdftotext reads it ("" without pdftotext).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Log("no pdftotext: the letter's text is not checked")
		return ""
	}
	cmd := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestPrepareEscalationTypedNumber: where the clerk numbers by hand, the
// typed number is recorded in the unit's register; missing, or already used
// by the unit that year, it is BAD_USER_INPUT; the next year it is free;
// CaseTrail's own numbers come after the typed ones.
func TestPrepareEscalationTypedNumber(t *testing.T) {
	ctx := context.Background()
	_, w := newHook(t, 0)
	a := letterActivities(w)
	const manual = "lai-chau/tan-uyen/xa-phuc-khoa"
	at := time.Date(2039, 3, 1, 2, 0, 0, 0, time.UTC)
	prepare := func(key, issuer string, n int, at time.Time) (activities.PrepareEscalationResult, error) {
		return a.PrepareEscalation(ctx, activities.PrepareEscalationInput{
			CaseID: "c-" + key, Issuer: issuer, Key: key, At: at, Approver: "leader1", RegisterNumber: n})
	}
	refused := func(what string, err error, msg string) {
		t.Helper()
		app := appErr(t, err)
		var field string
		_ = app.Details(&field)
		if app.Type() != incident.CodeBadUserInput || !app.NonRetryable() || field != "registerNumber" || !strings.Contains(app.Error(), msg) {
			t.Errorf("%s: %v (%s, field %q); want BAD_USER_INPUT on registerNumber saying %q", what, err, app.Type(), field, msg)
		}
	}
	_, err := prepare("typed-0", manual, 0, at)
	refused("no number", err, "own register")
	if res, err := prepare("typed-1", manual, 5, at); err != nil || res.RegisterNumber != 5 || res.Signer.Name != "leader1" {
		t.Fatalf("typed 5: %+v %v", res, err)
	}
	_, err = prepare("typed-2", manual, 5, at.Add(time.Hour))
	refused("5 again", err, "05/UBND-VP")
	if res, err := prepare("typed-1", manual, 5, at); err != nil || res.RegisterNumber != 5 {
		t.Errorf("the same approval again: %+v %v", res, err)
	}
	// Approved again with another number before the letter was issued: 5 is free again.
	if res, err := prepare("typed-1", manual, 6, at); err != nil || res.RegisterNumber != 6 {
		t.Errorf("typed 6 instead: %+v %v", res, err)
	}
	if res, err := prepare("typed-2", manual, 5, at); err != nil || res.RegisterNumber != 5 {
		t.Errorf("5 once freed: %+v %v", res, err)
	}
	if res, err := prepare("typed-3", manual, 5, time.Date(2039, 12, 31, 17, 0, 0, 0, time.UTC)); err != nil || res.RegisterNumber != 5 {
		t.Errorf("5 in the next year: %+v %v", res, err)
	}
	_, err = prepare("typed-4", "lai-chau/tan-uyen", 3, at)
	refused("a number where CaseTrail keeps the register", err, "leave the number out")
	_, err = a.PrepareEscalation(ctx, activities.PrepareEscalationInput{Issuer: manual, Key: "typed-5", At: at, RegisterNumber: 7,
		Signer: &incident.Signer{Prefix: "XX", Name: "A"}})
	if app := appErr(t, err); app.Type() != incident.CodeBadUserInput {
		t.Errorf("bad prefix: %v", err)
	}

	// The letter takes the typed number; CaseTrail numbers after the highest typed.
	l := issue(t, a, "typed-1", at.Add(48*time.Hour), approvedCase("typed-1", manual, 6, nil)).Letter
	if l.DispatchNumber() != "06/UBND-VP" || !l.Manual || !l.IssuedAt.Equal(at) {
		t.Errorf("typed letter %+v", l)
	}
	if l := issue(t, a, "typed-auto", at, approvedCase("typed-auto", manual, 0, nil)).Letter; l.Number != 7 || l.Manual {
		t.Errorf("a letter approved without a typed number: %+v; want 07, after the typed ones", l)
	}
	// Issued, the typed number stays.
	if res, err := prepare("typed-1", manual, 9, at); err != nil || res.RegisterNumber != 6 {
		t.Errorf("after the letter: %+v %v", res, err)
	}
}

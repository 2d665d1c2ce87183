package casefile_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"casetrail/casefile"
	"casetrail/documents"
	"casetrail/eventstore"
	"casetrail/eventstore/pgtest"
	"casetrail/incident"
)

// reportedAt is when the fixture case is reported: 08:30 on 1 December
// 2026 in Vietnam.
var reportedAt = time.Date(2026, 12, 1, 8, 30, 0, 0, documents.Vietnam)

func after(h float64) time.Time { return reportedAt.Add(time.Duration(h * float64(time.Hour))) }

// units are the fixture's units, as the seed describes Tân Uyên.
var units = []incident.Unit{
	{ID: "lai-chau", Name: "Tỉnh Lai Châu", Symbol: "UBND"},
	{ID: "lai-chau/so-vhttdl", Name: "Sở Văn hóa, Thể thao và Du lịch", Parent: "lai-chau", Symbol: "SVHTTDL",
		IssuingBody: "Sở Văn hóa, Thể thao\nvà Du lịch", ParentBody: "UBND tỉnh Lai Châu", Place: "Lai Châu"},
	{ID: "lai-chau/tan-uyen", Name: "Tân Uyên", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl", Symbol: "UBND-VHTT",
		IssuingBody: "Ủy ban nhân dân\nhuyện Tân Uyên", Place: "Tân Uyên",
		Signer: incident.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Trần Thị Lan"}},
}

// registry serves units.
type registry struct{}

func (registry) Units(context.Context) ([]incident.Unit, error) { return units, nil }

// newStore opens an event store on a fresh database dropped at cleanup.
func newStore(t testing.TB) *eventstore.Store {
	t.Helper()
	u, err := url.Parse(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("pool_max_conns", "4")
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := eventstore.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// caseWriter drives a case through incident.Decide and appends its events
// to the store, as the case's workflow does, folding what the store
// returns.
type caseWriter struct {
	t     testing.TB
	store *eventstore.Store
	p     incident.Policy
	c     incident.Case
}

func (w *caseWriter) record(actor string, now time.Time, ps []incident.Payload) {
	w.t.Helper()
	var evs []eventstore.EventData
	for _, p := range ps {
		data, err := incident.EncodePayload(p)
		if err != nil {
			w.t.Fatal(err)
		}
		evs = append(evs, eventstore.EventData{ID: uuid.NewString(), Type: p.EventType(), Data: data,
			Metadata: eventstore.Metadata{Actor: actor, CorrelationID: "corr-" + w.c.ID}, OccurredAt: now})
	}
	if len(evs) == 0 {
		return
	}
	stream := incident.StreamOf(w.c.ID)
	if w.c.ID == "" {
		stream = incident.StreamOf(ps[0].(incident.CaseReported).CaseID)
	}
	recs, err := w.store.Append(context.Background(), stream, w.c.Version, evs...)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, r := range recs {
		e, err := incident.StoredEvent{ID: r.ID, Type: r.Type, Version: r.Version, Data: r.Data, Actor: r.Metadata.Actor,
			OccurredAt: r.OccurredAt, GlobalPosition: r.GlobalPosition}.Decode()
		if err == nil {
			err = incident.Apply(&w.c, e)
		}
		if err != nil {
			w.t.Fatal(err)
		}
	}
}

func (w *caseWriter) do(actor string, now time.Time, cmd incident.Command) {
	w.t.Helper()
	ps, err := incident.Decide(w.c, cmd, now, w.p)
	if err != nil {
		w.t.Fatalf("%s: %v", cmd.Name(), err)
	}
	w.record(actor, now, ps)
}

// evidence stores content as a blob and adds it as evidence.
func (w *caseWriter) evidence(actor string, now time.Time, description, mediaType string, content []byte) string {
	w.t.Helper()
	sum, err := w.store.PutBlob(context.Background(), mediaType, content)
	if err != nil {
		w.t.Fatal(err)
	}
	w.do(actor, now, incident.AddEvidence{Description: description, MediaType: mediaType, SHA256: sum, SizeBytes: int64(len(content))})
	return sum
}

// reportCase reports case id (number n) of Tân Uyên.
func reportCase(t testing.TB, store *eventstore.Store, id string, n int, title string) *caseWriter {
	t.Helper()
	w := &caseWriter{t: t, store: store, p: incident.DefaultPolicy()}
	w.do("reporter1", after(0), incident.Report{
		CaseID: id, Number: fmt.Sprintf("VV-2026-%06d", n), ClientRequestID: "req-" + id, Kind: incident.Impersonation,
		Unit: "lai-chau/tan-uyen", EscalatesTo: "lai-chau/so-vhttdl", Title: title,
		Description: "Trang đăng thông báo thu phí giả, đề nghị người dân chuyển khoản.",
		Subjects:    []incident.SubjectInput{{Platform: incident.Facebook, URL: "https://www.facebook.com/ubnd.xatanuyen.thongbao." + id}},
	})
	return w
}

// Evidence contents of the fixture case.
var (
	screenshot = []byte("\x89PNG\r\n\x1a\nảnh chụp trang giả mạo, bài đăng thu phí")
	transcript = []byte("Bản ghi lời bài đăng: “Thông báo thu phí làm hồ sơ đất đai…”\n")
)

// fixture is the store with the fixture case c-fixture of Tân Uyên
// (reported, triaged, verified, two pieces of evidence, a takedown the
// platform removed and one it did not answer, an escalation approved and
// sent with its letter 05/UBND-VHTT as PDF and DOCX in the blob store)
// among four other cases, and the key checkpoints are signed with.
type fixture struct {
	store *eventstore.Store
	c     *caseWriter
	key   ed25519.PrivateKey
	evid  []string // evidence SHA-256
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	store := newStore(t)
	for i := range 4 {
		o := reportCase(t, store, fmt.Sprintf("c-other-%d", i), 100+i, "Trang khác")
		o.do("handler1", after(0.2), incident.Triage{Severity: incident.Low, Assignee: "handler1"})
	}
	w := reportCase(t, store, "c-fixture", 123, "Trang giả mạo UBND xã Tân Uyên thu phí làm hồ sơ đất đai")
	f := &fixture{store: store, c: w, key: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))}
	w.do("handler1", after(0.5), incident.Triage{Severity: incident.High, Assignee: "handler1"})
	w.do("handler1", after(1), incident.StartAnalysis{})
	f.evid = append(f.evid, w.evidence("handler1", after(2), "anh chup trang gia mao.png", "image/png", screenshot))
	f.evid = append(f.evid, w.evidence("reporter1", after(2.2), "Bản ghi lời bài đăng", "text/plain; charset=utf-8", transcript))
	w.do("handler1", after(3), incident.RecordAnalysis{Findings: "Trang sử dụng tên, biểu trưng của Ủy ban nhân dân xã",
		Verdict: incident.VerdictFalse, LegalBasis: "Khoản 1 Điều 8 Luật An ninh mạng năm 2018"})
	w.do("handler1", after(4), incident.RequestTakedown{Platform: incident.Facebook,
		TargetURL: "https://www.facebook.com/ubnd.xatanuyen.thongbao.c-fixture", Reason: "Mạo danh cơ quan nhà nước"})
	w.do("handler1", after(4.5), incident.RequestTakedown{Platform: incident.TikTok,
		TargetURL: "https://www.tiktok.com/@ubnd.tanuyen/video/7441234567890123456", Reason: "Mạo danh cơ quan nhà nước"})
	w.do("handler1", after(10), incident.RecordTakedownResponse{TakedownID: w.c.Takedowns[1].ID, Outcome: incident.OutcomeRemoved,
		PlatformReference: "TT-REQ-88213"})
	w.do("handler1", after(12), incident.RequestEscalation{Reason: "Nền tảng Facebook chưa gỡ trang giả mạo"})
	signer := units[2].Signer
	w.do("leader1", after(13), incident.ApproveEscalation{Note: "Đồng ý chuyển Sở", Signer: &signer})

	// The letter, as activities.IssueEscalation issues it.
	tree := incident.NewUnitTree(units)
	l, err := documents.EscalationLetter(tree, w.c, documents.Issue{Issuer: "lai-chau/tan-uyen", Number: 5, Symbol: "UBND-VHTT",
		Date: after(13.1), Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := documents.RenderPDF(l)
	if err != nil {
		t.Fatal(err)
	}
	docx, err := documents.RenderDOCX(l, documents.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pdfSum, err := store.PutBlob(ctx, "application/pdf", pdf)
	if err != nil {
		t.Fatal(err)
	}
	docxSum, err := store.PutBlob(ctx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx)
	if err != nil {
		t.Fatal(err)
	}
	w.record(incident.SystemActor, after(13.1), []incident.Payload{incident.EscalationSent{
		DispatchNumber: "05/UBND-VHTT", To: "lai-chau/so-vhttdl", Number: 5, Symbol: "UBND-VHTT", Issuer: "lai-chau/tan-uyen",
		IssuedAt: after(13.1).UTC(), Signer: &signer, SHA256: pdfSum, DOCXSHA256: docxSum,
	}})
	return f
}

// sign signs a checkpoint of the log as it is now.
func (f *fixture) sign(t *testing.T) eventstore.SignedCheckpoint {
	t.Helper()
	c, err := f.store.SignCheckpoint(context.Background(), f.key)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) pub() ed25519.PublicKey { return f.key.Public().(ed25519.PublicKey) }

// build writes the case file of the fixture case.
func (f *fixture) build(t *testing.T) ([]byte, casefile.Manifest) {
	t.Helper()
	return buildCaseFile(t, f.store, "c-fixture")
}

// entry is one file of a ZIP.
type entry struct {
	name    string
	content []byte
}

// entries reads every file of a ZIP, in order.
func entries(t *testing.T, b []byte) []entry {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out []entry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		c, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, entry{f.Name, c})
	}
	return out
}

// rezip writes es as a ZIP.
func rezip(t *testing.T, es []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range es {
		w, err := zw.Create(e.name)
		if err == nil {
			_, err = w.Write(e.content)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

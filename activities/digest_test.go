package activities_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/testsuite"

	"casetrail/activities"
	"casetrail/eventstore"
	"casetrail/eventstore/pgtest"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
	"casetrail/workflows"
)

// vn writes t as the notifications do: in Vietnam time, the layout of
// activities.NotifyTimeLayout (e.g. "07:30 02/06/2026").
func vn(t time.Time) string {
	s := t.In(incident.VietnamTime).Format(activities.NotifyTimeLayout)
	if !strings.Contains(s, t.In(incident.VietnamTime).Format("15:04")) || !strings.Contains(s, t.In(incident.VietnamTime).Format("02/01/2006")) {
		panic("NotifyTimeLayout lost the time or the date: " + s)
	}
	return s
}

// recorder is a Notifier that keeps what it is sent, failing while fail
// is set.
type recorder struct {
	name string
	mu   sync.Mutex
	got  []activities.Message
	fail error
}

func (r *recorder) Channel() string { return r.name }

func (r *recorder) Send(_ context.Context, m activities.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.got = append(r.got, m)
	return nil
}

func (r *recorder) messages() []activities.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]activities.Message(nil), r.got...)
}

// digestWorld is a fresh database with the event store, the read model and
// cases written as the workflow writes them.
type digestWorld struct {
	t     *testing.T
	ctx   context.Context
	store *eventstore.Store
	proj  *readmodel.Projector
	seq   int
}

func newDigestWorld(t *testing.T) *digestWorld {
	t.Helper()
	ctx := context.Background()
	s, err := eventstore.Open(ctx, pgtest.NewDatabase(t)+"&pool_max_conns=4")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := activities.EnsureSchema(ctx, s.Pool()); err != nil {
		t.Fatal(err)
	}
	if err := readmodel.EnsureSchema(ctx, s.Pool()); err != nil {
		t.Fatal(err)
	}
	units := []incident.Unit{
		{ID: "lai-chau", Name: "Tỉnh Lai Châu"},
		{ID: "lai-chau/so-vhttdl", Name: "Sở Văn hóa, Thể thao và Du lịch", Parent: "lai-chau"},
		{ID: "lai-chau/tan-uyen", Name: "Tân Uyên", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl"},
		{ID: "lai-chau/tan-uyen/xa-phuc-khoa", Name: "UBND xã Phúc Khoa", Parent: "lai-chau/tan-uyen"},
	}
	if _, err := readmodel.NewRegistry(s.Pool()).DefineUnits(ctx, readmodel.Change{Actor: "test", Reason: "digest test"}, units); err != nil {
		t.Fatal(err)
	}
	return &digestWorld{t: t, ctx: ctx, store: s, proj: readmodel.NewProjector(s)}
}

// dcase is one case of the world.
type dcase struct {
	w  *digestWorld
	id string
	c  incident.Case
}

func (w *digestWorld) report(at time.Time, r incident.Report) *dcase {
	w.t.Helper()
	w.seq++
	r.CaseID, r.Number, r.ClientRequestID = uuid.NewString(), fmt.Sprintf("VV-2026-%06d", w.seq), uuid.NewString()
	if r.Kind == "" {
		r.Kind = incident.FalseInformation
	}
	if len(r.Subjects) == 0 {
		r.Subjects = []incident.SubjectInput{{Platform: incident.Facebook, URL: fmt.Sprintf("https://www.facebook.com/trang-%d", w.seq)}}
	}
	dc := &dcase{w: w, id: r.CaseID}
	dc.do("reporter1", at, r)
	return dc
}

func (dc *dcase) do(actor string, at time.Time, cmd incident.Command) {
	dc.w.t.Helper()
	pays, err := incident.Decide(dc.c, cmd, at, incident.DefaultPolicy())
	if err != nil {
		dc.w.t.Fatalf("%s: %v", cmd.Name(), err)
	}
	dc.emit(actor, at, pays)
}

// clock runs the case's deadlines up to at, as the workflow's timer does.
func (dc *dcase) clock(at time.Time) {
	dc.w.t.Helper()
	p := incident.DefaultPolicy()
	for {
		wake, ok := incident.NextWake(&dc.c, p)
		if !ok || wake.After(at) {
			return
		}
		pays := incident.DueEvents(dc.c, wake, p)
		if len(pays) == 0 {
			return
		}
		dc.emit(incident.SystemActor, wake, pays)
	}
}

func (dc *dcase) emit(actor string, at time.Time, pays []incident.Payload) {
	w := dc.w
	w.t.Helper()
	evs := make([]eventstore.EventData, len(pays))
	for i, p := range pays {
		data, err := incident.EncodePayload(p)
		if err != nil {
			w.t.Fatal(err)
		}
		evs[i] = eventstore.EventData{ID: uuid.NewString(), Type: p.EventType(), Data: data, Metadata: eventstore.Metadata{Actor: actor}, OccurredAt: at}
	}
	recs, err := w.store.Append(w.ctx, incident.StreamOf(dc.id), dc.c.Version, evs...)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, r := range recs {
		ev, err := readmodel.ToDomain(r)
		if err != nil {
			w.t.Fatal(err)
		}
		if err := incident.Apply(&dc.c, ev); err != nil {
			w.t.Fatal(err)
		}
	}
}

func (w *digestWorld) catchUp() {
	w.t.Helper()
	if _, err := w.proj.CatchUp(w.ctx); err != nil {
		w.t.Fatal(err)
	}
}

// TestSendDigest renders and sends a leader's digest on the real read
// model: once per channel (a retry after a failing channel sends only
// through that one), in Vietnamese, times in +07:00, links to the cases;
// a leader with nothing hears nothing.
func TestSendDigest(t *testing.T) {
	w := newDigestWorld(t)
	at := time.Date(2026, 6, 2, 7, 30, 0, 0, incident.VietnamTime)
	h := time.Hour

	// A missed TRIAGE in the commune (title with markup, to be escaped).
	m := w.report(at.Add(-10*h), incident.Report{Unit: "lai-chau/tan-uyen/xa-phuc-khoa", Title: "Tin sai về <b>dịch bệnh</b>", EscalatesTo: "lai-chau/so-vhttdl"})
	m.clock(at.Add(-5 * h))
	// An escalation waiting for approval in the district.
	e := w.report(at.Add(-4*h), incident.Report{Unit: "lai-chau/tan-uyen", Title: "Trang mạo danh UBND", EscalatesTo: "lai-chau/so-vhttdl"})
	e.do("handler1", at.Add(-3*h), incident.Triage{Severity: incident.High, Assignee: "handler1"})
	e.do("handler1", at.Add(-3*h+time.Minute), incident.StartAnalysis{})
	e.do("handler1", at.Add(-3*h+2*time.Minute), incident.RecordAnalysis{Findings: "Mạo danh", Verdict: incident.VerdictFalse})
	e.do("handler1", at.Add(-h), incident.RequestEscalation{Reason: "Vượt thẩm quyền của huyện"})
	w.catchUp()

	inbox := &recorder{name: "inbox"}
	mail := &recorder{name: "email", fail: errors.New("smtp: connection refused")}
	reg := readmodel.NewRegistry(w.store.Pool())
	d := &activities.DigestActivities{
		Activities: &activities.Activities{
			Store:     w.store,
			Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
			Notifiers: []activities.Notifier{inbox, mail},
			BaseURL:   "https://casetrail.example/",
			Units:     reg.Units,
			People: func(_ context.Context, subjects []string) ([]activities.Recipient, error) {
				var out []activities.Recipient
				for _, s := range subjects {
					if s == "leader1" {
						out = append(out, activities.Recipient{Subject: s, Name: "Lò Văn Minh", Email: "minh@tanuyen.example"})
					}
				}
				return out, nil
			},
		},
		LeaderGrants: func(context.Context) ([]readmodel.LeaderGrant, error) {
			return []readmodel.LeaderGrant{
				{Subject: "leader1", Unit: "lai-chau/tan-uyen"},
				{Subject: "leader-so", Unit: "lai-chau/so-vhttdl"},
			}, nil
		},
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}

	// Through the names the workflow calls them by.
	env := (&testsuite.WorkflowTestSuite{}).NewTestActivityEnvironment()
	activities.RegisterDigest(env, d)
	v, err := env.ExecuteActivity(workflows.ActivityGatherDigest, workflows.GatherDigestInput{At: at})
	if err != nil {
		t.Fatal(err)
	}
	var sums []workflows.DigestSummary
	if err := v.Get(&sums); err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprint(sums); s != "[{leader-so 0 0 0} {leader1 1 1 1}]" {
		// leader1: M's TRIAGE missed; E's ESCALATION_APPROVAL due 10:30; E waits.
		t.Fatalf("summaries %s", s)
	}

	in := workflows.SendDigestInput{Key: "digest/casetrail-daily-digest-2026-06-02T00:30:00Z/leader1", Leader: "leader1", At: at}
	res, err := d.SendDigest(w.ctx, in)
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("SendDigest with the e-mail channel down: %v; want its error, to be retried", err)
	}
	if got := inbox.messages(); len(got) != 1 {
		t.Fatalf("inbox got %d messages; want 1", len(got))
	}
	mail.mu.Lock()
	mail.fail = nil
	mail.mu.Unlock()
	res, err = d.SendDigest(w.ctx, in) // the retry
	if err != nil {
		t.Fatal(err)
	}
	if len(inbox.messages()) != 1 || len(mail.messages()) != 1 {
		t.Fatalf("after the retry: inbox %d, e-mail %d messages; want one each", len(inbox.messages()), len(mail.messages()))
	}
	if !res.Sent || res.Missed != 1 || res.DueToday != 1 || res.PendingApproval != 1 || strings.Join(res.Channels, ",") != "log,inbox,email" {
		t.Errorf("result %+v", res)
	}

	msg := mail.messages()[0]
	if msg.Key != in.Key || msg.Event != activities.EventDigest || !msg.At.Equal(at) || msg.CaseID != "" ||
		len(msg.Recipients) != 1 || msg.Recipients[0] != (activities.Recipient{Subject: "leader1", Name: "Lò Văn Minh", Email: "minh@tanuyen.example"}) {
		t.Errorf("message envelope %+v", msg)
	}
	if want := "Tổng hợp hằng ngày 02/06/2026: 1 quá hạn, 1 đến hạn hôm nay, 1 chờ lãnh đạo duyệt"; msg.Subject != want {
		t.Errorf("subject %q\nwant    %q", msg.Subject, want)
	}
	mLink, eLink := "https://casetrail.example/cases/"+m.c.ID, "https://casetrail.example/cases/"+e.c.ID
	for _, want := range []string{
		"Kính gửi: Lò Văn Minh",
		"Tổng hợp lúc " + vn(at) + " các vụ việc của Tân Uyên",
		"QUÁ HẠN (1)",
		m.c.Number + " — Tin sai về <b>dịch bệnh</b> (UBND xã Phúc Khoa)",
		"Hạn phân loại: hạn " + vn(at.Add(-6*h)) + ", quá hạn 6 giờ",
		mLink,
		"ĐẾN HẠN HÔM NAY (1)",
		"Hạn lãnh đạo duyệt: hạn " + vn(at.Add(3*h)) + ", còn 3 giờ",
		"CHỜ LÃNH ĐẠO DUYỆT (1)",
		"Đề nghị chuyển cấp trên lúc " + vn(at.Add(-h)) + ", người đề nghị: handler1, nơi nhận: Sở Văn hóa, Thể thao và Du lịch. Lý do: Vượt thẩm quyền của huyện",
		eLink,
		"Vụ việc quá hạn: https://casetrail.example/watch",
	} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, msg.Text)
		}
	}
	for _, want := range []string{`<html lang="vi">`, "Tin sai về &lt;b&gt;dịch bệnh&lt;/b&gt;", `<a href="` + mLink + `">` + m.c.Number + `</a>`, "Chờ lãnh đạo duyệt (1)"} {
		if !strings.Contains(msg.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, msg.HTML)
		}
	}
	if strings.Contains(msg.HTML, "<b>dịch") {
		t.Error("the title's markup reached the HTML unescaped")
	}
	if msg.Link != "https://casetrail.example/watch" {
		t.Errorf("link %q", msg.Link)
	}

	// The leader of the department has nothing: no message.
	res, err = d.SendDigest(w.ctx, workflows.SendDigestInput{Key: "digest/x/leader-so", Leader: "leader-so", At: at})
	if err != nil || res.Sent {
		t.Fatalf("SendDigest(leader-so) = %+v, %v; want nothing sent", res, err)
	}
	if len(inbox.messages()) != 1 {
		t.Error("a message for a leader with nothing to hear")
	}
}

// TestRenderDigestWithoutBaseURL: no links without a base URL; a cut list
// says how many items were left out; the subject counts only what there
// is.
func TestRenderDigestWithoutBaseURL(t *testing.T) {
	at := time.Date(2026, 12, 2, 0, 30, 0, 0, time.UTC)
	from, to := incident.DigestDay(at)
	g := incident.Digest{Leader: "leader1", Units: []string{"lai-chau/tan-uyen"}, At: at, From: from, To: to, DueTodayTotal: incident.DigestLimit + 2}
	for i := range incident.DigestLimit {
		g.DueToday = append(g.DueToday, incident.DigestItem{CaseID: fmt.Sprint(i), Number: fmt.Sprintf("VV-2026-%06d", i+1), Title: "Tin đồn",
			Unit: "lai-chau/tan-uyen", DeadlineKind: incident.DeadlineResolution, DueAt: at.Add(2*time.Hour + 15*time.Minute)})
	}
	r := activities.RenderDigest(g, activities.Recipient{Subject: "leader1"}, nil, "")
	if r.Subject != "Tổng hợp hằng ngày 02/12/2026: 52 đến hạn hôm nay" {
		t.Errorf("subject %q", r.Subject)
	}
	for _, want := range []string{"Kính gửi: leader1", "ĐẾN HẠN HÔM NAY (52)", "Hạn giải quyết: hạn " + vn(at.Add(2*time.Hour+15*time.Minute)) + ", còn 2 giờ 15 phút", "… và 2 mục khác."} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if strings.Contains(r.Text, "http") || strings.Contains(r.HTML, "href") || r.Link != "" {
		t.Errorf("links without a base URL:\n%s", r.Text)
	}
}

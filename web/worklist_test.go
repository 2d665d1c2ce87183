package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/api"
	"casetrail/eventstore"
	"casetrail/eventstore/pgtest"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
	"casetrail/schema"
	"casetrail/workflows"
)

// liveDesk is the interface over the real graph without Temporal: the
// API's in-process executor over the real schema, Casbin authorizer, read
// model and registry, the interface mounted at "/" as serve mounts it.
// Cases are written to the event store the way a case's workflow writes
// them (seed) and projected; commands are not available.
type liveDesk struct {
	*desk
	ctx   context.Context
	store *eventstore.Store
	proj  *readmodel.Projector
	authz *api.Authorizer
	seq   int
}

// deskUnits are the units of the live desk: a province, a district with
// three communes, and a ward of another district.
var deskUnits = []incident.Unit{
	{ID: "lai-chau", Name: "Tỉnh Lai Châu"},
	{ID: "lai-chau/so-vhttdl", Name: "Sở Văn hóa, Thể thao và Du lịch", Parent: "lai-chau"},
	{ID: "lai-chau/tan-uyen", Name: "Tân Uyên", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl"},
	{ID: "lai-chau/tan-uyen/xa-phuc-khoa", Name: "UBND xã Phúc Khoa", Parent: "lai-chau/tan-uyen"},
	{ID: "lai-chau/tan-uyen/xa-trung-dong", Name: "UBND xã Trung Đồng", Parent: "lai-chau/tan-uyen"},
	{ID: "lai-chau/tan-uyen/xa-muong-khoa", Name: "UBND xã Mường Khoa", Parent: "lai-chau/tan-uyen"},
	{ID: "lai-chau/phuong-tan-phong", Name: "UBND phường Tân Phong", Parent: "lai-chau"},
}

// deskPeople are the users of the live desk and their grants.
var deskPeople = []struct {
	user, name, role, unit string
}{
	{"handler1", "Nguyễn Văn Hùng", api.RoleHandler, "lai-chau/tan-uyen"},
	{"handler2", "Hoàng Minh Đức", api.RoleHandler, "lai-chau/phuong-tan-phong"},
	{"reporter1", "Lò Thị Mai", api.RoleReporter, "lai-chau/tan-uyen/xa-phuc-khoa"},
	{"auditor1", "Phạm Quốc Bảo", api.RoleAuditor, "lai-chau"},
	{"admin1", "Đỗ Văn Nam", api.RoleAdmin, "lai-chau"},
}

func newLiveDesk(t *testing.T, edit func(*Options)) *liveDesk {
	t.Helper()
	ctx := context.Background()
	store, err := eventstore.Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	pool := store.Pool()
	for _, ensure := range []func(context.Context, *pgxpool.Pool) error{readmodel.EnsureSchema, api.EnsureSchema, EnsureSchema} {
		if err := ensure(ctx, pool); err != nil {
			t.Fatal(err)
		}
	}
	reg := readmodel.NewRegistry(pool)
	if err := reg.UpsertUnits(ctx, deskUnits); err != nil {
		t.Fatal(err)
	}
	authz, err := api.NewAuthorizer(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(authz.Close)
	if err := authz.SetUnits(deskUnits); err != nil {
		t.Fatal(err)
	}
	for _, p := range deskPeople {
		if err := authz.Grant(ctx, api.Grant{Subject: p.user, Role: p.role, Unit: p.unit}); err != nil {
			t.Fatal(err)
		}
	}
	reader := readmodel.NewReader(pool)
	proj := readmodel.NewProjector(store)
	s, err := schema.New(schema.Deps{Auth: authz, Commands: workflows.Commands{}, // no Temporal: no command runs here
		Cases: reader, Streams: reader, Registry: reg, Progress: proj, Blobs: store, Registrar: reg, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	opts := api.ServerOptions{Schema: s, Logger: quietLogger()}
	opts.Executor = api.NewExecutor(opts)
	o := Options{Pool: pool, Exec: opts.Executor.Execute, IdempotencyKey: api.WithIdempotencyKey, Logger: quietLogger()}
	if edit != nil {
		edit(&o)
	}
	ui, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ui.Close)
	opts.UI = ui
	srv := httptest.NewServer(api.NewServer(opts))
	t.Cleanup(srv.Close)
	d := &liveDesk{desk: &desk{t: t, h: ui, srv: srv}, ctx: ctx, store: store, proj: proj, authz: authz}
	for _, p := range deskPeople {
		d.addUser(p.user, p.name, goodPassword, false)
	}
	return d
}

// seeded is a case written by seed.
type seeded struct {
	d *liveDesk
	c incident.Case
}

// seed opens a case reported by actor at at, as its workflow would: the
// events incident.Decide gives, appended to the case's stream.
func (d *liveDesk) seed(actor string, at time.Time, r incident.Report) *seeded {
	d.t.Helper()
	d.seq++
	r.CaseID = uuid.NewString()
	r.Number = fmt.Sprintf("VV-%d-%06d", at.Year(), d.seq)
	r.ClientRequestID = uuid.NewString()
	if r.Kind == "" {
		r.Kind = incident.FalseInformation
	}
	if len(r.Subjects) == 0 {
		r.Subjects = []incident.SubjectInput{{Platform: incident.Facebook, URL: fmt.Sprintf("https://www.facebook.com/trang-%d", d.seq)}}
	}
	s := &seeded{d: d}
	s.c.ID = r.CaseID
	s.do(actor, at, r)
	return s
}

// do decides cmd on the case at at and appends its events.
func (s *seeded) do(actor string, at time.Time, cmd incident.Command) *seeded {
	t := s.d.t
	t.Helper()
	pays, err := incident.Decide(s.c, cmd, at, incident.DefaultPolicy())
	if err != nil {
		t.Fatalf("%s: %v", cmd.Name(), err)
	}
	evs := make([]eventstore.EventData, len(pays))
	for i, p := range pays {
		data, err := incident.EncodePayload(p)
		if err != nil {
			t.Fatal(err)
		}
		evs[i] = eventstore.EventData{ID: uuid.NewString(), Type: p.EventType(), Data: data,
			Metadata: eventstore.Metadata{Actor: actor}, OccurredAt: at}
	}
	recs, err := s.d.store.Append(s.d.ctx, incident.StreamOf(s.c.ID), s.c.Version, evs...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		ev, err := readmodel.ToDomain(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := incident.Apply(&s.c, ev); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// clock runs the case's deadlines up to at, as its workflow's timers do.
func (s *seeded) clock(at time.Time) *seeded {
	t := s.d.t
	t.Helper()
	pol := incident.DefaultPolicy()
	for {
		wake, ok := incident.NextWake(&s.c, pol)
		if !ok || wake.After(at) {
			return s
		}
		pays := incident.DueEvents(s.c, wake, pol)
		if len(pays) == 0 {
			return s
		}
		evs := make([]eventstore.EventData, len(pays))
		for i, p := range pays {
			data, err := incident.EncodePayload(p)
			if err != nil {
				t.Fatal(err)
			}
			evs[i] = eventstore.EventData{ID: uuid.NewString(), Type: p.EventType(), Data: data,
				Metadata: eventstore.Metadata{Actor: incident.SystemActor}, OccurredAt: wake}
		}
		recs, err := s.d.store.Append(s.d.ctx, incident.StreamOf(s.c.ID), s.c.Version, evs...)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			ev, err := readmodel.ToDomain(r)
			if err != nil {
				t.Fatal(err)
			}
			if err := incident.Apply(&s.c, ev); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// project brings the read model up to everything seeded.
func (d *liveDesk) project() {
	d.t.Helper()
	if _, err := d.proj.CatchUp(d.ctx); err != nil {
		d.t.Fatal(err)
	}
}

// loggedIn returns a client logged in as user.
func (d *liveDesk) loggedIn(user string) *client {
	d.t.Helper()
	c := d.client()
	wantRedirect(d.t, c.login(user, goodPassword), http.StatusSeeOther, "/")
	return c
}

// worklistCases are the worklist's cases: over (triage overdue by an hour),
// soon (triage due in half an hour: under 20 % of its 4 hours left), ok
// (triaged HIGH for handler1: analysis due in 11 hours), missed (its
// triage missed 2 hours ago and still not done: no deadline pending, so
// it comes last, in red), other (another district), closed, and 35 more
// reported in the last hour (triage due in 3 to 4 hours).
type worklistCases struct {
	over, soon, ok, missed, other, closed *seeded
	more                                  []*seeded
}

func seedWorklist(d *liveDesk) worklistCases {
	now := time.Now()
	var w worklistCases
	w.over = d.seed("reporter1", now.Add(-5*time.Hour), incident.Report{Kind: incident.Impersonation, Unit: "lai-chau/tan-uyen/xa-phuc-khoa",
		Title: "Trang Facebook giả mạo UBND xã Phúc Khoa", Description: "Trang dùng logo của xã để kêu gọi quyên góp.",
		Subjects: []incident.SubjectInput{{Platform: incident.Facebook, URL: "https://www.facebook.com/ubnd.phuckhoa.gia"}}})
	w.soon = d.seed("reporter1", now.Add(-210*time.Minute), incident.Report{Unit: "lai-chau/tan-uyen",
		Title: "Tin sai sự thật về lũ quét ở bản Nà Bó"})
	w.ok = d.seed("reporter1", now.Add(-time.Hour), incident.Report{Kind: incident.AccountCompromised, Unit: "lai-chau/tan-uyen/xa-trung-dong",
		Title: "Fanpage UBND xã Trung Đồng bị chiếm quyền quản trị"}).
		do("handler1", now.Add(-50*time.Minute), incident.Triage{Severity: incident.High, Assignee: "handler1"})
	w.missed = d.seed("reporter1", now.Add(-6*time.Hour), incident.Report{Unit: "lai-chau/tan-uyen/xa-muong-khoa",
		Title: "Bài viết xuyên tạc về hỗ trợ hộ nghèo ở xã Mường Khoa"}).clock(now)
	w.other = d.seed("reporter9", now.Add(-6*time.Hour), incident.Report{Unit: "lai-chau/phuong-tan-phong",
		Title: "Tin đồn về giá đất ở phường Tân Phong"})
	at := now.Add(-48 * time.Hour)
	w.closed = d.seed("reporter1", at, incident.Report{Unit: "lai-chau/tan-uyen", Title: "Video cắt ghép về mưa đá"}).
		do("handler1", at.Add(time.Hour), incident.Triage{Severity: incident.Low, Assignee: "handler1"}).
		do("handler1", at.Add(2*time.Hour), incident.StartAnalysis{}).
		do("handler1", at.Add(3*time.Hour), incident.RecordAnalysis{Findings: "Video cắt ghép", Verdict: incident.VerdictFalse}).
		do("handler1", at.Add(4*time.Hour), incident.Resolve{Resolution: "Đã cải chính"}).
		do("leader1", at.Add(5*time.Hour), incident.Close{})
	for i := range 35 {
		w.more = append(w.more, d.seed("reporter1", now.Add(-time.Duration(10+i)*time.Minute), incident.Report{Unit: "lai-chau/tan-uyen",
			Title: fmt.Sprintf("Bài viết bịa đặt số %d về thi tuyển công chức", i+1)}))
	}
	d.project()
	return w
}

var (
	wlRowNumber = regexp.MustCompile(`<th scope="row" class="number"[^>]*><a href="/cases/([^"]+)">`)
	wlNextLink  = regexp.MustCompile(`<a class="next" href="([^"]+)" rel="next">`)
	wlTags      = regexp.MustCompile(`(?s)<[^>]*>`)
)

// wlRows returns the case ids of a worklist page, in order.
func wlRows(body string) []string {
	var out []string
	for _, m := range wlRowNumber.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// wlText is the text of a page without its tags (attribute values,
// option values and class names are not shown).
func wlText(body string) string { return html.UnescapeString(wlTags.ReplaceAllString(body, " ")) }

// wlRawValues are the contract's values a page must never show as they are.
var wlRawValues = func() []string {
	var out []string
	for _, s := range incident.Statuses {
		out = append(out, string(s))
	}
	for _, k := range incident.Kinds {
		out = append(out, string(k))
	}
	for _, s := range incident.Severities {
		out = append(out, string(s))
	}
	for _, k := range incident.DeadlineKinds {
		out = append(out, string(k))
	}
	return append(out, "PENDING", "MISSED", "FACEBOOK", "HANDLER", "REPORTER")
}()

func wlWantNoRaw(t *testing.T, what, body string) {
	t.Helper()
	text := wlText(body)
	for _, v := range wlRawValues {
		if regexp.MustCompile(`\b` + v + `\b`).MatchString(text) {
			t.Errorf("%s shows the raw value %s", what, v)
		}
	}
	for _, m := range catalogKey.FindAllString(text, -1) {
		if _, ok := messages[m]; ok {
			t.Errorf("%s shows the catalog key %q", what, m)
		}
	}
}

// The worklist of a district's handler: its open cases, nearest pending
// deadline first, in Vietnamese words, the overdue one red and the one
// under 20 % amber; a page of 30 and "Trang sau" to the rest, with the
// count; the page and its style sheet within 150 KB.
func TestWorklistOrderAndPages(t *testing.T) {
	d := newLiveDesk(t, nil)
	w := seedWorklist(d)
	c := d.loggedIn("handler1")

	r := c.get("/worklist")
	wantBody(t, r, http.StatusOK, "<h1>Việc cần làm</h1>", `aria-current="page">Việc cần làm`, "<strong>39 vụ việc</strong>",
		"Trang Facebook giả mạo UBND xã Phúc Khoa", "Giả mạo cơ quan, cá nhân", "Mới tiếp nhận", "Thông tin sai sự thật",
		"Hạn phân loại", "UBND xã Phúc Khoa", "Chưa giao", "Chưa xác định", `rel="next">Trang sau</a>`)
	wlWantNoRaw(t, "the worklist", r.body)
	first := wlRows(r.body)
	if len(first) != worklistPageSize {
		t.Fatalf("first page: %d rows, want %d", len(first), worklistPageSize)
	}
	if first[0] != w.over.c.ID || first[1] != w.soon.c.ID {
		t.Errorf("the nearest deadlines do not come first: %v", first[:3])
	}
	for _, id := range first[2:] {
		if id == w.ok.c.ID || id == w.other.c.ID || id == w.closed.c.ID {
			t.Errorf("case %s on the first page", id)
		}
	}
	text := wlText(r.body)
	if !regexp.MustCompile(`quá hạn 1 giờ`).MatchString(text) || !regexp.MustCompile(`còn (29|30) phút`).MatchString(text) ||
		!regexp.MustCompile(`còn 3 giờ \d+ phút`).MatchString(text) {
		t.Errorf("time left not told as the glossary says:\n%.3000s", text)
	}
	if !strings.Contains(r.body, `<tr class="urgency-over">`+"\n"+`      <th scope="row" class="number" data-label="Số vụ việc"><a href="/cases/`+w.over.c.ID) {
		t.Errorf("the overdue case is not marked red")
	}
	if !strings.Contains(r.body, `<tr class="urgency-soon">`+"\n"+`      <th scope="row" class="number" data-label="Số vụ việc"><a href="/cases/`+w.soon.c.ID) {
		t.Errorf("the case with under 20 %% left is not marked amber")
	}
	if n := strings.Count(r.body, `<strong class="due-over">`); n != 1 {
		t.Errorf("%d deadlines shown overdue, want 1", n)
	}
	if size := len(r.body) + len(assets["app.css"].body); size > 150<<10 {
		t.Errorf("the worklist page with its style sheet is %d bytes, over 150 KB", size)
	} else {
		t.Logf("worklist page %d bytes + app.css %d bytes = %d bytes (limit %d)", len(r.body), len(assets["app.css"].body), size, 150<<10)
	}

	m := wlNextLink.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("no next page link")
	}
	r2 := c.get(html.UnescapeString(m[1]))
	wantBody(t, r2, http.StatusOK, "<strong>39 vụ việc</strong>", ">Về trang đầu</a>", "Nguyễn Văn Hùng", "Cao", "Hạn xác minh",
		`<span class="due-over missed">Đã quá hạn: Hạn phân loại</span>`, "Không có thời hạn đang tính")
	second := wlRows(r2.body)
	if len(second) != 9 || second[7] != w.ok.c.ID || second[8] != w.missed.c.ID {
		t.Errorf("second page: %d rows %v (want 9, ending with the triaged case and the one whose triage was missed)", len(second), second)
	}
	if !strings.Contains(r2.body, `<tr class="urgency-over">`+"\n"+`      <th scope="row" class="number" data-label="Số vụ việc"><a href="/cases/`+w.missed.c.ID) {
		t.Errorf("the case with a missed deadline is not marked red")
	}
	if wlNextLink.MatchString(r2.body) {
		t.Errorf("the last page links a next one")
	}
	all := append(slices.Clone(first), second...)
	seen := map[string]bool{}
	for _, id := range all {
		if seen[id] {
			t.Errorf("case %s on both pages", id)
		}
		seen[id] = true
	}

	// A cursor that is not the list's: the first page, and a word why.
	wantBody(t, c.get("/worklist?after=not-a-cursor"), http.StatusOK, "Liên kết trang này không còn dùng được.", "<strong>39 vụ việc</strong>")

	// Another district's handler sees its own case only.
	r = d.loggedIn("handler2").get("/worklist")
	if got := wlRows(r.body); !slices.Equal(got, []string{w.other.c.ID}) {
		t.Errorf("handler2 sees %v", got)
	}
}

// The filters of the GET form: status, kind, severity, unit, "assigned to
// me", overdue and text without diacritics; a unit outside the user's
// shows nothing; the form keeps what was chosen.
func TestWorklistFilters(t *testing.T) {
	d := newLiveDesk(t, nil)
	w := seedWorklist(d)
	c := d.loggedIn("handler1")
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"kind=IMPERSONATION", []string{w.over.c.ID}},
		{"severity=HIGH", []string{w.ok.c.ID}},
		{"mine=1", []string{w.ok.c.ID}},
		{"overdue=1", []string{w.over.c.ID}},
		{"q=gia+mao", []string{w.over.c.ID}},
		{"q=" + url.QueryEscape("GIẢ MẠO phúc"), []string{w.over.c.ID}},
		{"q=" + w.soon.c.Number, []string{w.soon.c.ID}},
		{"unit=" + url.QueryEscape("lai-chau/tan-uyen/xa-trung-dong"), []string{w.ok.c.ID}},
		{"status=CLOSED", []string{w.closed.c.ID}},
		{"status=TRIAGED&kind=ACCOUNT_COMPROMISED", []string{w.ok.c.ID}},
		{"unit=" + url.QueryEscape("lai-chau/phuong-tan-phong"), nil},
		{"q=khong+co+gi+ca", nil},
		{"status=NOT_A_STATUS&kind=IMPERSONATION", []string{w.over.c.ID}}, // an unknown value is dropped
	} {
		r := c.get("/worklist?" + tc.query)
		if r.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", tc.query, r.StatusCode)
			continue
		}
		if got := wlRows(r.body); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.query, got, tc.want)
		}
		wlWantNoRaw(t, tc.query, r.body)
		if len(tc.want) == 0 && !strings.Contains(r.body, "Không có vụ việc nào khớp bộ lọc.") {
			t.Errorf("%s: no word for an empty list", tc.query)
		}
	}
	r := c.get("/worklist?status=CLOSED&mine=1&q=mua+da&unit=" + url.QueryEscape("lai-chau/tan-uyen"))
	wantBody(t, r, http.StatusOK, `<option value="CLOSED" selected>Đã đóng hồ sơ</option>`, `name="mine" value="1" checked`,
		`value="mua da"`, `<option value="lai-chau/tan-uyen" selected>Tân Uyên</option>`,
		`<option value="lai-chau/tan-uyen/xa-muong-khoa">— UBND xã Mường Khoa</option>`, `href="/worklist">Xóa bộ lọc</a>`)
	if got := wlRows(r.body); !slices.Equal(got, []string{w.closed.c.ID}) {
		t.Errorf("combined filters: %v", got)
	}
	if strings.Contains(r.body, "phuong-tan-phong") {
		t.Errorf("the unit filter offers a unit outside the user's")
	}
	wantBody(t, c.get("/worklist?q="+strings.Repeat("a", maxWorklistText+1)), http.StatusBadRequest, "Tìm kiếm: nhiều nhất 200 ký tự.")
	// English, by the switch.
	wantBody(t, c.get("/worklist?kind=IMPERSONATION", "Accept-Language", "en"), http.StatusOK, "Impersonation of an agency or official",
		"Triage deadline", "overdue by 1 h", "<strong>1 cases</strong>")
}

// The navigation offers what the user's grants allow: "Phản ánh mới" to
// reporters, handlers and leaders only; the home page leads to both pages.
func TestNavigationByRole(t *testing.T) {
	d := newLiveDesk(t, nil)
	for _, tc := range []struct {
		user           string
		report, unitOK bool
	}{
		{"reporter1", true, true},
		{"handler1", true, true},
		{"auditor1", false, true},
	} {
		r := d.loggedIn(tc.user).get("/")
		wantBody(t, r, http.StatusOK, `<a href="/worklist">Việc cần làm</a>`, `class="start-link primary-link" href="/worklist"`)
		if got := strings.Contains(r.body, `href="/report"`); got != tc.report {
			t.Errorf("%s: report link shown %v, want %v", tc.user, got, tc.report)
		}
	}
	// An administrator (who reads no cases) and someone with no role have
	// neither; the worklist tells them why.
	d.addUser("nobody1", "Người Không Vai Trò", goodPassword, false)
	for _, user := range []string{"admin1", "nobody1"} {
		c := d.loggedIn(user)
		r := c.get("/")
		if strings.Contains(r.body, `href="/worklist"`) || strings.Contains(r.body, `href="/report"`) {
			t.Errorf("%s is offered the pages", user)
		}
		wantBody(t, c.get("/worklist"), http.StatusOK, "Bạn chưa được giao vai trò nào.")
	}
}

// Words and times: numbers with the Vietnamese thousands separator, spans
// as the glossary tells them, the next deadline's urgency.
func TestWorklistWords(t *testing.T) {
	vi, en := NewPrinter(Vietnamese), NewPrinter(English)
	for n, want := range map[int]string{0: "0", 999: "999", 1480: "1.480", 100000: "100.000", 1234567: "1.234.567"} {
		if got := vi.Number(n); got != want {
			t.Errorf("Number(%d) = %q, want %q", n, got, want)
		}
	}
	if en.Number(1480) != "1,480" {
		t.Errorf("English number %q", en.Number(1480))
	}
	for d, want := range map[time.Duration]string{
		30 * time.Second: "dưới 1 phút", 15 * time.Minute: "15 phút", 2*time.Hour + 15*time.Minute: "2 giờ 15 phút",
		3 * time.Hour: "3 giờ", 50 * time.Hour: "2 ngày 2 giờ", 72 * time.Hour: "3 ngày", -3 * time.Hour: "3 giờ",
	} {
		if got := vi.Span(d); got != want {
			t.Errorf("Span(%s) = %q, want %q", d, got, want)
		}
	}
	for n, want := range map[int64]string{812: "812 byte", 12800: "12,5 KB", 3 << 20: "3 MB", 3355443: "3,2 MB"} {
		if got := vi.FileSize(n); got != want {
			t.Errorf("FileSize(%d) = %q, want %q", n, got, want)
		}
	}
	now := time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)
	dl := func(kind, state string, started, due time.Duration) deadlineView {
		return deadlineView{Kind: kind, State: state, Starts: now.Add(started), DueAt: now.Add(due)}
	}
	for _, tc := range []struct {
		ds                      []deadlineView
		name, left, urgency, at string
	}{
		{[]deadlineView{dl("TRIAGE", "PENDING", -5*time.Hour, -time.Hour)}, "Hạn phân loại", "quá hạn 1 giờ", "over", "08:00 02/12/2026"},
		{[]deadlineView{dl("TRIAGE", "PENDING", -210*time.Minute, 30*time.Minute)}, "Hạn phân loại", "còn 30 phút", "soon", "09:30 02/12/2026"},
		{[]deadlineView{dl("RESOLUTION", "PENDING", -time.Hour, 47*time.Hour), dl("ANALYSIS", "PENDING", -time.Hour, 3*time.Hour),
			dl("TRIAGE", "MET", -2*time.Hour, 2*time.Hour)}, "Hạn xác minh", "còn 3 giờ", "ok", "12:00 02/12/2026"},
	} {
		got, ok := vi.nextDue(tc.ds, now)
		if !ok || got.Name != tc.name || got.Left != tc.left || got.Urgency != tc.urgency || got.At != tc.at {
			t.Errorf("nextDue = %+v, want %s %s %s %s", got, tc.name, tc.left, tc.urgency, tc.at)
		}
	}
	if _, ok := vi.nextDue([]deadlineView{dl("TRIAGE", "MET", -time.Hour, time.Hour)}, now); ok {
		t.Errorf("a met deadline is next")
	}
	if got := vi.missed([]deadlineView{dl("TRIAGE", "MISSED", 0, 0), dl("TAKEDOWN_RESPONSE", "MISSED", 0, 0), dl("TAKEDOWN_RESPONSE", "MISSED", 0, 0)}); got != "Hạn phân loại, Hạn nền tảng phản hồi" {
		t.Errorf("missed %q", got)
	}
}

// Every value of the contract the pages show has words in both languages,
// and a key defined in two files of the catalog has the same words in both.
func TestWorklistCatalog(t *testing.T) {
	check := func(prefix string, vals []string) {
		for _, v := range vals {
			m, ok := messages[prefix+"."+v]
			if !ok || m.vi == "" || m.en == "" {
				t.Errorf("%s.%s has no words", prefix, v)
			}
		}
	}
	strs := func(vs ...any) []string {
		var out []string
		for _, v := range vs {
			out = append(out, fmt.Sprint(v))
		}
		return out
	}
	var all [][]string
	for _, s := range incident.Statuses {
		all = append(all, strs(s))
	}
	check("status", slices.Concat(all...))
	all = nil
	for _, k := range incident.Kinds {
		all = append(all, strs(k))
	}
	check("kind", slices.Concat(all...))
	all = nil
	for _, s := range incident.Severities {
		all = append(all, strs(s))
	}
	check("severity", slices.Concat(all...))
	all = nil
	for _, p := range incident.Platforms {
		all = append(all, strs(p))
	}
	check("platform", slices.Concat(all...))
	all = nil
	for _, k := range incident.DeadlineKinds {
		all = append(all, strs(k))
	}
	check("deadline", slices.Concat(all...))
	for k, m := range worklistMessages {
		if messages[k] != m {
			t.Errorf("%s has other words in another file of the catalog: %q / %q", k, messages[k].vi, m.vi)
		}
	}
}

// The units a select offers: the grants' units and their sub-units by the
// registry's parent links, in tree order, each once.
func TestUnitsUnder(t *testing.T) {
	var all []unitRow
	for _, u := range deskUnits {
		r := unitRow{ID: u.ID, Name: u.Name}
		if u.Parent != "" {
			r.Parent = &struct {
				ID string `json:"id"`
			}{u.Parent}
		}
		all = append(all, r)
	}
	label := func(opts []unitOption) string {
		var s []string
		for _, o := range opts {
			s = append(s, o.Label)
		}
		return strings.Join(s, " | ")
	}
	if got := label(unitsUnder(all, []string{"lai-chau/tan-uyen"})); got != "Tân Uyên | — UBND xã Mường Khoa | — UBND xã Phúc Khoa | — UBND xã Trung Đồng" {
		t.Errorf("district: %s", got)
	}
	if got := label(unitsUnder(all, []string{"lai-chau/tan-uyen/xa-phuc-khoa", "lai-chau/tan-uyen", "nowhere"})); got != "Tân Uyên | — UBND xã Mường Khoa | — UBND xã Phúc Khoa | — UBND xã Trung Đồng" {
		t.Errorf("a commune within the district's grant, an unknown unit: %s", got)
	}
	if n := len(unitsUnder(all, []string{"lai-chau"})); n != len(deskUnits) {
		t.Errorf("province: %d units", n)
	}
}

package public_test

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
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/api"
	"casetrail/eventstore"
	"casetrail/eventstore/pgtest"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
	"casetrail/intake"
	"casetrail/public"
)

// The units of the tests: a district with two communes (public reports
// taken), an office without sub-units (none taken) and a closed commune.
var units = []incident.Unit{
	{ID: "lai-chau", Name: "Tỉnh Lai Châu"},
	{ID: "lai-chau/so-vhttdl", Name: "Sở Văn hóa, Thể thao và Du lịch", Parent: "lai-chau"},
	{ID: "lai-chau/tan-uyen", Name: "Tân Uyên", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl"},
	{ID: "lai-chau/tan-uyen/xa-phuc-khoa", Name: "UBND xã Phúc Khoa", Parent: "lai-chau/tan-uyen"},
	{ID: "lai-chau/tan-uyen/xa-trung-dong", Name: "UBND xã Trung Đồng", Parent: "lai-chau/tan-uyen"},
}

const (
	phucKhoa  = "lai-chau/tan-uyen/xa-phuc-khoa"
	trungDong = "lai-chau/tan-uyen/xa-trung-dong"
)

// env is a fresh database with the event store, the read model, Casbin
// (the public subject granted PUBLIC on Tân Uyên), a real intake whose
// commands decide and append the way the case workflow does, and the
// Service under test.
type env struct {
	ctx    context.Context
	pool   *pgxpool.Pool
	store  *eventstore.Store
	proj   *readmodel.Projector
	reader *readmodel.Reader
	reg    *readmodel.Registry
	authz  *api.Authorizer
	cmds   *storeCommands
	svc    *public.Service
	now    time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	store, err := eventstore.Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	pool := store.Pool()
	for _, ensure := range []func(context.Context, *pgxpool.Pool) error{readmodel.EnsureSchema, api.EnsureSchema, public.EnsureSchema, public.EnsureSchema} {
		if err := ensure(ctx, pool); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{ctx: ctx, pool: pool, store: store, proj: readmodel.NewProjector(store), reader: readmodel.NewReader(pool),
		reg: readmodel.NewRegistry(pool), now: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)}
	if err := e.reg.UpsertUnits(ctx, units); err != nil {
		t.Fatal(err)
	}
	if e.authz, err = api.NewAuthorizer(ctx, pool); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.authz.Close)
	if err := e.authz.SetUnits(units); err != nil {
		t.Fatal(err)
	}
	for _, g := range []api.Grant{
		{Subject: incident.PublicSubject, Role: api.RolePublic, Unit: "lai-chau/tan-uyen"},
		{Subject: "handler1", Role: api.RoleHandler, Unit: "lai-chau/tan-uyen"},
	} {
		if err := e.authz.Grant(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	e.cmds = &storeCommands{e: e}
	in, err := intake.New(intake.Deps{Reads: intakeReads{e}, Commands: e.cmds, Auth: e.authz, Units: intakeUnits{e}, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	e.svc, err = public.New(public.Deps{Pool: pool, Accounts: e.reader, Cases: e.reader, Units: e.reg, Intake: in, Auth: e.authz,
		Now: func() time.Time { return e.now }, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// storeCommands run a command as the case's workflow does: Decide on the
// case, append the events with the expected version, fold them, and let
// the read model catch up.
type storeCommands struct {
	e  *env
	mu sync.Mutex
	n  int
}

func (c *storeCommands) Report(ctx context.Context, caseID, actor, requestID string, r incident.Report) (incident.Case, error) {
	c.mu.Lock()
	c.n++
	r.Number = fmt.Sprintf("VV-2026-%06d", c.n)
	c.mu.Unlock()
	return c.run(ctx, caseID, actor, incident.Case{}, r)
}

func (c *storeCommands) Execute(ctx context.Context, caseID, actor, requestID string, _ *int64, cmd incident.Command) (incident.Case, error) {
	cur, err := c.e.reader.Case(ctx, caseID)
	if err != nil {
		return incident.Case{}, err
	}
	return c.run(ctx, caseID, actor, *cur, cmd)
}

func (c *storeCommands) run(ctx context.Context, caseID, actor string, cur incident.Case, cmd incident.Command) (incident.Case, error) {
	pays, err := incident.Decide(cur, cmd, c.e.now, incident.DefaultPolicy())
	if err != nil {
		return incident.Case{}, err
	}
	evs := make([]eventstore.EventData, len(pays))
	for i, p := range pays {
		data, err := incident.EncodePayload(p)
		if err != nil {
			return incident.Case{}, err
		}
		evs[i] = eventstore.EventData{ID: uuid.NewString(), Type: p.EventType(), Data: data,
			Metadata: eventstore.Metadata{Actor: actor}, OccurredAt: c.e.now}
	}
	recs, err := c.e.store.Append(ctx, incident.StreamOf(caseID), cur.Version, evs...)
	if err != nil {
		return incident.Case{}, err
	}
	for _, r := range recs {
		ev, err := readmodel.ToDomain(r)
		if err != nil {
			return incident.Case{}, err
		}
		if err := incident.Apply(&cur, ev); err != nil {
			return incident.Case{}, err
		}
		cur.Position = r.GlobalPosition
	}
	if _, err := c.e.proj.CatchUp(ctx); err != nil {
		return incident.Case{}, err
	}
	return cur, nil
}

// intakeReads are the intake's lookups on the read model and registry.
type intakeReads struct{ e *env }

func (r intakeReads) Case(ctx context.Context, id string) (*incident.Case, error) {
	return r.e.reader.Case(ctx, id)
}
func (r intakeReads) CaseByRequest(ctx context.Context, reporter, crid string) (string, bool, error) {
	return r.e.reader.CaseByRequest(ctx, reporter, crid)
}
func (r intakeReads) OpenCaseBySubject(ctx context.Context, urls []string) (string, bool, error) {
	return r.e.reader.OpenCaseBySubject(ctx, urls)
}
func (r intakeReads) EscalationTarget(ctx context.Context, unit string) (string, error) {
	return r.e.reg.EscalationTarget(ctx, unit)
}
func (r intakeReads) CaseIDKey(ctx context.Context) ([]byte, error) { return r.e.reader.CaseIDKey(ctx) }
func (r intakeReads) WaitFor(ctx context.Context, pos int64) error  { return r.e.proj.WaitFor(ctx, pos) }

// intakeUnits check a report's unit against the registry.
type intakeUnits struct{ e *env }

func (u intakeUnits) CheckUnit(ctx context.Context, unit string) error {
	if _, err := u.e.reg.Unit(ctx, unit); err != nil {
		return incident.BadInput("unit", "unit %s does not exist", unit)
	}
	return nil
}
func (u intakeUnits) UnitTree(ctx context.Context) (*incident.UnitTree, error) {
	all, err := u.e.reg.Units(ctx)
	if err != nil {
		return nil, err
	}
	return incident.NewUnitTree(all), nil
}

func citizenReport(unit string, urls ...string) incident.PublicReport {
	return incident.PublicReport{Unit: unit, Kind: incident.FalseInformation, URLs: urls, Description: "Tin đồn sai về lũ quét."}
}

// TestReportUnits: the communes under the public subject's grant, not the
// district above them nor an office outside the grant.
func TestReportUnits(t *testing.T) {
	e := newEnv(t)
	got, err := e.svc.ReportUnits(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range got {
		ids = append(ids, u.ID)
	}
	if strings.Join(ids, " ") != phucKhoa+" "+trungDong {
		t.Errorf("report units %v", ids)
	}
	if _, _, err := e.svc.Report(e.ctx, citizenReport("lai-chau/tan-uyen", "https://facebook.com/a"), "192.0.2.1"); fieldOf(err) != "unit" {
		t.Errorf("a report to the district: %v", err)
	}
	if _, _, err := e.svc.Report(e.ctx, citizenReport("lai-chau/so-vhttdl", "https://facebook.com/a"), "192.0.2.1"); fieldOf(err) != "unit" {
		t.Errorf("a report outside the grant: %v", err)
	}
}

func fieldOf(err error) string {
	if e := (*incident.Error)(nil); errors.As(err, &e) && e.Code == incident.CodeBadUserInput {
		return e.Field
	}
	return ""
}

// TestReportTrackAndContact: a report opens a case in the commune's queue
// marked as a public report, reported by the public subject; its code
// tracks the status in words; the contact is kept apart from the case's
// history and is the case's; the same report again from the same address
// answers the same code, from another address it joins the same case.
func TestReportTrackAndContact(t *testing.T) {
	e := newEnv(t)
	r := citizenReport(phucKhoa, "https://www.facebook.com/tin.gia/posts/9", "https://tiktok.com/@x/video/1")
	r.Name, r.Phone, r.Consent = "Lò Văn A", "0912 345 678", true
	code, again, err := e.svc.Report(e.ctx, r, "192.0.2.1")
	if err != nil || again {
		t.Fatalf("report: %q %v %v", code, again, err)
	}
	if _, ok := incident.CleanTrackingCode(code); !ok {
		t.Fatalf("code %q", code)
	}
	page, err := e.reader.ListCases(e.ctx, readmodel.Filter{}, []string{phucKhoa}, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Cases) != 1 {
		t.Fatalf("cases in the commune: %d", len(page.Cases))
	}
	c := page.Cases[0]
	if c.ReportedBy != incident.PublicSubject || c.PublicReports != 1 || c.Unit != phucKhoa || c.Kind != incident.FalseInformation ||
		c.EscalatesTo != "lai-chau/so-vhttdl" || !strings.HasPrefix(c.Title, "Phản ánh của người dân: facebook.com/tin.gia") {
		t.Errorf("case %+v", c)
	}
	hist, err := e.reader.History(e.ctx, c.ID, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range hist {
		if s := string(ev.Data); strings.Contains(s, "Lò Văn A") || strings.Contains(s, "0912") || strings.Contains(s, code) {
			t.Errorf("the history holds the contact or the code: %s %s", ev.Type, s)
		}
	}

	status, changed, err := e.svc.Track(e.ctx, strings.ToLower(incident.FormatTrackingCode(code)))
	if err != nil || status != incident.PublicReceived || !changed.Equal(e.now) {
		t.Errorf("track: %s %s %v", status, changed, err)
	}
	for _, bad := range []string{"", "ABC", strings.Repeat("2", 10)} {
		if _, _, err := e.svc.Track(e.ctx, bad); incident.ErrorCode(err) != incident.CodeNotFound {
			t.Errorf("track %q: %v", bad, err)
		}
	}

	contacts, err := e.svc.Reporters(e.ctx, c.ID)
	if err != nil || len(contacts) != 1 || contacts[0].Name != "Lò Văn A" || contacts[0].Phone != "0912345678" || !contacts[0].ConsentAt.Equal(e.now) {
		t.Fatalf("contacts %+v %v", contacts, err)
	}

	// Again from the same address, links in another order and form: the
	// same code, nothing sent.
	e.now = e.now.Add(10 * time.Minute)
	again1 := citizenReport(phucKhoa, "https://tiktok.com/@x/video/1", "https://facebook.com/tin.gia/posts/9?fbclid=1")
	code2, again, err := e.svc.Report(e.ctx, again1, "192.0.2.1")
	if err != nil || code2 != code || !again || e.cmds.n != 1 {
		t.Fatalf("the same report again: %q %v %v (reports run %d)", code2, again, err, e.cmds.n)
	}
	// From another address: a new code, the report merged into the case.
	code3, again, err := e.svc.Report(e.ctx, again1, "198.51.100.7")
	if err != nil || code3 == code || again {
		t.Fatalf("from another address: %q %v %v", code3, again, err)
	}
	merged, err := e.reader.Case(e.ctx, c.ID)
	if err != nil || merged.MergedReports != 1 || merged.PublicReports != 2 {
		t.Fatalf("merged case %+v %v", merged, err)
	}
	// After the window, the same address reports again.
	e.now = e.now.Add(public.DefaultDuplicateWindow + time.Minute)
	if code4, again, err := e.svc.Report(e.ctx, again1, "192.0.2.1"); err != nil || again || code4 == code {
		t.Fatalf("after the window: %q %v %v", code4, again, err)
	}

	// The handler rejects the case: every code of it says so.
	e.now = e.now.Add(time.Hour)
	if _, err := e.cmds.Execute(e.ctx, c.ID, "handler1", "x", nil, incident.Reject{Reason: "Không thuộc thẩm quyền"}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{code, code3} {
		if status, changed, err := e.svc.Track(e.ctx, k); err != nil || status != incident.PublicRejected || !changed.Equal(e.now) {
			t.Errorf("track %s after rejection: %s %s %v", k, status, changed, err)
		}
	}

	// A merge does not carry contacts without consent: none was given.
	if contacts, _ := e.svc.Reporters(e.ctx, c.ID); len(contacts) != 1 {
		t.Errorf("contacts after the merges: %+v", contacts)
	}
	// The retention passes: the contact goes, the codes stay.
	e.now = e.now.Add(public.DefaultRetention)
	if n, err := e.svc.Purge(e.ctx); err != nil || n != 1 {
		t.Fatalf("purge: %d %v", n, err)
	}
	if contacts, _ := e.svc.Reporters(e.ctx, c.ID); len(contacts) != 0 {
		t.Errorf("contacts after the retention: %+v", contacts)
	}
	if status, _, err := e.svc.Track(e.ctx, code); err != nil || status != incident.PublicRejected {
		t.Errorf("track after the purge: %s %v", status, err)
	}
}

// TestReportRefusals: a report the form's rules refuse sends nothing.
func TestReportRefusals(t *testing.T) {
	e := newEnv(t)
	r := citizenReport(phucKhoa, "https://facebook.com/x")
	r.Phone = "0912345678"
	if _, _, err := e.svc.Report(e.ctx, r, "192.0.2.1"); fieldOf(err) != "consent" {
		t.Errorf("phone without consent: %v", err)
	}
	six := citizenReport(phucKhoa, "https://a.vn/1", "https://a.vn/2", "https://a.vn/3", "https://a.vn/4", "https://a.vn/5", "https://a.vn/6")
	if _, _, err := e.svc.Report(e.ctx, six, "192.0.2.1"); fieldOf(err) != "urls" {
		t.Errorf("six links: %v", err)
	}
	if e.cmds.n != 0 {
		t.Errorf("%d reports ran", e.cmds.n)
	}
	var n int
	if err := e.pool.QueryRow(e.ctx, `SELECT (SELECT count(*) FROM public_reports) + (SELECT count(*) FROM public_reporters)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("rows kept: %d %v", n, err)
	}
}

// TestCheck: the public check answers from the registry and the settled
// cases only, with the unit's name, and refuses what is not a link.
func TestCheck(t *testing.T) {
	e := newEnv(t)
	ch := readmodel.Change{Actor: "seed", Reason: "test"}
	if _, err := e.reg.RegisterOfficialAccount(e.ctx, ch, "lai-chau/tan-uyen", incident.Facebook, "https://www.facebook.com/ubndtanuyen", "UBND huyện Tân Uyên"); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Check(e.ctx, "https://m.facebook.com/ubndtanuyen?fbclid=1")
	want := incident.PublicCheck{Result: "OFFICIAL", Unit: "Tân Uyên", Platform: incident.Facebook, DisplayName: "UBND huyện Tân Uyên"}
	if err != nil || got != want {
		t.Errorf("official: %+v %v", got, err)
	}
	// An impersonation case with a FALSE verdict: unknown while open,
	// known with its number once resolved.
	fake := "https://www.facebook.com/ubnd-tan-uyen-gia"
	if _, _, err := e.svc.Report(e.ctx, incident.PublicReport{Unit: phucKhoa, Kind: incident.Impersonation, URLs: []string{fake}}, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	page, err := e.reader.ListCases(e.ctx, readmodel.Filter{}, []string{phucKhoa}, 10, "")
	if err != nil || len(page.Cases) != 1 {
		t.Fatalf("cases %v %v", page.Cases, err)
	}
	id := page.Cases[0].ID
	for _, cmd := range []incident.Command{
		incident.Triage{Severity: incident.High, Assignee: "handler1"}, incident.StartAnalysis{},
		incident.RecordAnalysis{Findings: "Trang mạo danh UBND", Verdict: incident.VerdictFalse},
	} {
		if _, err := e.cmds.Execute(e.ctx, id, "handler1", "x", nil, cmd); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := e.svc.Check(e.ctx, fake); err != nil || got != (incident.PublicCheck{Result: "UNKNOWN"}) {
		t.Errorf("open case: %+v %v", got, err)
	}
	c, err := e.cmds.Execute(e.ctx, id, "handler1", "x", nil, incident.Resolve{Resolution: "Nền tảng đã gỡ"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.svc.Check(e.ctx, fake); err != nil || got != (incident.PublicCheck{Result: "KNOWN_IMPERSONATOR", CaseNumber: c.Number}) {
		t.Errorf("resolved case: %+v %v", got, err)
	}
	for _, bad := range []string{"", "facebook.com/x", "https://a.vn/" + strings.Repeat("x", incident.MaxURL)} {
		if _, err := e.svc.Check(e.ctx, bad); fieldOf(err) != "url" {
			t.Errorf("check %q: %v", bad, err)
		}
	}
}

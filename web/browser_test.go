package web

import (
	"context"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/api"
	"casetrail/eventstore"
	"casetrail/eventstore/pgtest"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
	"casetrail/schema"
	"casetrail/web/browsertest"
	"casetrail/workflows"
)

// realDesk is the interface wired as serve wires it, without Temporal: the
// API server with the in-process executor over the real schema, Casbin
// authorizer and registry, and the interface mounted at "/". The user
// handler1 holds HANDLER on Tân Uyên.
func realDesk(t *testing.T) (url string, users *Users) {
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
	units := []incident.Unit{
		{ID: "lai-chau", Name: "Tỉnh Lai Châu"},
		{ID: "lai-chau/tan-uyen", Name: "Tân Uyên", Parent: "lai-chau"},
	}
	reg := readmodel.NewRegistry(pool)
	if err := reg.UpsertUnits(ctx, units); err != nil {
		t.Fatal(err)
	}
	authz, err := api.NewAuthorizer(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(authz.Close)
	if err := authz.SetUnits(units); err != nil {
		t.Fatal(err)
	}
	if err := authz.Grant(ctx, api.Grant{Subject: "handler1", Role: api.RoleHandler, Unit: "lai-chau/tan-uyen"}); err != nil {
		t.Fatal(err)
	}
	reader := readmodel.NewReader(pool)
	s, err := schema.New(schema.Deps{Auth: authz, Commands: workflows.Commands{}, // no Temporal: no command runs here
		Cases: reader, Streams: reader, Registry: reg, Progress: readmodel.NewProjector(store), Blobs: store, Registrar: reg,
		Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	opts := api.ServerOptions{Schema: s, Logger: quietLogger()}
	opts.Executor = api.NewExecutor(opts)
	ui, err := New(Options{Pool: pool, Exec: opts.Executor.Execute, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ui.Close)
	opts.UI = ui
	srv := httptest.NewServer(api.NewServer(opts))
	t.Cleanup(srv.Close)
	return srv.URL, ui.Users()
}

// catalogKey matches what a catalog key left untranslated would look like.
var catalogKey = regexp.MustCompile(`\b[a-z]+\.[a-z][A-Za-z]*(\.[A-Za-z]+)*\b`)

// checkPage fails t when the page shows a catalog key instead of its text.
func checkPage(t *testing.T, b *browsertest.Browser, page string) {
	t.Helper()
	text := b.Text("body")
	for _, m := range catalogKey.FindAllString(text, -1) {
		if _, ok := messages[m]; ok {
			t.Errorf("%s shows the catalog key %q", page, m)
		}
	}
	for _, raw := range []string{"HANDLER", "REPORTER", "LEADER", "AUDITOR", "RATE_LIMITED", "INTERNAL", "FORBIDDEN"} {
		if strings.Contains(text, raw) {
			t.Errorf("%s shows the raw value %s", page, raw)
		}
	}
}

// In Chromium: a seeded user logs in with a wrong password (the message
// an unknown user gets too), then the right one, sees the home page with
// the display name and the role the API gives, on a desktop and a phone,
// in both languages, and logs out.
func TestBrowserLogin(t *testing.T) {
	base, users := realDesk(t)
	hash, err := HashPassword(goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := users.Create(context.Background(), User{Username: "handler1", DisplayName: "Nguyễn Văn Hùng", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, browsertest.Options{})

	resp := b.Navigate(base + "/")
	if !strings.Contains(b.Location(), "/login?m=required") || resp.Status != 200 {
		t.Fatalf("an anonymous visit to / ends at %s (%d)", b.Location(), resp.Status)
	}
	if got := b.Text("h1"); got != "Đăng nhập" {
		t.Errorf("login heading %q", got)
	}
	checkPage(t, b, "login")
	b.Screenshot("login")

	login := func(user, password string) {
		t.Helper()
		b.Fill("#username", user)
		b.Fill("#password", password)
		b.Submit("button.primary")
	}
	login("handler1", "khong-dung-mat-khau")
	if got := b.Text(".error"); got != msgFailed {
		t.Errorf("wrong password: %q, want %q", got, msgFailed)
	}
	b.Screenshot("login-wrong-password")
	login("nobody1", "khong-dung-mat-khau")
	if got := b.Text(".error"); got != msgFailed {
		t.Errorf("unknown user: %q, want %q", got, msgFailed)
	}

	// Five wrong passwords for one name: the next attempt, even with the
	// right password, is refused for a while (429).
	if err := users.Create(context.Background(), User{Username: "leader9", DisplayName: "Lãnh đạo thử", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		login("leader9", "khong-dung-mat-khau")
		if got := b.Text(".error"); got != msgFailed {
			t.Fatalf("wrong password %d: %q, want %q", i+1, got, msgFailed)
		}
	}
	b.Fill("#username", "leader9")
	b.Fill("#password", goodPassword)
	if resp := b.Submit("button.primary"); resp.Status != 429 {
		t.Errorf("the attempt after five wrong passwords answered %d, want 429", resp.Status)
	}
	if got := b.Text(".error"); !strings.HasPrefix(got, "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau") {
		t.Errorf("after five wrong passwords: %q", got)
	}
	b.Screenshot("login-throttled")

	login("handler1", goodPassword)
	if got := b.Text("h1"); got != "Xin chào, Nguyễn Văn Hùng" {
		t.Fatalf("home heading %q (at %s)", got, b.Location())
	}
	if got := b.Text(".who .name"); !strings.Contains(got, "Nguyễn Văn Hùng") {
		t.Errorf("header user %q", got)
	}
	if got := b.Text(".roles"); got != "Cán bộ xử lý — Tân Uyên" {
		t.Errorf("header roles %q (from the API's me, as handler1)", got)
	}
	if got := b.Text("table.grants tbody"); !strings.Contains(got, "Cán bộ xử lý") || !strings.Contains(got, "Tân Uyên") {
		t.Errorf("roles table %q", got)
	}
	if got := b.Text("main"); !regexp.MustCompile(`Đăng nhập lúc \d\d:\d\d \d\d/\d\d/\d{4}`).MatchString(got) {
		t.Errorf("login time not as HH:mm dd/mm/yyyy: %q", got)
	}
	checkPage(t, b, "home")
	b.Screenshot("home")

	// The change-password form names each field's problem next to it.
	b.Navigate(base + "/password")
	b.Fill("#current", "khong-dung")
	b.Fill("#new", "ngan")
	b.Fill("#confirm", "khac")
	b.Submit("button.primary")
	if got := b.Text("#new-error"); got != "Mật khẩu mới: ít nhất 10 ký tự." {
		t.Errorf("new password error %q", got)
	}
	if got := b.Text("#confirm-error"); got != "Mật khẩu mới nhập lại không khớp." {
		t.Errorf("confirm error %q", got)
	}
	checkPage(t, b, "password")
	b.Screenshot("password-errors")

	// A leader on a phone: 390 px wide, nothing wider than the screen.
	b.Viewport(390, 844)
	b.Navigate(base + "/")
	if w := b.ScrollWidth(); w > 390 {
		t.Errorf("the home page is %d px wide on a 390 px screen", w)
	}
	b.Screenshot("home-390px")
	b.Submit(`button[name="lang"][value="en"]`)
	if got := b.Text("h1"); got != "Hello, Nguyễn Văn Hùng" {
		t.Errorf("English heading %q", got)
	}
	checkPage(t, b, "home (English)")
	b.Screenshot("home-390px-en")
	b.Submit(`button[name="lang"][value="vi"]`)
	b.Viewport(1280, 900)

	b.Submit(".logout button")
	if got := b.Text(".notice"); got != "Bạn đã đăng xuất." {
		t.Errorf("after logout: %q at %s", got, b.Location())
	}
	b.Screenshot("logged-out")
	b.Navigate(base + "/")
	if !strings.Contains(b.Location(), "/login") {
		t.Errorf("after logout / shows %s", b.Location())
	}
}

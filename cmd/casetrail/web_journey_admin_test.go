//go:build linux

package main

// Browser journey of the administration pages (issue 15): on the real
// server with the demo seed, admin1 (ADMIN of the province) creates a
// commune under Tân Uyên, creates the user handler9 and grants HANDLER on
// the commune, reading the one-time password from the page; handler9 logs
// in in another window, changes the password and sees only the commune's
// case; admin1 revokes the grant and handler9's next click is refused;
// admin1 closes the commune naming its successor and the next report to it
// lands in the successor; admin1 registers an official account and
// checkAccount answers OFFICIAL; auditor1 reads every change in the admin
// log with actor and reason. Screenshots go to CASETRAIL_SCREENSHOTS when
// set.

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// adminLeakedKey matches a key of the admin catalog shown instead of its text.
var adminLeakedKey = regexp.MustCompile(`\b(admin|home)\.[A-Za-z]+\b`)

// adminShot checks the page as caseBrowser.check does (keys, raw values,
// width) and for the admin catalog's keys, and saves it.
func (d *caseBrowser) adminShot(name string) {
	d.t.Helper()
	if m := adminLeakedKey.FindAllString(d.text("body"), -1); len(m) > 0 {
		d.t.Errorf("%s shows catalog keys %v", name, m)
	}
	d.shot(name)
}

// loginFresh logs user in with password on the login page, whoever the
// window held before being left as it was (a window of its own).
func (d *caseBrowser) loginFresh(user, password string) {
	d.t.Helper()
	d.b.Navigate(d.s.url("/login"))
	d.b.Fill("#username", user)
	d.b.Fill("#password", password)
	d.b.Submit("button.primary")
	if !d.b.Exists(".logout button") {
		d.t.Fatalf("%s could not log in: %s", user, d.b.Text("main"))
	}
}

// pick chooses value in the multiple select sel, besides what it had.
func (d *caseBrowser) pick(sel, value string) {
	d.t.Helper()
	js := fmt.Sprintf(`(() => {
		const o = document.querySelector(%q + " option[value=" + CSS.escape(%q) + "]");
		if (!o) { return false; }
		o.selected = true;
		o.parentElement.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`, sel, value)
	ok, err := chromedp.Run(d.b.Context(), chromedp.Evaluate[bool](js))
	if err != nil || !ok {
		d.t.Fatalf("pick %s in %s: %v", value, sel, err)
	}
}

// submit sends the form of the section sel (its primary button) and
// returns the status of the page it leads to.
func (d *caseBrowser) submit(sel string) int64 {
	d.t.Helper()
	return d.b.Submit(sel + " button.primary").Status
}

// flash returns the note at the top of the page.
func (d *caseBrowser) flash() string { return d.text("main .flash") }

// worklistCases returns the case ids the worklist shows.
func (d *caseBrowser) worklistCases() []string {
	d.t.Helper()
	out, err := chromedp.Run(d.b.Context(), chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("table.worklist tbody th.number a")).map(a => a.getAttribute("href").replace("/cases/", ""))`))
	if err != nil {
		d.t.Fatal(err)
	}
	return out
}

// checkAccount asks the API what url is.
func (s *server) checkAccount(t *testing.T, url string) string {
	t.Helper()
	var out struct {
		CheckAccount struct{ Result string }
	}
	s.must(t, "reporter1", `query($url: String!) { checkAccount(url: $url) { result } }`, map[string]any{"url": url}, &out)
	return out.CheckAccount.Result
}

func TestWebAdminJourney(t *testing.T) {
	s := newServer(t, serverOptions{})
	passwords := casePasswords(t, s)
	if passwords["admin1"] == "" {
		t.Fatalf("no one-time password logged for admin1")
	}
	const (
		district  = "lai-chau/tan-uyen"
		commune   = "lai-chau/tan-uyen/xa-muong-khoa"
		successor = "lai-chau/tan-uyen/xa-phuc-khoa"
		pageURL   = "https://www.facebook.com/ubndxamuongkhoa"
	)
	d := newCaseBrowser(t, s, passwords)
	b := d.b

	// Đơn vị, on a desktop: a form sent without a reason comes back with
	// the message beside the field and what was typed; then the commune.
	d.login("admin1")
	if nav := d.text("header nav"); !strings.Contains(nav, "Quản trị") {
		t.Fatalf("the admin's navigation lacks Quản trị: %q", nav)
	}
	b.Navigate(s.url("/admin/units"))
	d.fill("#create-id", commune)
	d.fill("#create-name", "UBND xã Mường Khoa")
	d.choose("#create-parent", district)
	d.fill("#create-symbol", "UBND")
	if status := d.submit("#create"); status != http.StatusBadRequest {
		t.Errorf("a unit without a reason: %d, want 400", status)
	}
	if got := d.text("#create-reason-error"); got != "Lý do: bắt buộc nhập, tối đa 500 ký tự." {
		t.Errorf("the reason's message: %q", got)
	}
	if d.value("#create-id") != commune || d.value("#create-parent") != district {
		t.Errorf("the form lost what was typed: %q %q", d.value("#create-id"), d.value("#create-parent"))
	}
	d.adminShot("admin-1280-unit-refused")
	const unitReason = "Nghị quyết 1670/NQ-UBTVQH15 về sắp xếp đơn vị hành chính cấp xã"
	d.fill("#create-reason", unitReason)
	if status := d.submit("#create"); status != http.StatusOK {
		t.Fatalf("create the commune: %d\n%s", status, d.text("main"))
	}
	if got := d.flash(); got != "Đã thêm đơn vị UBND xã Mường Khoa." {
		t.Errorf("after the create: flash %q", got)
	}
	node := fmt.Sprintf(`[data-unit=%q] [data-unit=%q]`, district, commune)
	if !b.Exists(node) {
		t.Fatalf("the tree does not show the commune under Tân Uyên:\n%s", d.text(".unit-tree"))
	}
	d.adminShot("admin-1280-units")

	// Người dùng: handler9, then its page with the one-time password, on a
	// phone; HANDLER on the commune.
	b.Navigate(s.url("/admin/users"))
	d.fill("#create-username", "handler9")
	d.fill("#create-name", "Lò Văn Tài")
	d.fill("#create-reason", "Quyết định 25/QĐ-UBND phân công cán bộ văn hóa xã Mường Khoa")
	if status := d.submit("#create"); status != http.StatusOK {
		t.Fatalf("create handler9: %d\n%s", status, d.text("main"))
	}
	if loc := b.Location(); !strings.Contains(loc, "/admin/users/edit?username=handler9") {
		t.Errorf("after the create: %s", loc)
	}
	otp := d.text("#one-time-password")
	if len(otp) < 8 {
		t.Fatalf("no one-time password on the page:\n%s", d.text("main"))
	}
	b.Viewport(390, 844)
	d.adminShot("admin-390-user-created")
	d.choose("#grant-role", "HANDLER")
	d.choose("#grant-unit", commune)
	d.fill("#grant-reason", "Phân công xử lý phản ánh của xã Mường Khoa")
	if status := d.submit("#grant"); status != http.StatusOK {
		t.Fatalf("grant: %d\n%s", status, d.text("main"))
	}
	if got := d.flash(); got != "Đã giao vai trò Cán bộ xử lý tại UBND xã Mường Khoa cho handler9." {
		t.Errorf("after the grant: flash %q", got)
	}
	if b.Exists("#one-time-password") {
		t.Errorf("the one-time password is shown again")
	}
	if got := d.text("#grants"); !strings.Contains(got, "Cán bộ xử lý — UBND xã Mường Khoa") {
		t.Errorf("the user's roles: %q", got)
	}
	d.adminShot("admin-390-user-granted")
	b.Viewport(1280, 900)

	// Reports: one to the commune by a reporter granted there, one to
	// another commune of the district.
	s.must(t, "admin1", `mutation { grantRole(subject: "reporter1", role: REPORTER, unit: "`+commune+`", reason: "Cán bộ phụ trách phản ánh của xã") { username } }`, nil, nil)
	mine, _ := s.report(t, "reporter1", reportInput{
		ClientRequestID: "journey-admin-1", Kind: "IMPERSONATION", Unit: commune,
		Title:       "Trang giả mạo UBND xã Mường Khoa",
		Description: "Trang mang tên UBND xã Mường Khoa đăng thông báo thu phí làm giấy tờ.",
		Subjects:    []subjectInput{{Platform: "FACEBOOK", URL: "https://www.facebook.com/ubnd.muongkhoa.thuphi"}},
	})
	other, _ := s.report(t, "reporter1", reportInput{
		ClientRequestID: "journey-admin-2", Kind: "FALSE_INFORMATION", Unit: successor,
		Title: "Tin sai về lịch cắt điện ở Phúc Khoa", Description: "Bài đăng nói xã cắt điện cả tuần.",
		Subjects: []subjectInput{{Platform: "ZALO", URL: "https://zalo.me/g/tin-cat-dien"}},
	})
	if mine.Unit.ID != commune {
		t.Fatalf("the report went to %s, want %s", mine.Unit.ID, commune)
	}

	// handler9, in a window of its own: the one-time password, a new one,
	// the commune's case only.
	h9 := &caseBrowser{t: t, b: b.Window(1280, 900), s: s, passwords: passwords, shots: d.shots}
	h9.loginFresh("handler9", otp)
	if loc := h9.b.Location(); !strings.HasSuffix(loc, "/password") {
		t.Errorf("after a one-time password: %s, want the password page", loc)
	}
	const newPassword = "muong-khoa-2026-an-toan"
	h9.fill("#current", otp)
	h9.fill("#new", newPassword)
	h9.fill("#confirm", newPassword)
	if status := h9.b.Submit("main button.primary").Status; status != http.StatusOK {
		t.Fatalf("change the password: %d\n%s", status, h9.text("main"))
	}
	h9.b.Navigate(s.url("/worklist"))
	if got := h9.worklistCases(); !slices.Equal(got, []string{mine.ID}) {
		t.Errorf("handler9's worklist: %v, want only %s (not %s)", got, mine.ID, other.ID)
	}
	h9.shot("admin-h9-worklist")

	// admin1 revokes the grant; handler9's next click is refused.
	b.Navigate(s.url("/admin/users/edit?username=handler9"))
	grant := fmt.Sprintf(`li[data-grant=%q]`, "HANDLER "+commune)
	if !b.Exists(grant) {
		t.Fatalf("the user's page lacks the grant:\n%s", d.text("#grants"))
	}
	b.Do(chromedp.Click(chromedp.CSS(grant + " details > summary")))
	id := d.attr(grant, "id")
	d.fill("#"+id+"-reason", "Cán bộ chuyển công tác")
	if status := d.submit("#" + id); status != http.StatusOK {
		t.Fatalf("revoke: %d\n%s", status, d.text("main"))
	}
	if got := d.flash(); !strings.HasPrefix(got, "Đã thu hồi vai trò Cán bộ xử lý tại UBND xã Mường Khoa của handler9") {
		t.Errorf("after the revoke: flash %q", got)
	}
	if resp := h9.b.Submit(fmt.Sprintf(`a[href="/cases/%s"]`, mine.ID)); resp.Status != http.StatusForbidden && resp.Status != http.StatusNotFound {
		t.Errorf("handler9's click after the revoke: %d, want a refusal", resp.Status)
	}
	if got := h9.text("main"); strings.Contains(got, mine.Title) {
		t.Errorf("handler9 still reads the case:\n%s", got)
	}
	h9.shot("admin-h9-revoked")
	h9.b.Navigate(s.url("/worklist"))
	if got := h9.worklistCases(); len(got) != 0 {
		t.Errorf("handler9's worklist after the revoke: %v", got)
	}

	// A ward's page shows its routes by kind, as the demo seed sets them,
	// and that it exists since before CaseTrail recorded it.
	b.Navigate(s.url("/admin/units/edit?id=lai-chau/phuong-tan-phong"))
	if got, want := d.text("#unit-routes li"), "Tài khoản chính thức bị chiếm quyền: Sở Văn hóa, Thể thao và Du lịch (Kính gửi); Công an tỉnh Lai Châu (Phối hợp); Sở Khoa học và Công nghệ (Để biết)"; got != want {
		t.Errorf("the ward's routes: %q, want %q", got, want)
	}
	if got := d.text("#unit-valid-from"); got != "Không ghi nhận" {
		t.Errorf("the ward's validFrom: %q", got)
	}
	d.adminShot("admin-1280-unit-routes")
	// admin1 routes the ward's impersonations too: to the department,
	// the provincial police informed; the takeover route stays.
	d.choose("#routes-to-IMPERSONATION", "lai-chau/so-vhttdl")
	d.pick("#routes-info-IMPERSONATION", "lai-chau/cong-an")
	d.fill("#routes-reason", "Công văn 12/UBND-VP về phối hợp xử lý trang giả mạo")
	if status := d.submit("#routes"); status != http.StatusOK {
		t.Fatalf("save the ward's routes: %d\n%s", status, d.text("main"))
	}
	if got := d.flash(); got != "Đã lưu nơi nhận theo loại vụ việc của UBND phường Tân Phong." {
		t.Errorf("after saving the routes: flash %q", got)
	}
	if got, want := d.text("#unit-routes ul"), "Tài khoản chính thức bị chiếm quyền: Sở Văn hóa, Thể thao và Du lịch (Kính gửi); Công an tỉnh Lai Châu (Phối hợp); Sở Khoa học và Công nghệ (Để biết)\n"+
		"Giả mạo cơ quan, cá nhân: Sở Văn hóa, Thể thao và Du lịch (Kính gửi); Công an tỉnh Lai Châu (Để biết)"; got != want {
		t.Errorf("the ward's routes after the change:\n%s\nwant\n%s", got, want)
	}
	d.adminShot("admin-1280-unit-routes-saved")
	b.Viewport(390, 844)
	b.Navigate(s.url("/admin/units/edit?id=lai-chau/phuong-tan-phong#routes"))
	d.adminShot("admin-390-unit-routes")
	b.Viewport(1280, 900)

	// admin1 closes the commune: new reports go to the successor.
	b.Navigate(s.url("/admin/units/edit?id=" + commune))
	if got := d.text("#unit-valid-from"); !regexp.MustCompile(`^\d{2}/\d{2}/\d{4}$`).MatchString(got) {
		t.Errorf("the commune created today: open since %q, want its date", got)
	}
	d.choose("#close-successor", successor)
	d.fill("#close-reason", "Sáp nhập vào xã Phúc Khoa theo Nghị quyết 1670/NQ-UBTVQH15")
	if status := d.submit("#close"); status != http.StatusOK {
		t.Fatalf("close the commune: %d\n%s", status, d.text("main"))
	}
	if got := d.flash(); got != "Đơn vị UBND xã Mường Khoa đã ngừng hoạt động; phản ánh mới chuyển về UBND xã Phúc Khoa." {
		t.Errorf("after the close: flash %q", got)
	}
	if got := d.text(fmt.Sprintf(`[data-unit=%q] .unit-closed`, commune)); !strings.Contains(got, "UBND xã Phúc Khoa") {
		t.Errorf("the tree's closed commune: %q", got)
	}
	d.adminShot("admin-1280-units-closed")
	b.Viewport(390, 844)
	b.Navigate(s.url("/admin/units"))
	d.adminShot("admin-390-units")
	b.Viewport(1280, 900)
	next, _ := s.report(t, "reporter1", reportInput{
		ClientRequestID: "journey-admin-3", Kind: "IMPERSONATION", Unit: commune,
		Title: "Trang giả mạo xã Mường Khoa (sau sáp nhập)", Description: "Trang mới mạo danh xã đã sáp nhập.",
		Subjects: []subjectInput{{Platform: "FACEBOOK", URL: "https://www.facebook.com/muongkhoa.moi"}},
	})
	if next.Unit.ID != successor {
		t.Errorf("the report to the closed commune went to %s, want %s", next.Unit.ID, successor)
	}

	// Tài khoản chính thức: the commune's page; checkAccount says OFFICIAL.
	if got := s.checkAccount(t, pageURL); got != "UNKNOWN" {
		t.Errorf("checkAccount before the registration: %s", got)
	}
	b.Navigate(s.url("/admin/accounts"))
	d.choose("#add-unit", successor)
	d.choose("#add-platform", "FACEBOOK")
	d.fill("#add-url", pageURL)
	d.fill("#add-displayName", "UBND xã Phúc Khoa (Mường Khoa cũ)")
	d.fill("#add-reason", "Công văn 88/UBND-VP đăng ký trang chính thức")
	if status := d.submit("#add"); status != http.StatusOK {
		t.Fatalf("register the account: %d\n%s", status, d.text("main"))
	}
	if got := d.flash(); got != "Đã thêm tài khoản UBND xã Phúc Khoa (Mường Khoa cũ)." {
		t.Errorf("after the registration: flash %q", got)
	}
	d.adminShot("admin-1280-accounts")
	if got := s.checkAccount(t, pageURL); got != "OFFICIAL" {
		t.Errorf("checkAccount after the registration: %s, want OFFICIAL", got)
	}

	// admin1 sets their own e-mail address on the account page (the
	// header's Tài khoản): the API stores it, and the log says so.
	const ownEmail = "nam.dv@laichau.example"
	d.b.Submit("header a.account")
	d.fill("#email-address", ownEmail)
	if status := d.submit("#email"); status != http.StatusOK {
		t.Fatalf("save the own address: %d\n%s", status, d.text("main"))
	}
	if got := d.flash(); got != "Đã lưu địa chỉ thư điện tử của bạn." {
		t.Errorf("after saving the own address: flash %q", got)
	}
	if got := d.text("#own-email"); got != ownEmail {
		t.Errorf("the account page's address: %q", got)
	}
	d.adminShot("admin-1280-own-email")
	b.Viewport(390, 844)
	b.Navigate(s.url("/password"))
	d.adminShot("admin-390-account")
	b.Viewport(1280, 900)
	var me struct {
		User struct{ Email string } `json:"user"`
	}
	s.must(t, "admin1", `{ user(username: "admin1") { email } }`, nil, &me)
	if me.User.Email != ownEmail {
		t.Errorf("the API's address of admin1: %q, want %q", me.User.Email, ownEmail)
	}

	// auditor1 reads every change with its actor and reason.
	d.login("auditor1")
	if nav := strings.Split(d.text("header nav"), "\n"); !slices.Contains(nav, "Nhật ký quản trị") || slices.Contains(nav, "Quản trị") {
		t.Errorf("the auditor's navigation: %q", nav)
	}
	entries := d.historyEntries()
	for _, want := range [][3]string{
		{"Thêm đơn vị «UBND xã Mường Khoa» (" + commune + ")", "Đỗ Văn Nam (admin1)", unitReason},
		{"Thêm người dùng «Lò Văn Tài» (handler9)", "Đỗ Văn Nam (admin1)", "Quyết định 25/QĐ-UBND"},
		{"Giao vai trò Cán bộ xử lý tại UBND xã Mường Khoa cho Lò Văn Tài", "Đỗ Văn Nam (admin1)", "Phân công xử lý phản ánh của xã Mường Khoa"},
		{"Giao vai trò Người phản ánh tại UBND xã Mường Khoa cho Lò Thị Mai", "Đỗ Văn Nam (admin1)", "Cán bộ phụ trách phản ánh của xã"},
		{"Thu hồi vai trò Cán bộ xử lý tại UBND xã Mường Khoa của Lò Văn Tài", "Đỗ Văn Nam (admin1)", "Cán bộ chuyển công tác"},
		{"Đơn vị «UBND xã Mường Khoa» (" + commune + ") ngừng hoạt động; đơn vị kế thừa: «UBND xã Phúc Khoa»", "Đỗ Văn Nam (admin1)", "Sáp nhập vào xã Phúc Khoa"},
		{"Thêm tài khoản chính thức UBND xã Phúc Khoa (Mường Khoa cũ) (Facebook) của UBND xã Phúc Khoa", "Đỗ Văn Nam (admin1)", "Công văn 88/UBND-VP"},
		{"Giả mạo cơ quan, cá nhân: Sở Văn hóa, Thể thao và Du lịch (Kính gửi); Công an tỉnh Lai Châu (Để biết)", "Đỗ Văn Nam (admin1)", "Công văn 12/UBND-VP"},
		{"Đặt địa chỉ thư điện tử của", "Đỗ Văn Nam (admin1)", ownEmail},
	} {
		i := slices.IndexFunc(entries, func(e string) bool { return strings.Contains(e, want[0]) })
		if i < 0 {
			t.Errorf("the admin log lacks %q", want[0])
			continue
		}
		if !strings.Contains(entries[i], want[1]) || !strings.Contains(entries[i], want[2]) {
			t.Errorf("the admin log's entry lacks the actor %q or the reason %q:\n%s", want[1], want[2], entries[i])
		}
	}
	if t.Failed() {
		t.Logf("the admin log:\n%s", strings.Join(entries, "\n---\n"))
	}
	if !strings.Contains(strings.Join(entries, "\n"), "Tệp cấu hình ban đầu (seed)") {
		t.Errorf("the seed's changes are not in the log")
	}
}

// historyEntries reads the admin log from its first page to its last and
// returns the text of every entry.
func (d *caseBrowser) historyEntries() []string {
	d.t.Helper()
	var out []string
	b := d.b
	if resp := b.Navigate(d.s.url("/admin/history")); resp.Status != http.StatusOK {
		d.t.Fatalf("GET /admin/history: %d\n%s", resp.Status, d.text("main"))
	}
	for page := 1; ; page++ {
		got, err := chromedp.Run(b.Context(), chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll(".admin-timeline > li")).map(e => e.innerText)`))
		if err != nil {
			d.t.Fatal(err)
		}
		out = append(out, got...)
		if page == 1 {
			d.adminShot("admin-1280-history")
		}
		if !b.Exists(`a[rel="next"]`) {
			d.adminShot("admin-1280-history-last")
			b.Viewport(390, 844)
			d.adminShot("admin-390-history-last")
			b.Viewport(1280, 900)
			return out
		}
		if page > 50 {
			d.t.Fatalf("the admin log has more than 50 pages")
		}
		b.Submit(`a[rel="next"]`)
	}
}

// attr returns the attribute name of sel ("" when none).
func (d *caseBrowser) attr(sel, name string) string {
	d.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? (e.getAttribute(%q) || "") : ""; })()`, sel, name)
	out, err := chromedp.Run(d.b.Context(), chromedp.Evaluate[string](js))
	if err != nil {
		d.t.Fatal(err)
	}
	return out
}

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"

	"casetrail/api"
	"casetrail/eventstore/readmodel"
	"casetrail/schema"
)

// The administration pages over a scriptable executor (adminAPI): it
// answers the pages' operations from a small registry held in memory and
// records every mutation with its variables, so the tests see what the
// pages send and how they show the API's answers and refusals.

// adminCall is a mutation the executor received.
type adminCall struct {
	Subject, Op string
	Vars        map[string]any
}

// adminAPI is the fake executor of the admin pages.
type adminAPI struct {
	mu       sync.Mutex
	grants   map[string][]map[string]any // subject -> roles of `me`
	units    []map[string]any
	users    []map[string]any
	accounts []map[string]any
	history  []map[string]any
	calls    []adminCall
	queries  []adminCall
	// refuse answers the next mutation with this code and field.
	refuse      *[2]string
	refuseQuery string // an error code for every query but `me`
	otp         string
}

var opName = regexp.MustCompile(`^\s*(query|mutation)\s+(\w+)`)

func gqlErr(code, field string) *graphql.Result {
	ext := map[string]any{"code": code}
	if field != "" {
		ext["field"] = field
	}
	return &graphql.Result{Errors: []gqlerrors.FormattedError{{Message: "refused", Extensions: ext}}}
}

func (f *adminAPI) exec(_ context.Context, subject, query string, vars map[string]any) *graphql.Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := opName.FindStringSubmatch(query)
	if m == nil {
		return gqlErr("INTERNAL", "")
	}
	kind, op := m[1], m[2]
	if op == "Viewer" {
		roles := f.grants[subject]
		if roles == nil {
			roles = []map[string]any{}
		}
		return &graphql.Result{Data: map[string]any{"me": map[string]any{"subject": subject, "roles": roles}}}
	}
	if kind == "mutation" {
		f.calls = append(f.calls, adminCall{subject, op, vars})
		if f.refuse != nil {
			r := f.refuse
			f.refuse = nil
			return gqlErr(r[0], r[1])
		}
		return f.mutate(op, vars)
	}
	f.queries = append(f.queries, adminCall{subject, op, vars})
	if f.refuseQuery != "" {
		return gqlErr(f.refuseQuery, "")
	}
	data := map[string]any{}
	switch op {
	case "AdminUnits":
		data["units"] = f.units
	case "AdminUsers":
		data["units"], data["users"] = f.units, f.users
	case "AdminUser":
		data["units"], data["user"] = f.units, nil
		for _, u := range f.users {
			if u["username"] == vars["username"] {
				data["user"] = u
			}
		}
	case "AdminAccounts", "AdminAccount":
		data["units"], data["officialAccounts"] = f.units, f.accounts
	case "AdminHistory", "AdminHistoryBefore":
		data["units"] = f.units
		after := 0
		if a, ok := vars["after"].(string); ok {
			fmt.Sscan(a, &after)
		}
		limit := vars["limit"].(int)
		var out []map[string]any
		for _, e := range f.history {
			if v := e["version"].(int); v > after && len(out) < limit {
				out = append(out, e)
			}
		}
		data["adminHistory"] = out
	default:
		return gqlErr("INTERNAL", "")
	}
	return &graphql.Result{Data: data}
}

// mutate answers a mutation that was not refused.
func (f *adminAPI) mutate(op string, vars map[string]any) *graphql.Result {
	switch op {
	case "CreateUnit":
		in := vars["input"].(map[string]any)
		return &graphql.Result{Data: map[string]any{"createUnit": map[string]any{"id": in["id"], "name": in["name"]}}}
	case "UpdateUnit":
		return &graphql.Result{Data: map[string]any{"updateUnit": map[string]any{"id": vars["id"], "name": "Xã Mường Khoa"}}}
	case "CloseUnit":
		return &graphql.Result{Data: map[string]any{"closeUnit": map[string]any{"id": vars["id"], "name": "UBND xã Phúc Khoa",
			"successor": map[string]any{"id": vars["successor"], "name": "UBND xã Trung Đồng"}}}}
	case "CreateUser":
		return &graphql.Result{Data: map[string]any{"createUser": map[string]any{
			"user": map[string]any{"username": vars["username"], "name": vars["name"]}, "oneTimePassword": f.otp}}}
	case "ResetPassword":
		return &graphql.Result{Data: map[string]any{"resetPassword": map[string]any{
			"user": map[string]any{"username": vars["username"]}, "oneTimePassword": f.otp}}}
	case "SetUserDisabled":
		return &graphql.Result{Data: map[string]any{"setUserDisabled": map[string]any{"username": vars["username"], "disabled": vars["disabled"]}}}
	case "SetUserEmail":
		return &graphql.Result{Data: map[string]any{"setUserEmail": map[string]any{"username": vars["username"], "email": vars["email"]}}}
	case "GrantRole":
		return &graphql.Result{Data: map[string]any{"grantRole": map[string]any{"username": vars["subject"]}}}
	case "RevokeRole":
		return &graphql.Result{Data: map[string]any{"revokeRole": map[string]any{"username": vars["subject"]}}}
	case "RegisterAccount":
		return &graphql.Result{Data: map[string]any{"registerOfficialAccount": map[string]any{"id": "OA-9", "displayName": vars["displayName"]}}}
	case "UpdateAccount", "SetAccountVerified", "SetAccountDisabled":
		key := map[string]string{"UpdateAccount": "updateOfficialAccount", "SetAccountVerified": "setOfficialAccountVerified",
			"SetAccountDisabled": "setOfficialAccountDisabled"}[op]
		return &graphql.Result{Data: map[string]any{key: map[string]any{"id": vars["id"], "displayName": "x", "verified": true, "disabled": true}}}
	}
	return gqlErr("INTERNAL", "")
}

// mutations returns the mutations received, and forgets them.
func (f *adminAPI) mutations() []adminCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.calls
	f.calls = nil
	return out
}

func role(r, unitID, unitName string) map[string]any {
	return map[string]any{"role": r, "unit": map[string]any{"id": unitID, "name": unitName}}
}

func unitOf(id, name, parent, parentName string) map[string]any {
	u := map[string]any{"id": id, "name": name, "symbol": nil, "closedAt": nil, "parent": nil, "escalatesTo": nil, "successor": nil}
	if parent != "" {
		u["parent"] = map[string]any{"id": parent, "name": parentName}
	}
	return u
}

// adminDesk is the interface over adminAPI with the demo's people: admin1
// administers Tân Uyên (not the province), auditor1 audits the province,
// handler1 handles Tân Uyên.
func adminDesk(t *testing.T) (*desk, *adminAPI) {
	t.Helper()
	f := &adminAPI{otp: "Vuon-Dao-42-Suoi-Xanh", grants: map[string][]map[string]any{
		"admin1":   {role("ADMIN", "lai-chau/tan-uyen", "Tân Uyên")},
		"auditor1": {role("AUDITOR", "lai-chau", "Tỉnh Lai Châu")},
		"handler1": {role("HANDLER", "lai-chau/tan-uyen", "Tân Uyên")},
	}}
	province := unitOf("lai-chau", "Tỉnh Lai Châu", "", "")
	so := unitOf("lai-chau/so-vhttdl", "Sở Văn hóa, Thể thao và Du lịch", "lai-chau", "Tỉnh Lai Châu")
	tanUyen := unitOf("lai-chau/tan-uyen", "Tân Uyên", "lai-chau", "Tỉnh Lai Châu")
	tanUyen["escalatesTo"] = map[string]any{"id": "lai-chau/so-vhttdl", "name": "Sở Văn hóa, Thể thao và Du lịch"}
	tanUyen["symbol"] = "UBND-VHTT"
	phucKhoa := unitOf("lai-chau/tan-uyen/xa-phuc-khoa", "UBND xã Phúc Khoa", "lai-chau/tan-uyen", "Tân Uyên")
	phucKhoa["closedAt"] = "2025-06-30T17:00:00Z"
	phucKhoa["successor"] = map[string]any{"id": "lai-chau/tan-uyen/xa-trung-dong", "name": "UBND xã Trung Đồng"}
	trungDong := unitOf("lai-chau/tan-uyen/xa-trung-dong", "UBND xã Trung Đồng", "lai-chau/tan-uyen", "Tân Uyên")
	trungDong["validFrom"] = "2025-06-30T17:00:00Z"
	trungDong["escalationRoutes"] = []map[string]any{{"kind": "ACCOUNT_COMPROMISED", "recipients": []map[string]any{
		{"unit": map[string]any{"id": "lai-chau/so-vhttdl", "name": "Sở Văn hóa, Thể thao và Du lịch"}, "role": "ADDRESSEE"},
		{"unit": map[string]any{"id": "lai-chau", "name": "Tỉnh Lai Châu"}, "role": "INFORMATION"},
	}}}
	f.units = []map[string]any{province, so, tanUyen, phucKhoa, trungDong}
	d := newDesk(t, func(o *Options) { o.Exec = f.exec })
	for _, u := range [][2]string{{"admin1", "Đỗ Văn Nam"}, {"auditor1", "Phạm Quốc Bảo"}, {"handler1", "Nguyễn Văn Hùng"}} {
		d.addUser(u[0], u[1], goodPassword, false)
	}
	return d, f
}

func (d *desk) loggedIn(user string) *client {
	d.t.Helper()
	c := d.client()
	wantRedirect(d.t, c.login(user, goodPassword), http.StatusSeeOther, "/")
	return c
}

// adminKey matches a catalog key of the admin pages shown as it is.
var adminKey = regexp.MustCompile(`\b(admin|nav|home)\.[A-Za-z.]+\b`)

// checkAdminPage fails when the page shows a catalog key, a raw enum or
// JSON.
func checkAdminPage(t *testing.T, name string, r response) {
	t.Helper()
	text := visibleText(r.body)
	if m := adminKey.FindAllString(text, -1); len(m) > 0 {
		t.Errorf("%s shows catalog keys %v", name, m)
	}
	if m := regexp.MustCompile(`\b(ADMIN|HANDLER|REPORTER|AUDITOR|LEADER|FACEBOOK|ZALO|TIKTOK|UnitDefined|UnitChanged|UnitClosed|RoleGranted|RoleRevoked|OfficialAccount\w+|UserCreated|PasswordReset)\b|\{"`).FindAllString(text, -1); len(m) > 0 {
		t.Errorf("%s shows raw values %v", name, m)
	}
	checkNoRawEnums(t, name, r.body)
}

// A user without ADMIN is offered no administration and is refused its
// pages with a page that says so; an auditor has the admin log only; an
// admin has all four pages, under tabs.
func TestAdminNavigation(t *testing.T) {
	d, _ := adminDesk(t)
	h := d.loggedIn("handler1")
	home := h.get("/")
	if strings.Contains(home.body, `href="/admin/`) {
		t.Errorf("a handler is offered the admin pages")
	}
	for _, path := range []string{"/admin/units", "/admin/users", "/admin/accounts", "/admin/units/edit?id=lai-chau/tan-uyen", "/admin/users/edit?username=handler1", "/admin/accounts/edit?id=OA-1"} {
		wantBody(t, h.get(path), http.StatusForbidden, "Trang này dành cho quản trị hệ thống.", "Về trang chủ")
	}
	wantBody(t, h.get("/admin/history"), http.StatusForbidden, "Nhật ký quản trị dành cho quản trị hệ thống và cán bộ kiểm tra")
	for _, path := range []string{"/admin/units", "/admin/users/grant", "/admin/accounts/verified"} {
		r := h.post(path, url.Values{"reason": {"x"}, "username": {"handler1"}, "id": {"OA-1"}})
		wantBody(t, r, http.StatusForbidden, "Trang này dành cho quản trị hệ thống.")
	}

	a := d.loggedIn("auditor1")
	home = a.get("/")
	if !strings.Contains(home.body, `href="/admin/history"`) || strings.Contains(home.body, `href="/admin/units"`) {
		t.Errorf("the auditor's navigation: %s", visibleText(home.body))
	}
	wantBody(t, a.get("/admin/units"), http.StatusForbidden, "Trang này dành cho quản trị hệ thống.")
	r := a.get("/admin/history")
	wantBody(t, r, http.StatusOK, "Nhật ký quản trị")
	if strings.Contains(r.body, `class="tabs"`) {
		t.Errorf("the auditor sees the admin tabs")
	}

	ad := d.loggedIn("admin1")
	home = ad.get("/")
	wantBody(t, home, http.StatusOK, `<a href="/admin/units">Quản trị</a>`, `class="start-link primary-link" href="/admin/units"`)
	r = ad.get("/admin/users")
	wantBody(t, r, http.StatusOK, `href="/admin/units" aria-current="page">Quản trị</a>`, `<nav class="tabs"`,
		`<a href="/admin/users" aria-current="page">Người dùng</a>`, `href="/admin/accounts"`, `href="/admin/history"`)
	checkAdminPage(t, "users", r)
}

// Đơn vị: the tree, indented by parent links, closed units marked with
// their successor, edit links only for the admin's units; the create form
// keeps what was typed and shows each message next to its field, both
// the form's own checks and the API's refusals; success goes back to the
// tree with a note.
func TestAdminUnitsPage(t *testing.T) {
	d, f := adminDesk(t)
	c := d.loggedIn("admin1")
	r := c.get("/admin/units")
	wantBody(t, r, http.StatusOK, "5 đơn vị, 4 đang hoạt động", "Tỉnh Lai Châu", "ký hiệu UBND-VHTT",
		"chuyển cấp trên tới Sở Văn hóa, Thể thao và Du lịch",
		"Ngừng hoạt động từ 01/07/2025; phản ánh mới chuyển về UBND xã Trung Đồng.",
		`href="/admin/units/edit?id=lai-chau%2Ftan-uyen%2Fxa-phuc-khoa"`, `href="/admin/units/edit?id=lai-chau%2Ftan-uyen"`)
	checkAdminPage(t, "units", r)
	// Nested: the communes inside Tân Uyên's list, inside the province's.
	nested := regexp.MustCompile(`(?s)data-unit="lai-chau".*<ul>.*data-unit="lai-chau/tan-uyen".*<ul>.*data-unit="lai-chau/tan-uyen/xa-trung-dong".*data-unit="lai-chau/tan-uyen/xa-phuc-khoa"`)
	if !nested.MatchString(r.body) {
		t.Errorf("the tree is not nested, open units first:\n%s", visibleText(r.body))
	}
	for _, id := range []string{"lai-chau", "lai-chau%2Fso-vhttdl"} {
		if strings.Contains(r.body, `href="/admin/units/edit?id=`+id+`"`) {
			t.Errorf("an edit link for %s, which admin1 does not administer", id)
		}
	}
	// The parent choices are the admin's open units; the targets every open unit.
	parents := selectOptions(r.body, "create-parent")
	if want := []string{"", "lai-chau/tan-uyen", "lai-chau/tan-uyen/xa-trung-dong"}; !slices.Equal(parents, want) {
		t.Errorf("parent choices %v, want %v", parents, want)
	}
	if got := selectOptions(r.body, "create-escalatesTo"); !slices.Contains(got, "lai-chau/so-vhttdl") || slices.Contains(got, "lai-chau/tan-uyen/xa-phuc-khoa") {
		t.Errorf("escalation choices %v", got)
	}

	// The form's own checks: nothing is sent.
	r = c.post("/admin/units", url.Values{"id": {"lai-chau/tan-uyen/xa-muong-khoa"}, "name": {""}, "parent": {"lai-chau/tan-uyen"}, "reason": {"  "}})
	wantBody(t, r, http.StatusBadRequest, "Chưa lưu được: vui lòng sửa các mục được đánh dấu bên dưới.",
		`<p class="error" id="create-name-error">Tên đơn vị: bắt buộc nhập.</p>`,
		`<p class="error" id="create-reason-error">Lý do: bắt buộc nhập, tối đa 500 ký tự.</p>`,
		`value="lai-chau/tan-uyen/xa-muong-khoa"`, `<option value="lai-chau/tan-uyen" selected>`, `aria-invalid="true"`)
	if m := f.mutations(); len(m) != 0 {
		t.Errorf("a refused form was sent: %v", m)
	}
	r = c.post("/admin/units", url.Values{"name": {"Xã Mường Khoa"}, "reason": {strings.Repeat("a", 501)}})
	wantBody(t, r, http.StatusBadRequest, "Mã đơn vị: bắt buộc nhập.", "Lý do: bắt buộc nhập, tối đa 500 ký tự.")

	// The API's refusal of a field: next to it, the input kept.
	f.refuse = &[2]string{"BAD_USER_INPUT", "input.id"}
	form := url.Values{"id": {"Lai-Chau/Muong Khoa"}, "name": {"Xã Mường Khoa"}, "parent": {"lai-chau/tan-uyen"}, "reason": {"Nghị quyết 1670/NQ-UBTVQH15"}}
	r = c.post("/admin/units", form)
	wantBody(t, r, http.StatusBadRequest, `<p class="error" id="create-id-error">Mã đơn vị: giá trị chưa hợp lệ.</p>`,
		`value="Lai-Chau/Muong Khoa"`, "Nghị quyết 1670/NQ-UBTVQH15</textarea>")
	// FORBIDDEN (a parent outside the admin's units): a clear refusal.
	f.refuse = &[2]string{"FORBIDDEN", ""}
	r = c.post("/admin/units", form)
	wantBody(t, r, http.StatusForbidden, "Bạn không có quyền thực hiện thao tác này: thao tác chỉ được làm trong các đơn vị bạn quản trị.")
	f.mutations()

	// Success: the unit with its parent and the reason; no empty field sent.
	form.Set("id", "lai-chau/tan-uyen/xa-muong-khoa")
	r = c.post("/admin/units", form)
	wantRedirect(t, r, http.StatusSeeOther, "/admin/units#")
	calls := f.mutations()
	if len(calls) != 1 || calls[0].Op != "CreateUnit" || calls[0].Subject != "admin1" {
		t.Fatalf("mutations %+v", calls)
	}
	in := calls[0].Vars["input"].(map[string]any)
	if want := map[string]any{"id": "lai-chau/tan-uyen/xa-muong-khoa", "name": "Xã Mường Khoa", "parent": "lai-chau/tan-uyen"}; fmt.Sprint(in) != fmt.Sprint(want) ||
		calls[0].Vars["reason"] != "Nghị quyết 1670/NQ-UBTVQH15" {
		t.Errorf("createUnit got %v, reason %v", in, calls[0].Vars["reason"])
	}
	wantBody(t, c.get("/admin/units"), http.StatusOK, `<p class="flash" role="status">Đã thêm đơn vị Xã Mường Khoa.</p>`)
}

// selectOptions returns the values of the select with id.
func selectOptions(body, id string) []string {
	m := regexp.MustCompile(`(?s)<select id="` + regexp.QuoteMeta(id) + `".*?</select>`).FindString(body)
	var out []string
	for _, o := range regexp.MustCompile(`<option value="([^"]*)"`).FindAllStringSubmatch(m, -1) {
		out = append(out, o[1])
	}
	return out
}

// A unit's page: its facts; the edit form sends only what changed; the
// close form asks for a successor; ids with slashes travel as values.
func TestAdminUnitPage(t *testing.T) {
	d, f := adminDesk(t)
	c := d.loggedIn("admin1")
	r := c.get("/admin/units/edit?id=lai-chau/tan-uyen/xa-trung-dong")
	wantBody(t, r, http.StatusOK, "<h1>UBND xã Trung Đồng</h1>", "<code>lai-chau/tan-uyen/xa-trung-dong</code>", "Đang hoạt động",
		`action="/admin/units/edit#edit"`, `action="/admin/units/close#close"`, `name="id" value="lai-chau/tan-uyen/xa-trung-dong"`)
	checkAdminPage(t, "unit", r)
	// Since when it exists, and its routes by kind (set in the seed).
	wantBody(t, r, http.StatusOK, `<dd id="unit-valid-from">01/07/2025</dd>`,
		"<li><strong>Tài khoản chính thức bị chiếm quyền:</strong> Sở Văn hóa, Thể thao và Du lịch (Kính gửi); Tỉnh Lai Châu (Để biết)</li>",
		`action="/admin/units/routes#routes"`)
	// Not under itself; its parent kept.
	if got := selectOptions(r.body, "edit-parent"); slices.Contains(got, "lai-chau/tan-uyen/xa-trung-dong") || !slices.Contains(got, "lai-chau/tan-uyen") {
		t.Errorf("parent choices %v", got)
	}
	if got := selectOptions(r.body, "close-successor"); slices.Contains(got, "lai-chau/tan-uyen/xa-trung-dong") || slices.Contains(got, "lai-chau/tan-uyen/xa-phuc-khoa") || !slices.Contains(got, "lai-chau/tan-uyen") {
		t.Errorf("successor choices %v", got)
	}
	wantBody(t, c.get("/admin/units/edit?id=lai-chau/none"), http.StatusNotFound, "Không tìm thấy đơn vị này.")
	// A unit outside the admin's: shown, without forms.
	r = c.get("/admin/units/edit?id=lai-chau/so-vhttdl")
	wantBody(t, r, http.StatusOK, "Đơn vị này không thuộc phạm vi bạn quản trị: bạn chỉ xem được.",
		`<dd id="unit-valid-from">Không ghi nhận</dd>`, "Không đặt riêng: theo nơi nhận chuyển của đơn vị, hoặc của đơn vị cấp trên gần nhất có đặt.")
	if strings.Contains(r.body, `action="/admin/units/edit`) {
		t.Errorf("forms offered on a unit the admin does not administer")
	}
	// A closed unit: no close form, the successor said.
	r = c.get("/admin/units/edit?id=lai-chau/tan-uyen/xa-phuc-khoa")
	wantBody(t, r, http.StatusOK, "Ngừng hoạt động từ 01/07/2025; phản ánh mới chuyển về UBND xã Trung Đồng.")
	if strings.Contains(r.body, `action="/admin/units/close`) {
		t.Errorf("a closed unit offers the close form")
	}

	base := url.Values{"id": {"lai-chau/tan-uyen/xa-trung-dong"}, "name": {"UBND xã Trung Đồng"}, "parent": {"lai-chau/tan-uyen"}, "symbol": {""}, "reason": {"Đổi tên"}}
	wantBody(t, c.post("/admin/units/edit", base), http.StatusBadRequest, "Chưa có gì thay đổi: hãy sửa ít nhất một mục.")
	changed := url.Values{}
	for k, v := range base {
		changed[k] = v
	}
	changed.Set("name", "Xã Mường Khoa")
	changed.Set("symbol", "UBND")
	wantRedirect(t, c.post("/admin/units/edit", changed), http.StatusSeeOther, "/admin/units#")
	calls := f.mutations()
	if len(calls) != 1 || calls[0].Op != "UpdateUnit" || calls[0].Vars["id"] != "lai-chau/tan-uyen/xa-trung-dong" ||
		fmt.Sprint(calls[0].Vars["input"]) != fmt.Sprint(map[string]any{"name": "Xã Mường Khoa", "symbol": "UBND"}) {
		t.Errorf("updateUnit got %+v", calls)
	}
	// "None" is sent as "" (a root; the ancestors' escalation target).
	changed.Set("parent", "")
	changed.Set("escalatesTo", "")
	wantRedirect(t, c.post("/admin/units/edit", changed), http.StatusSeeOther, "/admin/units#")
	if calls := f.mutations(); len(calls) != 1 || fmt.Sprint(calls[0].Vars["input"]) != fmt.Sprint(map[string]any{"name": "Xã Mường Khoa", "parent": "", "symbol": "UBND"}) {
		t.Errorf("updateUnit got %+v", calls)
	}

	closing := url.Values{"id": {"lai-chau/tan-uyen/xa-trung-dong"}, "reason": {"Nghị quyết sáp nhập"}}
	r = c.post("/admin/units/close", closing)
	wantBody(t, r, http.StatusBadRequest, `id="close-successor-error">Đơn vị kế thừa: bắt buộc nhập.`, "Nghị quyết sáp nhập</textarea>")
	closing.Set("successor", "lai-chau/tan-uyen")
	f.refuse = &[2]string{"BAD_USER_INPUT", "successor"}
	wantBody(t, c.post("/admin/units/close", closing), http.StatusBadRequest, `id="close-successor-error">Đơn vị kế thừa: giá trị chưa hợp lệ.`)
	f.mutations()
	wantRedirect(t, c.post("/admin/units/close", closing), http.StatusSeeOther, "/admin/units#")
	if calls := f.mutations(); len(calls) != 1 || calls[0].Op != "CloseUnit" || calls[0].Vars["successor"] != "lai-chau/tan-uyen" {
		t.Errorf("closeUnit got %+v", calls)
	}
	wantBody(t, c.get("/admin/units"), http.StatusOK, "Đơn vị UBND xã Phúc Khoa đã ngừng hoạt động; phản ánh mới chuyển về UBND xã Trung Đồng.")
}

func adminUsers() []map[string]any {
	return []map[string]any{
		{"username": "handler1", "name": "Nguyễn Văn Hùng", "disabled": false, "mustChangePassword": false,
			"grants": []any{role("HANDLER", "lai-chau/tan-uyen", "Tân Uyên")}},
		{"username": "handler9", "name": "Lò Văn Tài", "disabled": true, "mustChangePassword": true, "grants": []any{}},
	}
}

// Người dùng: the list with roles and status; creating a user shows the
// one-time password on the next page only; a user's page grants (units
// of the admin only), revokes, resets and disables, each with a reason.
func TestAdminUsersPages(t *testing.T) {
	d, f := adminDesk(t)
	f.users = adminUsers()
	c := d.loggedIn("admin1")
	r := c.get("/admin/users")
	wantBody(t, r, http.StatusOK, "2 người dùng", "Nguyễn Văn Hùng", "Cán bộ xử lý — Tân Uyên", "Đã khóa", "Phải đổi mật khẩu khi đăng nhập",
		"Chưa có vai trò", `href="/admin/users/edit?username=handler9"`)
	checkAdminPage(t, "users", r)
	wantBody(t, c.get("/admin/users?unit=lai-chau/tan-uyen/xa-trung-dong"), http.StatusOK, `<option value="lai-chau/tan-uyen/xa-trung-dong" selected>`)
	if q := f.queries[len(f.queries)-1]; q.Vars["unit"] != "lai-chau/tan-uyen/xa-trung-dong" {
		t.Errorf("the unit filter is not sent: %+v", q)
	}

	r = c.post("/admin/users", url.Values{"username": {"Bad Name"}, "name": {""}, "reason": {"Cán bộ mới"}})
	wantBody(t, r, http.StatusBadRequest, "Tên đăng nhập: giá trị chưa hợp lệ.", "Họ và tên: bắt buộc nhập.", `value="bad name"`)
	f.refuse = &[2]string{"BAD_USER_INPUT", "username"}
	wantBody(t, c.post("/admin/users", url.Values{"username": {"handler1"}, "name": {"Hùng"}, "reason": {"x"}}), http.StatusBadRequest,
		`id="create-username-error">Tên đăng nhập: giá trị chưa hợp lệ.`)
	f.mutations()

	r = c.post("/admin/users", url.Values{"username": {"handler9"}, "name": {"Lò Văn Tài"}, "reason": {"Quyết định 12/QĐ-UBND"}})
	wantRedirect(t, r, http.StatusSeeOther, "/admin/users/edit?username=handler9#")
	page := c.get("/admin/users/edit?username=handler9")
	wantBody(t, page, http.StatusOK, "Đã thêm người dùng handler9.", "Mật khẩu dùng một lần của handler9",
		`<code id="one-time-password">Vuon-Dao-42-Suoi-Xanh</code>`)
	checkAdminPage(t, "user", page)
	again := c.get("/admin/users/edit?username=handler9")
	if strings.Contains(again.body, "Vuon-Dao-42-Suoi-Xanh") {
		t.Errorf("the one-time password is shown twice")
	}
	// Nothing of it stays in the sessions' table.
	var n int
	if err := d.h.o.Pool.QueryRow(context.Background(), `SELECT count(*) FROM sessions WHERE position($1 in encode(data, 'escape')) > 0`,
		"Vuon-Dao-42").Scan(&n); err != nil || n != 0 {
		t.Errorf("the password stays in %d sessions (%v)", n, err)
	}
	// The grant's units are the admin's (closed ones too, marked), every role offered in words.
	units := selectOptions(again.body, "grant-unit")
	if want := []string{"", "lai-chau/tan-uyen", "lai-chau/tan-uyen/xa-phuc-khoa", "lai-chau/tan-uyen/xa-trung-dong"}; !slices.Equal(units, want) {
		t.Errorf("grant units %v, want %v", units, want)
	}
	wantBody(t, again, http.StatusOK, ">Cán bộ xử lý</option>", ">Quản trị hệ thống</option>", "UBND xã Phúc Khoa (Ngừng hoạt động)", "Mở khóa tài khoản")

	r = c.post("/admin/users/grant", url.Values{"username": {"handler9"}, "role": {"GOD"}, "unit": {""}, "reason": {""}})
	wantBody(t, r, http.StatusBadRequest, "Vai trò: chọn một giá trị trong danh sách.", "Đơn vị: bắt buộc nhập.", "Lý do: bắt buộc nhập")
	grant := url.Values{"username": {"handler9"}, "role": {"HANDLER"}, "unit": {"lai-chau/tan-uyen/xa-trung-dong"}, "reason": {"Phân công"}}
	f.refuse = &[2]string{"FORBIDDEN", ""}
	r = c.post("/admin/users/grant", grant)
	wantBody(t, r, http.StatusForbidden, "Bạn không có quyền thực hiện thao tác này", `<option value="HANDLER" selected>`)
	f.mutations()
	wantRedirect(t, c.post("/admin/users/grant", grant), http.StatusSeeOther, "/admin/users/edit?username=handler9#")
	wantBody(t, c.get("/admin/users/edit?username=handler9"), http.StatusOK, "Đã giao vai trò Cán bộ xử lý tại UBND xã Trung Đồng cho handler9.")
	calls := f.mutations()
	if len(calls) != 1 || calls[0].Op != "GrantRole" || calls[0].Vars["subject"] != "handler9" || calls[0].Vars["role"] != "HANDLER" ||
		calls[0].Vars["unit"] != "lai-chau/tan-uyen/xa-trung-dong" || calls[0].Vars["reason"] != "Phân công" {
		t.Errorf("grantRole got %+v", calls)
	}

	// handler1's page: the revoke form of its grant; a refusal opens it again.
	r = c.get("/admin/users/edit?username=handler1")
	wantBody(t, r, http.StatusOK, `data-grant="HANDLER lai-chau/tan-uyen"`, `action="/admin/users/revoke#revoke-0"`, "Khóa tài khoản")
	revoke := url.Values{"username": {"handler1"}, "role": {"HANDLER"}, "unit": {"lai-chau/tan-uyen"}, "form": {"0"}, "reason": {""}}
	r = c.post("/admin/users/revoke", revoke)
	wantBody(t, r, http.StatusBadRequest, `<details class="action danger" open>`, `id="revoke-0-reason-error"`)
	revoke.Set("reason", "Chuyển công tác")
	wantRedirect(t, c.post("/admin/users/revoke", revoke), http.StatusSeeOther, "/admin/users/edit?username=handler1#")
	for _, op := range []url.Values{
		{"username": {"handler1"}, "reason": {"Quên mật khẩu"}},
		{"username": {"handler1"}, "disabled": {"true"}, "reason": {"Nghỉ việc"}},
	} {
		path := "/admin/users/reset"
		if op.Has("disabled") {
			path = "/admin/users/disabled"
		}
		wantRedirect(t, c.post(path, op), http.StatusSeeOther, "/admin/users/edit?username=handler1#")
		if path == "/admin/users/reset" {
			wantBody(t, c.get("/admin/users/edit?username=handler1"), http.StatusOK, "Đã cấp lại mật khẩu cho handler1.", "Vuon-Dao-42-Suoi-Xanh")
		}
	}
	calls = f.mutations()
	var ops []string
	for _, c := range calls {
		ops = append(ops, c.Op)
	}
	if !slices.Equal(ops, []string{"RevokeRole", "ResetPassword", "SetUserDisabled"}) || calls[2].Vars["disabled"] != true {
		t.Errorf("mutations %+v", calls)
	}
	wantBody(t, c.get("/admin/users/edit?username=nobody"), http.StatusNotFound, "Không tìm thấy người dùng này.")
	wantBody(t, c.post("/admin/users/promote", revoke), http.StatusNotFound)
}

// Tài khoản chính thức: search and the disabled switch go to the API; the
// add form checks its fields; an account's page edits only what changed,
// and marks verified and disabled with a reason.
func TestAdminAccountsPages(t *testing.T) {
	d, f := adminDesk(t)
	f.accounts = []map[string]any{
		{"id": "OA-1", "platform": "FACEBOOK", "url": "https://www.facebook.com/ubndtanuyen", "displayName": "UBND huyện Tân Uyên",
			"verified": true, "disabled": false, "unit": map[string]any{"id": "lai-chau/tan-uyen", "name": "Tân Uyên"}},
		{"id": "OA-2", "platform": "ZALO", "url": "https://zalo.me/ubndxaphuckhoa", "displayName": "UBND xã Phúc Khoa",
			"verified": false, "disabled": true, "unit": map[string]any{"id": "lai-chau/tan-uyen/xa-phuc-khoa", "name": "UBND xã Phúc Khoa"}},
	}
	c := d.loggedIn("admin1")
	r := c.get("/admin/accounts?q=t%C3%A2n+uy%C3%AAn&disabled=1&unit=lai-chau/tan-uyen")
	wantBody(t, r, http.StatusOK, "2 tài khoản", "UBND huyện Tân Uyên", "Facebook", "Đã xác thực", "Chưa xác thực", "Ngừng sử dụng",
		`value="tân uyên"`, `name="disabled" value="1" checked`, `href="/admin/accounts/edit?id=OA-1"`)
	checkAdminPage(t, "accounts", r)
	q := f.queries[len(f.queries)-1]
	if q.Vars["search"] != "tân uyên" || q.Vars["includeDisabled"] != true || q.Vars["unit"] != "lai-chau/tan-uyen" {
		t.Errorf("the search sent %v", q.Vars)
	}
	if got := selectOptions(r.body, "add-unit"); !slices.Equal(got, []string{"", "lai-chau/tan-uyen", "lai-chau/tan-uyen/xa-trung-dong"}) {
		t.Errorf("add units %v", got)
	}

	add := url.Values{"unit": {"lai-chau/tan-uyen"}, "platform": {"TIKTOK"}, "url": {""}, "displayName": {"UBND Tân Uyên"}, "reason": {"Công văn 45"}}
	wantBody(t, c.post("/admin/accounts", add), http.StatusBadRequest, "Đường dẫn: bắt buộc nhập.", `<option value="TIKTOK" selected>TikTok</option>`)
	add.Set("url", "https://www.tiktok.com/@ubndtanuyen")
	f.refuse = &[2]string{"BAD_USER_INPUT", "url"}
	wantBody(t, c.post("/admin/accounts", add), http.StatusBadRequest, `id="add-url-error">Đường dẫn: giá trị chưa hợp lệ.`)
	f.mutations()
	wantRedirect(t, c.post("/admin/accounts", add), http.StatusSeeOther, "/admin/accounts#")
	wantBody(t, c.get("/admin/accounts"), http.StatusOK, "Đã thêm tài khoản UBND Tân Uyên.")
	if calls := f.mutations(); len(calls) != 1 || calls[0].Op != "RegisterAccount" || calls[0].Vars["platform"] != "TIKTOK" || calls[0].Vars["reason"] != "Công văn 45" {
		t.Errorf("registerOfficialAccount got %+v", calls)
	}

	r = c.get("/admin/accounts/edit?id=OA-1")
	wantBody(t, r, http.StatusOK, "<h1>UBND huyện Tân Uyên</h1>", "Bỏ đánh dấu xác thực", "Ngừng sử dụng tài khoản",
		`name="verified" value="false"`, `name="disabled" value="true"`)
	checkAdminPage(t, "account", r)
	wantBody(t, c.get("/admin/accounts/edit?id=OA-404"), http.StatusNotFound, "Không tìm thấy tài khoản này.")
	edit := url.Values{"id": {"OA-1"}, "platform": {"FACEBOOK"}, "url": {"https://www.facebook.com/ubndtanuyen"}, "displayName": {"UBND huyện Tân Uyên (cũ)"}, "reason": {"Đổi tên trang"}}
	wantRedirect(t, c.post("/admin/accounts/edit", edit), http.StatusSeeOther, "/admin/accounts/edit?id=OA-1#")
	wantRedirect(t, c.post("/admin/accounts/disabled", url.Values{"id": {"OA-1"}, "disabled": {"true"}, "reason": {"Trang bị bỏ"}}), http.StatusSeeOther, "/admin/accounts/edit?id=OA-1#")
	wantBody(t, c.get("/admin/accounts/edit?id=OA-1"), http.StatusOK, "Tài khoản UBND huyện Tân Uyên đã ngừng sử dụng.")
	wantBody(t, c.post("/admin/accounts/verified", url.Values{"id": {"OA-1"}, "verified": {"false"}}), http.StatusBadRequest, `id="verified-reason-error"`)
	calls := f.mutations()
	if len(calls) != 2 || fmt.Sprint(calls[0].Vars["input"]) != fmt.Sprint(map[string]any{"displayName": "UBND huyện Tân Uyên (cũ)"}) ||
		calls[1].Op != "SetAccountDisabled" || calls[1].Vars["disabled"] != true {
		t.Errorf("account mutations %+v", calls)
	}
}

// Nhật ký quản trị: each change in words with actor, time in +07:00 and
// reason; what a change changed comes from the events before it, those
// of earlier pages too; the pages go on with the after cursor.
func TestAdminHistoryPage(t *testing.T) {
	d, f := adminDesk(t)
	ev := func(v int, typ, actor, reason, data string) map[string]any {
		var r any
		if reason != "" {
			r = reason
		}
		return map[string]any{"version": v, "type": typ, "actor": actor, "reason": r,
			"occurredAt": fmt.Sprintf("2026-12-02T0%d:15:00Z", v%10), "data": data}
	}
	f.history = []map[string]any{
		ev(1, "UnitDefined", "seed", "seed file /etc/casetrail/seed.yaml", `{"id":"lai-chau/tan-uyen/xa-phuc-khoa","name":"UBND xã Phúc Khoa","parent":"lai-chau/tan-uyen","symbol":"UBND"}`),
		ev(2, "OfficialAccountRegistered", "seed", "seed file /etc/casetrail/seed.yaml", `{"id":"OA-1","unit":"lai-chau/tan-uyen","platform":"FACEBOOK","url":"https://www.facebook.com/ubndtanuyen","displayName":"UBND huyện Tân Uyên"}`),
		ev(3, "UnitChanged", "admin1", "Đổi ký hiệu", `{"id":"lai-chau/tan-uyen/xa-phuc-khoa","name":"UBND xã Phúc Khoa","parent":"lai-chau/tan-uyen","symbol":"UBND-VP",`+
			`"escalationRoutes":{"IMPERSONATION":[{"role":"ADDRESSEE","unit":"lai-chau/so-vhttdl"},{"role":"INFORMATION","unit":"lai-chau/tan-uyen"}]}}`),
		ev(4, "UserCreated", "admin1", "Cán bộ mới", `{"username":"handler9","name":"Lò Văn Tài"}`),
		ev(5, "RoleGranted", "admin1", "Phân công", `{"subject":"handler9","role":"HANDLER","unit":"lai-chau/tan-uyen/xa-trung-dong"}`),
		ev(6, "OfficialAccountChanged", "admin1", "Đã đối chiếu", `{"id":"OA-1","unit":"lai-chau/tan-uyen","platform":"FACEBOOK","url":"https://www.facebook.com/ubndtanuyen","displayName":"UBND huyện Tân Uyên","verified":true,"disabled":false,"changed":["verified"]}`),
		ev(7, "UnitClosed", "admin1", "Nghị quyết 1670", `{"id":"lai-chau/tan-uyen/xa-phuc-khoa","name":"UBND xã Phúc Khoa","parent":"lai-chau/tan-uyen","closedAt":"2026-12-02T07:15:00Z","successor":"lai-chau/tan-uyen/xa-trung-dong"}`),
		ev(8, "RoleRevoked", "admin1", "Chuyển công tác", `{"subject":"handler9","role":"HANDLER","unit":"lai-chau/tan-uyen/xa-trung-dong"}`),
		ev(9, "SomethingNew", "admin1", "", `{"x":1}`),
	}
	c := d.loggedIn("auditor1")
	r := c.get("/admin/history")
	wantBody(t, r, http.StatusOK, "Sự kiện 1 đến 9", "Tệp cấu hình ban đầu (seed)", "Áp dụng tệp cấu hình ban đầu /etc/casetrail/seed.yaml",
		"Thêm đơn vị «UBND xã Phúc Khoa» (lai-chau/tan-uyen/xa-phuc-khoa)", "Đơn vị cấp trên: Tân Uyên",
		"Thêm tài khoản chính thức UBND huyện Tân Uyên (Facebook) của Tân Uyên",
		"Sửa đơn vị «UBND xã Phúc Khoa»", "Ký hiệu: UBND → UBND-VP",
		"Nơi nhận theo loại vụ việc: (trống) → Giả mạo cơ quan, cá nhân: Sở Văn hóa, Thể thao và Du lịch (Kính gửi); Tân Uyên (Để biết)",
		"Đỗ Văn Nam (admin1)", "Thêm người dùng «Lò Văn Tài» (handler9)",
		"Giao vai trò Cán bộ xử lý tại UBND xã Trung Đồng cho handler9",
		"Đánh dấu đã xác thực tài khoản UBND huyện Tân Uyên",
		"Đơn vị «UBND xã Phúc Khoa» (lai-chau/tan-uyen/xa-phuc-khoa) ngừng hoạt động; đơn vị kế thừa: «UBND xã Trung Đồng» (lai-chau/tan-uyen/xa-trung-dong)",
		"Thu hồi vai trò Cán bộ xử lý tại UBND xã Trung Đồng của handler9", "Thay đổi quản trị khác", "Không ghi lý do",
		"Nghị quyết 1670", `<time datetime="2026-12-02T10:15:00&#43;07:00">10:15 02/12/2026</time>`)
	checkAdminPage(t, "history", r)
	if strings.Contains(r.body, "Trang sau") {
		t.Errorf("a next page after the last event")
	}

	// Pages of 50: the next carries the last version; a change on the
	// second page is told against the state the first page left.
	var many []map[string]any
	for v := 1; v <= 55; v++ {
		many = append(many, ev(v, "RoleGranted", "admin1", "Phân công", `{"subject":"handler1","role":"LEADER","unit":"lai-chau/tan-uyen"}`))
	}
	many[0] = ev(1, "UnitDefined", "seed", "", `{"id":"lai-chau/x","name":"Xã X","symbol":"UBND"}`)
	many[53] = ev(54, "UnitChanged", "admin1", "Đổi tên", `{"id":"lai-chau/x","name":"Xã Y","symbol":"UBND"}`)
	f.history = many
	r = c.get("/admin/history")
	wantBody(t, r, http.StatusOK, "Sự kiện 1 đến 50", `href="/admin/history?after=50" rel="next">Trang sau</a>`)
	r = c.get("/admin/history?after=50")
	wantBody(t, r, http.StatusOK, "Sự kiện 51 đến 55", "Trang đầu", "Tên đơn vị: Xã X → Xã Y")
	wantBody(t, c.get("/admin/history?after=zz"), http.StatusOK, "Liên kết trang này không còn dùng được")

	// In English too, through the catalog.
	en := c.get("/admin/history", "Cookie", "casetrail_lang=en")
	wantBody(t, en, http.StatusOK, "Admin log", "Granted Leader on Tân Uyên to")
	// The API's refusal (not an auditor of every root) is a page, not a crash.
	f.refuseQuery = "FORBIDDEN"
	wantBody(t, c.get("/admin/history"), http.StatusForbidden, "Nhật ký quản trị dành cho quản trị hệ thống và cán bộ kiểm tra")
	f.refuseQuery = "INTERNAL"
	a := d.loggedIn("admin1")
	wantBody(t, a.get("/admin/units"), http.StatusOK, "Chưa tải được dữ liệu: Đã có lỗi xảy ra.")
}

// The lists the admin pages repeat from other packages stay equal to
// theirs: the roles a grant may give (api) and the admin stream's event
// types (readmodel).
func TestAdminListsMatch(t *testing.T) {
	if maxAdminReason != schema.MaxAdminReason {
		t.Errorf("reasons of at most %d characters here, %d in the API", maxAdminReason, schema.MaxAdminReason)
	}
	if !slices.Equal(grantableRoles, api.AllRoles()) {
		t.Errorf("grantableRoles %v, api.AllRoles %v", grantableRoles, api.AllRoles())
	}
	pairs := map[string]string{
		evUnitDefined: readmodel.TypeUnitDefined, evUnitChanged: readmodel.TypeUnitChanged, evUnitClosed: readmodel.TypeUnitClosed,
		evAccountAdded: readmodel.TypeOfficialAccountRegistered, evAccountChanged: readmodel.TypeOfficialAccountChanged,
		evRoleGranted: readmodel.TypeRoleGranted, evRoleRevoked: readmodel.TypeRoleRevoked, evUserCreated: readmodel.TypeUserCreated,
		evPasswordReset: readmodel.TypePasswordReset, evUserDisabled: readmodel.TypeUserDisabled, evUserEnabled: readmodel.TypeUserEnabled,
		evEmailChanged: readmodel.TypeUserEmailChanged,
	}
	for ours, theirs := range pairs {
		if ours != theirs {
			t.Errorf("event type %q here, %q in readmodel", ours, theirs)
		}
	}
	// Each payload field the words read is one readmodel writes.
	b, _ := json.Marshal(readmodel.AccountChanged{Changed: []string{"verified"}})
	for _, k := range []string{`"id"`, `"unit"`, `"platform"`, `"url"`, `"displayName"`, `"verified"`, `"disabled"`, `"changed"`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("AccountChanged lacks %s: %s", k, b)
		}
	}
	b, _ = json.Marshal(readmodel.UserChange{Username: "a", Name: "b"})
	if string(b) != `{"username":"a","name":"b"}` {
		t.Errorf("UserChange: %s", b)
	}
}

// A unit's routes form: it shows the routes as they are; it sends every
// kind's addressee and the units in each role whole (updateUnit's
// input.escalationRoutes); a kind without an addressee has none, and
// units chosen without one, twice, or not offered are refused before the
// API; the routes as they are again is "nothing changed".
func TestAdminUnitRoutes(t *testing.T) {
	d, f := adminDesk(t)
	c := d.loggedIn("admin1")
	const id = "lai-chau/tan-uyen/xa-trung-dong"
	r := c.get("/admin/units/edit?id=" + id)
	if got := selectOptions(r.body, "routes-to-ACCOUNT_COMPROMISED"); !slices.Contains(got, "lai-chau/so-vhttdl") || slices.Contains(got, id) {
		t.Errorf("addressee choices %v", got)
	}
	wantBody(t, r, http.StatusOK, `<option value="lai-chau/so-vhttdl" selected>`, `id="routes-info-ACCOUNT_COMPROMISED" name="info-ACCOUNT_COMPROMISED" multiple`,
		`<option value="lai-chau" selected>`, "<legend>Giả mạo cơ quan, cá nhân</legend>")

	form := func(kv ...string) url.Values {
		v := url.Values{"id": {id}, "reason": {"Công văn 12/UBND-VP"}, "to-ACCOUNT_COMPROMISED": {"lai-chau/so-vhttdl"}, "info-ACCOUNT_COMPROMISED": {"lai-chau"}}
		for i := 0; i < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	wantBody(t, c.post("/admin/units/routes", form()), http.StatusBadRequest, "Chưa có gì thay đổi: hãy sửa ít nhất một mục.")
	wantBody(t, c.post("/admin/units/routes", form("co-IMPERSONATION", "lai-chau/tan-uyen")), http.StatusBadRequest,
		`id="routes-to-IMPERSONATION-error">Chọn đơn vị kính gửi trước khi chọn đơn vị phối hợp hoặc để biết.`)
	wantBody(t, c.post("/admin/units/routes", form("co-ACCOUNT_COMPROMISED", "lai-chau/so-vhttdl")), http.StatusBadRequest,
		`id="routes-co-ACCOUNT_COMPROMISED-error">Mỗi đơn vị chỉ chọn một lần trong một loại vụ việc.`)
	wantBody(t, c.post("/admin/units/routes", form("to-IMPERSONATION", "lai-chau/nowhere")), http.StatusBadRequest, `id="routes-to-IMPERSONATION-error"`)
	noReason := form("to-IMPERSONATION", "lai-chau/tan-uyen")
	noReason.Set("reason", "")
	r = c.post("/admin/units/routes", noReason)
	wantBody(t, r, http.StatusBadRequest, `id="routes-reason-error"`, `<option value="lai-chau/tan-uyen" selected>`)
	if calls := f.mutations(); len(calls) != 0 {
		t.Fatalf("a refused form reached the API: %+v", calls)
	}

	r = c.post("/admin/units/routes", form("to-IMPERSONATION", "lai-chau/tan-uyen", "co-IMPERSONATION", "lai-chau/so-vhttdl", "co-IMPERSONATION", "lai-chau",
		"info-ACCOUNT_COMPROMISED", "lai-chau/tan-uyen"))
	wantRedirect(t, r, http.StatusSeeOther, "/admin/units/edit?id=lai-chau%2Ftan-uyen%2Fxa-trung-dong#")
	calls := f.mutations()
	want := `map[escalationRoutes:[map[kind:ACCOUNT_COMPROMISED recipients:[map[role:ADDRESSEE unit:lai-chau/so-vhttdl] map[role:INFORMATION unit:lai-chau] map[role:INFORMATION unit:lai-chau/tan-uyen]]] ` +
		`map[kind:IMPERSONATION recipients:[map[role:ADDRESSEE unit:lai-chau/tan-uyen] map[role:COORDINATION unit:lai-chau/so-vhttdl] map[role:COORDINATION unit:lai-chau]]]]]`
	if len(calls) != 1 || calls[0].Op != "UpdateUnit" || calls[0].Vars["id"] != id || fmt.Sprint(calls[0].Vars["input"]) != want || calls[0].Vars["reason"] != "Công văn 12/UBND-VP" {
		t.Errorf("updateUnit got %+v\nwant input %s", calls, want)
	}
	wantBody(t, c.get("/admin/units/edit?id="+id), http.StatusOK, "Đã lưu nơi nhận theo loại vụ việc của UBND xã Trung Đồng.")

	// No addressee anywhere: the routes are removed ([]).
	clear := url.Values{"id": {id}, "reason": {"Bỏ tuyến riêng"}}
	wantRedirect(t, c.post("/admin/units/routes", clear), http.StatusSeeOther, "/admin/units/edit?id=lai-chau%2Ftan-uyen%2Fxa-trung-dong#")
	if calls = f.mutations(); len(calls) != 1 {
		t.Fatalf("removing the routes sent %+v", calls)
	}
	if b, _ := json.Marshal(calls[0].Vars["input"]); string(b) != `{"escalationRoutes":[]}` {
		t.Errorf("removing the routes sent input %s", b)
	}
}

package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Users' e-mail addresses on the admin pages: the list's create form
// sends an optional address (a bad one is refused before the API); a
// user's page shows the address and sets or removes it with a reason
// through setUserEmail; the admin log says the change in words.
func TestAdminUserEmail(t *testing.T) {
	d, f := adminDesk(t)
	f.users = adminUsers()
	f.users[0]["email"] = "hung.nv@tanuyen.example"
	f.users[1]["email"] = nil
	c := d.loggedIn("admin1")

	r := c.get("/admin/users")
	wantBody(t, r, http.StatusOK, `id="create-email"`, `type="email"`, "Thư điện tử")
	r = c.post("/admin/users", url.Values{"username": {"handler7"}, "name": {"Lò Văn Bảy"}, "email": {"bay@"}, "reason": {"Cán bộ mới"}})
	wantBody(t, r, http.StatusBadRequest, `id="create-email-error">Thư điện tử: không phải địa chỉ thư điện tử hợp lệ`)
	if calls := f.mutations(); len(calls) != 0 {
		t.Errorf("a bad address reached the API: %+v", calls)
	}
	r = c.post("/admin/users", url.Values{"username": {"handler7"}, "name": {"Lò Văn Bảy"}, "email": {" bay.lv@tanuyen.example "}, "reason": {"Cán bộ mới"}})
	wantRedirect(t, r, http.StatusSeeOther, "/admin/users/edit?username=handler7#")
	calls := f.mutations()
	if len(calls) != 1 || calls[0].Op != "CreateUser" || calls[0].Vars["email"] != "bay.lv@tanuyen.example" {
		t.Errorf("createUser got %+v", calls)
	}
	// Without an address, none is sent.
	c.post("/admin/users", url.Values{"username": {"handler8"}, "name": {"Lò Văn Tám"}, "reason": {"Cán bộ mới"}})
	if calls := f.mutations(); len(calls) != 1 || calls[0].Vars["email"] != nil {
		t.Errorf("createUser without an address got %+v", calls)
	}

	r = c.get("/admin/users/edit?username=handler1")
	wantBody(t, r, http.StatusOK, `<dd id="user-email">hung.nv@tanuyen.example</dd>`, `action="/admin/users/email#email"`,
		`id="email-email" name="email" type="email" value="hung.nv@tanuyen.example"`)
	checkAdminPage(t, "user with an address", r)
	wantBody(t, c.get("/admin/users/edit?username=handler9"), http.StatusOK, `<dd id="user-email"><span class="muted">Chưa có</span></dd>`)

	r = c.post("/admin/users/email", url.Values{"username": {"handler1"}, "email": {"hung@@x"}, "reason": {""}})
	wantBody(t, r, http.StatusBadRequest, `id="email-email-error"`, `id="email-reason-error"`)
	f.refuse = &[2]string{"BAD_USER_INPUT", "email"}
	r = c.post("/admin/users/email", url.Values{"username": {"handler1"}, "email": {"hung.moi@tanuyen.example"}, "reason": {"Đổi hộp thư"}})
	wantBody(t, r, http.StatusBadRequest, `id="email-email-error">Thư điện tử: giá trị chưa hợp lệ.`)
	f.mutations()
	r = c.post("/admin/users/email", url.Values{"username": {"handler1"}, "email": {"hung.moi@tanuyen.example"}, "reason": {"Đổi hộp thư"}})
	wantRedirect(t, r, http.StatusSeeOther, "/admin/users/edit?username=handler1#")
	wantBody(t, c.get("/admin/users/edit?username=handler1"), http.StatusOK, "Đã lưu địa chỉ thư điện tử của handler1.")
	r = c.post("/admin/users/email", url.Values{"username": {"handler1"}, "email": {""}, "reason": {"Chuyển công tác"}})
	wantRedirect(t, r, http.StatusSeeOther, "/admin/users/edit?username=handler1#")
	wantBody(t, c.get("/admin/users/edit?username=handler1"), http.StatusOK, "Đã xóa địa chỉ thư điện tử của handler1.")
	calls = f.mutations()
	if len(calls) != 2 || calls[0].Op != "SetUserEmail" || calls[0].Vars["email"] != "hung.moi@tanuyen.example" ||
		calls[0].Vars["reason"] != "Đổi hộp thư" || calls[1].Vars["email"] != "" {
		t.Errorf("setUserEmail got %+v", calls)
	}

	// The admin log.
	f.history = []map[string]any{
		{"version": 1, "type": "UserEmailChanged", "actor": "admin1", "reason": "Đổi hộp thư", "occurredAt": "2026-12-02T01:15:00Z",
			"data": `{"username":"handler1","email":"hung.moi@tanuyen.example"}`},
		{"version": 2, "type": "UserEmailChanged", "actor": "admin1", "reason": "Chuyển công tác", "occurredAt": "2026-12-02T02:15:00Z",
			"data": `{"username":"handler1"}`},
	}
	r = d.loggedIn("auditor1").get("/admin/history")
	wantBody(t, r, http.StatusOK, "Đặt địa chỉ thư điện tử của", "hung.moi@tanuyen.example", "Xóa địa chỉ thư điện tử của")
	if strings.Contains(r.body, "Thay đổi quản trị khác") {
		t.Error("the log does not know UserEmailChanged")
	}
}

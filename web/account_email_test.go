package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A user's own address on the account page: shown (or "none"), a bad one
// refused before the API with what was typed kept, the same one refused as
// no change, a good one sent through setUserEmail on the user themself
// without a reason, an empty one removing it; a refusal of the API is said
// under the field; a user who must change the password sees no e-mail form
// and cannot post one.
func TestOwnEmail(t *testing.T) {
	d, f := adminDesk(t)
	c := d.loggedIn("handler1")

	r := c.get("/password")
	wantBody(t, r, http.StatusOK, `<h1 class="narrow-title">Tài khoản của tôi</h1>`, `<h2 id="password-title">Đổi mật khẩu</h2>`,
		`id="own-email"><span class="muted">Chưa có: thông báo chỉ hiện trong mục Thông báo.</span>`,
		`action="/password/email#email"`, `id="email-address" name="email" type="email"`, `href="/password" aria-current="page">Tài khoản</a>`)

	r = c.post("/password/email", url.Values{"email": {" "}})
	wantBody(t, r, http.StatusBadRequest, `id="email-error">Bạn chưa có địa chỉ nào: hãy nhập một địa chỉ.`)
	r = c.post("/password/email", url.Values{"email": {"hung@@tanuyen"}})
	wantBody(t, r, http.StatusBadRequest, `id="email-error">Thư điện tử: không phải địa chỉ thư điện tử hợp lệ`, `value="hung@@tanuyen"`, `aria-invalid="true"`)
	if calls := f.mutations(); len(calls) != 0 {
		t.Errorf("a bad address reached the API: %+v", calls)
	}

	r = c.post("/password/email", url.Values{"email": {" hung.nv@tanuyen.example "}})
	wantRedirect(t, r, http.StatusSeeOther, "/password#email")
	calls := f.mutations()
	if len(calls) != 1 || calls[0].Op != "SetUserEmail" || calls[0].Vars["username"] != "handler1" ||
		calls[0].Vars["email"] != "hung.nv@tanuyen.example" || calls[0].Vars["reason"] != nil {
		t.Fatalf("setUserEmail got %+v", calls)
	}
	// The API stores it where the page reads it (the fake does not).
	if err := d.h.Users().SetEmail(context.Background(), "handler1", "hung.nv@tanuyen.example"); err != nil {
		t.Fatal(err)
	}
	r = c.get("/password")
	wantBody(t, r, http.StatusOK, "Đã lưu địa chỉ thư điện tử của bạn.", `<dd id="own-email">hung.nv@tanuyen.example</dd>`,
		`value="hung.nv@tanuyen.example"`)

	r = c.post("/password/email", url.Values{"email": {"hung.nv@tanuyen.example"}})
	wantBody(t, r, http.StatusBadRequest, `id="email-error">Chưa có gì thay đổi: đây là địa chỉ đang dùng.`)
	f.refuse = &[2]string{"FORBIDDEN", ""}
	r = c.post("/password/email", url.Values{"email": {"hung.moi@tanuyen.example"}})
	wantBody(t, r, http.StatusForbidden, `id="email-error">Chưa lưu được: `, `value="hung.moi@tanuyen.example"`)
	f.refuse = nil
	f.mutations()

	r = c.post("/password/email", url.Values{"email": {""}})
	wantRedirect(t, r, http.StatusSeeOther, "/password#email")
	if calls := f.mutations(); len(calls) != 1 || calls[0].Vars["email"] != "" {
		t.Errorf("removing the address sent %+v", calls)
	}
	wantBody(t, c.get("/password"), http.StatusOK, "Đã xóa địa chỉ thư điện tử của bạn")

	// A user who must change the password first: no e-mail form, and a
	// post is sent back to the password form.
	d.addUser("reporter9", "Lò Thị Chín", goodPassword, true)
	m := d.client()
	wantRedirect(t, m.login("reporter9", goodPassword), http.StatusSeeOther, "/password")
	r = m.get("/password")
	wantBody(t, r, http.StatusOK, "Bạn cần đổi mật khẩu trước khi tiếp tục.")
	if strings.Contains(r.body, `action="/password/email`) {
		t.Error("the e-mail form is offered before the password is changed")
	}
	wantRedirect(t, m.post("/password/email", url.Values{"email": {"chin@tanuyen.example"}}), http.StatusSeeOther, "/password")
	if calls := f.mutations(); len(calls) != 0 {
		t.Errorf("a user who must change the password set an address: %+v", calls)
	}
}

package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"casetrail/incident"
)

// adminUsersQuery asks for the units (the filter, the grants' choices)
// and the users the admin manages: those holding a grant within the
// admin's units (or within unit), and those with none.
const adminUsersQuery = `query AdminUsers($unit: ID) {
  units { ` + adminUnitFields + ` }
  users(unit: $unit) { ` + adminUserFields + ` }
}`

// adminUserFields are the fields of adminUser.
const adminUserFields = `username name email disabled mustChangePassword grants { role unit { id name } }`

// createUserMutation adds a user, who gets a one-time password.
const createUserMutation = `mutation CreateUser($username: String!, $name: String!, $email: String, $reason: String!) {
  createUser(username: $username, name: $name, email: $email, reason: $reason) { user { username name } oneTimePassword }
}`

// adminUser is a user as the admin pages ask for it.
type adminUser struct {
	Username           string  `json:"username"`
	Name               string  `json:"name"`
	Email              string  `json:"email"`
	Disabled           bool    `json:"disabled"`
	MustChangePassword bool    `json:"mustChangePassword"`
	Grants             []grant `json:"grants"`
}

// userRow is a user in the list, in words.
type userRow struct {
	Username, Name, URL string
	Status              []string
	Disabled            bool
	Grants              []string
}

// usersData is the users page's own data.
type usersData struct {
	adminForms
	Rows  []userRow
	Count string
	Error string
	// Unit is the unit filter; Units its choices (the user's).
	Unit  string
	Units []option
	Max   int
}

// userLabels are the user forms' fields and their catalog keys.
var userLabels = map[string]string{
	"username": "admin.user.username", "name": "admin.user.name", "email": "admin.user.email",
	"role": "admin.user.role", "unit": "admin.user.unit", "subject": "admin.user.username",
}

// usersShow is Người dùng: the users and their roles, and the form that
// adds a user.
func (h *Handler) usersShow(w http.ResponseWriter, r *http.Request, u *User) {
	h.usersPage(w, r, u, http.StatusOK, nil)
}

func (h *Handler) usersPage(w http.ResponseWriter, r *http.Request, u *User, status int, form *adminForm) {
	pg, ok := h.adminFrame(w, r, u, "users", "admin.users.title")
	if !ok {
		return
	}
	p := pg.P
	unit := r.URL.Query().Get("unit")
	d := usersData{adminForms: newAdminForms(p, form), Unit: unit, Max: MaxDisplayName}
	vars := map[string]any{}
	if unit != "" {
		vars["unit"] = unit
	}
	var out struct {
		Units []adminUnit `json:"units"`
		Users []adminUser `json:"users"`
	}
	if ae := h.run(r.Context(), u, adminUsersQuery, vars, &out); ae != nil {
		if ae.Code == incident.CodeForbidden && unit == "" {
			h.adminLoadFailed(w, r, pg, ae, "admin.forbidden", "")
			return
		}
		d.Error = p.T("admin.loadError", p.Code(ae.Code))
	}
	d.Units = adminUnitOptions(p, pg.Viewer, out.Units, true)
	slices.SortFunc(out.Users, func(a, b adminUser) int { return strings.Compare(a.Username, b.Username) })
	for _, x := range out.Users {
		d.Rows = append(d.Rows, userRowOf(p, x))
	}
	d.Count = p.T("admin.users.count", p.Number(len(d.Rows)))
	pg.Data = d
	pg.Path = "/admin/users"
	if unit != "" {
		pg.Path += "?" + url.Values{"unit": {unit}}.Encode()
	}
	h.render(w, r, status, "admin_users", pg)
}

// userRowOf tells x as a row of the list.
func userRowOf(p *Printer, x adminUser) userRow {
	row := userRow{Username: x.Username, Name: x.Name, URL: userURL(x.Username), Disabled: x.Disabled}
	row.Status = userStatus(p, x)
	for _, g := range x.Grants {
		row.Grants = append(row.Grants, p.T("admin.users.grantOn", p.Role(g.Role), g.Unit.Name))
	}
	return row
}

// userStatus says whether x may log in and must change the password.
func userStatus(p *Printer, x adminUser) []string {
	out := []string{p.T("admin.users.active")}
	if x.Disabled {
		out[0] = p.T("admin.users.disabled")
	}
	if x.MustChangePassword {
		out = append(out, p.T("admin.users.mustChange"))
	}
	return out
}

// userURL is the page of user username.
func userURL(username string) string {
	return "/admin/users/edit?" + url.Values{"username": {username}}.Encode()
}

// keyOneTime holds the one-time password of a user just created or
// reset, until the next page (the user's) shows it once.
const keyOneTime = "admin_otp"

// oneTime is a one-time password to show once.
type oneTime struct {
	Username string `json:"u"`
	Password string `json:"p"`
}

// keepOneTime puts the password to show on the next page in the session.
func (h *Handler) keepOneTime(r *http.Request, username, password string) {
	b, _ := json.Marshal(oneTime{Username: username, Password: password})
	h.sessions.Put(r.Context(), keyOneTime, b)
}

// popOneTime takes the password kept for username out of the session;
// whatever it held is gone after this.
func (h *Handler) popOneTime(r *http.Request, username string) string {
	b := h.sessions.PopBytes(r.Context(), keyOneTime)
	var o oneTime
	if len(b) == 0 || json.Unmarshal(b, &o) != nil || o.Username != username {
		return ""
	}
	return o.Password
}

// userCreate adds the user of the form (POST /admin/users) and opens the
// user's page, which shows the one-time password once.
func (h *Handler) userCreate(w http.ResponseWriter, r *http.Request, u *User) {
	f, ok := readAdminForm(w, r, "create")
	if !ok {
		h.renderError(w, r, http.StatusBadRequest, "error.badForm")
		return
	}
	f.values.Set("username", strings.ToLower(f.V("username")))
	f.need("username", "admin.user.username", 64)
	if v := f.V("username"); v != "" && !ValidUsername(v) {
		f.errs["username"] = f.p.T("admin.err.invalid", f.p.T("admin.user.username"))
	}
	f.need("name", "admin.user.name", MaxDisplayName)
	f.checkEmail()
	f.needReason()
	if !f.checked() {
		h.usersPage(w, r, u, http.StatusBadRequest, f)
		return
	}
	var out struct {
		CreateUser struct {
			User struct {
				Username string `json:"username"`
				Name     string `json:"name"`
			} `json:"user"`
			OneTimePassword string `json:"oneTimePassword"`
		} `json:"createUser"`
	}
	vars := map[string]any{"username": f.V("username"), "name": f.V("name"), "reason": f.V("reason")}
	if e := f.V("email"); e != "" {
		vars["email"] = e
	}
	if ae := h.run(r.Context(), u, createUserMutation, vars, &out); ae != nil {
		h.log.Info("admin: create user refused", "user", u.Username, "username", f.V("username"), "code", ae.Code, "field", ae.Field)
		h.usersPage(w, r, u, f.refused(ae, userLabels), f)
		return
	}
	c := out.CreateUser
	h.log.Info("admin: user created", "user", u.Username, "username", c.User.Username)
	h.keepOneTime(r, c.User.Username, c.OneTimePassword)
	h.adminDone(w, r, userURL(c.User.Username), "admin.users.created", c.User.Username)
}

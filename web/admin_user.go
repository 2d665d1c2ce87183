package web

import (
	"net/http"
	"strconv"

	"casetrail/incident"
)

// adminUserQuery asks for one user and the units (the grant's choices).
const adminUserQuery = `query AdminUser($username: String!) {
  units { ` + adminUnitFields + ` }
  user(username: $username) { ` + adminUserFields + ` }
}`

// The mutations of a user's page.
const (
	resetPasswordMutation = `mutation ResetPassword($username: String!, $reason: String!) {
  resetPassword(username: $username, reason: $reason) { user { username } oneTimePassword }
}`
	setUserDisabledMutation = `mutation SetUserDisabled($username: String!, $disabled: Boolean!, $reason: String!) {
  setUserDisabled(username: $username, disabled: $disabled, reason: $reason) { username disabled }
}`
	grantRoleMutation = `mutation GrantRole($subject: String!, $role: Role!, $unit: ID!, $reason: String!) {
  grantRole(subject: $subject, role: $role, unit: $unit, reason: $reason) { username }
}`
	setUserEmailMutation = `mutation SetUserEmail($username: String!, $email: String!, $reason: String) {
  setUserEmail(username: $username, email: $email, reason: $reason) { username email }
}`
	revokeRoleMutation = `mutation RevokeRole($subject: String!, $role: Role!, $unit: ID!, $reason: String!) {
  revokeRole(subject: $subject, role: $role, unit: $unit, reason: $reason) { username }
}`
)

// grantableRoles are the roles a grant may give (the contract's Role; a
// test keeps it equal to the API's list).
var grantableRoles = []string{"REPORTER", "HANDLER", "LEADER", "AUDITOR", "ADMIN", "CLERK"}

// userGrant is a grant of the user's page with its revoke form.
type userGrant struct {
	Role, RoleName, Unit, UnitName string
	// Form names its revoke form ("revoke-N": N is its place in the list).
	Form string
	N    int
}

// userData is the page of one user.
type userData struct {
	adminForms
	User   adminUser
	Status []string
	Grants []userGrant
	// OneTime is the password just given, shown this once.
	OneTime string
	Roles   []option
	Units   []option
}

// userShow is the page of one user, GET /admin/users/edit?username=….
func (h *Handler) userShow(w http.ResponseWriter, r *http.Request, u *User) {
	username := r.URL.Query().Get("username")
	h.userPage(w, r, u, username, h.popOneTime(r, username), http.StatusOK, nil)
}

// userPage shows username's page with status; oneTime is a password to
// show, form the form the user sent (nil: none).
func (h *Handler) userPage(w http.ResponseWriter, r *http.Request, u *User, username, oneTime string, status int, form *adminForm) {
	pg, ok := h.adminFrame(w, r, u, "users", "admin.users.title")
	if !ok {
		return
	}
	p := pg.P
	var out struct {
		Units []adminUnit `json:"units"`
		User  *adminUser  `json:"user"`
	}
	if username == "" {
		h.adminLoadFailed(w, r, pg, &apiError{Code: incident.CodeNotFound}, "", "admin.users.notFound")
		return
	}
	if ae := h.run(r.Context(), u, adminUserQuery, map[string]any{"username": username}, &out); ae != nil {
		h.adminLoadFailed(w, r, pg, ae, "admin.forbidden", "admin.users.notFound")
		return
	}
	if out.User == nil {
		h.adminLoadFailed(w, r, pg, &apiError{Code: incident.CodeNotFound}, "", "admin.users.notFound")
		return
	}
	x := *out.User
	pg.Title = p.T("admin.users.pageTitle", x.Username)
	pg.Path = userURL(x.Username)
	d := userData{adminForms: newAdminForms(p, form), User: x, Status: userStatus(p, x), OneTime: oneTime,
		Units: adminUnitOptions(p, pg.Viewer, out.Units, true)}
	for _, role := range grantableRoles {
		d.Roles = append(d.Roles, option{Value: role, Label: p.Role(role)})
	}
	for i, g := range x.Grants {
		d.Grants = append(d.Grants, userGrant{Role: g.Role, RoleName: p.Role(g.Role), Unit: g.Unit.ID, UnitName: g.Unit.Name,
			Form: "revoke-" + strconv.Itoa(i), N: i})
	}
	pg.Data = d
	h.render(w, r, status, "admin_user", pg)
}

// userAction runs one of the forms of a user's page: POST
// /admin/users/{action} with reset, disabled, grant, revoke or email.
func (h *Handler) userAction(w http.ResponseWriter, r *http.Request, u *User) {
	if !h.adminAllowed(w, r, u) {
		return
	}
	action := r.PathValue("action")
	switch action {
	case "reset", "disabled", "grant", "revoke", "email":
	default:
		h.notFound(w, r)
		return
	}
	f, ok := readAdminForm(w, r, action)
	if !ok {
		h.renderError(w, r, http.StatusBadRequest, "error.badForm")
		return
	}
	username := f.V("username")
	if action == "revoke" {
		// The revoke forms are one per grant: the page shows again the
		// one that was sent.
		f.name = "revoke-" + strconv.Itoa(max(0, atoiOr(f.V("form"), 0)))
	}
	p := f.p
	f.needReason()
	vars := map[string]any{"reason": f.V("reason")}
	var doc, doneKey string
	var args []string
	switch action {
	case "reset":
		doc, doneKey, args = resetPasswordMutation, "admin.users.resetDone", []string{username}
		vars["username"] = username
	case "email":
		f.checkEmail()
		doc, doneKey, args = setUserEmailMutation, "admin.users.emailDone", []string{username}
		vars["username"], vars["email"] = username, f.V("email")
		if f.V("email") == "" {
			doneKey = "admin.users.emailRemoved"
		}
	case "disabled":
		disabled := f.V("disabled") == "true"
		doc, doneKey, args = setUserDisabledMutation, "admin.users.enabledDone", []string{username}
		if disabled {
			doneKey = "admin.users.disabledDone"
		}
		vars["username"], vars["disabled"] = username, disabled
	case "grant", "revoke":
		roles := make([]option, len(grantableRoles))
		for i, role := range grantableRoles {
			roles[i] = option{Value: role}
		}
		f.oneOf("role", "admin.user.role", true, roles)
		f.need("unit", "admin.user.unit", incident.MaxUnitID)
		doc, doneKey = grantRoleMutation, "admin.users.granted"
		if action == "revoke" {
			doc, doneKey = revokeRoleMutation, "admin.users.revoked"
		}
		vars["subject"], vars["role"], vars["unit"] = username, f.V("role"), f.V("unit")
		args = []string{p.Role(f.V("role")), f.V("unit"), username}
	}
	if !f.checked() {
		h.userPage(w, r, u, username, "", http.StatusBadRequest, f)
		return
	}
	var out struct {
		ResetPassword struct {
			OneTimePassword string `json:"oneTimePassword"`
		} `json:"resetPassword"`
	}
	if ae := h.run(r.Context(), u, doc, vars, &out); ae != nil {
		h.log.Info("admin: user change refused", "user", u.Username, "username", username, "action", action, "code", ae.Code, "field", ae.Field)
		if ae.Code == incident.CodeNotFound && (ae.Field == "" || ae.Field == "username" || ae.Field == "subject") {
			h.adminLoadFailed(w, r, h.frame(r, u, "admin-users", "admin.users.title"), ae, "admin.forbidden", "admin.users.notFound")
			return
		}
		h.userPage(w, r, u, username, "", f.refused(ae, userLabels), f)
		return
	}
	h.log.Info("admin: user changed", "user", u.Username, "username", username, "action", action)
	if action == "reset" {
		h.keepOneTime(r, username, out.ResetPassword.OneTimePassword)
	}
	if action == "grant" || action == "revoke" {
		args[1] = h.unitName(r, u, f.V("unit"))
	}
	h.adminDone(w, r, userURL(username), doneKey, args...)
}

// unitName returns the name of unit id ("" → id) as the API gives it.
func (h *Handler) unitName(r *http.Request, u *User, id string) string {
	units, ae := h.adminUnits(r, u)
	if ae != nil {
		return id
	}
	if n := unitNames(units)[id]; n != "" {
		return n
	}
	return id
}

// atoiOr returns s as an int, or def when it is not one.
func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

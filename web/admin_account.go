package web

import (
	"net/http"
	"net/url"
	"slices"

	"casetrail/incident"
)

// adminAccountQuery asks for the whole registry, disabled accounts too:
// the API has no query of one account, and the page finds its own.
const adminAccountQuery = `query AdminAccount {
  officialAccounts(includeDisabled: true) { ` + adminAccountFields + ` }
}`

// The mutations of an account's page.
const (
	updateAccountMutation = `mutation UpdateAccount($id: ID!, $input: OfficialAccountChangeInput!, $reason: String!) {
  updateOfficialAccount(id: $id, input: $input, reason: $reason) { id displayName }
}`
	setAccountVerifiedMutation = `mutation SetAccountVerified($id: ID!, $verified: Boolean!, $reason: String!) {
  setOfficialAccountVerified(id: $id, verified: $verified, reason: $reason) { id displayName verified }
}`
	setAccountDisabledMutation = `mutation SetAccountDisabled($id: ID!, $disabled: Boolean!, $reason: String!) {
  setOfficialAccountDisabled(id: $id, disabled: $disabled, reason: $reason) { id displayName disabled }
}`
)

// accountData is the page of one official account.
type accountData struct {
	adminForms
	Account   adminAccount
	Platform  string
	Platforms []option
}

// accountShow is the page of one account, GET /admin/accounts/edit?id=….
func (h *Handler) accountShow(w http.ResponseWriter, r *http.Request, u *User) {
	h.accountPage(w, r, u, r.URL.Query().Get("id"), http.StatusOK, nil)
}

// account reads account id (nil when the registry has none).
func (h *Handler) account(r *http.Request, u *User, id string) (*adminAccount, *apiError) {
	var out struct {
		Accounts []adminAccount `json:"officialAccounts"`
	}
	if ae := h.run(r.Context(), u, adminAccountQuery, nil, &out); ae != nil {
		return nil, ae
	}
	i := slices.IndexFunc(out.Accounts, func(a adminAccount) bool { return a.ID == id })
	if i < 0 {
		return nil, nil
	}
	return &out.Accounts[i], nil
}

// accountPage shows account id's page with status, form the form sent
// (nil: the edit form as the account is).
func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request, u *User, id string, status int, form *adminForm) {
	pg, ok := h.adminFrame(w, r, u, "accounts", "admin.accounts.title")
	if !ok {
		return
	}
	p := pg.P
	a, ae := h.account(r, u, id)
	if ae == nil && a == nil {
		ae = &apiError{Code: incident.CodeNotFound}
	}
	if ae != nil {
		h.adminLoadFailed(w, r, pg, ae, "admin.forbidden", "admin.accounts.notFound")
		return
	}
	pg.Title = p.T("admin.accounts.pageTitle", a.DisplayName)
	pg.Path = accountURL(a.ID)
	edit := newAdminForm(p, "edit", url.Values{"platform": {a.Platform}, "url": {a.URL}, "displayName": {a.DisplayName}})
	pg.Data = accountData{adminForms: newAdminForms(p, edit, form), Account: *a, Platform: p.Word("platform", a.Platform),
		Platforms: options(p, "platform", incident.Platforms)}
	h.render(w, r, status, "admin_account", pg)
}

// accountAction runs one of the forms of an account's page: POST
// /admin/accounts/{action} with edit, verified or disabled.
func (h *Handler) accountAction(w http.ResponseWriter, r *http.Request, u *User) {
	if !h.adminAllowed(w, r, u) {
		return
	}
	action := r.PathValue("action")
	switch action {
	case "edit", "verified", "disabled":
	default:
		h.notFound(w, r)
		return
	}
	f, ok := readAdminForm(w, r, action)
	if !ok {
		h.renderError(w, r, http.StatusBadRequest, "error.badForm")
		return
	}
	id := f.V("id")
	a, ae := h.account(r, u, id)
	if ae == nil && a == nil {
		ae = &apiError{Code: incident.CodeNotFound}
	}
	if ae != nil {
		h.adminLoadFailed(w, r, h.frame(r, u, "admin-accounts", "admin.accounts.title"), ae, "admin.forbidden", "admin.accounts.notFound")
		return
	}
	f.needReason()
	vars := map[string]any{"id": id, "reason": f.V("reason")}
	var doc, doneKey string
	switch action {
	case "edit":
		f.oneOf("platform", "admin.account.platform", true, options(f.p, "platform", incident.Platforms))
		f.need("url", "admin.account.url", incident.MaxURL)
		f.need("displayName", "admin.account.displayName", incident.MaxShortText)
		input := map[string]any{}
		for k, was := range map[string]string{"platform": a.Platform, "url": a.URL, "displayName": a.DisplayName} {
			if v := f.V(k); v != was {
				input[k] = v
			}
		}
		if len(input) == 0 && len(f.errs) == 0 {
			f.Alert = f.p.T("admin.units.nothing")
		}
		doc, doneKey, vars["input"] = updateAccountMutation, "admin.accounts.updated", input
	case "verified":
		v := f.V("verified") == "true"
		doc, doneKey, vars["verified"] = setAccountVerifiedMutation, "admin.accounts.unverifiedDone", v
		if v {
			doneKey = "admin.accounts.verifiedDone"
		}
	case "disabled":
		v := f.V("disabled") == "true"
		doc, doneKey, vars["disabled"] = setAccountDisabledMutation, "admin.accounts.enabledDone", v
		if v {
			doneKey = "admin.accounts.disabledDone"
		}
	}
	if f.Alert != "" || !f.checked() {
		h.accountPage(w, r, u, id, http.StatusBadRequest, f)
		return
	}
	if ae := h.run(r.Context(), u, doc, vars, nil); ae != nil {
		h.log.Info("admin: account change refused", "user", u.Username, "account", id, "action", action, "code", ae.Code, "field", ae.Field)
		h.accountPage(w, r, u, id, f.refused(ae, accountLabels), f)
		return
	}
	h.log.Info("admin: account changed", "user", u.Username, "account", id, "action", action)
	name := a.DisplayName
	if action == "edit" {
		name = f.V("displayName")
	}
	h.adminDone(w, r, accountURL(id), doneKey, name)
}

package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"casetrail/incident"
)

// adminAccountsQuery asks for the units and the registry's accounts of a
// unit (all when none), matching search, disabled ones when asked.
const adminAccountsQuery = `query AdminAccounts($unit: ID, $search: String, $includeDisabled: Boolean) {
  units { ` + adminUnitFields + ` }
  officialAccounts(unit: $unit, search: $search, includeDisabled: $includeDisabled) { ` + adminAccountFields + ` }
}`

// adminAccountFields are the fields of adminAccount.
const adminAccountFields = `id platform url displayName verified disabled unit { id name }`

// registerAccountMutation adds an account to the registry.
const registerAccountMutation = `mutation RegisterAccount($unit: ID!, $platform: Platform!, $url: String!, $displayName: String!, $reason: String) {
  registerOfficialAccount(unit: $unit, platform: $platform, url: $url, displayName: $displayName, reason: $reason) { id displayName }
}`

// maxAccountSearch bounds the search text (characters).
const maxAccountSearch = 200

// adminAccount is an official account as the admin pages ask for it.
type adminAccount struct {
	ID          string  `json:"id"`
	Platform    string  `json:"platform"`
	URL         string  `json:"url"`
	DisplayName string  `json:"displayName"`
	Verified    bool    `json:"verified"`
	Disabled    bool    `json:"disabled"`
	Unit        unitRef `json:"unit"`
}

// accountRow is an account of the list, in words.
type accountRow struct {
	ID, Name, Platform, URL, Unit, EditURL string
	Verified, Disabled                     bool
}

// accountsData is the accounts page's own data.
type accountsData struct {
	adminForms
	Rows  []accountRow
	Count string
	Error string
	// The search form: text, unit, disabled ones too.
	Search, Unit    string
	IncludeDisabled bool
	AllUnits        []option
	// The add form's choices: the user's open units, the platforms.
	Units, Platforms []option
	MaxSearch        int
}

// accountLabels are the account forms' fields and their catalog keys.
var accountLabels = map[string]string{
	"unit": "admin.account.unit", "platform": "admin.account.platform", "url": "admin.account.url",
	"displayName": "admin.account.displayName",
}

// accountsShow is Tài khoản chính thức: the search, the list and the form
// that adds an account.
func (h *Handler) accountsShow(w http.ResponseWriter, r *http.Request, u *User) {
	h.accountsPage(w, r, u, http.StatusOK, nil)
}

func (h *Handler) accountsPage(w http.ResponseWriter, r *http.Request, u *User, status int, form *adminForm) {
	pg, ok := h.adminFrame(w, r, u, "accounts", "admin.accounts.title")
	if !ok {
		return
	}
	p := pg.P
	q := r.URL.Query()
	d := accountsData{adminForms: newAdminForms(p, form), Search: strings.TrimSpace(q.Get("q")), Unit: q.Get("unit"),
		IncludeDisabled: q.Get("disabled") != "", Platforms: options(p, "platform", incident.Platforms), MaxSearch: maxAccountSearch}
	if utf8.RuneCountInString(d.Search) > maxAccountSearch {
		d.Search = string([]rune(d.Search)[:maxAccountSearch])
	}
	vars := map[string]any{"includeDisabled": d.IncludeDisabled}
	if d.Search != "" {
		vars["search"] = d.Search
	}
	if d.Unit != "" {
		vars["unit"] = d.Unit
	}
	var out struct {
		Units    []adminUnit    `json:"units"`
		Accounts []adminAccount `json:"officialAccounts"`
	}
	if ae := h.run(r.Context(), u, adminAccountsQuery, vars, &out); ae != nil {
		d.Error = p.T("admin.loadError", p.Code(ae.Code))
	}
	d.AllUnits = unitOptions(p, out.Units, allRoots(out.Units), true)
	d.Units = adminUnitOptions(p, pg.Viewer, out.Units, false)
	slices.SortStableFunc(out.Accounts, func(a, b adminAccount) int {
		return strings.Compare(strings.ToLower(a.DisplayName), strings.ToLower(b.DisplayName))
	})
	for _, a := range out.Accounts {
		d.Rows = append(d.Rows, accountRow{ID: a.ID, Name: a.DisplayName, Platform: p.Word("platform", a.Platform), URL: a.URL,
			Unit: a.Unit.Name, EditURL: accountURL(a.ID), Verified: a.Verified, Disabled: a.Disabled})
	}
	d.Count = p.T("admin.accounts.count", p.Number(len(d.Rows)))
	pg.Data = d
	pg.Path = r.URL.RequestURI()
	if r.Method != http.MethodGet {
		pg.Path = "/admin/accounts"
	}
	h.render(w, r, status, "admin_accounts", pg)
}

// accountURL is the page of account id.
func accountURL(id string) string {
	return "/admin/accounts/edit?" + url.Values{"id": {id}}.Encode()
}

// accountAdd registers the account of the add form (POST
// /admin/accounts).
func (h *Handler) accountAdd(w http.ResponseWriter, r *http.Request, u *User) {
	f, ok := readAdminForm(w, r, "add")
	if !ok {
		h.renderError(w, r, http.StatusBadRequest, "error.badForm")
		return
	}
	f.need("unit", "admin.account.unit", incident.MaxUnitID)
	f.oneOf("platform", "admin.account.platform", true, options(f.p, "platform", incident.Platforms))
	f.need("url", "admin.account.url", incident.MaxURL)
	f.need("displayName", "admin.account.displayName", incident.MaxShortText)
	f.needReason()
	if !f.checked() {
		h.accountsPage(w, r, u, http.StatusBadRequest, f)
		return
	}
	var out struct {
		Register struct {
			ID          string `json:"id"`
			DisplayName string `json:"displayName"`
		} `json:"registerOfficialAccount"`
	}
	vars := map[string]any{"unit": f.V("unit"), "platform": f.V("platform"), "url": f.V("url"),
		"displayName": f.V("displayName"), "reason": f.V("reason")}
	if ae := h.run(r.Context(), u, registerAccountMutation, vars, &out); ae != nil {
		h.log.Info("admin: register account refused", "user", u.Username, "url", f.V("url"), "code", ae.Code, "field", ae.Field)
		h.accountsPage(w, r, u, f.refused(ae, accountLabels), f)
		return
	}
	h.log.Info("admin: account registered", "user", u.Username, "account", out.Register.ID)
	h.adminDone(w, r, "/admin/accounts", "admin.accounts.added", out.Register.DisplayName)
}

package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"casetrail/incident"
)

// The administration pages (issue 15): Đơn vị (admin_units.go,
// admin_unit.go), Người dùng (admin_users.go, admin_user.go), Tài khoản
// chính thức (admin_accounts.go, admin_account.go) and Nhật ký quản trị
// (admin_history.go). Like every page they read and write through the
// API as the user: the roles below only choose which links to offer and
// which pages to open; what a user may change is the API's answer.
//
// Each page may hold several forms (a user's page: grant, revoke, reset,
// disable). A form is posted to its own action; when the API refuses it,
// its page is shown again with that form as the user filled it and the
// messages next to the fields, every other form empty. Success goes back
// to a page (POST-redirect-GET) with a note saying what was done.

// adminRoles open the administration pages; historyRoles the admin log
// (the API's readAdminHistory: AUDITOR and ADMIN, of every root unit).
var (
	adminRoles   = []string{"ADMIN"}
	historyRoles = []string{"ADMIN", "AUDITOR"}
)

// maxAdminReason is the longest reason of an administrative change, in
// characters (the API's rule: required, trimmed, at most 500).
const maxAdminReason = incident.MaxShortText

// CanAdmin reports whether the navigation offers Quản trị: the user holds
// ADMIN on some unit.
func (v *viewer) CanAdmin() bool {
	return v != nil && v.Code == "" && len(grantUnits(v, adminRoles...)) > 0
}

// CanAdminHistory reports whether the navigation offers the admin log: the
// user holds ADMIN or AUDITOR on some unit (the API then asks for every
// root).
func (v *viewer) CanAdminHistory() bool {
	return v != nil && v.Code == "" && len(grantUnits(v, historyRoles...)) > 0
}

// InAdmin reports whether the page is one of the administration pages
// (Nav "admin-…"), whose tab row the layout shows.
func (pg *page) InAdmin() bool { return strings.HasPrefix(pg.Nav, "admin-") }

// adminForm is one form of an admin page: what the user sent and the
// messages by field, with Alert above the form.
type adminForm struct {
	p *Printer
	// name prefixes the ids of the form's inputs.
	name   string
	values url.Values
	errs   map[string]string
	Alert  string
}

// newAdminForm returns form name holding values (nil: empty).
func newAdminForm(p *Printer, name string, values url.Values) *adminForm {
	if values == nil {
		values = url.Values{}
	}
	return &adminForm{p: p, name: name, values: values, errs: map[string]string{}}
}

// V returns the value the user sent for field.
func (f *adminForm) V(field string) string { return f.values.Get(field) }

// Vs returns every value the user sent for field (a multiple select).
func (f *adminForm) Vs(field string) []string { return f.values[field] }

// E returns the message of field ("" when none).
func (f *adminForm) E(field string) string { return f.errs[field] }

// Failed reports whether the form was refused (its messages are shown).
func (f *adminForm) Failed() bool { return f.Alert != "" || len(f.errs) > 0 }

// ID is the id of field's input.
func (f *adminForm) ID(field string) string { return f.name + "-" + field }

// fieldView is an input of an admin form, as the partial "admin-field"
// shows it: its label and hint, the value sent and the message.
type fieldView struct {
	ID, Name, Label, Hint, Value, Error string
	// Kind is text, url, textarea, select or multi (a multiple select).
	Kind     string
	Required bool
	// Plain asks the browser not to correct the value (ids, usernames).
	Plain   bool
	Max     int
	Options []option
	// Blank is the select's first option (value ""), when it has one.
	Blank string
	// Values are the options chosen in a multiple select.
	Values []string
}

// Selected reports whether a multiple select has v chosen.
func (fv fieldView) Selected(v string) bool { return slices.Contains(fv.Values, v) }

// Text returns the text input field labelled by key; hintKey "" gives
// none; max 0 no limit.
func (f *adminForm) Text(field, key, hintKey string, required bool, max int) fieldView {
	fv := fieldView{ID: f.ID(field), Name: field, Label: f.p.T(key), Value: f.V(field), Error: f.E(field),
		Kind: "text", Required: required, Max: max}
	if hintKey != "" {
		fv.Hint = f.p.T(hintKey)
	}
	return fv
}

// Code returns fv for a value typed as it is (an id, a username): no
// capitals, completion or spelling added by the browser.
func (fv fieldView) Code() fieldView {
	fv.Plain = true
	return fv
}

// URL returns fv as a link input.
func (fv fieldView) URL() fieldView {
	fv.Kind, fv.Plain = "url", true
	return fv
}

// Select returns the select field labelled by key offering opts, with a
// first option of blankKey's words ("" for none).
func (f *adminForm) Select(field, key, hintKey string, required bool, blankKey string, opts []option) fieldView {
	fv := f.Text(field, key, hintKey, required, 0)
	fv.Kind, fv.Options = "select", opts
	if blankKey != "" {
		fv.Blank = f.p.T(blankKey)
	}
	return fv
}

// Multi returns the multiple select field labelled by key offering opts.
func (f *adminForm) Multi(field, key, hintKey string, opts []option) fieldView {
	fv := f.Select(field, key, hintKey, false, "", opts)
	fv.Kind, fv.Values = "multi", f.Vs(field)
	return fv
}

// Reason returns the form's reason field: required, at most
// maxAdminReason characters, kept in the admin log.
func (f *adminForm) Reason() fieldView {
	return fieldView{ID: f.ID("reason"), Name: "reason", Label: f.p.T("admin.reason"), Hint: f.p.T("admin.reasonHint", maxAdminReason),
		Value: f.V("reason"), Error: f.E("reason"), Kind: "textarea", Required: true, Max: maxAdminReason}
}

// adminForms are the forms of a page by name; a form not there is empty.
type adminForms struct {
	p     *Printer
	forms map[string]*adminForm
}

func newAdminForms(p *Printer, fs ...*adminForm) adminForms {
	out := adminForms{p: p, forms: map[string]*adminForm{}}
	for _, f := range fs {
		if f != nil {
			out.forms[f.name] = f
		}
	}
	return out
}

// F returns form name as the user left it, or empty.
func (a adminForms) F(name string) *adminForm {
	if f, ok := a.forms[name]; ok {
		return f
	}
	return newAdminForm(a.p, name, nil)
}

// readAdminForm parses a posted admin form (at most 64 KiB) into the
// form named name, its values trimmed.
func readAdminForm(w http.ResponseWriter, r *http.Request, name string) (*adminForm, bool) {
	if err := parseForm(w, r, 64<<10); err != nil {
		return nil, false
	}
	vals := url.Values{}
	for k, vs := range r.PostForm {
		for _, v := range vs {
			vals.Add(k, strings.TrimSpace(v))
		}
	}
	return newAdminForm(NewPrinter(requestLang(r)), name, vals), true
}

// need checks that field is filled in and at most max characters long
// (0: no limit), labelled by key in its message.
func (f *adminForm) need(field, key string, max int) {
	v := f.V(field)
	switch {
	case v == "":
		f.errs[field] = f.p.T("admin.err.required", f.p.T(key))
	case !utf8.ValidString(v):
		f.errs[field] = f.p.T("admin.err.invalid", f.p.T(key))
	case max > 0 && utf8.RuneCountInString(v) > max:
		f.errs[field] = f.p.T("admin.err.tooLong", f.p.T(key), max)
	}
}

// limit checks that field, when filled in, is at most max characters.
func (f *adminForm) limit(field, key string, max int) {
	if f.V(field) != "" {
		f.need(field, key, max)
	}
}

// oneOf checks that field holds one of opts (or is empty when optional).
func (f *adminForm) oneOf(field, key string, required bool, opts []option) {
	v := f.V(field)
	if v == "" {
		if required {
			f.errs[field] = f.p.T("admin.err.required", f.p.T(key))
		}
		return
	}
	for _, o := range opts {
		if o.Value == v {
			return
		}
	}
	f.errs[field] = f.p.T("admin.err.choose", f.p.T(key))
}

// needReason checks the reason: required, at most maxAdminReason.
func (f *adminForm) needReason() {
	if v := f.V("reason"); v == "" || !utf8.ValidString(v) || utf8.RuneCountInString(v) > maxAdminReason {
		f.errs["reason"] = f.p.T("admin.err.reason", maxAdminReason)
	}
}

// refused records the API's refusal ae on the form: next to the field it
// names when the form has it (labels: the form's fields and their
// catalog keys), else above the form. It returns the HTTP status of the
// page that shows it.
func (f *adminForm) refused(ae *apiError, labels map[string]string) int {
	field := strings.TrimPrefix(ae.Field, "input.")
	key, known := labels[field]
	p := f.p
	switch {
	case field == "reason" && ae.Code == incident.CodeBadUserInput:
		f.errs["reason"] = p.T("admin.err.reason", maxAdminReason)
	case known && ae.Code == incident.CodeBadUserInput:
		f.errs[field] = p.T("admin.err.invalid", p.T(key))
	case known && ae.Code == incident.CodeNotFound:
		f.errs[field] = p.T("admin.err.notFound", p.T(key))
	case known && ae.Code == incident.CodeForbidden:
		f.errs[field] = p.T("admin.err.refused", p.T(key))
	case ae.Code == incident.CodeForbidden || ae.Code == incident.CodeUnauthenticated:
		f.Alert = p.T("admin.refused")
	case ae.Code == incident.CodeConflict:
		f.Alert = p.T("admin.err.conflict")
	default:
		f.Alert = p.T("admin.failed", p.Code(ae.Code))
	}
	if len(f.errs) > 0 && f.Alert == "" {
		f.Alert = p.T("admin.formError")
	}
	return reportStatus(ae.Code)
}

// checked reports whether the form's own checks passed; otherwise it
// says so above the form.
func (f *adminForm) checked() bool {
	if len(f.errs) == 0 {
		return true
	}
	f.Alert = f.p.T("admin.formError")
	return false
}

// adminFrame returns the frame of an admin page (nav "admin-"+tab) and
// whether the user may open it: ADMIN, or for the log ADMIN or AUDITOR.
// A user without the role gets the 403 page here.
func (h *Handler) adminFrame(w http.ResponseWriter, r *http.Request, u *User, tab, titleKey string) (*page, bool) {
	pg := h.frame(r, u, "admin-"+tab, titleKey)
	if tab == "history" {
		if !pg.Viewer.CanAdminHistory() {
			h.refuseRole(w, r, pg, "admin.historyOnly")
			return nil, false
		}
		return pg, true
	}
	if !pg.Viewer.CanAdmin() {
		h.refuseRole(w, r, pg, "admin.forbidden")
		return nil, false
	}
	return pg, true
}

// adminAllowed reports whether u may send the forms of the admin pages
// (ADMIN somewhere); otherwise it answers with the 403 page. The API
// decides every change anyway: this only spares a user without the role
// the lookups a form starts with.
func (h *Handler) adminAllowed(w http.ResponseWriter, r *http.Request, u *User) bool {
	var out struct {
		Me viewer `json:"me"`
	}
	if code := h.query(r.Context(), u, viewerQuery, nil, &out); code == "" && out.Me.CanAdmin() {
		return true
	}
	_, ok := h.adminFrame(w, r, u, "units", "admin.units.title")
	return ok
}

// adminDone notes what was done (key with args) for the next page and
// sends the browser there (303). The forms post to their own anchor (the
// page shown again with their messages opens at the form); the empty
// fragment here opens the next page at its top, where the note is, as
// a redirect keeps the request's fragment when its location has none.
func (h *Handler) adminDone(w http.ResponseWriter, r *http.Request, to, key string, args ...string) {
	h.addNotes(r.Context(), note{Key: key, Args: args})
	http.Redirect(w, r, to+"#", http.StatusSeeOther)
}

// adminLoadFailed answers a page whose data the API refused: FORBIDDEN
// gives the 403 page with forbiddenKey, NOT_FOUND the 404 page with
// notFoundKey ("" for the generic one); anything else the page of the
// error.
func (h *Handler) adminLoadFailed(w http.ResponseWriter, r *http.Request, pg *page, ae *apiError, forbiddenKey, notFoundKey string) {
	switch ae.Code {
	case incident.CodeForbidden, incident.CodeUnauthenticated:
		h.refuseRole(w, r, pg, forbiddenKey)
	case incident.CodeNotFound:
		pg.Title = pg.P.T("error.notFound.title")
		pg.Data = pg.P.T(cmpKey(notFoundKey, "error.notFound.body"))
		h.render(w, r, http.StatusNotFound, "error", pg)
	default:
		pg.Data = pg.P.T("admin.loadError", pg.P.Code(ae.Code))
		h.render(w, r, reportStatus(ae.Code), "error", pg)
	}
}

// cmpKey returns key, or def when key is "".
func cmpKey(key, def string) string {
	if key == "" {
		return def
	}
	return key
}

// adminUnit is a unit as the admin pages ask for it.
type adminUnit struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Symbol      string     `json:"symbol"`
	ClosedAt    *time.Time `json:"closedAt"`
	Parent      *unitRef   `json:"parent"`
	EscalatesTo *unitRef   `json:"escalatesTo"`
	Successor   *unitRef   `json:"successor"`
	// ValidFrom is when the unit came into being, when known.
	ValidFrom *time.Time `json:"validFrom"`
	// EscalationRoutes are the unit's own routes by incident kind (set
	// in the seed file); a kind without one escalates to EscalatesTo.
	EscalationRoutes []adminRoute `json:"escalationRoutes"`
}

// adminRoute is one of a unit's escalation routes: the units a kind's
// escalations go to, the addressee first.
type adminRoute struct {
	Kind       string           `json:"kind"`
	Recipients []routeRecipient `json:"recipients"`
}

// routeRecipient is a unit of a route and what it receives the letter for.
type routeRecipient struct {
	Unit unitRef `json:"unit"`
	Role string  `json:"role"`
}

// adminUnitFields are the fields of adminUnit.
const adminUnitFields = `id name symbol closedAt validFrom parent { id name } escalatesTo { id name } successor { id name }
  escalationRoutes { kind recipients { unit { id name } role } }`

// unitRowsOf returns the units as unitRow (for unitsUnder).
func unitRowsOf(us []adminUnit) []unitRow {
	out := make([]unitRow, len(us))
	for i, u := range us {
		out[i] = unitRow{ID: u.ID, Name: u.Name}
		if u.Parent != nil {
			out[i].Parent = &struct {
				ID string `json:"id"`
			}{u.Parent.ID}
		}
	}
	return out
}

// adminUnitOptions returns the units the viewer administers (the
// subtrees of its ADMIN grants) in tree order, closed ones left out
// unless withClosed.
func adminUnitOptions(p *Printer, v *viewer, units []adminUnit, withClosed bool) []option {
	return unitOptions(p, units, grantUnits(v, adminRoles...), withClosed)
}

// unitOptions returns the units within roots in tree order as options,
// closed ones left out unless withClosed (then marked).
func unitOptions(p *Printer, units []adminUnit, roots []string, withClosed bool) []option {
	closed := map[string]bool{}
	for _, u := range units {
		if u.ClosedAt != nil {
			closed[u.ID] = true
		}
	}
	var out []option
	for _, o := range unitsUnder(unitRowsOf(units), roots) {
		if closed[o.ID] && !withClosed {
			continue
		}
		label := o.Label
		if closed[o.ID] {
			label += " (" + p.T("admin.units.closed") + ")"
		}
		out = append(out, option{Value: o.ID, Label: label})
	}
	return out
}

// allRoots returns the units without a parent.
func allRoots(units []adminUnit) []string {
	var out []string
	for _, u := range units {
		if u.Parent == nil {
			out = append(out, u.ID)
		}
	}
	return out
}

// unitNames returns the names of units by id.
func unitNames(units []adminUnit) map[string]string {
	out := make(map[string]string, len(units))
	for _, u := range units {
		out[u.ID] = u.Name
	}
	return out
}

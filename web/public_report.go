package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"casetrail/incident"
)

// publicConsentVersion names the consent text the form shows
// (public.consent.text): change it with the text, so that each stored
// consent says which text was agreed to.
const publicConsentVersion = "nd13-2023/1"

// publicHoneypot is the form's trap field: hidden from people (CSS, and
// from screen readers), filled only by programs that fill every field.
const publicHoneypot = "extra_info"

// publicKindOrder is the order the kinds are offered in: the most common
// citizens' report first, and chosen at first (a citizen unsure of the
// kind leaves it; the handler reads the report at triage).
var publicKindOrder = []incident.Kind{incident.FalseInformation, incident.Impersonation, incident.AccountCompromised}

// publicForm is the report form as the citizen filled it.
type publicForm struct {
	Unit        string
	Kind        string
	URLs        []string // always incident.MaxPublicURLs rows
	Description string
	Name        string
	Phone       string
	Consent     bool
}

// publicReportPage is Phản ánh của người dân: the form, the units it may
// go to, and the messages by field (unit, kind, urls, url.N, description,
// name, phone, consent; "form" above the form).
type publicReportPage struct {
	Form    publicForm
	Units   []incident.Unit
	Kinds   []publicKind
	Errors  formErrors
	NoUnits bool
	// Limits shown and enforced by the browser too.
	MaxURL, MaxDescription, MaxName int
	Honeypot                        string
	// RetentionDays is how long a contact is kept, in days.
	RetentionDays int
}

// publicKind is one kind offered, in plain words.
type publicKind struct {
	Value, Label, Hint string
}

// URLRows are the form's link rows, numbered for their labels.
func (d *publicReportPage) URLRows() []struct {
	I, N  int
	URL   string
	Error string
} {
	out := make([]struct {
		I, N  int
		URL   string
		Error string
	}, len(d.Form.URLs))
	for i, u := range d.Form.URLs {
		out[i].I, out[i].N, out[i].URL, out[i].Error = i, i+1, u, d.Errors[fmt.Sprintf("url.%d", i)]
	}
	return out
}

// publicReceipt is the answer to a report sent: its tracking code, shown
// this once.
type publicReceipt struct {
	Code      string
	TrackLink string
	// Again: the same report came from this address a moment ago; its
	// code is answered again and nothing new was sent.
	Again bool
}

// publicReportShow is the empty form (GET /public/report); ?url= fills
// the first link (the check page links here for an unknown page).
func (h *Handler) publicReportShow(w http.ResponseWriter, r *http.Request) {
	f := publicForm{Kind: string(incident.FalseInformation), URLs: make([]string, incident.MaxPublicURLs)}
	if u := strings.TrimSpace(r.URL.Query().Get("url")); len(u) <= incident.MaxURL {
		f.URLs[0] = u
	}
	h.publicReportForm(w, r, http.StatusOK, f, formErrors{})
}

// publicReportForm renders the form with errs.
func (h *Handler) publicReportForm(w http.ResponseWriter, r *http.Request, status int, f publicForm, errs formErrors) {
	p := NewPrinter(requestLang(r))
	units, err := h.o.Public.ReportUnits(r.Context())
	if err != nil {
		h.fail(w, r, fmt.Errorf("public report units: %w", err))
		return
	}
	d := &publicReportPage{Form: f, Units: units, Errors: errs, NoUnits: len(units) == 0,
		MaxURL: incident.MaxURL, MaxDescription: incident.MaxPublicDescription, MaxName: incident.MaxPublicName, Honeypot: publicHoneypot,
		RetentionDays: int(math.Ceil(h.o.Public.ContactRetention().Hours() / 24))}
	if len(units) == 1 && d.Form.Unit == "" {
		d.Form.Unit = units[0].ID
	}
	for _, k := range publicKindOrder {
		d.Kinds = append(d.Kinds, publicKind{Value: string(k), Label: p.T("public.kind." + string(k)), Hint: p.T("public.kindHint." + string(k))})
	}
	h.render(w, r, status, "public_report", &page{P: p, Title: p.T("public.report.title"), Nav: "report", Data: d})
}

// urlField matches the form's link inputs: url.0 … url.4.
var urlField = regexp.MustCompile(`^urls\[([0-9]+)\]$`)

// publicReportSave takes a report in (POST /public/report) and answers
// with its tracking code. A filled honeypot is answered like a success,
// with a code that tracks nothing, and logged; nothing is sent.
func (h *Handler) publicReportSave(w http.ResponseWriter, r *http.Request) {
	p := NewPrinter(requestLang(r))
	if err := parseForm(w, r, maxPublicForm); err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			h.publicRefuse(w, r, http.StatusRequestEntityTooLarge, incident.CodeBadUserInput, p.T("public.err.tooLarge"), 0)
			return
		}
		h.renderError(w, r, http.StatusBadRequest, "error.badForm")
		return
	}
	v := r.PostForm
	client := h.publicClient(r)
	if strings.TrimSpace(v.Get(publicHoneypot)) != "" {
		h.log.Warn("public report: honeypot filled; answered as a success, nothing created", "client", client.String())
		h.publicReceiptShow(w, r, publicReceipt{Code: incident.NewTrackingCode()})
		return
	}
	f := publicForm{
		Unit: strings.TrimSpace(v.Get("unit")), Kind: v.Get("kind"), URLs: make([]string, incident.MaxPublicURLs),
		Description: v.Get("description"), Name: v.Get("name"), Phone: v.Get("phone"), Consent: v.Get("consent") != "",
	}
	var rows []int // the form row of each link sent
	for i := range f.URLs {
		f.URLs[i] = strings.TrimSpace(v.Get("url." + strconv.Itoa(i)))
		if f.URLs[i] != "" {
			rows = append(rows, i)
		}
	}
	rep := incident.PublicReport{Unit: f.Unit, Kind: incident.Kind(f.Kind), Description: f.Description, Name: f.Name,
		Phone: f.Phone, Consent: f.Consent, ConsentVersion: publicConsentVersion}
	for _, i := range rows {
		rep.URLs = append(rep.URLs, f.URLs[i])
	}
	errs := formErrors{}
	if _, problems := incident.PublicReportProblems(rep); len(problems) > 0 {
		for _, e := range problems {
			h.publicFieldError(p, errs, e.Field, rows)
		}
		errs["form"] = p.T("public.err.form")
		h.publicReportForm(w, r, http.StatusBadRequest, f, errs)
		return
	}
	code, again, err := h.o.Public.Report(r.Context(), rep, client.String())
	var de *incident.Error
	switch {
	case err == nil:
		h.publicReceiptShow(w, r, publicReceipt{Code: code, Again: again})
	case errors.As(err, &de) && de.Code == incident.CodeBadUserInput:
		h.publicFieldError(p, errs, de.Field, rows)
		errs["form"] = p.T("public.err.form")
		h.publicReportForm(w, r, http.StatusBadRequest, f, errs)
	default:
		h.log.Error("public report", "err", err)
		errs["form"] = p.T("public.err.failed")
		h.publicReportForm(w, r, http.StatusInternalServerError, f, errs)
	}
}

// publicFieldError puts the message of the problem on field (as
// incident.PublicReportProblems names it) into errs; rows maps the i-th
// link sent to its form row.
func (h *Handler) publicFieldError(p *Printer, errs formErrors, field string, rows []int) {
	if m := urlField.FindStringSubmatch(field); m != nil {
		i, _ := strconv.Atoi(m[1])
		if i < len(rows) {
			errs[fmt.Sprintf("url.%d", rows[i])] = p.T("public.err.url", incident.MaxURL)
			return
		}
		field = "urls"
	}
	switch field {
	case "unit":
		errs[field] = p.T("public.err.unit")
	case "kind":
		errs[field] = p.T("public.err.kind")
	case "urls":
		errs[field] = p.T("public.err.urls", incident.MaxPublicURLs)
	case "description":
		errs[field] = p.T("public.err.description", incident.MaxPublicDescription)
	case "name":
		errs[field] = p.T("public.err.name", incident.MaxPublicName)
	case "phone":
		errs[field] = p.T("public.err.phone")
	case "consent":
		errs[field] = p.T("public.err.consent")
	default:
		errs["form"] = p.T("public.err.form")
	}
}

// publicReceiptShow answers a report sent with its code, shown once.
func (h *Handler) publicReceiptShow(w http.ResponseWriter, r *http.Request, rc publicReceipt) {
	p := NewPrinter(requestLang(r))
	rc.TrackLink = "/public/track?" + url.Values{"code": {incident.FormatTrackingCode(rc.Code)}}.Encode()
	rc.Code = incident.FormatTrackingCode(rc.Code)
	h.render(w, r, http.StatusOK, "public_receipt", &page{P: p, Title: p.T("public.receipt.title"), Nav: "report", Path: "/public/report", Data: rc})
}

package web

import (
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"casetrail/incident"
)

// caseAction runs the command of one of the case page's forms, POST
// /cases/{id}/{action}, through the API as the user: the page's version
// goes as expectedVersion and the form's key as the idempotency key, so a
// stale page is refused (CONFLICT) and a double submit runs once. Success
// goes back to the case page; a refusal shows the page again with the
// form, what the user typed and the message next to the field it is
// about. Nothing is decided here: the API's rules and checks answer.
func (h *Handler) caseAction(w http.ResponseWriter, r *http.Request, u *User) {
	id, action := r.PathValue("id"), r.PathValue("action")
	spec, ok := actionSpecs[action]
	if !ok {
		h.notFound(w, r)
		return
	}
	limit := int64(256 << 10)
	if spec.multipart {
		limit = incident.MaxEvidence + 1<<20
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var err error
	if spec.multipart {
		err = r.ParseMultipartForm(2 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) && spec.multipart {
			p := NewPrinter(requestLang(r))
			h.caseActionRefused(w, r, u, spec, http.StatusRequestEntityTooLarge, url.Values{},
				map[string]string{"file": p.T("rule.fileTooLarge", p.T("field.file"))}, "", false)
			return
		}
		h.renderError(w, r, http.StatusBadRequest, "error.badForm")
		return
	}
	form := r.PostForm
	p := NewPrinter(requestLang(r))
	vars, fieldErrs, ok := h.actionVars(r, p, spec, id, form)
	if !ok {
		h.renderError(w, r, http.StatusBadRequest, "error.badForm")
		return
	}
	if len(fieldErrs) > 0 {
		h.caseActionRefused(w, r, u, spec, http.StatusBadRequest, form, fieldErrs, "", false)
		return
	}
	ctx := r.Context()
	if key := form.Get("key"); validKey(key) {
		ctx = h.withIdempotencyKey(ctx, key)
	}
	errs := h.exec(ctx, u, spec.doc, vars, nil)
	if len(errs) == 0 {
		h.log.Info("case action", "user", u.Username, "case", id, "action", action)
		h.sessions.Put(r.Context(), keyFlash, "done."+action)
		http.Redirect(w, r, "/cases/"+url.PathEscape(id), http.StatusSeeOther)
		return
	}
	e := errs[0]
	h.log.Info("case action refused", "user", u.Username, "case", id, "action", action, "code", e.Code, "field", e.Field)
	title := p.T("action." + action)
	if e.Code == incident.CodeNotFound && action == incident.CmdRecordTakedownResponse {
		// The takedown chosen is not the case's (the form offers only
		// those a response may be recorded for).
		e = gqlError{Code: incident.CodeBadUserInput, Field: "takedownId", Message: "unknown takedown"}
	}
	switch e.Code {
	case incident.CodeForbidden, incident.CodeUnauthenticated:
		h.caseRefusedSaying(w, r, u, incident.CodeForbidden, "case.refused.action")
	case incident.CodeBadUserInput:
		if f := fieldOf(spec, e.Field, e.Message); f != "" {
			h.caseActionRefused(w, r, u, spec, http.StatusBadRequest, form, map[string]string{f: ruleText(p, spec, f, e.Message)}, "", false)
			return
		}
		h.caseActionRefused(w, r, u, spec, http.StatusBadRequest, form, nil, p.T("case.actionFailed", title, p.Code(e.Code)), false)
	case incident.CodeConflict:
		h.caseActionRefused(w, r, u, spec, http.StatusConflict, form, nil, p.T("case.conflict"), true)
	case incident.CodeInvalidTransition:
		h.caseActionRefused(w, r, u, spec, http.StatusConflict, form, nil, "", false)
	case codeRateLimited:
		h.caseActionRefused(w, r, u, spec, http.StatusTooManyRequests, form, nil, p.T("case.actionFailed", title, p.Code(e.Code)), false)
	default:
		status := http.StatusInternalServerError
		if e.Code == incident.CodeNotFound {
			status = http.StatusNotFound
		}
		h.caseActionRefused(w, r, u, spec, status, form, nil, p.T("case.actionFailed", title, p.Code(e.Code)), false)
	}
}

// caseActionRefused shows the case page again, as it is now, after a
// refused action: alert on top ("" for an INVALID_TRANSITION, which says
// the case's status), the action's form unfolded with what the user sent
// and fieldErrs next to their fields. When the case's state no longer
// offers the action, only the alert remains.
func (h *Handler) caseActionRefused(w http.ResponseWriter, r *http.Request, u *User, spec actionSpec, status int,
	form url.Values, fieldErrs map[string]string, alert string, conflict bool) {
	pg, code := h.casePage(r, u)
	if pg == nil {
		h.caseRefused(w, r, u, code)
		return
	}
	p := pg.P
	d := pg.Data.(*casePage)
	title := p.T("action." + spec.name)
	if alert == "" && len(fieldErrs) == 0 {
		alert = p.T("case.invalidTransition", p.Word("status", d.C.Status), title)
	}
	d.Alert, d.Conflict = alert, conflict
	for i, f := range d.Forms {
		if f.Action != spec.name {
			continue
		}
		nf := newForm(p, spec, d.C, u, form)
		nf.Open = true
		for _, ff := range nf.Fields {
			ff.Error = fieldErrs[ff.Name]
		}
		if len(fieldErrs) > 0 {
			nf.Error = p.T("case.inputProblems", title)
		}
		d.Forms[i] = nf
	}
	if len(fieldErrs) > 0 && d.Alert == "" {
		d.Alert = p.T("case.inputProblems", title)
	}
	h.render(w, r, status, "case", pg)
}

// actionVars builds the mutation's variables from the form: $id, the
// page's version as $expectedVersion, each field under its argument's name
// (an optional field left empty is not sent), the evidence file as base64
// with its media type. Selects must hold one of their values (fieldErrs
// otherwise); every other rule is the API's. ok is false for a form this
// page did not make (no version).
func (h *Handler) actionVars(r *http.Request, p *Printer, spec actionSpec, id string, form url.Values) (vars map[string]any, fieldErrs map[string]string, ok bool) {
	vars = map[string]any{"id": id}
	fieldErrs = map[string]string{}
	if spec.versioned {
		v, err := strconv.ParseInt(form.Get("expectedVersion"), 10, 64)
		if err != nil || v < 0 || v > 1<<31-1 {
			return nil, nil, false
		}
		vars["expectedVersion"] = int(v)
	}
	target := vars
	if spec.input {
		in := map[string]any{}
		vars["input"] = in
		target = in
	}
	for _, fs := range spec.fields {
		val := form.Get(fs.name)
		if fs.under != "" {
			// An input object argument (the letter's signer): sent when
			// one of its fields is filled in, then with its name.
			if val == "" {
				continue
			}
			if fs.kind == fieldSelect && fs.values != nil && !slices.Contains(fs.values, val) {
				fieldErrs[fs.name] = p.T("rule.choose", p.T("field."+fs.name))
				continue
			}
			obj, _ := target[fs.under].(map[string]any)
			if obj == nil {
				obj = map[string]any{}
				target[fs.under] = obj
			}
			obj[fs.arg] = val
			continue
		}
		switch fs.kind {
		case fieldCheckbox:
			target[fs.name] = val != ""
		case fieldSelect:
			switch {
			case val == "" && fs.required:
				fieldErrs[fs.name] = p.T("rule.required", p.T("field."+fs.name))
			case val == "":
			case fs.values != nil && !slices.Contains(fs.values, val):
				fieldErrs[fs.name] = p.T("rule.choose", p.T("field."+fs.name))
			default:
				target[fs.name] = val
			}
		case fieldFile:
			content, mediaType, name, err := formFile(r, fs.name)
			if err != nil {
				h.log.Warn("evidence upload", "err", err)
				return nil, nil, false
			}
			if content == nil {
				fieldErrs[fs.name] = p.T("rule.fileMissing", p.T("field."+fs.name))
				continue
			}
			target["contentBase64"] = base64.StdEncoding.EncodeToString(content)
			target["mediaType"] = mediaType
			if form.Get("description") == "" && name != "" {
				// Without a description the evidence is described by its
				// file's name (read by the next field), which the download
				// then gives back.
				form.Set("description", name)
			}
		case fieldNumber:
			if val == "" && !fs.required {
				continue
			}
			n, err := strconv.Atoi(strings.TrimSpace(val))
			if err != nil || n < 1 {
				fieldErrs[fs.name] = p.T("rule.number", p.T("field."+fs.name))
				continue
			}
			target[fs.name] = n
		default:
			if val == "" && !fs.required {
				continue
			}
			target[fs.name] = val
		}
	}
	for _, fs := range spec.fields {
		if obj, ok := target[fs.under].(map[string]any); ok && fs.under != "" && fs.arg == "name" && obj["name"] == nil {
			fieldErrs[fs.name] = p.T("rule.required", p.T("field."+fs.name))
		}
	}
	return vars, fieldErrs, true
}

// formFile reads the uploaded file of field: its bytes (nil when none was
// chosen), its media type (as the browser said, else sniffed) and its
// base name.
func formFile(r *http.Request, field string) (content []byte, mediaType, name string, err error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File[field]) == 0 {
		return nil, "", "", nil
	}
	fh := r.MultipartForm.File[field][0]
	f, err := fh.Open()
	if err != nil {
		return nil, "", "", err
	}
	defer f.Close()
	content, err = io.ReadAll(io.LimitReader(f, incident.MaxEvidence+1))
	if err != nil {
		return nil, "", "", err
	}
	if len(content) == 0 && fh.Filename == "" {
		return nil, "", "", nil
	}
	mediaType = fh.Header.Get("Content-Type")
	if t, _, err := mime.ParseMediaType(mediaType); err != nil || t == "application/octet-stream" || len(mediaType) > incident.MaxMediaType {
		mediaType = http.DetectContentType(content)
	}
	return content, mediaType, baseName(fh.Filename), nil
}

// validKey reports whether k can be an idempotency key: 1 to 255 printable
// ASCII characters (api.MaxIdempotencyKey).
func validKey(k string) bool {
	if k == "" || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

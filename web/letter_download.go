package web

import (
	"bytes"
	"mime"
	"net/http"
	"strings"
	"time"
)

// letterQuery reads the case's escalation letter as the user: the one check
// of a letter download (the API's, as for the case page).
const letterQuery = `query CaseLetter($id: ID!) { case(id: $id) { number
  escalation { status letterPreviewUrl letter { dispatchNumber sha256 docxSha256 } } } }`

// Media types of the letters served.
const (
	mediaPDF  = "application/pdf"
	mediaDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)

// letterDownload serves the công văn of a case's escalation, GET
// /cases/{id}/letters/{file}: escalation.pdf and escalation.docx, the
// letter as issued (from the blob store, under the SHA-256 its
// EscalationSent recorded), and escalation-preview.pdf, the draft (DỰ
// THẢO, not numbered) rendered now while the escalation awaits approval
// or its number. The API, asked as the user, must show the case and the
// escalation's letter (or its preview link) first: whoever may read the
// case may read its letter, as its evidence. The answer is an attachment,
// never sniffed nor run, the final letter's SHA-256 in X-Content-SHA256.
// takedown-{takedownId}.pdf and .docx are the drafts of the takedown
// letters (takedownLetterDownload).
func (h *Handler) letterDownload(w http.ResponseWriter, r *http.Request, u *User) {
	id, file := r.PathValue("id"), r.PathValue("file")
	if td, format, ok := takedownFile(file); ok {
		h.takedownLetterDownload(w, r, u, id, td, format)
		return
	}
	if file != "escalation.pdf" && file != "escalation.docx" && file != "escalation-preview.pdf" {
		h.notFound(w, r)
		return
	}
	var out struct {
		Case *struct {
			Number     string `json:"number"`
			Escalation *struct {
				PreviewURL string `json:"letterPreviewUrl"`
				Letter     *struct {
					DispatchNumber string `json:"dispatchNumber"`
					SHA256         string `json:"sha256"`
					DOCXSHA256     string `json:"docxSha256"`
				} `json:"letter"`
			} `json:"escalation"`
		} `json:"case"`
	}
	if errs := h.exec(r.Context(), u, letterQuery, map[string]any{"id": id}, &out); len(errs) > 0 {
		h.caseRefused(w, r, u, errs[0].Code)
		return
	}
	if out.Case == nil {
		h.caseRefused(w, r, u, "")
		return
	}
	esc := out.Case.Escalation
	var (
		content        []byte
		sum, name, typ string
		err            error
	)
	switch {
	case esc == nil:
		h.notFound(w, r)
		return
	case file == "escalation-preview.pdf":
		if esc.PreviewURL == "" || h.o.LetterPreview == nil {
			h.notFound(w, r)
			return
		}
		if content, err = h.o.LetterPreview(r.Context(), id); err != nil {
			h.fail(w, r, err)
			return
		}
		name, typ = "du-thao-cong-van-"+out.Case.Number+".pdf", mediaPDF
	default:
		l := esc.Letter
		if l == nil || h.o.Blobs == nil {
			h.notFound(w, r)
			return
		}
		sum, typ = l.SHA256, mediaPDF
		if file == "escalation.docx" {
			sum, typ = l.DOCXSHA256, mediaDOCX
		}
		if sum == "" {
			h.notFound(w, r)
			return
		}
		if _, content, err = h.o.Blobs(r.Context(), sum); err != nil {
			h.fail(w, r, err)
			return
		}
		name = "cong-van-" + strings.NewReplacer("/", "-", " ", "").Replace(l.DispatchNumber) + file[strings.LastIndexByte(file, '.'):]
	}
	hd := w.Header()
	hd.Set("Content-Type", typ)
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cache-Control", "private, no-store")
	if sum != "" {
		hd.Set("X-Content-SHA256", sum)
		hd.Set("ETag", `"`+sum+`"`)
	}
	h.log.Info("letter download", "user", u.Username, "case", id, "file", file, "sha256", sum)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(content))
}

// takedownQuery reads the case's takedowns as the user: the one check of a
// takedown letter's download (whoever reads the case reads its letters).
const takedownQuery = `query CaseTakedownLetter($id: ID!) { case(id: $id) { number takedowns { id letterPreviewUrl } } }`

// takedownFile parses "takedown-<takedownId>.pdf" or ".docx".
func takedownFile(file string) (takedownID, format string, ok bool) {
	rest, ok := strings.CutPrefix(file, "takedown-")
	if !ok {
		return "", "", false
	}
	for _, f := range []string{"pdf", "docx"} {
		if id, ok := strings.CutSuffix(rest, "."+f); ok && id != "" {
			return id, f, true
		}
	}
	return "", "", false
}

// takedownLetterDownload serves the draft of the letter asking the
// platform to take down the target of one takedown of a case, GET
// /cases/{id}/letters/takedown-{takedownId}.pdf or .docx: DỰ THẢO and not
// numbered (the office numbers the letter when an authority sends it),
// rendered now. The API, asked as the user, must show the case and the
// takedown with its letter's link first.
func (h *Handler) takedownLetterDownload(w http.ResponseWriter, r *http.Request, u *User, id, takedownID, format string) {
	var out struct {
		Case *struct {
			Number    string `json:"number"`
			Takedowns []struct {
				ID         string `json:"id"`
				PreviewURL string `json:"letterPreviewUrl"`
			} `json:"takedowns"`
		} `json:"case"`
	}
	if errs := h.exec(r.Context(), u, takedownQuery, map[string]any{"id": id}, &out); len(errs) > 0 {
		h.caseRefused(w, r, u, errs[0].Code)
		return
	}
	if out.Case == nil {
		h.caseRefused(w, r, u, "")
		return
	}
	known := false
	for _, td := range out.Case.Takedowns {
		known = known || td.ID == takedownID && td.PreviewURL != ""
	}
	if !known || h.o.TakedownLetter == nil {
		h.notFound(w, r)
		return
	}
	content, err := h.o.TakedownLetter(r.Context(), id, takedownID, format)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	typ := mediaPDF
	if format == "docx" {
		typ = mediaDOCX
	}
	name := "du-thao-cong-van-go-bo-" + out.Case.Number + "-" + strings.NewReplacer("/", "-", " ", "").Replace(takedownID) + "." + format
	hd := w.Header()
	hd.Set("Content-Type", typ)
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cache-Control", "private, no-store")
	h.log.Info("letter download", "user", u.Username, "case", id, "file", "takedown-"+takedownID+"."+format)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(content))
}

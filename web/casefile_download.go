package web

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"casetrail/incident"
)

// caseFileQuery asks, as the user, for the case's case file link: the one
// check of a case file download (the API's: LEADER, AUDITOR and CLERK of the
// case's units get a link).
const caseFileQuery = `query CaseFile($id: ID!) { case(id: $id) { number caseFileUrl } }`

// Limits of a case file download, which may be long (every piece of
// evidence of the case): the whole download, and the longest a write to
// the client may wait (each write extends it).
const (
	caseFileTimeout      = 30 * time.Minute
	caseFileWriteTimeout = time.Minute
)

// caseFileDownload serves the case file (hồ sơ vụ việc) of a case, GET
// /cases/{id}/file.zip: the API, asked as the user, must give its
// caseFileUrl (a user who reads the case but may not take its file gets
// 403). The ZIP is written as it is made, one evidence file at a time,
// under its own time limits rather than the pages'; should it fail once
// started, the connection is cut so that no truncated file looks whole.
func (h *Handler) caseFileDownload(w http.ResponseWriter, r *http.Request, u *User) {
	id := r.PathValue("id")
	var out struct {
		Case *struct {
			Number      string `json:"number"`
			CaseFileURL string `json:"caseFileUrl"`
		} `json:"case"`
	}
	if errs := h.exec(r.Context(), u, caseFileQuery, map[string]any{"id": id}, &out); len(errs) > 0 {
		h.caseRefused(w, r, u, errs[0].Code)
		return
	}
	if out.Case == nil {
		h.caseRefused(w, r, u, "")
		return
	}
	if out.Case.CaseFileURL == "" {
		h.caseRefusedSaying(w, r, u, incident.CodeForbidden, "casefile.refused")
		return
	}
	if h.o.CaseFile == nil {
		h.notFound(w, r)
		return
	}
	// The page's deadline is too short for a large file; the download
	// keeps the request's values and ends on its own limit.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), caseFileTimeout)
	defer cancel()
	name, write, err := h.o.CaseFile(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/zip")
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cache-Control", "private, no-store")
	h.log.Info("case file download", "user", u.Username, "case", id, "file", name)
	dw := &deadlineWriter{w: w, rc: http.NewResponseController(w)}
	if err := write(ctx, dw); err != nil {
		h.log.Error("case file download cut", "user", u.Username, "case", id, "written", dw.n, "err", err)
		if dw.n == 0 && !errors.Is(err, errClientWrite) { // nothing sent yet: an error page
			hd.Del("Content-Type")
			hd.Del("Content-Disposition")
			hd.Set("Content-Security-Policy", PageCSP)
			h.fail(w, r, err)
			return
		}
		panic(http.ErrAbortHandler) // the client must not keep half a ZIP as whole
	}
}

// errClientWrite marks a write to the client that failed.
var errClientWrite = errors.New("write to the client")

// deadlineWriter writes to the response, giving each write
// caseFileWriteTimeout (the server's write timeout is for pages), and
// counts the bytes written.
type deadlineWriter struct {
	w  io.Writer
	rc *http.ResponseController
	n  int64
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	_ = d.rc.SetWriteDeadline(time.Now().Add(caseFileWriteTimeout)) // not every writer has one (tests)
	n, err := d.w.Write(p)
	d.n += int64(n)
	if err != nil {
		return n, errors.Join(errClientWrite, err)
	}
	return n, nil
}

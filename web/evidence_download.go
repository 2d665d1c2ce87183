package web

import (
	"bytes"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// evidenceQuery reads the case's evidence as the user: the one check of
// a download (the API's, as for the case page).
const evidenceQuery = `query CaseEvidence($id: ID!) { case(id: $id) { number evidence { sha256 mediaType description } } }`

// evidenceDownload streams a piece of evidence, GET
// /cases/{id}/evidence/{sha256}: the API, asked as the user, must show the
// case and, among its evidence, the hash; only then are the bytes read
// from the blob store. The answer is an attachment of the evidence's media
// type, never sniffed nor run, with its SHA-256 in X-Content-SHA256.
func (h *Handler) evidenceDownload(w http.ResponseWriter, r *http.Request, u *User) {
	id, sum := r.PathValue("id"), strings.ToLower(r.PathValue("sha256"))
	var out struct {
		Case *struct {
			Number   string         `json:"number"`
			Evidence []evidenceData `json:"evidence"`
		} `json:"case"`
	}
	if errs := h.exec(r.Context(), u, evidenceQuery, map[string]any{"id": id}, &out); len(errs) > 0 {
		h.caseRefused(w, r, u, errs[0].Code)
		return
	}
	if out.Case == nil {
		h.caseRefused(w, r, u, "")
		return
	}
	i := slices.IndexFunc(out.Case.Evidence, func(e evidenceData) bool { return e.SHA256 == sum })
	if i < 0 || h.o.Blobs == nil {
		h.notFound(w, r)
		return
	}
	ev := out.Case.Evidence[i]
	_, content, err := h.o.Blobs(r.Context(), sum)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	mediaType := downloadType(ev.MediaType)
	hd := w.Header()
	hd.Set("Content-Type", mediaType)
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": downloadName(ev.Description, sum, mediaType)}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Content-SHA256", sum)
	// Nothing of it runs should it be opened in place.
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("ETag", `"`+sum+`"`)
	h.log.Info("evidence download", "user", u.Username, "case", id, "sha256", sum)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(content))
}

// downloadType is the media type to answer with: the recorded one when it
// is a well-formed type, else application/octet-stream.
func downloadType(recorded string) string {
	t, params, err := mime.ParseMediaType(recorded)
	if err != nil || !strings.Contains(t, "/") {
		return "application/octet-stream"
	}
	return mime.FormatMediaType(t, params)
}

// extensions gives the usual file extension of common evidence types
// (mime's table has several for some, in no fixed order).
var extensions = map[string]string{
	"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
	"application/pdf": ".pdf", "text/html": ".html", "text/plain": ".txt", "video/mp4": ".mp4",
	"application/zip": ".zip", "message/rfc822": ".eml", "application/json": ".json",
}

// extension returns the file extension of mediaType (".bin" when unknown).
func extension(mediaType string) string {
	t, _, _ := mime.ParseMediaType(mediaType)
	if e, ok := extensions[t]; ok {
		return e
	}
	if exts, _ := mime.ExtensionsByType(t); len(exts) > 0 {
		return exts[0]
	}
	return ".bin"
}

// downloadName is the file name of a download: the original file's name
// when the evidence's description is one (the upload form describes a
// file by its name when nothing else is said) with an extension of its
// type, else the SHA-256 and the type's extension.
func downloadName(description, sum, mediaType string) string {
	if name := baseName(description); name == description && name != "" {
		ext := strings.ToLower(path.Ext(name))
		t, _, _ := mime.ParseMediaType(mediaType)
		if ext != "" && (extensions[t] == ext || slices.Contains(typeExtensions(t), ext)) {
			return name
		}
	}
	return sum + extension(mediaType)
}

func typeExtensions(t string) []string {
	exts, _ := mime.ExtensionsByType(t)
	return exts
}

// baseName returns the last element of a path a browser sent as a file's
// name (some send the client's full path), without control characters, at
// most 200 characters; "" when nothing is left.
func baseName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.TrimSpace(name))
	if !utf8.ValidString(name) || name == "." || name == ".." {
		return ""
	}
	if n := []rune(name); len(n) > 200 {
		name = string(n[:200])
	}
	return name
}

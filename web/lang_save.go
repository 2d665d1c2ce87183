package web

import (
	"net/http"
	"time"
)

// langSave is the language switch: it keeps the choice in a cookie for a
// year and goes back to the page it was used on.
func (h *Handler) langSave(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r, 4<<10); err != nil {
		h.renderError(w, r, http.StatusBadRequest, "error.badForm")
		return
	}
	lang := Lang(r.PostForm.Get("lang"))
	if lang == Vietnamese || lang == English {
		http.SetCookie(w, &http.Cookie{
			Name: langCookie, Value: string(lang), Path: "/",
			MaxAge: int((365 * 24 * time.Hour).Seconds()), HttpOnly: true,
			Secure: h.o.Production, SameSite: http.SameSiteLaxMode,
		})
	}
	http.Redirect(w, r, localPath(r.PostForm.Get("next")), http.StatusSeeOther)
}

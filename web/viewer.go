package web

import (
	"net/http"
)

// viewerQuery asks the API who the user is: the subject and its role
// grants, each with its unit (the contract's Viewer).
const viewerQuery = `query Viewer { me { subject roles { role unit { id name } } } }`

// grant is one role of the viewer on a unit.
type grant struct {
	Role string `json:"role"`
	Unit struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"unit"`
}

// viewer is the answer to viewerQuery; Code is the error code when it
// failed.
type viewer struct {
	Subject string  `json:"subject"`
	Roles   []grant `json:"roles"`
	Code    string  `json:"-"`
}

// frame returns the page of a logged-in user: the viewer (asked of the API
// as that user), the flash message and the page's title and nav item.
func (h *Handler) frame(r *http.Request, u *User, nav, titleKey string) *page {
	ctx := r.Context()
	p := NewPrinter(requestLang(r))
	var out struct {
		Me viewer `json:"me"`
	}
	v := &out.Me
	if code := h.query(ctx, u, viewerQuery, nil, &out); code != "" {
		v = &viewer{Subject: u.Username, Code: code}
	}
	pg := &page{P: p, Title: p.T(titleKey), User: u, Viewer: v, Nav: nav}
	if k := h.sessions.PopString(ctx, keyFlash); k != "" {
		if _, ok := messages[k]; ok {
			pg.Flash = p.T(k)
		}
	}
	pg.Notes = h.popNotes(ctx, p)
	h.countUnread(ctx, u, pg) // notify_list.go
	return pg
}

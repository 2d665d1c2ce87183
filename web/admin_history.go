package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"casetrail/incident"
)

// adminHistoryPage is how many events a page of the admin log shows.
const adminHistoryPage = 50

// adminHistoryBefore is how many events before a page are read to tell
// what the page's changes changed (a unit's or an account's state before
// it): the log of one deployment is a few events a week.
const adminHistoryBefore = 1000

// adminHistoryQuery asks for the units (their names) and a page of the
// admin stream after a version.
const adminHistoryQuery = `query AdminHistory($limit: Int, $after: String) {
  units { id name }
  adminHistory(limit: $limit, after: $after) { version type actor reason occurredAt data }
}`

// adminEvent is an event of the admin stream as adminHistoryQuery gives it.
type adminEvent struct {
	Version    int64     `json:"version"`
	Type       string    `json:"type"`
	Actor      string    `json:"actor"`
	Reason     *string   `json:"reason"`
	OccurredAt time.Time `json:"occurredAt"`
	Data       string    `json:"data"`
}

// historyEntry is an event of the log in words.
type historyEntry struct {
	Version int64
	// At is the time in +07:00 (Stamp for the time element).
	At, Stamp string
	Actor     string
	What      string
	Details   []string
	Reason    string
	Seed      bool
}

// historyData is the log page's own data.
type historyData struct {
	Entries  []historyEntry
	Range    string
	Error    string
	BadAfter bool
	After    string
	NextURL  string
}

// historyShow is Nhật ký quản trị: the admin stream, oldest first, a page
// at a time (the "Trang sau" link carries the version of the page's last
// event), each change said in words with who made it, when and why.
func (h *Handler) historyShow(w http.ResponseWriter, r *http.Request, u *User) {
	pg, ok := h.adminFrame(w, r, u, "history", "admin.history.title")
	if !ok {
		return
	}
	p := pg.P
	d := historyData{}
	after := r.URL.Query().Get("after")
	if n, err := strconv.ParseInt(after, 10, 64); after != "" && (err != nil || n < 0) {
		d.BadAfter, after = true, ""
	}
	d.After = after
	var out struct {
		Units  []unitRef    `json:"units"`
		Events []adminEvent `json:"adminHistory"`
	}
	vars := map[string]any{"limit": adminHistoryPage}
	if after != "" {
		vars["after"] = after
	}
	if ae := h.run(r.Context(), u, adminHistoryQuery, vars, &out); ae != nil {
		if ae.Code == incident.CodeForbidden {
			h.refuseRole(w, r, pg, "admin.historyOnly")
			return
		}
		d.Error = p.T("admin.loadError", p.Code(ae.Code))
		pg.Data = d
		h.render(w, r, reportStatus(ae.Code), "admin_history", pg)
		return
	}
	st := newAdminState(out.Units)
	if n, _ := strconv.ParseInt(after, 10, 64); n > 0 {
		// The state the page's first change started from.
		from := max(0, n-adminHistoryBefore)
		var before struct {
			Events []adminEvent `json:"adminHistory"`
		}
		vars := map[string]any{"limit": int(n - from), "after": strconv.FormatInt(from, 10)}
		if ae := h.run(r.Context(), u, `query AdminHistoryBefore($limit: Int, $after: String) {
  adminHistory(limit: $limit, after: $after) { version type actor reason occurredAt data }
}`, vars, &before); ae == nil {
			for _, e := range before.Events {
				st.describe(p, e)
			}
		}
	}
	var people []string
	for _, e := range out.Events {
		people = append(people, e.Actor)
		for _, k := range []string{"subject", "username"} {
			if v := payloadString(e.Data, k); v != "" {
				people = append(people, v)
			}
		}
	}
	st.names = h.namesOf(r.Context(), people)
	for _, e := range out.Events {
		d.Entries = append(d.Entries, historyEntryOf(p, st, e))
	}
	if n := len(d.Entries); n > 0 {
		d.Range = p.T("admin.history.range", p.Number(int(d.Entries[0].Version)), p.Number(int(d.Entries[n-1].Version)))
		if n == adminHistoryPage {
			d.NextURL = "/admin/history?" + url.Values{"after": {strconv.FormatInt(d.Entries[n-1].Version, 10)}}.Encode()
		}
	}
	pg.Data = d
	h.render(w, r, http.StatusOK, "admin_history", pg)
}

// historyEntryOf tells event e in words, st holding the state before it.
func historyEntryOf(p *Printer, st *adminState, e adminEvent) historyEntry {
	en := historyEntry{Version: e.Version, At: p.Time(e.OccurredAt), Stamp: e.OccurredAt.In(zone).Format(time.RFC3339),
		Seed: e.Actor == seedActor}
	en.Actor = p.Actor(st.names, e.Actor)
	if en.Seed {
		en.Actor = p.T("admin.history.seed")
	} else if n := st.names[e.Actor]; n != "" && n != e.Actor {
		en.Actor = n + " (" + e.Actor + ")"
	}
	en.What, en.Details = st.describe(p, e)
	if e.Reason != nil {
		en.Reason = *e.Reason
		if rest, ok := strings.CutPrefix(en.Reason, "seed file "); ok && en.Seed {
			en.Reason = p.T("admin.history.seedFile", rest)
		}
	}
	return en
}

// seedActor is the actor of the changes the seed file makes at start.
const seedActor = "seed"

// payloadString returns the string field key of an event's JSON payload
// ("" when it has none).
func payloadString(data, key string) string {
	var m map[string]any
	if json.Unmarshal([]byte(data), &m) != nil {
		return ""
	}
	s, _ := m[key].(string)
	return s
}

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

// watchPageSize is how many cases a page of the watch list shows.
const watchPageSize = 30

// watchQuery asks for the registry's units (for the unit filter) and one
// page of the watch list: the cases with a deadline missed whose step has
// not happened yet, missed longest ago first (Query.watchlist,
// schema/missed.go).
const watchQuery = `query Watch($filter: CaseFilter, $first: Int, $after: String, $countLimit: Int) {
  units { id name parent { id } }
  watchlist(filter: $filter, first: $first, after: $after) {
    countUpTo(limit: $countLimit) { count more }
    pageInfo { hasNextPage endCursor }
    edges { node {
      id number title kind status severity assignee missedAt
      unit { id name }
      missedDeadlines { kind dueAt settledAt ref }
    } }
  }
}`

// watchAnswer is the data of watchQuery.
type watchAnswer struct {
	Units     []unitRow `json:"units"`
	Watchlist struct {
		Count    listCount `json:"countUpTo"`
		PageInfo struct {
			HasNextPage bool   `json:"hasNextPage"`
			EndCursor   string `json:"endCursor"`
		} `json:"pageInfo"`
		Edges []struct {
			Node struct {
				ID       string           `json:"id"`
				Number   string           `json:"number"`
				Title    string           `json:"title"`
				Kind     string           `json:"kind"`
				Status   string           `json:"status"`
				Severity string           `json:"severity"`
				Assignee string           `json:"assignee"`
				MissedAt *time.Time       `json:"missedAt"`
				Unit     unitRef          `json:"unit"`
				Missed   []missedDeadline `json:"missedDeadlines"`
			} `json:"node"`
		} `json:"edges"`
	} `json:"watchlist"`
}

// missedDeadline is a deadline of Case.missedDeadlines.
type missedDeadline struct {
	Kind      string     `json:"kind"`
	DueAt     time.Time  `json:"dueAt"`
	SettledAt *time.Time `json:"settledAt"`
	Ref       string     `json:"ref"`
}

// at is when the deadline was missed: when the miss was recorded, or its
// due time if that is not known.
func (m missedDeadline) at() time.Time {
	if m.SettledAt != nil {
		return *m.SettledAt
	}
	return m.DueAt
}

// watchMiss is one missed deadline of a row: its name and how long ago.
type watchMiss struct {
	Name, For, At string
}

// watchRow is a case of the watch list in the catalog's words.
type watchRow struct {
	ID, Number, Title, Kind, Status, StatusCode, Severity, SeverityCode, Unit, Assignee string
	Misses                                                                              []watchMiss
}

// watchData is the watch page's own data.
type watchData struct {
	Unit     string
	Units    []unitOption
	Rows     []watchRow
	Total    string
	Error    string
	After    string
	NextURL  string
	FirstURL string
	BadPage  bool
}

// watchShow is Theo dõi: the leader's cases with a missed deadline whose
// step has not been done, the longest missed first, a page at a time.
func (h *Handler) watchShow(w http.ResponseWriter, r *http.Request, u *User) {
	ctx := r.Context()
	pg := h.frame(r, u, "watch", "watch.title")
	p := pg.P
	if !pg.Viewer.CanLead() {
		h.refuseRole(w, r, pg, "watch.forbidden")
		return
	}
	q := r.URL.Query()
	d := watchData{Unit: strings.TrimSpace(q.Get("unit")), After: q.Get("after"), FirstURL: "/watch"}
	if len(d.Unit) > 256 || !utf8.ValidString(d.Unit) {
		d.Unit = ""
	}
	if len(d.After) > 1024 {
		d.After = ""
	}
	if d.Unit != "" {
		d.FirstURL += "?" + url.Values{"unit": {d.Unit}}.Encode()
	}
	vars := func() map[string]any {
		filter := map[string]any{}
		if d.Unit != "" {
			filter["unit"] = d.Unit
		}
		v := map[string]any{"filter": filter, "first": watchPageSize, "countLimit": listCountLimit}
		if d.After != "" {
			v["after"] = d.After
		}
		return v
	}
	var out watchAnswer
	ae := h.run(ctx, u, watchQuery, vars(), &out)
	if ae != nil && ae.Code == incident.CodeBadUserInput && ae.Field == "after" {
		d.BadPage, d.After, out = true, "", watchAnswer{}
		ae = h.run(ctx, u, watchQuery, vars(), &out)
	}
	if ae != nil {
		d.Error = p.T("watch.loadError", p.Code(ae.Code))
		pg.Data = d
		h.render(w, r, http.StatusOK, "watch", pg)
		return
	}
	d.Units = unitsUnder(out.Units, grantUnits(pg.Viewer, leaderRoles...))
	wl := out.Watchlist
	d.Total = countText(p, wl.Count.Count, wl.Count.More)
	var people []string
	for _, e := range wl.Edges {
		people = append(people, e.Node.Assignee)
	}
	names := h.namesOf(ctx, people)
	now := time.Now()
	for _, e := range wl.Edges {
		c := e.Node
		row := watchRow{
			ID: c.ID, Number: c.Number, Title: c.Title, Kind: p.Word("kind", c.Kind),
			Status: p.Word("status", c.Status), StatusCode: strings.ToLower(c.Status),
			Severity: p.T("worklist.noSeverity"), Unit: c.Unit.Name, Assignee: p.T("worklist.noAssignee"),
		}
		if c.Severity != "" {
			row.Severity, row.SeverityCode = p.Word("severity", c.Severity), strings.ToLower(c.Severity)
		}
		if c.Assignee != "" {
			row.Assignee = p.Actor(names, c.Assignee)
		}
		misses := c.Missed
		slices.SortStableFunc(misses, func(a, b missedDeadline) int { return a.at().Compare(b.at()) })
		for _, m := range misses {
			at := m.at()
			name := p.Word("deadline", m.Kind)
			if m.Ref != "" {
				name += " " + p.T("case.deadline.ref", m.Ref)
			}
			row.Misses = append(row.Misses, watchMiss{Name: name, For: p.T("watch.missedFor", p.Span(now.Sub(at))), At: p.T("watch.missedAt", p.Time(at))})
		}
		d.Rows = append(d.Rows, row)
	}
	if wl.PageInfo.HasNextPage && wl.PageInfo.EndCursor != "" {
		v := url.Values{"after": {wl.PageInfo.EndCursor}}
		if d.Unit != "" {
			v.Set("unit", d.Unit)
		}
		d.NextURL = "/watch?" + v.Encode()
	}
	pg.Data = d
	h.render(w, r, http.StatusOK, "watch", pg)
}

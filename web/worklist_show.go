package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"casetrail/incident"
)

// worklistPageSize is how many cases a page of the worklist shows.
const worklistPageSize = 30

// maxWorklistText bounds the search text, in characters (the API's
// filter.text takes up to incident.MaxShortText).
const maxWorklistText = 200

// listCountLimit is how far the worklist and the watch list count their
// cases (CaseConnection.countUpTo): beyond, the page says "1.000+ vụ việc"
// instead of counting every match, which for a broad search costs more than
// the page (issue 19). A variable so that tests can cross it.
var listCountLimit = 1000

// countText is the count of a list's cases, "39 vụ việc", or "1.000+ vụ
// việc" when more than n match.
func countText(p *Printer, n int, more bool) string {
	s := p.Number(n)
	if more {
		s += "+"
	}
	return p.T("number.cases", s)
}

// listCount is the count of a list as countUpTo answers it.
type listCount struct {
	Count int  `json:"count"`
	More  bool `json:"more"`
}

// worklistQuery asks for the registry's units (for the unit filter and the
// subtrees of the grants) and one page of the worklist: the caller's cases
// nearest pending deadline first (Query.worklist, schema/worklist.go),
// each with its deadlines and those missed whose step has not happened yet
// (Case.missedDeadlines, the rule of incident.Case.MissedDeadlines).
const worklistQuery = `query Worklist($filter: CaseFilter, $first: Int, $after: String, $countLimit: Int) {
  units { id name parent { id } }
  worklist(filter: $filter, first: $first, after: $after) {
    countUpTo(limit: $countLimit) { count more }
    pageInfo { hasNextPage endCursor }
    edges { node {
      id number title kind status severity assignee
      unit { id name }
      deadlines { kind state dueAt startedAt }
      missedDeadlines { kind state }
    } }
  }
}`

// worklistFilter is the filter form as the URL gives it (GET): each value
// is checked against the contract's values; anything else is dropped.
type worklistFilter struct {
	Status, Kind, Severity, Unit, Text string
	Mine, Overdue                      bool
	After                              string
}

// parseWorklistFilter reads the filter of q.
func parseWorklistFilter(q url.Values) worklistFilter {
	f := worklistFilter{
		Status:   q.Get("status"),
		Kind:     q.Get("kind"),
		Severity: q.Get("severity"),
		Unit:     strings.TrimSpace(q.Get("unit")),
		Text:     strings.TrimSpace(q.Get("q")),
		Mine:     q.Get("mine") == "1",
		Overdue:  q.Get("overdue") == "1",
		After:    q.Get("after"),
	}
	if !slices.Contains(incident.Statuses, incident.Status(f.Status)) {
		f.Status = ""
	}
	if !slices.Contains(incident.Kinds, incident.Kind(f.Kind)) {
		f.Kind = ""
	}
	if !slices.Contains(incident.Severities, incident.Severity(f.Severity)) {
		f.Severity = ""
	}
	if len(f.Unit) > 256 || !utf8.ValidString(f.Unit) {
		f.Unit = ""
	}
	if !utf8.ValidString(f.Text) {
		f.Text = ""
	}
	if len(f.After) > 1024 {
		f.After = ""
	}
	return f
}

// values returns f as URL parameters (the page's own, without after).
func (f worklistFilter) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("status", f.Status)
	set("kind", f.Kind)
	set("severity", f.Severity)
	set("unit", f.Unit)
	set("q", f.Text)
	if f.Mine {
		v.Set("mine", "1")
	}
	if f.Overdue {
		v.Set("overdue", "1")
	}
	return v
}

// active reports whether any filter is set.
func (f worklistFilter) active() bool { return len(f.values()) > 0 }

// variables returns the GraphQL variables of f for user.
func (f worklistFilter) variables(user *User) map[string]any {
	filter := map[string]any{}
	if f.Status != "" {
		filter["status"] = []any{f.Status}
	}
	if f.Kind != "" {
		filter["kind"] = []any{f.Kind}
	}
	if f.Severity != "" {
		filter["severity"] = []any{f.Severity}
	}
	if f.Unit != "" {
		filter["unit"] = f.Unit
	}
	if f.Text != "" {
		filter["text"] = f.Text
	}
	if f.Mine {
		filter["assignee"] = user.Username
	}
	if f.Overdue {
		filter["overdue"] = true
	}
	vars := map[string]any{"filter": filter, "first": worklistPageSize, "countLimit": listCountLimit}
	if f.After != "" {
		vars["after"] = f.After
	}
	return vars
}

// worklistAnswer is the data of worklistQuery.
type worklistAnswer struct {
	Units    []unitRow `json:"units"`
	Worklist struct {
		Count    listCount `json:"countUpTo"`
		PageInfo struct {
			HasNextPage bool   `json:"hasNextPage"`
			EndCursor   string `json:"endCursor"`
		} `json:"pageInfo"`
		Edges []struct {
			Node worklistCase `json:"node"`
		} `json:"edges"`
	} `json:"worklist"`
}

// worklistCase is a case as worklistQuery gives it.
type worklistCase struct {
	ID       string `json:"id"`
	Number   string `json:"number"`
	Title    string `json:"title"`
	Kind     string `json:"kind"`
	Status   string `json:"status"`
	Severity string `json:"severity"`
	Assignee string `json:"assignee"`
	Unit     struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"unit"`
	Deadlines []deadlineView `json:"deadlines"`
	Missed    []deadlineView `json:"missedDeadlines"`
}

// worklistRow is a case as a row of the page shows it: every value in the
// catalog's words.
type worklistRow struct {
	ID, Number, Title, Kind, Status, StatusCode, Severity, SeverityCode, Unit, Assignee string
	Due                                                                                 dueShown
	HasDue                                                                              bool
	Missed                                                                              string
	Urgency                                                                             string // over, soon or ok
}

// worklistData is the worklist page's own data.
type worklistData struct {
	Filter     worklistFilter
	Statuses   []option
	Kinds      []option
	Severities []option
	Units      []unitOption
	Rows       []worklistRow
	Col        worklistCols
	Total      string
	Error      string
	// BadPage: the page's cursor was refused; the list is the first page.
	BadPage  bool
	NextURL  string
	FirstURL string
	Filtered bool
	// MoreFilters: a filter besides the text is set (their part of the
	// form is shown open).
	MoreFilters bool
	ClearURL    string
	TextLimit   int
}

// worklistCols are the column names, which every row of a narrow screen
// repeats (data-label): told once per page.
type worklistCols struct {
	Number, Title, Status, Severity, Unit, Assignee, Deadline string
}

// option is a value of a select and its words.
type option struct {
	Value, Label string
}

// options returns the values of vals with their words under prefix.
func options[T ~string](p *Printer, prefix string, vals []T) []option {
	out := make([]option, len(vals))
	for i, v := range vals {
		out[i] = option{Value: string(v), Label: p.Word(prefix, v)}
	}
	return out
}

// worklistShow is "Việc cần làm": the user's cases, nearest pending
// deadline first, filtered by the GET form, a page at a time (keyset: the
// "Trang sau" link carries the cursor of the page's last case).
func (h *Handler) worklistShow(w http.ResponseWriter, r *http.Request, u *User) {
	ctx := r.Context()
	pg := h.frame(r, u, "worklist", "worklist.title")
	p := pg.P
	f := parseWorklistFilter(r.URL.Query())
	d := worklistData{
		Filter:      f,
		Statuses:    options(p, "status", incident.Statuses),
		Kinds:       options(p, "kind", incident.Kinds),
		Severities:  options(p, "severity", incident.Severities),
		Filtered:    f.active(),
		MoreFilters: f.Status != "" || f.Kind != "" || f.Severity != "" || f.Unit != "" || f.Mine || f.Overdue,
		ClearURL:    "/worklist",
		FirstURL:    "/worklist",
		TextLimit:   maxWorklistText,
		Col: worklistCols{Number: p.T("worklist.col.number"), Title: p.T("worklist.col.title"), Status: p.T("worklist.col.status"),
			Severity: p.T("worklist.col.severity"), Unit: p.T("worklist.col.unit"), Assignee: p.T("worklist.col.assignee"),
			Deadline: p.T("worklist.col.deadline")},
	}
	if q := f.values().Encode(); q != "" {
		d.FirstURL += "?" + q
	}
	if utf8.RuneCountInString(f.Text) > maxWorklistText {
		d.Error = p.T("worklist.textTooLong", maxWorklistText)
		pg.Data = d
		h.render(w, r, http.StatusBadRequest, "worklist", pg)
		return
	}
	if !pg.Viewer.CanWork() {
		d.Error = p.T("home.noRoles")
		pg.Data = d
		h.render(w, r, http.StatusOK, "worklist", pg)
		return
	}
	var out worklistAnswer
	ae := h.run(ctx, u, worklistQuery, f.variables(u), &out)
	if ae != nil && ae.Code == incident.CodeBadUserInput && ae.Field == "after" {
		// A cursor from an older page or another list: start again.
		d.BadPage = true
		f.After = ""
		out = worklistAnswer{}
		ae = h.run(ctx, u, worklistQuery, f.variables(u), &out)
	}
	if ae != nil {
		d.Error = p.T("worklist.loadError", p.Code(ae.Code))
		pg.Data = d
		h.render(w, r, http.StatusOK, "worklist", pg)
		return
	}
	d.Units = unitsUnder(out.Units, grantUnits(pg.Viewer, workRoles...))
	wl := out.Worklist
	d.Total = countText(p, wl.Count.Count, wl.Count.More)
	names := h.displayNames(ctx, wl.Edges)
	now := time.Now()
	for _, e := range wl.Edges {
		c := e.Node
		row := worklistRow{
			ID: c.ID, Number: c.Number, Title: c.Title,
			Kind: p.Word("kind", c.Kind), Status: p.Word("status", c.Status), StatusCode: strings.ToLower(c.Status),
			Severity: p.T("worklist.noSeverity"), Unit: c.Unit.Name, Assignee: p.T("worklist.noAssignee"),
			Missed: p.missed(c.Missed), Urgency: "ok",
		}
		if c.Severity != "" {
			row.Severity, row.SeverityCode = p.Word("severity", c.Severity), strings.ToLower(c.Severity)
		}
		if c.Assignee != "" {
			row.Assignee = c.Assignee
			if n := names[c.Assignee]; n != "" {
				row.Assignee = n
			}
		}
		row.Due, row.HasDue = p.nextDue(c.Deadlines, now)
		if row.HasDue {
			row.Urgency = row.Due.Urgency
		}
		if row.Missed != "" {
			row.Urgency = "over"
		}
		d.Rows = append(d.Rows, row)
	}
	if wl.PageInfo.HasNextPage && wl.PageInfo.EndCursor != "" {
		v := f.values()
		v.Set("after", wl.PageInfo.EndCursor)
		d.NextURL = "/worklist?" + v.Encode()
	}
	d.Filter = f
	pg.Data = d
	h.render(w, r, http.StatusOK, "worklist", pg)
}

// displayNames returns the display names of the assignees of edges that
// are users of the interface (the API knows assignees only as subjects).
// A failure is logged and shows the subjects instead.
func (h *Handler) displayNames(ctx context.Context, edges []struct {
	Node worklistCase `json:"node"`
}) map[string]string {
	var names []string
	for _, e := range edges {
		if a := e.Node.Assignee; a != "" && !slices.Contains(names, a) {
			names = append(names, a)
		}
	}
	if len(names) == 0 {
		return nil
	}
	out, err := h.users.displayNames(ctx, names)
	if err != nil {
		h.log.Warn("worklist: display names", "err", err)
	}
	return out
}

// displayNames returns the display names of the users among usernames.
func (s *Users) displayNames(ctx context.Context, usernames []string) (map[string]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT username, display_name FROM users WHERE username = ANY($1)`, usernames)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var u, n string
		if err := rows.Scan(&u, &n); err != nil {
			return nil, err
		}
		out[u] = n
	}
	return out, rows.Err()
}

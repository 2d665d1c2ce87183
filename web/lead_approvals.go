package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"casetrail/incident"
)

// approvalsQuery asks for a page of the cases whose escalation waits for
// approval (the filter escalationStatus, schema/missed.go), with what the
// user may do on each: the inbox lists those the user may approve.
const approvalsQuery = `query Approvals($first: Int, $after: String) {
  cases(filter: {escalationStatus: [PENDING_APPROVAL], status: [ESCALATED]}, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id number title kind severity availableActions
      unit { id name }
      escalation { status reason requestedBy requestedAt to { name } }
      deadlines { kind state dueAt startedAt settledAt }
    } }
  }
}`

// Bounds of the inbox: pages of approvalsPage, at most approvalsPages of
// them (escalations waiting at once are few; beyond, the oldest shown are
// those of the pages read, and the page says so).
const (
	approvalsPage  = 200
	approvalsPages = 5
	// approvalsReason is how much of a reason a row shows (characters).
	approvalsReason = 300
)

// approvalCase is a case as approvalsQuery gives it.
type approvalCase struct {
	ID        string   `json:"id"`
	Number    string   `json:"number"`
	Title     string   `json:"title"`
	Kind      string   `json:"kind"`
	Severity  string   `json:"severity"`
	Available []string `json:"availableActions"`
	Unit      unitRef  `json:"unit"`
	Esc       *struct {
		Status      string    `json:"status"`
		Reason      string    `json:"reason"`
		RequestedBy string    `json:"requestedBy"`
		RequestedAt time.Time `json:"requestedAt"`
		To          unitRef   `json:"to"`
	} `json:"escalation"`
	Deadlines []struct {
		Kind      string     `json:"kind"`
		State     string     `json:"state"`
		DueAt     time.Time  `json:"dueAt"`
		StartedAt time.Time  `json:"startedAt"`
		SettledAt *time.Time `json:"settledAt"`
	} `json:"deadlines"`
}

// approvalsAnswer is the data of approvalsQuery.
type approvalsAnswer struct {
	Cases struct {
		TotalCount int `json:"totalCount"`
		PageInfo   struct {
			HasNextPage bool   `json:"hasNextPage"`
			EndCursor   string `json:"endCursor"`
		} `json:"pageInfo"`
		Edges []struct {
			Node approvalCase `json:"node"`
		} `json:"edges"`
	} `json:"cases"`
}

// approvalRow is one escalation of the inbox, in the catalog's words.
type approvalRow struct {
	ID, Number, Title, Kind, Unit, To, Reason, Requested string
	Severity, SeverityCode                               string
	// Left is the time left on the approval deadline ("còn 3 giờ", "quá
	// hạn 20 phút"), Due when it falls due; Urgency over, soon or ok.
	Left, Due, Urgency string
	HasDeadline        bool
	requestedAt        time.Time
}

// approvalsData is the inbox's own data.
type approvalsData struct {
	Rows  []approvalRow
	Count string
	// More says that only the oldest of more escalations are shown.
	More  string
	Error string
}

// approvalsShow is Chờ duyệt: the escalations waiting for approval that
// the user may approve, oldest request first, each with the time left on
// its ESCALATION_APPROVAL deadline and a link to the case's approval form
// (the case page's, never a copy of it).
func (h *Handler) approvalsShow(w http.ResponseWriter, r *http.Request, u *User) {
	pg := h.frame(r, u, "approvals", "approvals.title")
	p := pg.P
	if !pg.Viewer.CanLead() {
		h.refuseRole(w, r, pg, "approvals.forbidden")
		return
	}
	d := approvalsData{}
	cases, total, more, ae := h.pendingApprovals(r.Context(), u)
	if ae != nil {
		d.Error = p.T("approvals.loadError", p.Code(ae.Code))
		pg.Data = d
		h.render(w, r, http.StatusOK, "approvals", pg)
		return
	}
	var people []string
	for _, c := range cases {
		people = append(people, c.Esc.RequestedBy)
	}
	names := h.namesOf(r.Context(), people)
	now := time.Now()
	for _, c := range cases {
		d.Rows = append(d.Rows, approvalRowOf(p, c, names, now))
	}
	slices.SortStableFunc(d.Rows, func(a, b approvalRow) int {
		return cmp.Or(a.requestedAt.Compare(b.requestedAt), strings.Compare(a.Number, b.Number))
	})
	d.Count = p.T("approvals.count", p.Number(len(d.Rows)))
	if more {
		d.More = p.T("approvals.more", p.Number(len(d.Rows)), p.Number(total))
	}
	pg.Data = d
	h.render(w, r, http.StatusOK, "approvals", pg)
}

// pendingApprovals reads the cases waiting for approval that u may approve
// or decline (availableActions), a page at a time; total is how many wait
// in all that u may read, more whether pages were left unread.
func (h *Handler) pendingApprovals(ctx context.Context, u *User) (cases []approvalCase, total int, more bool, ae *apiError) {
	after := ""
	for range approvalsPages {
		vars := map[string]any{"first": approvalsPage}
		if after != "" {
			vars["after"] = after
		}
		var out approvalsAnswer
		if ae := h.run(ctx, u, approvalsQuery, vars, &out); ae != nil {
			return nil, 0, false, ae
		}
		total = out.Cases.TotalCount
		for _, e := range out.Cases.Edges {
			c := e.Node
			if c.Esc != nil && c.Esc.Status == string(incident.EscPendingApproval) &&
				(slices.Contains(c.Available, incident.CmdApproveEscalation) || slices.Contains(c.Available, incident.CmdDeclineEscalation)) {
				cases = append(cases, c)
			}
		}
		if !out.Cases.PageInfo.HasNextPage || out.Cases.PageInfo.EndCursor == "" {
			return cases, total, false, nil
		}
		after = out.Cases.PageInfo.EndCursor
	}
	return cases, total, true, nil
}

// approvalRowOf tells c as a row of the inbox at now.
func approvalRowOf(p *Printer, c approvalCase, names map[string]string, now time.Time) approvalRow {
	row := approvalRow{
		ID: c.ID, Number: c.Number, Title: c.Title, Kind: p.Word("kind", c.Kind), Unit: c.Unit.Name,
		To: c.Esc.To.Name, Reason: shorten(reasonText(p, c.Esc.RequestedBy, c.Esc.Reason), approvalsReason),
		Requested:   p.T("approvals.requested", p.Actor(names, c.Esc.RequestedBy), p.Time(c.Esc.RequestedAt)),
		Urgency:     "ok",
		requestedAt: c.Esc.RequestedAt,
	}
	if c.Severity != "" {
		row.Severity, row.SeverityCode = p.Word("severity", c.Severity), strings.ToLower(c.Severity)
	}
	// The approval deadline of this request: the last one set (an earlier
	// request's was settled when it was decided).
	for i := len(c.Deadlines) - 1; i >= 0; i-- {
		dl := c.Deadlines[i]
		if dl.Kind != string(incident.DeadlineEscalationApproval) {
			continue
		}
		row.HasDeadline, row.Due = true, p.Time(dl.DueAt)
		row.Left = leftText(p, dl.DueAt, now)
		switch span := dl.DueAt.Sub(dl.StartedAt); {
		case dl.State == string(incident.StateMissed) || !now.Before(dl.DueAt):
			row.Urgency = "over"
		case span > 0 && float64(dl.DueAt.Sub(now)) < soonShare*float64(span):
			row.Urgency = "soon"
		}
		break
	}
	return row
}

// shorten cuts s to n characters, with an ellipsis when cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n])) + "…"
}

// namesOf returns the display names of the users among usernames (the API
// knows people only as subjects); a failure is logged and shows the
// usernames.
func (h *Handler) namesOf(ctx context.Context, usernames []string) map[string]string {
	var list []string
	for _, n := range usernames {
		if n != "" && n != incident.SystemActor && !slices.Contains(list, n) {
			list = append(list, n)
		}
	}
	if len(list) == 0 {
		return nil
	}
	out, err := h.users.displayNames(ctx, list)
	if err != nil {
		h.log.Warn("leaders' pages: display names", "err", err)
	}
	return out
}

package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"casetrail/incident"
)

// overviewQuery asks for the registry's units (the unit choice) and the
// statistics of a unit's subtree over a period: the contract's figures
// and the overview's breakdowns (schema/missed.go). Every number the page
// shows is one of these, as the API answers stats for the same unit,
// period and user.
const overviewQuery = `query Overview($unit: ID, $from: DateTime, $to: DateTime) {
  units { id name parent { id } }
  stats(unit: $unit, from: $from, to: $to) {
    total open overdue missed medianHoursToResolve deadlineMetRatio
    byStatus { status count }
    byKind { kind count }
    reportedByWeek { weekStart kind count }
    takedownsByPlatform { platform status count }
    subUnits { unit { id name } total open overdue missed deadlineMetRatio }
  }
}`

// The period: the last overviewWeeks weeks by default (this one
// included), at most overviewMaxDays days.
const (
	overviewWeeks   = 12
	overviewMaxDays = 366
)

// overviewStats is the stats of overviewQuery.
type overviewStats struct {
	Total    int      `json:"total"`
	Open     int      `json:"open"`
	Overdue  int      `json:"overdue"`
	Missed   int      `json:"missed"`
	Median   *float64 `json:"medianHoursToResolve"`
	MetRatio *float64 `json:"deadlineMetRatio"`
	ByStatus []struct {
		Status string `json:"status"`
		Count  int    `json:"count"`
	} `json:"byStatus"`
	ByKind []struct {
		Kind  string `json:"kind"`
		Count int    `json:"count"`
	} `json:"byKind"`
	Weeks []struct {
		Start time.Time `json:"weekStart"`
		Kind  string    `json:"kind"`
		Count int       `json:"count"`
	} `json:"reportedByWeek"`
	Takedowns []struct {
		Platform string `json:"platform"`
		Status   string `json:"status"`
		Count    int    `json:"count"`
	} `json:"takedownsByPlatform"`
	SubUnits []struct {
		Unit     unitRef  `json:"unit"`
		Total    int      `json:"total"`
		Open     int      `json:"open"`
		Overdue  int      `json:"overdue"`
		Missed   int      `json:"missed"`
		MetRatio *float64 `json:"deadlineMetRatio"`
	} `json:"subUnits"`
}

// figure is one number of the page: Fig names it and Raw is its value as
// the API gave it (data-fig, data-value: the test compares them with
// stats), Value how it is shown.
type figure struct {
	Fig, Raw, Value string
	Label, Hint     string
	// Link leads to the cases behind the figure, LinkText says where.
	Link, LinkText string
}

// cell is a number of a table: its figure name, its value as the API gave
// it (data-value) and as shown.
type cell struct {
	Fig, Raw, Value string
}

// intCell is a count as a cell.
func intCell(p *Printer, fig string, n int) cell {
	return cell{Fig: fig, Raw: strconv.Itoa(n), Value: p.Number(n)}
}

// tableRow is a labelled row of cells.
type tableRow struct {
	Label string
	Class string // the colour of its series
	Cells []cell
}

// chartView is a chart and its numbers as a table.
type chartView struct {
	P               *Printer
	ID, Title, Desc string
	SVG             template.HTML
	// SVGWide, when set, is the chart drawn for a wide screen (shown
	// instead of SVG there, and in print).
	SVGWide template.HTML
	// Legend lists the series (colour and words).
	Legend []tableRow
	// Head names the table's columns after the first; Rows are its rows,
	// Foot its totals.
	RowHead string
	Head    []string
	Rows    []tableRow
	Foot    *tableRow
}

// subUnitRow is a sub-unit with its figures and inline bars.
type subUnitRow struct {
	ID, Name, Link                  string
	Open, Overdue, Missed, MetRatio cell
	OpenBar, MissedBar, MetBar      template.HTML
	HasRatio                        bool
}

// overviewData is the overview's own data.
type overviewData struct {
	Unit              string
	Units             []unitOption
	From, To          string // the form's values, dd/mm/yyyy
	MaxDays           int
	Heading           string
	Notes             []string
	Error             string
	Figures           []figure
	Weekly            chartView
	Status            chartView
	Takedowns         chartView
	HasTakedowns      bool
	SubUnits          []subUnitRow
	NoCases           bool
	WatchURL, OpenURL string
	// CanWatch: the user has the watch list (a leader).
	CanWatch bool
}

// Colour classes (app.css) of the kinds, statuses and takedown statuses.
var (
	kindClass = map[string]string{string(incident.AccountCompromised): "f-orange", string(incident.Impersonation): "f-blue",
		string(incident.FalseInformation): "f-purple"}
	statusClass = map[string]string{"REPORTED": "f-sky", "TRIAGED": "f-blue", "ANALYSIS": "f-purple", "ACTION": "f-orange",
		"ESCALATED": "f-red", "RESOLVED": "f-green", "CLOSED": "f-dark", "REJECTED": "f-grey"}
	takedownClass = map[string]string{"SENT": "f-sky", "ACKNOWLEDGED": "f-blue", "REMOVED": "f-green", "REJECTED": "f-red",
		"EXPIRED": "f-grey", "WITHDRAWN": "f-yellow"}
	takedownOrder = []string{"SENT", "ACKNOWLEDGED", "REMOVED", "REJECTED", "EXPIRED", "WITHDRAWN"}
)

// dayStart is midnight in Vietnam of t's day there.
func dayStart(t time.Time) time.Time {
	t = t.In(zone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, zone)
}

// weekStart is the Monday 00:00 in Vietnam of t's week there.
func weekStart(t time.Time) time.Time {
	d := dayStart(t)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// parseDay reads a day as a date input sends it (2026-06-01) or as the
// interface writes it (01/06/2026).
func parseDay(s string) (time.Time, bool) {
	for _, l := range []string{"2006-01-02", "02/01/2006", "2/1/2006"} {
		if t, err := time.ParseInLocation(l, strings.TrimSpace(s), zone); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// overviewShow is Tổng quan: for a unit's subtree and a period, the
// figures of stats — received, open, missed and still awaited, due and
// not yet recorded, the share of deadlines met, the median time to
// resolve — with cases received per week by kind, the status now and the
// takedown outcomes per platform as server-drawn SVG charts (each with its
// table), and a table of the sub-units with inline bars.
func (h *Handler) overviewShow(w http.ResponseWriter, r *http.Request, u *User) {
	pg := h.frame(r, u, "overview", "overview.title")
	p := pg.P
	if !pg.Viewer.CanOverview() {
		h.refuseRole(w, r, pg, "overview.forbidden")
		return
	}
	q := r.URL.Query()
	d := overviewData{Unit: strings.TrimSpace(q.Get("unit"))}
	if len(d.Unit) > 256 || !utf8.ValidString(d.Unit) {
		d.Unit = ""
	}
	// The period: whole days in Vietnam, to included.
	now := time.Now()
	defFrom, defTo := weekStart(now).AddDate(0, 0, -7*(overviewWeeks-1)), dayStart(now)
	from, to := defFrom, defTo
	if q.Get("from") != "" || q.Get("to") != "" {
		f, okF := parseDay(q.Get("from"))
		t, okT := parseDay(q.Get("to"))
		switch {
		case !okF || !okT || t.Before(f):
			d.Notes = append(d.Notes, p.T("overview.badDate", overviewWeeks))
		case t.Sub(f) > overviewMaxDays*24*time.Hour:
			d.Notes = append(d.Notes, p.T("overview.tooLong", overviewMaxDays, overviewWeeks))
		default:
			from, to = f, t
		}
	}
	d.From, d.To, d.MaxDays = p.Date(from), p.Date(to), overviewMaxDays
	end := to.AddDate(0, 0, 1)

	roots := grantUnits(pg.Viewer, overviewRoles...)
	vars := map[string]any{"from": from.Format(time.RFC3339), "to": end.Format(time.RFC3339)}
	var out struct {
		Units []unitRow     `json:"units"`
		Stats overviewStats `json:"stats"`
	}
	// The units come with the figures: ask for the chosen unit when it is
	// one of the user's, else for the first of them.
	unit := d.Unit
	if unit == "" && len(roots) > 0 {
		unit = roots[0]
	}
	vars["unit"] = unit
	ae := h.run(r.Context(), u, overviewQuery, vars, &out)
	d.Units = unitsUnder(out.Units, roots)
	offered := func(id string) bool {
		for _, o := range d.Units {
			if o.ID == id {
				return true
			}
		}
		return false
	}
	// A unit the user was not offered (or that does not exist: the API
	// answers NOT_FOUND, and no units) gives way to the user's first.
	fallback := ""
	switch {
	case ae == nil && !offered(unit) && len(d.Units) > 0:
		fallback = d.Units[0].ID
	case ae != nil && ae.Code == incident.CodeNotFound && len(roots) > 0 && unit != roots[0]:
		fallback = roots[0]
	}
	if fallback != "" {
		unit = fallback
		vars["unit"] = unit
		out.Stats = overviewStats{}
		ae = h.run(r.Context(), u, overviewQuery, vars, &out)
		d.Units = unitsUnder(out.Units, roots)
		d.Notes = append(d.Notes, p.T("overview.badUnit", unitName(out.Units, unit)))
	}
	d.Unit = unit
	if ae != nil {
		d.Error = p.T("overview.loadError", p.Code(ae.Code))
		pg.Data = d
		h.render(w, r, http.StatusOK, "overview", pg)
		return
	}
	d.Heading = p.T("overview.heading", unitName(out.Units, unit), p.Date(from), p.Date(to))
	period := url.Values{"from": {d.From}, "to": {d.To}}
	d.WatchURL = "/watch?" + url.Values{"unit": {unit}}.Encode()
	d.OpenURL = "/worklist?" + url.Values{"unit": {unit}}.Encode()
	d.CanWatch = pg.Viewer.CanLead()
	st := out.Stats
	d.NoCases = st.Total == 0
	d.Figures = overviewFigures(p, st, &d)
	d.Weekly = weeklyChart(p, st, from, to)
	d.Status = statusChart(p, st)
	d.Takedowns, d.HasTakedowns = takedownChart(p, st)
	d.Weekly.P, d.Status.P, d.Takedowns.P = p, p, p
	d.SubUnits = subUnitRows(p, st, period)
	pg.Data = d
	h.render(w, r, http.StatusOK, "overview", pg)
}

// unitName is the name of unit id among units (its id when absent).
func unitName(units []unitRow, id string) string {
	for _, x := range units {
		if x.ID == id {
			return x.Name
		}
	}
	return id
}

// Date formats t's day as dd/mm/yyyy in Vietnam.
func (p *Printer) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(zone).Format("02/01/2006")
}

// decimal writes f with one decimal, in the language's way (30,5 / 30.5).
func (p *Printer) decimal(f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	if p.lang == Vietnamese {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// rawFloat is a float as the data-value of a figure: the API's value,
// whole.
func rawFloat(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'g', -1, 64)
}

// percent says a share (0..1) as a percentage with one decimal.
func (p *Printer) percent(f float64) string { return p.T("overview.percent", p.decimal(100*f)) }

// overviewFigures are the key figures, in the order the page shows them.
func overviewFigures(p *Printer, st overviewStats, d *overviewData) []figure {
	num := func(fig, label, hint string, n int) figure {
		return figure{Fig: fig, Raw: strconv.Itoa(n), Value: p.Number(n), Label: p.T(label), Hint: hint}
	}
	open := num("open", "overview.open", "", st.Open)
	open.Link, open.LinkText = d.OpenURL, p.T("nav.worklist")
	missed := num("missed", "overview.missed", p.T("overview.missedHint"), st.Missed)
	if d.CanWatch {
		missed.Link, missed.LinkText = d.WatchURL, p.T("overview.toWatch")
	}
	out := []figure{
		num("total", "overview.total", "", st.Total), open, missed,
		num("overdue", "overview.overdue", p.T("overview.overdueHint"), st.Overdue),
	}
	ratio := figure{Fig: "deadlineMetRatio", Raw: rawFloat(st.MetRatio), Value: p.T("overview.none"),
		Label: p.T("overview.metRatio"), Hint: p.T("overview.metRatioHint")}
	if st.MetRatio != nil {
		ratio.Value = p.percent(*st.MetRatio)
	}
	median := figure{Fig: "medianHoursToResolve", Raw: rawFloat(st.Median), Value: p.T("overview.none"),
		Label: p.T("overview.median"), Hint: p.T("overview.medianHint")}
	if st.Median != nil {
		median.Value = p.T("overview.hours", p.decimal(*st.Median))
	}
	return append(out, ratio, median)
}

// weeklyChart is cases received per week by kind: a column per week of
// the period (Monday to Sunday, the first and last cut by the period), a
// colour per kind.
func weeklyChart(p *Printer, st overviewStats, from, to time.Time) chartView {
	counts := map[string]int{} // yyyy-mm-dd of the Monday + "/" + kind
	for _, wk := range st.Weeks {
		counts[wk.Start.In(zone).Format("2006-01-02")+"/"+wk.Kind] += wk.Count
	}
	cv := chartView{ID: "chart-weekly", Title: p.T("overview.weekly"), Desc: p.T("overview.weeklyDesc"), RowHead: p.T("overview.week")}
	for _, k := range incident.Kinds {
		cv.Head = append(cv.Head, p.Word("kind", k))
		cv.Legend = append(cv.Legend, tableRow{Label: p.Word("kind", k), Class: kindClass[string(k)]})
	}
	cv.Head = append(cv.Head, p.T("overview.sum"))
	var bars []chartBar
	for wk := weekStart(from); !wk.After(to); wk = wk.AddDate(0, 0, 7) {
		key := wk.Format("2006-01-02")
		row := tableRow{Label: p.Date(wk)}
		bar := chartBar{Label: wk.Format("02/01")}
		sum := 0
		for _, k := range incident.Kinds {
			n := counts[key+"/"+string(k)]
			sum += n
			row.Cells = append(row.Cells, intCell(p, "week:"+key+":"+string(k), n))
			bar.Segs = append(bar.Segs, chartSeg{Value: n, Class: kindClass[string(k)],
				Title: p.T("overview.barOf", p.Date(wk)+" · "+p.Word("kind", k), p.Number(n))})
		}
		row.Cells = append(row.Cells, intCell(p, "week:"+key, sum))
		cv.Rows = append(cv.Rows, row)
		bars = append(bars, bar)
	}
	foot := tableRow{Label: p.T("overview.sum")}
	byKind := map[string]int{}
	for _, k := range st.ByKind {
		byKind[k.Kind] = k.Count
	}
	for _, k := range incident.Kinds {
		foot.Cells = append(foot.Cells, intCell(p, "kind:"+string(k), byKind[string(k)]))
	}
	foot.Cells = append(foot.Cells, intCell(p, "total", st.Total))
	cv.Foot = &foot
	cv.SVG = columnChart(p, cv.ID, cv.Title, p.T("overview.chartOf", cv.Desc), bars, false)
	cv.SVGWide = columnChart(p, cv.ID+"-wide", cv.Title, p.T("overview.chartOf", cv.Desc), bars, true)
	return cv
}

// statusChart is where the cases received in the period stand now: a bar
// per status.
func statusChart(p *Printer, st overviewStats) chartView {
	cv := chartView{ID: "chart-status", Title: p.T("overview.status"), Desc: p.T("overview.statusDesc"),
		RowHead: p.T("worklist.col.status"), Head: []string{p.T("overview.count")}}
	byStatus := map[string]int{}
	for _, s := range st.ByStatus {
		byStatus[s.Status] = s.Count
	}
	var bars []chartBar
	for _, s := range incident.Statuses {
		n := byStatus[string(s)]
		label := p.Word("status", s)
		cv.Rows = append(cv.Rows, tableRow{Label: label, Class: statusClass[string(s)],
			Cells: []cell{intCell(p, "status:"+string(s), n)}})
		bars = append(bars, chartBar{Label: label, Segs: []chartSeg{{Value: n, Class: statusClass[string(s)], Title: p.T("overview.barOf", label, p.Number(n))}}})
	}
	cv.SVG = barChart(p, cv.ID, cv.Title, p.T("overview.chartOf", cv.Desc), bars)
	return cv
}

// takedownChart is the takedown requests of the period by platform, each
// bar cut by status; false when there is none.
func takedownChart(p *Printer, st overviewStats) (chartView, bool) {
	cv := chartView{ID: "chart-takedowns", Title: p.T("overview.takedowns"), Desc: p.T("overview.takedownsDesc"),
		RowHead: p.T("overview.platform")}
	counts := map[string]int{}
	platforms := map[string]bool{}
	for _, t := range st.Takedowns {
		counts[t.Platform+"/"+t.Status] += t.Count
		platforms[t.Platform] = true
	}
	if len(platforms) == 0 {
		return cv, false
	}
	for _, s := range takedownOrder {
		cv.Head = append(cv.Head, p.Word("takedownStatus", s))
		cv.Legend = append(cv.Legend, tableRow{Label: p.Word("takedownStatus", s), Class: takedownClass[s]})
	}
	cv.Head = append(cv.Head, p.T("overview.sum"))
	var bars []chartBar
	for _, pl := range incident.Platforms {
		if !platforms[string(pl)] {
			continue
		}
		label := p.Word("platform", pl)
		row := tableRow{Label: label}
		bar := chartBar{Label: label}
		sum := 0
		for _, s := range takedownOrder {
			n := counts[string(pl)+"/"+s]
			sum += n
			row.Cells = append(row.Cells, intCell(p, "takedown:"+string(pl)+":"+s, n))
			bar.Segs = append(bar.Segs, chartSeg{Value: n, Class: takedownClass[s], Title: p.T("overview.barOf", label+" · "+p.Word("takedownStatus", s), p.Number(n))})
		}
		row.Cells = append(row.Cells, intCell(p, "takedown:"+string(pl), sum))
		cv.Rows = append(cv.Rows, row)
		bars = append(bars, bar)
	}
	cv.SVG = barChart(p, cv.ID, cv.Title, p.T("overview.chartOf", cv.Desc), bars)
	return cv, true
}

// subUnitRows are the sub-units with their open, missed and overdue cases
// and share of deadlines met, bars scaled to the largest of the column.
func subUnitRows(p *Printer, st overviewStats, period url.Values) []subUnitRow {
	mostOpen, mostMissed := 1, 1
	for _, s := range st.SubUnits {
		mostOpen, mostMissed = max(mostOpen, s.Open), max(mostMissed, s.Missed)
	}
	var out []subUnitRow
	for _, s := range st.SubUnits {
		v := url.Values{"unit": {s.Unit.ID}, "from": period["from"], "to": period["to"]}
		row := subUnitRow{ID: s.Unit.ID, Name: s.Unit.Name, Link: "/overview?" + v.Encode(),
			Open:      intCell(p, "sub:"+s.Unit.ID+":open", s.Open),
			Missed:    intCell(p, "sub:"+s.Unit.ID+":missed", s.Missed),
			Overdue:   intCell(p, "sub:"+s.Unit.ID+":overdue", s.Overdue),
			MetRatio:  cell{Fig: "sub:" + s.Unit.ID + ":deadlineMetRatio", Value: p.T("overview.none")},
			OpenBar:   inlineBar(float64(s.Open)/float64(mostOpen), "f-blue"),
			MissedBar: inlineBar(float64(s.Missed)/float64(mostMissed), "f-red"),
		}
		if s.MetRatio != nil {
			row.HasRatio = true
			row.MetRatio.Value, row.MetRatio.Raw = p.percent(*s.MetRatio), rawFloat(s.MetRatio)
			row.MetBar = inlineBar(*s.MetRatio, "f-green")
		}
		out = append(out, row)
	}
	return out
}

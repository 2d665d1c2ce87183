package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"casetrail/incident"
)

// periodicQuery asks for the registry's units (the unit choice) and the
// periodic report of a unit for a period (schema/report.go): every figure
// the page and the files show is one of these, as the API answers it for
// the user.
const periodicQuery = `query PeriodicReport($unit: ID!, $period: String!) {
  units { id name parent { id } }
  periodicReport(unit: $unit, period: $period) { ` + periodicFields + ` }
}`

// periodicFields are the report's fields, decoded into periodicAnswer.
const periodicFields = `unit { id name } period { kind year number } asOf generatedAt
    rows { ` + periodicRowFields + ` }
    totals { ` + periodicRowFields + ` }
    xlsxUrl csvUrl docxUrl pdfUrl`

const periodicRowFields = `unit { id name } direct received receivedByKind { kind count } resolved closed rejected
      openAtEnd overdue missed takedownsSent takedownsRemoved takedownsRefused takedownsUnanswered escalationsSent
      deadlineMetRatio medianResolveHours`

// periodicAnswer is periodicReport as the API gives it: the domain's
// report (its JSON names are the graph's) and the files' links.
type periodicAnswer struct {
	incident.PeriodicReport
	XLSX string `json:"xlsxUrl"`
	CSV  string `json:"csvUrl"`
	DOCX string `json:"docxUrl"`
	PDF  string `json:"pdfUrl"`
}

// periodicColumn is a figure column of the page's table: its key in the
// API (data-fig), its group ("" alone) and its value in a row.
type periodicColumn struct {
	Key, Group string
	kind       string // "count", "percent", "hours"
	get        func(incident.ReportRow) *float64
}

func countOf(f func(incident.ReportRow) int) func(incident.ReportRow) *float64 {
	return func(r incident.ReportRow) *float64 {
		v := float64(f(r))
		return &v
	}
}

// periodicColumns are the columns, in the order of the report's documents.
var periodicColumns = func() []periodicColumn {
	cols := []periodicColumn{{Key: "received", Group: "received", kind: "count", get: countOf(func(r incident.ReportRow) int { return r.Received })}}
	for _, k := range incident.Kinds {
		cols = append(cols, periodicColumn{Key: "receivedByKind." + string(k), Group: "received", kind: "count",
			get: countOf(func(r incident.ReportRow) int { return r.ByKind(k) })})
	}
	return append(cols,
		periodicColumn{Key: "resolved", Group: "outcome", kind: "count", get: countOf(func(r incident.ReportRow) int { return r.Resolved })},
		periodicColumn{Key: "closed", Group: "outcome", kind: "count", get: countOf(func(r incident.ReportRow) int { return r.Closed })},
		periodicColumn{Key: "rejected", Group: "outcome", kind: "count", get: countOf(func(r incident.ReportRow) int { return r.Rejected })},
		periodicColumn{Key: "openAtEnd", Group: "end", kind: "count", get: countOf(func(r incident.ReportRow) int { return r.OpenAtEnd })},
		periodicColumn{Key: "overdue", Group: "end", kind: "count", get: countOf(func(r incident.ReportRow) int { return r.Overdue })},
		periodicColumn{Key: "missed", kind: "count", get: countOf(func(r incident.ReportRow) int { return r.Missed })},
		periodicColumn{Key: "takedownsSent", Group: "takedowns", kind: "count", get: countOf(func(r incident.ReportRow) int { return r.TakedownsSent })},
		periodicColumn{Key: "takedownsRemoved", Group: "takedowns", kind: "count", get: countOf(func(r incident.ReportRow) int { return r.TakedownsRemoved })},
		periodicColumn{Key: "takedownsRefused", Group: "takedowns", kind: "count", get: countOf(func(r incident.ReportRow) int { return r.TakedownsRefused })},
		periodicColumn{Key: "takedownsUnanswered", Group: "takedowns", kind: "count", get: countOf(func(r incident.ReportRow) int { return r.TakedownsUnanswered })},
		periodicColumn{Key: "escalationsSent", kind: "count", get: countOf(func(r incident.ReportRow) int { return r.EscalationsSent })},
		periodicColumn{Key: "deadlineMetRatio", kind: "percent", get: func(r incident.ReportRow) *float64 { return r.DeadlineMetRatio }},
		periodicColumn{Key: "medianResolveHours", kind: "hours", get: func(r incident.ReportRow) *float64 { return r.MedianResolveHours }},
	)
}()

// head names a column: a kind by the kind's words, the others by key.
func (c periodicColumn) head(p *Printer) string {
	if k, ok := strings.CutPrefix(c.Key, "receivedByKind."); ok {
		return p.Word("kind", incident.Kind(k))
	}
	return p.T("reports.col." + c.Key)
}

// headCell is a cell of the table's two header rows.
type headCell struct {
	Text             string
	ColSpan, RowSpan int
}

// periodicRow is a row of the page's table.
type periodicRow struct {
	N, Label, Unit string
	Cells          []cell
}

// periodOption is a period offered in the select.
type periodOption struct{ Code, Label string }

// periodGroup is an optgroup of the period select.
type periodGroup struct {
	Label   string
	Options []periodOption
}

// periodicData is the page's own data.
type periodicData struct {
	Unit, Period string
	Units        []unitOption
	Periods      []periodGroup
	Notes        []string
	Error        string
	Heading      string
	Span         string
	Running      string
	Head1, Head2 []headCell
	Rows         []periodicRow
	Total        periodicRow
	Files        []struct{ URL, Label string }
	ColumnNotes  []string
}

// periodicShow is Báo cáo định kỳ: for one of the user's units and a
// period of Decree 09/2019, the table of the periodic report as the API
// gives it (a row per sub-unit, the unit's own cases, the totals), links
// to its four files, and what each column counts.
func (h *Handler) periodicShow(w http.ResponseWriter, r *http.Request, u *User) {
	pg := h.frame(r, u, "overview", "reports.title")
	p := pg.P
	if !pg.Viewer.CanOverview() {
		h.refuseRole(w, r, pg, "reports.forbidden")
		return
	}
	q := r.URL.Query()
	now := time.Now()
	d := periodicData{Unit: strings.TrimSpace(q.Get("unit")), Periods: periodChoices(p, now)}
	if len(d.Unit) > 256 || !utf8.ValidString(d.Unit) {
		d.Unit = ""
	}
	period := incident.PeriodContaining(incident.PeriodMonth, now).Previous()
	if s := q.Get("period"); s != "" {
		if pp, err := incident.ParseReportPeriod(s); err == nil {
			period = pp
		} else {
			d.Notes = append(d.Notes, p.T("reports.badPeriod", periodName(p, period)))
		}
	}
	d.Period = period.String()
	roots := grantUnits(pg.Viewer, overviewRoles...)
	if d.Unit == "" && len(roots) > 0 {
		d.Unit = roots[0]
	}
	var out struct {
		Units  []unitRow       `json:"units"`
		Report *periodicAnswer `json:"periodicReport"`
	}
	ae := h.run(r.Context(), u, periodicQuery, map[string]any{"unit": d.Unit, "period": d.Period}, &out)
	if ae != nil && (ae.Code == incident.CodeForbidden || ae.Code == incident.CodeNotFound) && len(roots) > 0 && d.Unit != roots[0] {
		// A unit the user may not report on gives way to the first of theirs.
		d.Unit = roots[0]
		out.Report = nil
		ae = h.run(r.Context(), u, periodicQuery, map[string]any{"unit": d.Unit, "period": d.Period}, &out)
		d.Notes = append(d.Notes, p.T("reports.badUnit", unitName(out.Units, d.Unit)))
	}
	d.Units = unitsUnder(out.Units, roots)
	if ae != nil {
		d.Error = p.T("reports.loadError", p.Code(ae.Code))
		pg.Data = d
		h.render(w, r, http.StatusOK, "periodic", pg)
		return
	}
	rep := out.Report
	from, to := rep.Period.Bounds()
	d.Heading = p.T("reports.heading", rep.Unit.Name, rep.Period.Label())
	if p.lang != Vietnamese {
		d.Heading = p.T("reports.heading", rep.Unit.Name, periodName(p, rep.Period))
	}
	d.Span = p.T("reports.span", p.Date(from), p.Date(rep.Period.LastDay()))
	if rep.AsOf.Before(to) {
		d.Running = p.T("reports.running", p.Time(rep.AsOf))
	}
	d.Head1, d.Head2 = periodicHeads(p)
	for i, row := range rep.Rows {
		label := row.Unit.Name
		if row.Direct {
			label = p.T("reports.direct", row.Unit.Name)
		}
		d.Rows = append(d.Rows, periodicCells(p, strconv.Itoa(i+1), label, row))
	}
	d.Total = periodicCells(p, "", p.T("reports.total"), rep.Totals)
	for _, f := range []struct{ url, key string }{{rep.XLSX, "reports.xlsx"}, {rep.CSV, "reports.csv"}, {rep.DOCX, "reports.docx"}, {rep.PDF, "reports.pdf"}} {
		d.Files = append(d.Files, struct{ URL, Label string }{f.url, p.T(f.key)})
	}
	for _, k := range []string{"received", "resolved", "closed", "rejected", "openAtEnd", "overdue", "missed", "takedownsSent",
		"escalationsSent", "deadlineMetRatio", "medianResolveHours"} {
		d.ColumnNotes = append(d.ColumnNotes, p.T("reports.col."+k)+": "+p.T("reports.note."+k))
	}
	pg.Data = d
	h.render(w, r, http.StatusOK, "periodic", pg)
}

// periodicHeads are the two header rows: the number and unit, then each
// group over its columns (a column without one spans both rows).
func periodicHeads(p *Printer) (first, second []headCell) {
	first = []headCell{{Text: p.T("reports.number"), RowSpan: 2}, {Text: p.T("reports.unitCol"), RowSpan: 2}}
	for i := 0; i < len(periodicColumns); {
		c := periodicColumns[i]
		if c.Group == "" {
			first = append(first, headCell{Text: c.head(p), RowSpan: 2})
			i++
			continue
		}
		j := i
		for j < len(periodicColumns) && periodicColumns[j].Group == c.Group {
			second = append(second, headCell{Text: periodicColumns[j].head(p)})
			j++
		}
		first = append(first, headCell{Text: p.T("reports.group." + c.Group), ColSpan: j - i})
		i = j
	}
	return first, second
}

// periodicCells is a row's cells: data-value holds the API's value.
func periodicCells(p *Printer, n, label string, r incident.ReportRow) periodicRow {
	out := periodicRow{N: n, Label: label, Unit: r.Unit.ID}
	for _, c := range periodicColumns {
		v := c.get(r)
		ce := cell{Fig: c.Key, Raw: rawFloat(v), Value: p.T("reports.none")}
		if v != nil {
			switch c.kind {
			case "percent":
				ce.Value = p.T("reports.percent", p.decimal(100**v))
			case "hours":
				ce.Value = p.decimal(*v)
			default:
				ce.Value = p.Number(int(*v))
			}
		}
		out.Cells = append(out.Cells, ce)
	}
	return out
}

var romanQuarters = []string{"", "I", "II", "III", "IV"}

// periodName names a period in the page's language.
func periodName(p *Printer, r incident.ReportPeriod) string {
	switch r.Kind {
	case incident.PeriodMonth:
		return p.T("reports.period.month", r.N, r.Year)
	case incident.PeriodQuarter:
		return p.T("reports.period.quarter", romanQuarters[r.N], r.Year)
	case incident.PeriodHalfYear:
		if r.N == 1 {
			return p.T("reports.period.half1", r.Year)
		}
		return p.T("reports.period.half2", r.Year)
	}
	return p.T("reports.period.year", r.Year)
}

// periodChoices are the periods offered: the running month and the twelve
// before it, the running quarter and four before, the running half-year and
// two before, the running year and two before, each with its span.
func periodChoices(p *Printer, now time.Time) []periodGroup {
	var out []periodGroup
	for _, g := range []struct {
		kind incident.PeriodKind
		key  string
		n    int
	}{{incident.PeriodMonth, "reports.months", 13}, {incident.PeriodQuarter, "reports.quarters", 5},
		{incident.PeriodHalfYear, "reports.halves", 3}, {incident.PeriodYear, "reports.years", 3}} {
		grp := periodGroup{Label: p.T(g.key)}
		per := incident.PeriodContaining(g.kind, now)
		for i := range g.n {
			from, _ := per.Bounds()
			label := p.T("reports.period.spanOf", periodName(p, per), p.Date(from), p.Date(per.LastDay()))
			if i == 0 {
				label = p.T("reports.period.current", label)
			}
			grp.Options = append(grp.Options, periodOption{Code: per.String(), Label: label})
			per = per.Previous()
		}
		out = append(out, grp)
	}
	return out
}

package schema

import (
	"context"
	"errors"
	"net/url"

	"github.com/graphql-go/graphql"

	"casetrail/incident"
)

// The periodic report (báo cáo định kỳ, issue 16), beyond the contract
// (additions only): Query.periodicReport(unit, period) gives, for a unit's
// subtree and a period of Decree 09/2019/NĐ-CP (incident.ReportPeriod),
// one row per direct sub-unit, a row of the unit's own cases and the
// totals, by the rules written on incident.PeriodicReport, and the links
// where the web interface serves it as XLSX, CSV, DOCX and PDF
// (ReportURL). LEADER and AUDITOR of the unit may read it
// (incident.ActionReadPeriodicReport).

// PeriodicReports computes periodic reports (readmodel.Reader); the Cases
// of Deps serve them when they implement it.
type PeriodicReports interface {
	// PeriodicReport returns the report of unit's subtree for p; an
	// unknown unit is NOT_FOUND.
	PeriodicReport(ctx context.Context, unit string, p incident.ReportPeriod) (incident.PeriodicReport, error)
}

var errNoReports = errors.New("periodicReport: the Cases of Deps do not implement PeriodicReports")

// ReportPath is the web interface's path of the periodic report's files:
// ReportPath + "file.xlsx" (".csv", ".docx", ".pdf") with the query
// unit=…&period=….
const ReportPath = "/reports/"

// ReportFormats are the formats the web interface serves a report in.
var ReportFormats = []string{"xlsx", "csv", "docx", "pdf"}

// ReportURL returns the web interface's path of the report of unit for
// period in format (one of ReportFormats).
func ReportURL(unit string, p incident.ReportPeriod, format string) string {
	return ReportPath + "file." + format + "?" + url.Values{"unit": {unit}, "period": {p.String()}}.Encode()
}

// reportFields adds the report's types to t and returns Query.periodicReport.
func (r *resolver) reportFields(t *types) {
	kind := graphql.NewEnum(graphql.EnumConfig{Name: "ReportPeriodKind", Values: graphql.EnumValueConfigMap{
		"MONTH":     {Value: incident.PeriodMonth, Description: "From the 15th of the previous month to the 14th of the month"},
		"QUARTER":   {Value: incident.PeriodQuarter, Description: "From the 15th of the month before the quarter to the 14th of its last month"},
		"HALF_YEAR": {Value: incident.PeriodHalfYear, Description: "From the 15th of the month before the half-year to the 14th of its sixth month"},
		"YEAR":      {Value: incident.PeriodYear, Description: "From 15 December of the previous year to 14 December"},
	}})
	period := graphql.NewObject(graphql.ObjectConfig{
		Name:        "ReportPeriod",
		Description: "A reporting period of Decree 09/2019/NĐ-CP, Art. 12, in Asia/Ho_Chi_Minh",
		Fields: graphql.Fields{
			"kind":   field(nn(kind), "", src(func(p *incident.ReportPeriod) any { return p.Kind })),
			"year":   field(nn(graphql.Int), "", src(func(p *incident.ReportPeriod) any { return p.Year })),
			"number": field(nn(graphql.Int), "The month (1–12), quarter (1–4) or half (1–2); 1 for a year", src(func(p *incident.ReportPeriod) any { return p.N })),
			"from": field(nn(DateTime), "The first instant: the 15th 00:00 +07:00", src(func(p *incident.ReportPeriod) any {
				from, _ := p.Bounds()
				return from
			})),
			"to": field(nn(DateTime), "The instant after the last (the next 15th 00:00 +07:00): the period is [from, to), the 14th included whole",
				src(func(p *incident.ReportPeriod) any {
					_, to := p.Bounds()
					return to
				})),
			"label": field(nn(graphql.String), `As a Vietnamese report names it: "tháng 3 năm 2026", "quý I năm 2026"`,
				src(func(p *incident.ReportPeriod) any { return p.Label() })),
			"code": field(nn(graphql.String), `As periodicReport(period:) reads it: "2026-03", "2026-Q1", "2026-H1", "2026"`,
				src(func(p *incident.ReportPeriod) any { return p.String() })),
		},
	})
	intF := func(desc string, fn func(*incident.ReportRow) int) *graphql.Field {
		return field(nn(graphql.Int), desc, src(func(row *incident.ReportRow) any { return fn(row) }))
	}
	row := graphql.NewObject(graphql.ObjectConfig{
		Name: "PeriodicReportRow",
		Description: "The figures of a unit's subtree in a periodic report. \"At the end\" is at PeriodicReport.asOf: the figures " +
			"are those of the cases as they stood then (folded again from their histories), except missed, which is now",
		Fields: graphql.Fields{
			"unit": field(nn(t.unit), "The sub-unit (its whole subtree); the report's unit for its own cases (direct) and the totals",
				r.guard("PeriodicReportRow.unit", func(p graphql.ResolveParams) (any, error) {
					return r.state(p.Context).reportUnit(p.Context, p.Source.(*incident.ReportRow).Unit) // named as at the end
				})),
			"direct":   field(nn(graphql.Boolean), "The row of the cases filed on the report's unit itself", src(func(row *incident.ReportRow) any { return row.Direct })),
			"received": intF("Cases reported in the period (stats.total for the same unit and window)", func(row *incident.ReportRow) int { return row.Received }),
			"receivedByKind": field(listOf(t.countByKind), "Received, by kind, every kind (stats.byKind)", src(func(row *incident.ReportRow) any {
				m := map[incident.Kind]int{}
				for _, c := range row.ReceivedByKind {
					m[c.Kind] = c.Count
				}
				return counts(incident.Kinds, m)
			})),
			"resolved":            intF("Cases whose resolution, as it stood at the end, was reached in the period", func(row *incident.ReportRow) int { return row.Resolved }),
			"closed":              intF("Cases CLOSED at the end that were closed in the period", func(row *incident.ReportRow) int { return row.Closed }),
			"rejected":            intF("Cases REJECTED at the end that were rejected in the period", func(row *incident.ReportRow) int { return row.Rejected }),
			"openAtEnd":           intF("Cases reported before the end and open at it, earlier periods' included", func(row *incident.ReportRow) int { return row.OpenAtEnd }),
			"overdue":             intF("The contract's overdue at the end: cases with a deadline still PENDING then although due before", func(row *incident.ReportRow) int { return row.Overdue }),
			"missed":              intF("As stats.missed, now: cases reported in the period that have now "+missedRule, func(row *incident.ReportRow) int { return row.Missed }),
			"takedownsSent":       intF("Takedown requests made in the period (stats.takedownsByPlatform summed)", func(row *incident.ReportRow) int { return row.TakedownsSent }),
			"takedownsRemoved":    intF("Of takedownsSent, REMOVED at the end", func(row *incident.ReportRow) int { return row.TakedownsRemoved }),
			"takedownsRefused":    intF("Of takedownsSent, REJECTED by the platform at the end", func(row *incident.ReportRow) int { return row.TakedownsRefused }),
			"takedownsUnanswered": intF("Of takedownsSent, without a response recorded at the end (SENT or EXPIRED)", func(row *incident.ReportRow) int { return row.TakedownsUnanswered }),
			"escalationsSent":     intF("Escalations sent to the higher authority in the period", func(row *incident.ReportRow) int { return row.EscalationsSent }),
			"deadlineMetRatio": field(graphql.Float, "MET / (MET + MISSED) of the deadlines settled in the period (stats.deadlineMetRatio); null when none",
				src(func(row *incident.ReportRow) any { return optFloat(row.DeadlineMetRatio) })),
			"medianResolveHours": field(graphql.Float, "Median hours from report to resolution of the cases counted in resolved; null when none",
				src(func(row *incident.ReportRow) any { return optFloat(row.MedianResolveHours) })),
		},
	})
	fileURL := func(format string) *graphql.Field {
		return field(nn(graphql.String), "Where the web interface serves the report as "+format, src(func(rep *incident.PeriodicReport) any {
			return ReportURL(rep.Unit.ID, rep.Period, format)
		}))
	}
	t.periodicReport = graphql.NewObject(graphql.ObjectConfig{
		Name:        "PeriodicReport",
		Description: "The báo cáo định kỳ of a unit's subtree for a period (Decree 09/2019/NĐ-CP)",
		Fields: graphql.Fields{
			"unit": field(nn(t.unit), "", r.guard("PeriodicReport.unit", func(p graphql.ResolveParams) (any, error) {
				return r.state(p.Context).reportUnit(p.Context, p.Source.(*incident.PeriodicReport).Unit) // named as at the end
			})),
			"period": field(nn(period), "", src(func(rep *incident.PeriodicReport) any { return &rep.Period })),
			"asOf": field(nn(DateTime), "The instant the figures at the end are taken at: the period's end, or generatedAt while it runs",
				src(func(rep *incident.PeriodicReport) any { return rep.AsOf })),
			"generatedAt": field(nn(DateTime), "", src(func(rep *incident.PeriodicReport) any { return rep.MadeAt })),
			"rows": field(listOf(row), "Each direct sub-unit by name, then the unit's own cases (direct) when it has any",
				src(func(rep *incident.PeriodicReport) any { return ptrs(rep.Rows) })),
			"totals":  field(nn(row), "The whole subtree", src(func(rep *incident.PeriodicReport) any { return &rep.Totals })),
			"xlsxUrl": fileURL("xlsx"),
			"csvUrl":  fileURL("csv"),
			"docxUrl": fileURL("docx"),
			"pdfUrl":  fileURL("pdf"),
		},
	})
}

// periodicReportField is Query.periodicReport.
func (r *resolver) periodicReportField() *graphql.Field {
	return &graphql.Field{
		Type: nn(r.t.periodicReport),
		Description: "The periodic report of a unit's subtree (LEADER and AUDITOR of the unit). period: " + incident.PeriodForms +
			", a period of Decree 09/2019/NĐ-CP (a month runs from the 15th of the month before to the 14th)",
		Args: graphql.FieldConfigArgument{
			"unit":   {Type: nn(graphql.ID)},
			"period": {Type: nn(graphql.String)},
		},
		Resolve: r.guard("periodicReport", r.periodicReport),
	}
}

func (r *resolver) periodicReport(p graphql.ResolveParams) (any, error) {
	sub, err := subject(p.Context)
	if err != nil {
		return nil, err
	}
	unit, err := idArg(p.Args, "unit")
	if err != nil {
		return nil, err
	}
	per, err := incident.ParseReportPeriod(argString(p.Args, "period"))
	if err != nil {
		return nil, err
	}
	if err := r.knownUnit(p.Context, "unit", unit); err != nil {
		return nil, err
	}
	if err := r.allow(sub, incident.ActionReadPeriodicReport, unit); err != nil {
		return nil, err
	}
	reports, ok := r.projected.(PeriodicReports)
	if !ok {
		return nil, errNoReports
	}
	rep, err := reports.PeriodicReport(p.Context, unit, per)
	if err != nil {
		return nil, err
	}
	return &rep, nil
}

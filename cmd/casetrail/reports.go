package main

import (
	"context"
	"time"

	"casetrail/documents"
	"casetrail/incident"
)

// reportFile makes a file of the periodic report rep (issue 16) that the
// API gave a web user: XLSX, CSV, DOCX or PDF, headed by the report unit's
// letterhead from the registry (documents.ReportHeadingFor) and dated
// now. The web interface calls it after the API answered the report for
// that user, so its figures are that answer.
func (a *app) reportFile(ctx context.Context, format string, rep incident.PeriodicReport) ([]byte, error) {
	if format == "csv" {
		return documents.RenderReportCSV(rep)
	}
	units, err := a.registry.Units(ctx)
	if err != nil {
		return nil, err
	}
	h := documents.ReportHeadingFor(incident.NewUnitTree(units), rep.Unit.ID, time.Now())
	switch format {
	case "xlsx":
		return documents.RenderReportXLSX(rep, h)
	case "docx":
		return documents.RenderReportDOCX(rep, h)
	case "pdf":
		return documents.RenderReportPDF(rep, h)
	}
	return nil, incident.BadInput("format", "%q is not xlsx, csv, docx or pdf", format)
}

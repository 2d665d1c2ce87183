package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"casetrail/api"
	"casetrail/documents"
	"casetrail/incident"
)

// periodicDesk is the live desk with leader1 leading Tân Uyên and the
// report files made by the documents package, as serve wires them.
func periodicDesk(t *testing.T) (*liveDesk, *[]incident.PeriodicReport) {
	t.Helper()
	var made []incident.PeriodicReport
	d := newLiveDesk(t, func(o *Options) {
		o.ReportFile = func(ctx context.Context, format string, rep incident.PeriodicReport) ([]byte, error) {
			made = append(made, rep)
			h := documents.ReportHeading{IssuingBody: rep.Unit.Name, Place: "Tân Uyên", Date: time.Now()}
			switch format {
			case "xlsx":
				return documents.RenderReportXLSX(rep, h)
			case "csv":
				return documents.RenderReportCSV(rep)
			case "docx":
				return documents.RenderReportDOCX(rep, h)
			}
			return documents.RenderReportPDF(rep, h)
		}
	})
	if err := d.authz.Grant(d.ctx, api.Grant{Subject: "leader1", Role: api.RoleLeader, Unit: "lai-chau/tan-uyen"}); err != nil {
		t.Fatal(err)
	}
	d.addUser("leader1", "Trần Thị Lan", goodPassword, false)
	return d, &made
}

func TestPeriodicReportPageAndFiles(t *testing.T) {
	d, made := periodicDesk(t)
	// Last month's period (Decree 09: the 15th to the 14th): two cases in
	// Phúc Khoa, one resolved a day later; one on the district itself; one
	// reported before the period, still open at its end.
	period := incident.PeriodContaining(incident.PeriodMonth, time.Now()).Previous()
	from, _ := period.Bounds()
	a := d.seed("reporter1", from.Add(26*time.Hour), incident.Report{Title: "Trang giả mạo UBND xã", Unit: "lai-chau/tan-uyen/xa-phuc-khoa", Kind: incident.Impersonation})
	a.do("handler1", from.Add(27*time.Hour), incident.Triage{Severity: incident.High, Assignee: "handler1"})
	a.do("handler1", from.Add(28*time.Hour), incident.StartAnalysis{})
	a.do("handler1", from.Add(50*time.Hour), incident.Resolve{Resolution: "Trang đã bị gỡ"})
	d.seed("reporter1", from.Add(30*time.Hour), incident.Report{Title: "Tin sai sự thật về lũ", Unit: "lai-chau/tan-uyen/xa-phuc-khoa"})
	d.seed("handler1", from.Add(40*time.Hour), incident.Report{Title: "Fanpage huyện bị chiếm quyền", Unit: "lai-chau/tan-uyen"})
	d.seed("handler1", from.Add(-72*time.Hour), incident.Report{Title: "Tin cũ chưa xử lý", Unit: "lai-chau/tan-uyen/xa-trung-dong"})
	d.project()

	leader := d.loggedIn("leader1")
	q := url.Values{"unit": {"lai-chau/tan-uyen"}, "period": {period.String()}}
	page := leader.get("/reports?" + q.Encode())
	if page.StatusCode != http.StatusOK {
		t.Fatalf("GET /reports: %d\n%.800s", page.StatusCode, page.body)
	}
	for _, want := range []string{
		"Tân Uyên — kỳ " + period.Label(),
		`<tr data-unit="lai-chau/tan-uyen/xa-phuc-khoa">`,
		`<th scope="row">Tân Uyên (vụ việc trực tiếp)</th>`,
		`data-total="true"`,
		`data-fig="received" data-value="3"`,  // the totals
		`data-fig="resolved" data-value="1"`,  // a
		`data-fig="openAtEnd" data-value="3"`, // the other two and the one of the month before
		`data-fig="medianResolveHours" data-value="24"`,
		`href="/reports/file.xlsx?period=` + period.String() + `&amp;unit=lai-chau%2Ftan-uyen"`,
		`<option value="` + period.String() + `" selected>`,
		`<optgroup label="Báo cáo quý">`,
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the report page lacks %s", want)
		}
	}

	for _, tc := range []struct{ ext, media, magic string }{
		{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK"},
		{"csv", "text/csv; charset=utf-8", "\ufeffMã đơn vị,Đơn vị,"},
		{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK"},
		{"pdf", "application/pdf", "%PDF-"},
	} {
		res := leader.get("/reports/file." + tc.ext + "?" + q.Encode())
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != tc.media || !strings.HasPrefix(res.body, tc.magic) {
			t.Errorf("file.%s: %d %q %.40q", tc.ext, res.StatusCode, res.Header.Get("Content-Type"), res.body)
			continue
		}
		_, params, err := mime.ParseMediaType(res.Header.Get("Content-Disposition"))
		if want := "bao-cao-lai-chau-tan-uyen-" + strings.ToLower(period.String()) + "." + tc.ext; err != nil || params["filename"] != want {
			t.Errorf("file.%s: Content-Disposition %q, want the filename %s", tc.ext, res.Header.Get("Content-Disposition"), want)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("file.%s may be sniffed", tc.ext)
		}
		switch tc.ext {
		case "xlsx":
			f, err := excelize.OpenReader(bytes.NewReader([]byte(res.body)))
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := f.GetRows(documents.ReportSheet)
			var total []string
			for _, r := range rows {
				if len(r) > 2 && r[1] == "Tổng cộng" {
					total = r
				}
			}
			if len(total) < 3 || total[2] != "3" {
				t.Errorf("the XLSX totals row %q, want 3 received", total)
			}
			f.Close()
		case "csv":
			recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.body, "\ufeff"))).ReadAll()
			if err != nil || len(recs) != 6 || recs[5][1] != "Tổng cộng" || recs[5][2] != "3" {
				t.Errorf("CSV %q: %v", recs, err)
			}
		}
	}
	// The files are made of what the API answered the leader.
	if len(*made) != 4 || (*made)[0].Totals.Received != 3 || (*made)[0].Unit.ID != "lai-chau/tan-uyen" || (*made)[0].Period != period {
		t.Errorf("files made of %+v", *made)
	}

	// The overview links to the report of its unit.
	if ov := leader.get("/overview?unit=lai-chau%2Ftan-uyen"); !strings.Contains(ov.body, `href="/reports?unit=lai-chau%2ftan-uyen"`) &&
		!strings.Contains(ov.body, `href="/reports?unit=lai-chau%2Ftan-uyen"`) {
		t.Errorf("the overview does not link to the report:\n%.400s", ov.body)
	}

	// Refusals: a handler has neither the page nor the files; a leader
	// asking above their unit or for a bad period or file is refused.
	handler := d.loggedIn("handler1")
	if res := handler.get("/reports"); res.StatusCode != http.StatusForbidden {
		t.Errorf("handler GET /reports: %d", res.StatusCode)
	}
	if res := handler.get("/reports/file.csv?" + q.Encode()); res.StatusCode != http.StatusForbidden {
		t.Errorf("handler file.csv: %d", res.StatusCode)
	}
	above := url.Values{"unit": {"lai-chau"}, "period": {period.String()}}
	if res := leader.get("/reports/file.csv?" + above.Encode()); res.StatusCode != http.StatusForbidden {
		t.Errorf("leader of a district, the province's file: %d", res.StatusCode)
	}
	if res := leader.get("/reports/file.pdf?unit=lai-chau%2Ftan-uyen&period=2026-13"); res.StatusCode != http.StatusBadRequest ||
		!strings.Contains(res.body, "2026-Q1") {
		t.Errorf("a bad period: %d", res.StatusCode)
	}
	if res := leader.get("/reports/file.exe?" + q.Encode()); res.StatusCode != http.StatusNotFound {
		t.Errorf("file.exe: %d", res.StatusCode)
	}
	if len(*made) != 4 {
		t.Errorf("a refused download made a file: %d made", len(*made))
	}
	// The page falls back to the leader's unit and the last month.
	if res := leader.get("/reports?unit=lai-chau&period=bad"); res.StatusCode != http.StatusOK ||
		!strings.Contains(res.body, "Kỳ báo cáo không hợp lệ") || !strings.Contains(res.body, "Bạn không xem được báo cáo của đơn vị này") {
		t.Errorf("fallbacks: %d\n%.600s", res.StatusCode, res.body)
	}
	// The auditor of the province reads the province's.
	auditor := d.loggedIn("auditor1")
	if res := auditor.get("/reports/file.csv?" + above.Encode()); res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Tổng cộng,3,") {
		t.Errorf("auditor's province file: %d %.300q", res.StatusCode, res.body)
	}
}

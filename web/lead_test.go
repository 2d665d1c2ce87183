package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"casetrail/api"
	"casetrail/eventstore"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// The leaders' pages over the real graph (liveDesk): leader1 leads Tân
// Uyên; auditor1 audits the province.

// leadDesk is the live desk with a leader.
func leadDesk(t *testing.T) *liveDesk {
	t.Helper()
	d := newLiveDesk(t, nil)
	if err := d.authz.Grant(d.ctx, api.Grant{Subject: "leader1", Role: api.RoleLeader, Unit: "lai-chau/tan-uyen"}); err != nil {
		t.Fatal(err)
	}
	d.addUser("leader1", "Trần Thị Lan", goodPassword, false)
	return d
}

// tick runs the case's deadline clock up to at, writing what it decides
// as the system's events (as the case's workflow does).
func (s *seeded) tick(at time.Time) *seeded {
	t := s.d.t
	t.Helper()
	pol := incident.DefaultPolicy()
	for {
		wake, ok := incident.NextWake(&s.c, pol)
		if !ok || wake.After(at) {
			return s
		}
		pays := incident.DueEvents(s.c, wake, pol)
		if len(pays) == 0 {
			return s
		}
		evs := make([]eventstore.EventData, len(pays))
		for i, p := range pays {
			data, err := incident.EncodePayload(p)
			if err != nil {
				t.Fatal(err)
			}
			evs[i] = eventstore.EventData{ID: uuid.NewString(), Type: p.EventType(), Data: data,
				Metadata: eventstore.Metadata{Actor: incident.SystemActor}, OccurredAt: wake}
		}
		recs, err := s.d.store.Append(s.d.ctx, incident.StreamOf(s.c.ID), s.c.Version, evs...)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			ev, err := readmodel.ToDomain(r)
			if err != nil {
				t.Fatal(err)
			}
			if err := incident.Apply(&s.c, ev); err != nil {
				t.Fatal(err)
			}
		}
	}
}

const escalationTarget = "lai-chau/so-vhttdl"

// escalate walks a case to an escalation requested at at.
func (s *seeded) escalate(at time.Time) *seeded {
	return s.do("handler1", at.Add(-3*time.Minute), incident.Triage{Severity: incident.High, Assignee: "handler1"}).
		do("handler1", at.Add(-2*time.Minute), incident.StartAnalysis{}).
		do("handler1", at.Add(-time.Minute), incident.RecordAnalysis{Findings: "Mạo danh cơ quan nhà nước", Verdict: incident.VerdictFalse}).
		do("handler1", at, incident.RequestEscalation{Reason: "Vượt thẩm quyền của huyện"})
}

var (
	approvalItem = regexp.MustCompile(`<li class="approval urgency-(\w+)" id="approval-([^"]+)">`)
	figAttr      = regexp.MustCompile(`data-fig="([^"]+)" data-value="([^"]*)"`)
)

// Chờ duyệt lists the escalations waiting in the leader's units that the
// leader may approve, oldest request first, with the time left on the
// approval deadline and a link to the case's approval form; not the
// escalations of other units or already decided ones. Only leaders have
// the page and its link.
func TestApprovalsPage(t *testing.T) {
	d := leadDesk(t)
	now := time.Now()
	report := func(unit, title string, at time.Time) *seeded {
		return d.seed("reporter1", at, incident.Report{Kind: incident.Impersonation, Unit: unit, EscalatesTo: escalationTarget, Title: title})
	}
	younger := report("lai-chau/tan-uyen/xa-phuc-khoa", "Trang giả mạo UBND xã Phúc Khoa", now.Add(-4*time.Hour)).escalate(now.Add(-3 * time.Hour))
	older := report("lai-chau/tan-uyen", "Tài khoản mạo danh Chủ tịch huyện", now.Add(-6*time.Hour)).escalate(now.Add(-5 * time.Hour))
	other := report("lai-chau/phuong-tan-phong", "Trang giả mạo phường Tân Phong", now.Add(-7*time.Hour)).escalate(now.Add(-6 * time.Hour))
	decided := report("lai-chau/tan-uyen", "Video cắt ghép", now.Add(-9*time.Hour)).escalate(now.Add(-8*time.Hour)).
		do("leader1", now.Add(-7*time.Hour), incident.DeclineEscalation{Reason: "Chưa đủ căn cứ"})
	d.project()

	c := d.loggedIn("leader1")
	r := c.get("/approvals")
	wantBody(t, r, http.StatusOK, "Chờ duyệt", "2 đề nghị chờ duyệt", "Tài khoản mạo danh Chủ tịch huyện",
		"Sở Văn hóa, Thể thao và Du lịch", "Vượt thẩm quyền của huyện", "Nguyễn Văn Hùng",
		`href="/cases/`+younger.c.ID+`#action-approveEscalation"`, "Xem và duyệt", `aria-current="page">Chờ duyệt`)
	var got []string
	for _, m := range approvalItem.FindAllStringSubmatch(r.body, -1) {
		got = append(got, m[2]+" "+m[1])
	}
	// The older request is past its 4 hours (overdue by about an hour);
	// the younger has an hour left of 4 (25 %: not yet amber).
	want := []string{older.c.ID + " over", younger.c.ID + " ok"}
	if !slices.Equal(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	text := wlText(r.body)
	for _, s := range []string{"quá hạn 1 giờ", "còn 59 phút"} {
		if !strings.Contains(text, s) {
			t.Errorf("the inbox does not say %q:\n%s", s, text)
		}
	}
	if strings.Contains(r.body, other.c.ID) || strings.Contains(r.body, decided.c.ID) {
		t.Errorf("the inbox lists another unit's or a decided escalation")
	}
	checkNoRawEnums(t, "approvals", r.body)

	// A handler has neither the link nor the page; the auditor has the overview only.
	h := d.loggedIn("handler1")
	wantBody(t, h.get("/approvals"), http.StatusForbidden, "Trang Chờ duyệt dành cho lãnh đạo đơn vị.")
	if home := h.get("/"); strings.Contains(home.body, `href="/approvals"`) || strings.Contains(home.body, `href="/overview"`) || strings.Contains(home.body, `href="/watch"`) {
		t.Errorf("a handler is offered the leaders' pages")
	}
	a := d.loggedIn("auditor1")
	home := a.get("/")
	if !strings.Contains(home.body, `href="/overview"`) || strings.Contains(home.body, `href="/approvals"`) || strings.Contains(home.body, `href="/watch"`) {
		t.Errorf("the auditor's navigation: %s", wlText(home.body))
	}
	wantBody(t, a.get("/watch"), http.StatusForbidden, "Trang Theo dõi dành cho lãnh đạo đơn vị.")
	if home := c.get("/"); !strings.Contains(home.body, `href="/approvals"`) || !strings.Contains(home.body, `href="/watch"`) || !strings.Contains(home.body, `href="/overview"`) {
		t.Errorf("the leader's navigation lacks a page")
	}

	// Once decided, the escalation leaves the inbox.
	older.do("leader1", now, incident.ApproveEscalation{Note: "Đồng ý"})
	younger.do("leader1", now, incident.DeclineEscalation{Reason: "Xử lý tại huyện"})
	d.project()
	wantBody(t, c.get("/approvals"), http.StatusOK, "0 đề nghị chờ duyệt", "Không có đề nghị chuyển cấp trên nào đang chờ duyệt.")
}

// Theo dõi lists the cases whose missed deadline's step has not happened,
// the one missed longest ago first: not those whose step came late, nor
// those merely past due.
func TestWatchPage(t *testing.T) {
	d := leadDesk(t)
	now := time.Now()
	h := time.Hour
	recent := d.seed("reporter1", now.Add(-6*h), incident.Report{Unit: "lai-chau/tan-uyen/xa-phuc-khoa", Title: "Tin sai về dịch bệnh"}).tick(now)
	long := d.seed("reporter1", now.Add(-30*h), incident.Report{Unit: "lai-chau/tan-uyen", Title: "Tin đồn giá điện"}).tick(now.Add(-20 * h))
	late := d.seed("reporter1", now.Add(-10*h), incident.Report{Unit: "lai-chau/tan-uyen", Title: "Video cắt ghép"}).tick(now.Add(-5*h)).
		do("handler1", now.Add(-4*h), incident.Triage{Severity: incident.Low, Assignee: "handler1"})
	due := d.seed("reporter1", now.Add(-5*h), incident.Report{Unit: "lai-chau/tan-uyen", Title: "Bài viết bịa đặt"}) // past due, not recorded
	elsewhere := d.seed("reporter9", now.Add(-9*h), incident.Report{Unit: "lai-chau/phuong-tan-phong", Title: "Tin đồn phường"}).tick(now)
	d.project()

	c := d.loggedIn("leader1")
	r := c.get("/watch")
	wantBody(t, r, http.StatusOK, "Theo dõi", "2 vụ việc", "Hạn phân loại", "quá hạn 1 ngày 2 giờ", "quá hạn 2 giờ")
	if got, want := wlRows(r.body), []string{long.c.ID, recent.c.ID}; !slices.Equal(got, want) {
		t.Errorf("rows %v, want %v (longest missed first)", got, want)
	}
	for _, s := range []*seeded{late, due, elsewhere} {
		if strings.Contains(r.body, s.c.ID) {
			t.Errorf("the watch list shows %q", s.c.Title)
		}
	}
	checkNoRawEnums(t, "watch", r.body)
	r = c.get("/watch?unit=lai-chau/tan-uyen/xa-phuc-khoa")
	if got := wlRows(r.body); !slices.Equal(got, []string{recent.c.ID}) {
		t.Errorf("the commune's watch list: %v", got)
	}
	// A stale cursor starts again from the first page.
	wantBody(t, c.get("/watch?after=bm9wZQ"), http.StatusOK, "Liên kết trang này không còn dùng được")
}

// overviewAPI is stats as the API answers it.
const overviewStatsQuery = `query S($unit: ID, $from: DateTime, $to: DateTime) {
  stats(unit: $unit, from: $from, to: $to) {
    total open overdue missed medianHoursToResolve deadlineMetRatio
    byStatus { status count } byKind { kind count }
    reportedByWeek { weekStart kind count }
    takedownsByPlatform { platform status count }
    subUnits { unit { id } open overdue missed deadlineMetRatio }
  }
}`

// wantFigures returns every figure the overview may show for stats st, by
// the page's names, from the API's own answer.
func wantFigures(t *testing.T, st map[string]any) map[string]string {
	t.Helper()
	num := func(v any) string {
		switch x := v.(type) {
		case nil:
			return ""
		case float64:
			if x == float64(int(x)) && !strings.Contains(fmt.Sprint(v), ".") {
				return strconv.Itoa(int(x))
			}
			return strconv.FormatFloat(x, 'g', -1, 64)
		case json.Number:
			return x.String()
		}
		t.Fatalf("not a number: %T %v", v, v)
		return ""
	}
	out := map[string]string{}
	for _, k := range []string{"total", "open", "overdue", "missed"} {
		out[k] = num(st[k])
	}
	for _, k := range []string{"deadlineMetRatio", "medianHoursToResolve"} {
		out[k] = ""
		if st[k] != nil {
			out[k] = strconv.FormatFloat(st[k].(float64), 'g', -1, 64)
		}
	}
	for _, s := range st["byStatus"].([]any) {
		m := s.(map[string]any)
		out["status:"+m["status"].(string)] = num(m["count"])
	}
	for _, s := range st["byKind"].([]any) {
		m := s.(map[string]any)
		out["kind:"+m["kind"].(string)] = num(m["count"])
	}
	weekSums := map[string]int{}
	for _, s := range st["reportedByWeek"].([]any) {
		m := s.(map[string]any)
		at, err := time.Parse(time.RFC3339, m["weekStart"].(string))
		if err != nil {
			t.Fatal(err)
		}
		key := at.In(zone).Format("2006-01-02")
		out["week:"+key+":"+m["kind"].(string)] = num(m["count"])
		weekSums[key] += int(m["count"].(float64))
	}
	for k, n := range weekSums {
		out["week:"+k] = strconv.Itoa(n)
	}
	tdSums := map[string]int{}
	for _, s := range st["takedownsByPlatform"].([]any) {
		m := s.(map[string]any)
		out["takedown:"+m["platform"].(string)+":"+m["status"].(string)] = num(m["count"])
		tdSums[m["platform"].(string)] += int(m["count"].(float64))
	}
	for k, n := range tdSums {
		out["takedown:"+k] = strconv.Itoa(n)
	}
	for _, s := range st["subUnits"].([]any) {
		m := s.(map[string]any)
		id := m["unit"].(map[string]any)["id"].(string)
		for _, k := range []string{"open", "overdue", "missed"} {
			out["sub:"+id+":"+k] = num(m[k])
		}
		out["sub:"+id+":deadlineMetRatio"] = ""
		if m["deadlineMetRatio"] != nil {
			out["sub:"+id+":deadlineMetRatio"] = strconv.FormatFloat(m["deadlineMetRatio"].(float64), 'g', -1, 64)
		}
	}
	return out
}

// checkOverview renders the overview of unit over [from, to] as user and
// compares every figure of the page with stats asked of the API directly
// for the same unit, period and user; it returns the page.
func checkOverview(t *testing.T, d *liveDesk, user, unit string, from, to time.Time) response {
	t.Helper()
	c := d.loggedIn(user)
	r := c.get("/overview?unit=" + unit + "&from=" + from.Format("2006-01-02") + "&to=" + to.Format("2006-01-02"))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("overview: %d\n%s", r.StatusCode, r.body)
	}
	res := d.h.o.Exec(context.Background(), user, overviewStatsQuery, map[string]any{
		"unit": unit, "from": dayStart(from).Format(time.RFC3339), "to": dayStart(to).AddDate(0, 0, 1).Format(time.RFC3339)})
	if len(res.Errors) > 0 {
		t.Fatalf("stats: %v", res.Errors)
	}
	b, _ := json.Marshal(res.Data)
	var data map[string]map[string]any
	if err := json.Unmarshal(b, &data); err != nil {
		t.Fatal(err)
	}
	want := wantFigures(t, data["stats"])
	shown := map[string]string{}
	for _, m := range figAttr.FindAllStringSubmatch(r.body, -1) {
		fig, val := m[1], m[2]
		if old, ok := shown[fig]; ok && old != val {
			t.Errorf("%s is shown as %q and as %q", fig, old, val)
		}
		shown[fig] = val
		w, ok := want[fig]
		if !ok {
			// A cell of a week, kind, status or pair stats has no row for: zero.
			w = "0"
		}
		if val != w {
			t.Errorf("%s: the page shows %q, stats says %q", fig, val, w)
		}
	}
	for fig, w := range want {
		if _, ok := shown[fig]; !ok && w != "0" && w != "" {
			t.Errorf("stats' %s = %s is not on the page", fig, w)
		}
	}
	if len(shown) < 20 {
		t.Fatalf("only %d figures on the page", len(shown))
	}
	return r
}

// Tổng quan: every figure equals stats for the same unit, period and user
// — the key figures, the weeks by kind, the statuses, the takedowns per
// platform and the sub-units — and the charts are SVG drawn on the
// server, each followed by its table.
func TestOverviewEqualsStats(t *testing.T) {
	d := leadDesk(t)
	now := time.Now()
	h := time.Hour
	day := 24 * h
	// Cases over five weeks in Tân Uyên, its communes and Tân Phong.
	d.seed("reporter1", now.Add(-6*h), incident.Report{Unit: "lai-chau/tan-uyen/xa-phuc-khoa", Title: "Tin sai về dịch bệnh"}).tick(now)
	d.seed("reporter1", now.Add(-9*day), incident.Report{Kind: incident.Impersonation, Unit: "lai-chau/tan-uyen", EscalatesTo: escalationTarget,
		Title: "Trang giả mạo huyện"}).escalate(now.Add(-9*day + h)).tick(now)
	td := d.seed("reporter1", now.Add(-16*day), incident.Report{Kind: incident.Impersonation, Unit: "lai-chau/tan-uyen/xa-trung-dong",
		Title: "Tài khoản mạo danh", Subjects: []incident.SubjectInput{{Platform: incident.Facebook, URL: "https://www.facebook.com/mao.danh"}}})
	td.do("handler1", now.Add(-16*day+h), incident.Triage{Severity: incident.Medium, Assignee: "handler1"}).
		do("handler1", now.Add(-16*day+2*h), incident.StartAnalysis{}).
		do("handler1", now.Add(-16*day+3*h), incident.RecordAnalysis{Findings: "Mạo danh", Verdict: incident.VerdictFalse}).
		do("handler1", now.Add(-16*day+4*h), incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://www.facebook.com/mao.danh", Reason: "Mạo danh"}).
		do("handler1", now.Add(-16*day+5*h), incident.RequestTakedown{Platform: incident.TikTok, TargetURL: "https://www.tiktok.com/@mao.danh", Reason: "Mạo danh"}).
		do("handler1", now.Add(-16*day+6*h), incident.RecordTakedownResponse{TakedownID: "TD-1", Outcome: incident.OutcomeRemoved}).
		do("handler1", now.Add(-16*day+30*h), incident.Resolve{Resolution: "Đã gỡ"})
	d.seed("reporter1", now.Add(-23*day), incident.Report{Kind: incident.AccountCompromised, Unit: "lai-chau/tan-uyen/xa-muong-khoa",
		Title: "Fanpage bị chiếm"}).
		do("handler1", now.Add(-23*day+h), incident.Triage{Severity: incident.Critical, Assignee: "handler1"}).
		do("handler1", now.Add(-23*day+2*h), incident.StartAnalysis{}).
		do("handler1", now.Add(-23*day+3*h), incident.RecordAnalysis{Findings: "Đã khôi phục"}).
		do("handler1", now.Add(-23*day+10*h), incident.Resolve{Resolution: "Đã lấy lại tài khoản"})
	d.seed("reporter9", now.Add(-30*day), incident.Report{Unit: "lai-chau/phuong-tan-phong", Title: "Tin đồn phường"}).tick(now)
	d.seed("reporter1", now.Add(-2*h), incident.Report{Unit: "lai-chau/tan-uyen", Title: "Bài viết bịa đặt"})
	d.project()

	from, to := dayStart(now).AddDate(0, 0, -34), dayStart(now)
	r := checkOverview(t, d, "auditor1", "lai-chau", from, to)
	text := wlText(r.body)
	for _, s := range []string{"Tổng quan", "Tỉnh Lai Châu, từ", "Quá hạn chưa xử lý", "Tỷ lệ đúng hạn", "Vụ việc tiếp nhận theo tuần và loại",
		"Trạng thái hiện nay", "Kết quả yêu cầu gỡ bỏ theo nền tảng", "Các đơn vị trực thuộc", "Tân Uyên", "UBND phường Tân Phong",
		"Facebook", "TikTok", "Đã gỡ bỏ", "Hết hạn không phản hồi", "Bảng số liệu"} {
		if !strings.Contains(text, s) {
			t.Errorf("the overview lacks %q", s)
		}
	}
	// Three charts, the weekly one drawn twice (for a narrow and a wide screen).
	if n := strings.Count(r.body, `<svg class="chart-svg"`); n != 4 || !strings.Contains(r.body, `id="chart-weekly-wide"`) {
		t.Errorf("%d charts, want 4", n)
	}
	if strings.Contains(r.body, "<script") || strings.Contains(r.body, "style=") {
		t.Errorf("the overview has a script or an inline style")
	}
	if !strings.Contains(r.body, `role="img" aria-labelledby="chart-weekly-title chart-weekly-desc"`) || !strings.Contains(r.body, `<table class="figures" id="chart-weekly-table">`) {
		t.Errorf("the weekly chart lacks its name or its table")
	}
	checkNoRawEnums(t, "overview", r.body)
	if r.Header.Get("Content-Security-Policy") != PageCSP {
		t.Errorf("CSP %q", r.Header.Get("Content-Security-Policy"))
	}

	// The leader of Tân Uyên: its communes as sub-units; a unit outside
	// theirs falls back to theirs.
	r = checkOverview(t, d, "leader1", "lai-chau/tan-uyen", from, to)
	wantBody(t, r, http.StatusOK, "UBND xã Phúc Khoa", "UBND xã Trung Đồng", "UBND xã Mường Khoa", `href="/watch?unit=lai-chau%2Ftan-uyen"`)
	c := d.loggedIn("leader1")
	wantBody(t, c.get("/overview?unit=lai-chau/phuong-tan-phong"), http.StatusOK, "Bạn không xem được số liệu của đơn vị này; đang hiển thị Tân Uyên.")
	wantBody(t, c.get("/overview?unit=no-such-unit"), http.StatusOK, "Bạn không xem được số liệu của đơn vị này; đang hiển thị Tân Uyên.", "Tân Uyên, từ")
	wantBody(t, c.get("/overview?from=2026-02-30&to=x"), http.StatusOK, "Ngày không hợp lệ")
	wantBody(t, c.get("/overview?from=2024-01-01&to=2026-01-01"), http.StatusOK, "Kỳ dài nhất là 366 ngày")
	wantBody(t, d.loggedIn("handler1").get("/overview"), http.StatusForbidden, "Trang Tổng quan dành cho lãnh đạo và cán bộ kiểm tra.")
	// The default period: the last 12 weeks.
	r = c.get("/overview")
	wantBody(t, r, http.StatusOK, `value="`+dayStart(now).Format("02/01/2006")+`"`, `value="`+weekStart(now).AddDate(0, 0, -77).Format("02/01/2006")+`"`)
}

// The charts' geometry: columns stack to their totals under a round top,
// bars scale to the largest, text is escaped.
func TestCharts(t *testing.T) {
	for n, want := range map[int]int{0: 1, 1: 1, 3: 5, 7: 10, 12: 20, 20: 20, 21: 50, 480: 500} {
		if got := niceMax(n); got != want {
			t.Errorf("niceMax(%d) = %d, want %d", n, got, want)
		}
	}
	p := NewPrinter(Vietnamese)
	svg := string(columnChart(p, "c", "Tiêu đề <b>", "Mô tả", []chartBar{
		{Label: "01/06", Segs: []chartSeg{{Value: 3, Class: "f-blue", Title: "a & b"}, {Value: 2, Class: "f-red", Title: "c"}}},
		{Label: "08/06", Segs: []chartSeg{{Value: 0, Class: "f-blue"}, {Value: 5, Class: "f-red"}}},
	}, false))
	if strings.Contains(svg, "<b>") || !strings.Contains(svg, "Tiêu đề &lt;b&gt;") || !strings.Contains(svg, "<title>a &amp; b</title>") {
		t.Errorf("text not escaped: %s", svg)
	}
	// Top 5: 3 of 5 is 102 of the 170 units of height, 2 is 68, 5 is 170.
	for _, s := range []string{`height="102.00"`, `height="68.00"`, `height="170.00"`, `y="12.00"`} {
		if !strings.Contains(svg, s) {
			t.Errorf("column chart lacks %s:\n%s", s, svg)
		}
	}
	if strings.Count(svg, "<rect") != 3 {
		t.Errorf("a zero segment is drawn: %s", svg)
	}
	bars := string(barChart(p, "b", "T", "D", []chartBar{{Label: "A", Segs: []chartSeg{{Value: 1000, Class: "f-green"}}}, {Label: "B", Segs: []chartSeg{{Value: 500, Class: "f-green"}}}}))
	if !strings.Contains(bars, `width="296.00"`) || !strings.Contains(bars, `width="148.00"`) || !strings.Contains(bars, ">1.000</text>") {
		t.Errorf("bar chart: %s", bars)
	}
	if got := string(inlineBar(1.7, "f-red")); !strings.Contains(got, `width="80.00"`) || !strings.Contains(got, `aria-hidden="true"`) {
		t.Errorf("inline bar: %s", got)
	}
}

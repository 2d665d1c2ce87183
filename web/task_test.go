package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/graphql-go/graphql/gqlerrors"
)

// The playbook's steps on the case page (issue 17, §1): each step with its
// state in words, the required ones still open named in a notice (resolve
// waits for them), forms to mark one done (with the URL of what was
// published) or waive it offering only the open steps, and the timeline
// saying which step by its title.
func TestCaseTasks(t *testing.T) {
	d, api := caseDesk(t)
	due := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	done := due.Add(-time.Hour)
	api.c.Tasks = []taskData{
		{ID: "registry-check", Title: "Đối chiếu danh sách tài khoản chính thức", Required: true, Role: "HANDLER", DueAt: &due, State: "OPEN"},
		{ID: "public-warning", Title: "Cảnh báo người dân", Required: true, RecordsURL: true, State: "DONE",
			URL: "https://www.facebook.com/ubndtanuyen/posts/7", SettledBy: "handler1", SettledAt: &done},
		{ID: "escalate-if-persists", Title: "Chuyển cấp trên nếu còn tồn tại", Role: "LEADER", State: "WAIVED",
			Reason: "Trang đã bị gỡ", SettledBy: "leader1", SettledAt: &done},
	}
	api.c.Available = append(api.c.Available, "completeTask", "waiveTask")
	api.history = append(api.history,
		eventData{Version: 10, Type: "CaseTriaged", Actor: "handler1", OccurredAt: done, Data: `{"severity":"MEDIUM","assignee":"handler1","tasks":[{"id":"public-warning","title":"Cảnh báo người dân","required":true,"recordsUrl":true}]}`},
		eventData{Version: 11, Type: "TaskCompleted", Actor: "handler1", OccurredAt: done, Data: `{"taskId":"public-warning","url":"https://www.facebook.com/ubndtanuyen/posts/7"}`},
	)
	c := d.client()
	c.login("handler1", goodPassword)
	r := c.get("/cases/c1")
	wantBody(t, r, http.StatusOK,
		"Các bước xử lý", "Còn 1 bước bắt buộc chưa làm hoặc chưa được bỏ qua",
		"Đối chiếu danh sách tài khoản chính thức", "Chưa làm", "Bắt buộc", "Cán bộ xử lý", "16:00 02/12/2026",
		"Đã làm", "https://www.facebook.com/ubndtanuyen/posts/7", "Nguyễn Văn Hùng đánh dấu đã làm lúc 15:00 02/12/2026",
		"Đã bỏ qua", "Trang đã bị gỡ", "Trần Thị Lan bỏ qua lúc",
		`action="/cases/c1/completeTask"`, `action="/cases/c1/waiveTask"`,
		`<option value="registry-check">Đối chiếu danh sách tài khoản chính thức (Bắt buộc)</option>`,
		"Đã làm bước “Cảnh báo người dân”",
	)
	for _, settled := range []string{`<option value="public-warning"`, `<option value="escalate-if-persists"`} {
		if strings.Contains(r.body, settled) {
			t.Errorf("a settled step is offered: %s", settled)
		}
	}
	checkNoRawEnums(t, "case page with tasks", r.body)

	form := url.Values{"expectedVersion": {"9"}, "key": {"k-task"}, "taskId": {"registry-check"}, "url": {""}, "note": {"Không trùng tài khoản nào"}}
	wantRedirect(t, c.post("/cases/c1/completeTask", form), http.StatusSeeOther, "/cases/c1")
	calls := api.calls()
	last := calls[len(calls)-1]
	want := map[string]any{"id": "c1", "expectedVersion": 9, "taskId": "registry-check", "note": "Không trùng tài khoản nào"}
	if last.name != "completeTask" || fmt.Sprint(last.vars) != fmt.Sprint(want) {
		t.Errorf("completeTask sent %s %v, want %v", last.name, last.vars, want)
	}
	api.fail = &gqlerrors.FormattedError{Message: "reason: is required", Extensions: map[string]any{"code": "BAD_USER_INPUT", "field": "reason"}}
	wantBody(t, c.post("/cases/c1/waiveTask", url.Values{"expectedVersion": {"9"}, "key": {"k-waive"}, "taskId": {"registry-check"}, "reason": {" "}}),
		http.StatusBadRequest, `<p class="error" id="f-waiveTask-reason-error">Lý do: bắt buộc nhập.</p>`)
}

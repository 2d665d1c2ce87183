package incident_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// requiring returns the default policy whose impersonation playbook
// requires the public warning (with a URL) and the registry check, due 2 h
// after triage.
func requiring() incident.Policy {
	p := incident.DefaultPolicy()
	p.Playbooks = map[incident.Kind][]incident.PlaybookTask{
		incident.Impersonation: {
			{ID: "registry-check", Title: "Đối chiếu danh sách tài khoản chính thức", Required: true, Role: "HANDLER", Within: 2 * time.Hour},
			{ID: "public-warning", Title: "Cảnh báo người dân", Required: true, RecordsURL: true},
			{ID: "escalate-if-persists", Title: "Chuyển cấp trên nếu còn tồn tại", Role: "LEADER"},
		},
	}
	return p
}

func TestPlaybookTasksAtTriage(t *testing.T) {
	h := newHistory(t)
	h.p = requiring()
	h.do(reporter, validReport(), at(0))
	if len(h.c.Tasks) != 0 {
		t.Fatalf("tasks before triage: %+v", h.c.Tasks)
	}
	ps := h.do(handler, incident.Triage{Severity: incident.High, Assignee: handler}, at(1))
	tr := ps[0].(incident.CaseTriaged)
	if len(tr.Tasks) != 3 || len(h.c.Tasks) != 3 {
		t.Fatalf("planned %d tasks, case has %d; want 3", len(tr.Tasks), len(h.c.Tasks))
	}
	rc := h.c.Task("registry-check")
	if rc == nil || !rc.Required || rc.State != incident.TaskStateOpen || rc.DueAt == nil || !rc.DueAt.Equal(at(3)) || rc.Role != "HANDLER" {
		t.Fatalf("registry-check = %+v", rc)
	}
	if got := h.c.OpenRequiredTasks(); strings.Join(got, ",") != "registry-check,public-warning" {
		t.Fatalf("open required = %v", got)
	}
}

func TestRequiredTasksBlockResolve(t *testing.T) {
	h := newHistory(t)
	h.p = requiring()
	h.do(reporter, validReport(), at(0))
	h.do(handler, incident.Triage{Severity: incident.High, Assignee: handler}, at(1))
	h.do(handler, incident.StartAnalysis{}, at(2))
	h.do(handler, incident.RecordAnalysis{Findings: "Trang giả mạo", Verdict: incident.VerdictFalse}, at(3))

	_, err := incident.Decide(h.c, incident.Resolve{Resolution: "Đã xử lý"}, at(4), h.p)
	if incident.ErrorCode(err) != incident.CodeInvalidTransition || !strings.Contains(err.Error(), "registry-check, public-warning") {
		t.Fatalf("resolve with open required tasks: %v, want INVALID_TRANSITION naming both", err)
	}
	if slices.Contains(incident.Available(h.c, at(4), h.p), incident.CmdResolveCase) {
		t.Error("resolveCase offered while required tasks are open")
	}

	// A task that records what it published needs its URL.
	_, err = incident.Decide(h.c, incident.CompleteTask{TaskID: "public-warning"}, at(4), h.p)
	if incident.ErrorCode(err) != incident.CodeBadUserInput || fieldOf(err) != "url" {
		t.Fatalf("public warning without URL: %v", err)
	}
	_, err = incident.Decide(h.c, incident.CompleteTask{TaskID: "public-warning", URL: "not a url"}, at(4), h.p)
	if incident.ErrorCode(err) != incident.CodeBadUserInput {
		t.Fatalf("public warning with a bad URL: %v", err)
	}
	h.do(handler, incident.CompleteTask{TaskID: "public-warning", URL: "https://www.facebook.com/ubndtanuyen/posts/7", Note: "Đã đăng cảnh báo"}, at(5))
	pw := h.c.Task("public-warning")
	if pw.State != incident.TaskStateDone || pw.URL != "https://www.facebook.com/ubndtanuyen/posts/7" || pw.SettledBy != handler || !pw.SettledAt.Equal(at(5)) {
		t.Fatalf("public-warning = %+v", pw)
	}
	if _, err := incident.Decide(h.c, incident.CompleteTask{TaskID: "public-warning", URL: "https://x.vn"}, at(5), h.p); incident.ErrorCode(err) != incident.CodeInvalidTransition {
		t.Fatalf("completing a done task: %v", err)
	}

	// Waiving needs a reason, and is recorded with who waived it.
	if _, err := incident.Decide(h.c, incident.WaiveTask{TaskID: "registry-check", Reason: "  "}, at(6), h.p); fieldOf(err) != "reason" {
		t.Fatalf("waiver without reason: %v", err)
	}
	if _, err := incident.Decide(h.c, incident.WaiveTask{TaskID: "nope", Reason: "x"}, at(6), h.p); fieldOf(err) != "taskId" {
		t.Fatalf("unknown task: %v", err)
	}
	_, err = incident.Decide(h.c, incident.Resolve{Resolution: "Đã xử lý"}, at(6), h.p)
	if err == nil || !strings.Contains(err.Error(), "registry-check") || strings.Contains(err.Error(), "public-warning") {
		t.Fatalf("resolve with one required task open: %v", err)
	}
	h.do(leader, incident.WaiveTask{TaskID: "registry-check", Reason: "Trang không mạo danh tài khoản nào"}, at(6))
	if rc := h.c.Task("registry-check"); rc.State != incident.TaskStateWaived || rc.SettledBy != leader || rc.Reason == "" {
		t.Fatalf("registry-check = %+v", rc)
	}
	// The optional task stays open and does not block.
	h.do(handler, incident.Resolve{Resolution: "Đã xử lý"}, at(7))
	if h.c.Status != incident.StatusResolved || h.c.Task("escalate-if-persists").State != incident.TaskStateOpen {
		t.Fatalf("status %s, optional task %+v", h.c.Status, h.c.Task("escalate-if-persists"))
	}
	// Settled cases take no task commands.
	if _, err := incident.Decide(h.c, incident.CompleteTask{TaskID: "escalate-if-persists"}, at(8), h.p); incident.ErrorCode(err) != incident.CodeInvalidTransition {
		t.Fatalf("task on a resolved case: %v", err)
	}
}

// A case reopened and triaged again keeps its tasks (none planned twice),
// and a policy without playbooks (a case opened before them) plans none.
func TestPlaybookRetriageAndOldPolicy(t *testing.T) {
	h := newHistory(t)
	h.p = requiring()
	h.do(reporter, validReport(), at(0))
	h.do(handler, incident.Reject{Reason: "Chưa đủ thông tin"}, at(1))
	h.do(handler, incident.Reopen{Reason: "Có thêm thông tin"}, at(2))
	h.do(handler, incident.Triage{Severity: incident.Low, Assignee: handler}, at(3))
	h.do(handler, incident.CompleteTask{TaskID: "registry-check"}, at(4))
	h.do(handler, incident.Reject{Reason: "Không phải sự cố"}, at(5))
	h.do(handler, incident.Reopen{Reason: "Xuất hiện lại"}, at(6))
	if h.c.Status != incident.StatusTriaged || len(h.c.Tasks) != 3 || h.c.Task("registry-check").State != incident.TaskStateDone {
		t.Fatalf("after reopening: %s, tasks %+v", h.c.Status, h.c.Tasks)
	}

	old := newHistory(t)
	old.p.Playbooks = nil
	old.do(reporter, validReport(), at(0))
	old.do(handler, incident.Triage{Severity: incident.Low, Assignee: handler}, at(1))
	if len(old.c.Tasks) != 0 {
		t.Fatalf("a policy without playbooks planned %+v", old.c.Tasks)
	}
	if _, err := incident.Decide(old.c, incident.CompleteTask{TaskID: "registry-check"}, at(2), old.p); incident.ErrorCode(err) != incident.CodeInvalidTransition {
		t.Fatalf("task on a case without tasks: %v", err)
	}
}

func TestDefaultPlaybooks(t *testing.T) {
	books := incident.DefaultPlaybooks()
	if err := incident.ValidatePlaybooks(books, []string{"HANDLER", "LEADER"}); err != nil {
		t.Fatal(err)
	}
	for _, k := range incident.Kinds {
		if len(books[k]) == 0 {
			t.Errorf("no default playbook for %s", k)
		}
		for _, task := range books[k] {
			if task.Required {
				t.Errorf("default task %s/%s is required: existing clients would be blocked", k, task.ID)
			}
		}
	}
	bad := []map[incident.Kind][]incident.PlaybookTask{
		{"PHISHING": {{ID: "a", Title: "x"}}},
		{incident.Impersonation: {{ID: "A b", Title: "x"}}},
		{incident.Impersonation: {{ID: "a", Title: "x"}, {ID: "a", Title: "y"}}},
		{incident.Impersonation: {{ID: "a", Title: " "}}},
		{incident.Impersonation: {{ID: "a", Title: "x", Role: "JANITOR"}}},
		{incident.Impersonation: {{ID: "a", Title: "x", Within: -time.Hour}}},
	}
	for _, b := range bad {
		if err := incident.ValidatePlaybooks(b, []string{"HANDLER", "LEADER"}); err == nil {
			t.Errorf("accepted %+v", b)
		}
	}
}

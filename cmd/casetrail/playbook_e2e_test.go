//go:build linux

package main

import (
	"slices"
	"strings"
	"testing"
)

// TestPlaybookBlocksResolve runs an office's playbook through the real
// server (issue 17, §1): its policy file requires the public warning (with
// the URL of the post) and the registry check for impersonation; the
// tasks come with the triage, resolveCase is refused naming what is still
// open, a handler completes one, cannot waive the other (a leader's
// decision), a leader waives it with a reason, and then the case resolves.
// The history keeps who did each.
func TestPlaybookBlocksResolve(t *testing.T) {
	s := newServer(t, serverOptions{Policy: `
triage: 4h
playbooks:
  IMPERSONATION:
    - {id: registry-check, title: "Đối chiếu danh sách tài khoản chính thức", required: true, role: HANDLER, within: 2h}
    - {id: public-warning, title: "Cảnh báo người dân", required: true, role: HANDLER, recordsUrl: true}
    - {id: escalate-if-persists, title: "Chuyển cấp trên nếu còn tồn tại", role: LEADER}
`})
	const (
		reporter = "reporter1"
		handler  = "handler1"
		leader   = "leader1"
	)
	c, _ := s.report(t, reporter, reportInput{
		ClientRequestID: "playbook-1", Kind: "IMPERSONATION", Unit: "lai-chau/tan-uyen/xa-phuc-khoa",
		Title: "Trang giả mạo UBND xã Phúc Khoa", Description: "Trang thu phí giả.",
		Subjects: []subjectInput{{Platform: "FACEBOOK", URL: "https://www.facebook.com/phuckhoa.gia"}},
	})
	id := map[string]any{"id": c.ID}
	s.mutate(t, handler, `triageCase(id: $id, severity: HIGH, assignee: "handler1")`, `($id: ID!)`, id)

	type task struct {
		ID, Title, State, URL, Reason, SettledBy, DueAt string
		Required, RecordsURL                            bool
	}
	tasks := func() ([]task, []string) {
		var d struct {
			Case struct {
				Tasks             []task
				OpenRequiredTasks []string
			}
		}
		s.must(t, leader, `query($id: ID!) { case(id: $id) { tasks { id title state url reason settledBy dueAt required recordsUrl } openRequiredTasks } }`, id, &d)
		return d.Case.Tasks, d.Case.OpenRequiredTasks
	}
	got, open := tasks()
	if len(got) != 3 || got[0].ID != "registry-check" || !got[0].Required || got[0].DueAt == "" || got[1].RecordsURL != true || got[2].Required {
		t.Fatalf("tasks after triage: %+v", got)
	}
	if !slices.Equal(open, []string{"registry-check", "public-warning"}) {
		t.Fatalf("open required tasks %v", open)
	}

	s.mutate(t, handler, `startAnalysis(id: $id)`, `($id: ID!)`, id)
	s.mutate(t, handler, `recordAnalysis(id: $id, input: {findings: "Trang mạo danh UBND xã", verdict: FALSE})`, `($id: ID!)`, id)
	resolve := `mutation($id: ID!) { resolveCase(id: $id, resolution: "Đã xử lý") { id } }`
	e := s.refused(t, handler, resolve, id, "INVALID_TRANSITION")
	if !strings.Contains(e.Message, "registry-check, public-warning") {
		t.Errorf("refusal %q does not name the open required tasks", e.Message)
	}

	e = s.refused(t, handler, `mutation($id: ID!) { completeTask(id: $id, taskId: "public-warning") { id } }`, id, "BAD_USER_INPUT")
	if e.Extensions.Field != "url" {
		t.Errorf("completing the warning without its URL: field %q, want url", e.Extensions.Field)
	}
	s.mutate(t, handler, `completeTask(id: $id, taskId: "public-warning", url: "https://www.facebook.com/ubndphuckhoa/posts/1", note: "Đã đăng cảnh báo")`, `($id: ID!)`, id)
	s.refused(t, handler, `mutation($id: ID!) { waiveTask(id: $id, taskId: "registry-check", reason: "không cần") { id } }`, id, "FORBIDDEN")
	e = s.refused(t, handler, resolve, id, "INVALID_TRANSITION")
	if !strings.Contains(e.Message, "registry-check") || strings.Contains(e.Message, "public-warning") {
		t.Errorf("refusal %q, want only registry-check named", e.Message)
	}
	s.mutate(t, leader, `waiveTask(id: $id, taskId: "registry-check", reason: "Trang không mạo danh tài khoản nào trong danh sách")`, `($id: ID!)`, id)

	resolved := s.mutate(t, handler, `resolveCase(id: $id, resolution: "Đã xử lý")`, `($id: ID!)`, id)
	if resolved.Status != "RESOLVED" {
		t.Fatalf("status %s after the required tasks were settled", resolved.Status)
	}
	got, open = tasks()
	if len(open) != 0 || got[1].State != "DONE" || got[1].URL != "https://www.facebook.com/ubndphuckhoa/posts/1" || got[1].SettledBy != handler ||
		got[0].State != "WAIVED" || got[0].SettledBy != leader || got[0].Reason == "" || got[2].State != "OPEN" {
		t.Fatalf("tasks at the end: %+v (open %v)", got, open)
	}
	var actors []string
	for _, ev := range s.history(t, leader, c.ID) {
		if ev.Type == "TaskCompleted" || ev.Type == "TaskWaived" {
			actors = append(actors, ev.Type+":"+ev.Actor)
		}
	}
	if !slices.Equal(actors, []string{"TaskCompleted:" + handler, "TaskWaived:" + leader}) {
		t.Errorf("task events in the history: %v", actors)
	}
}

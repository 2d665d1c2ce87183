package incident

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Playbooks (issue 17, §1): the work each kind of incident needs (the
// founding letter's items 3–5; Decision 874/QĐ-BTTTT). A playbook is a list
// of tasks per kind; the tasks are instantiated at triage (carried by the
// CaseTriaged event), completed or waived (with a reason) by events, and a
// case is not resolved while a required task is open. The default playbooks
// mark no task required; an office's playbook file says what it requires.
// Like the deadline spans, the playbooks are part of the Policy a case is
// opened with.

// PlaybookTask is one task of a playbook.
type PlaybookTask struct {
	// ID names the task within its playbook: lowercase letters, digits and
	// dashes.
	ID string `json:"id"`
	// Title says what to do, in Vietnamese.
	Title string `json:"title"`
	// Required tasks must be done or waived before the case is resolved.
	Required bool `json:"required,omitempty"`
	// Role is the role that does it (HANDLER, LEADER, …): shown to people,
	// not enforced (authorization grants completeTask by role and unit).
	Role string `json:"role,omitempty"`
	// Within, when set, is how long after triage the task is due (shown
	// and listed; it arms no timer).
	Within time.Duration `json:"within,omitempty"`
	// RecordsURL asks for the URL of what the task published (a correction,
	// a public warning) when it is completed.
	RecordsURL bool `json:"recordsUrl,omitempty"`
}

// Task is a playbook task of a case.
type Task struct {
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	Required   bool       `json:"required,omitempty"`
	Role       string     `json:"role,omitempty"`
	DueAt      *time.Time `json:"dueAt,omitempty"`
	RecordsURL bool       `json:"recordsUrl,omitempty"`
	State      TaskState  `json:"state"`
	// Note and URL come with its completion, Reason with its waiver.
	Note      string     `json:"note,omitempty"`
	URL       string     `json:"url,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	SettledBy string     `json:"settledBy,omitempty"`
	SettledAt *time.Time `json:"settledAt,omitempty"`
}

// TaskState is where a task stands.
type TaskState string

// Task states.
const (
	TaskStateOpen   TaskState = "OPEN"
	TaskStateDone   TaskState = "DONE"
	TaskStateWaived TaskState = "WAIVED"
)

// PlannedTask is a task as CaseTriaged instantiates it.
type PlannedTask struct {
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	Required   bool       `json:"required,omitempty"`
	Role       string     `json:"role,omitempty"`
	DueAt      *time.Time `json:"dueAt,omitempty"`
	RecordsURL bool       `json:"recordsUrl,omitempty"`
}

// MaxPlaybookTasks bounds a playbook.
const MaxPlaybookTasks = 30

var taskIDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidatePlaybooks checks playbooks: known kinds, unique well-formed ids,
// titles, roles among roles, non-negative Within.
func ValidatePlaybooks(books map[Kind][]PlaybookTask, roles []string) error {
	for kind, tasks := range books {
		if !validKind(kind) {
			return fmt.Errorf("playbooks: unknown incident kind %q", kind)
		}
		if len(tasks) > MaxPlaybookTasks {
			return fmt.Errorf("playbooks: %s: %d tasks, at most %d", kind, len(tasks), MaxPlaybookTasks)
		}
		seen := map[string]bool{}
		for i, t := range tasks {
			switch {
			case !taskIDPattern.MatchString(t.ID) || len(t.ID) > 64:
				return fmt.Errorf("playbooks: %s task %d: id %q must be lowercase letters, digits and dashes", kind, i+1, t.ID)
			case seen[t.ID]:
				return fmt.Errorf("playbooks: %s: task id %q twice", kind, t.ID)
			case strings.TrimSpace(t.Title) == "" || len(t.Title) > MaxShortText:
				return fmt.Errorf("playbooks: %s task %s: a title of 1 to %d characters is required", kind, t.ID, MaxShortText)
			case t.Role != "" && len(roles) > 0 && !slices.Contains(roles, t.Role):
				return fmt.Errorf("playbooks: %s task %s: unknown role %q", kind, t.ID, t.Role)
			case t.Within < 0:
				return fmt.Errorf("playbooks: %s task %s: within must not be negative", kind, t.ID)
			}
			seen[t.ID] = true
		}
	}
	return nil
}

// DefaultPlaybooks returns the embedded playbooks (config/playbooks.yaml
// shows them as a file): the founding letter's steps for each kind, none
// required.
func DefaultPlaybooks() map[Kind][]PlaybookTask {
	const handler, leader = "HANDLER", "LEADER"
	return map[Kind][]PlaybookTask{
		AccountCompromised: {
			{ID: "secure-accounts", Title: "Bảo vệ các tài khoản còn kiểm soát được (đổi mật khẩu, bật xác thực hai lớp)", Role: handler},
			{ID: "platform-recovery", Title: "Khôi phục tài khoản qua kênh hỗ trợ của nền tảng", Role: handler},
			{ID: "notify-platform-authorities", Title: "Thông báo cho nền tảng và cơ quan chức năng", Role: handler},
			{ID: "public-warning", Title: "Cảnh báo người dân trên các kênh chính thức khác của đơn vị", Role: handler, RecordsURL: true},
			{ID: "confirm-recovery", Title: "Xác nhận đã lấy lại quyền quản trị tài khoản", Role: handler},
			{ID: "access-review", Title: "Rà soát những người có quyền truy cập tài khoản", Role: leader},
		},
		Impersonation: {
			{ID: "registry-check", Title: "Đối chiếu với danh sách tài khoản chính thức", Role: handler},
			{ID: "keep-evidence", Title: "Lưu chứng cứ về trang giả mạo", Role: handler},
			{ID: "report-platform", Title: "Báo cáo nền tảng: trang mạo danh cơ quan nhà nước", Role: handler},
			{ID: "public-warning", Title: "Cảnh báo người dân về trang giả mạo", Role: handler, RecordsURL: true},
			{ID: "escalate-if-persists", Title: "Chuyển cấp trên nếu trang giả mạo vẫn tồn tại", Role: leader},
		},
		FalseInformation: {
			{ID: "fact-check", Title: "Kiểm chứng thông tin (kết luận kèm nguồn)", Role: handler},
			{ID: "publish-correction", Title: "Đăng tin đính chính trên kênh chính thức", Role: handler, RecordsURL: true},
			{ID: "request-removal", Title: "Yêu cầu nền tảng gỡ bỏ nội dung sai sự thật", Role: handler},
			{ID: "legal-classification", Title: "Xác định căn cứ pháp lý", Role: handler},
			{ID: "escalate", Title: "Chuyển cấp trên khi vượt thẩm quyền", Role: leader},
		},
	}
}

// OpenRequiredTasks returns the ids of c's required tasks neither done nor
// waived.
func (c *Case) OpenRequiredTasks() []string {
	var out []string
	for _, t := range c.Tasks {
		if t.Required && t.State == TaskStateOpen {
			out = append(out, t.ID)
		}
	}
	return out
}

// Task returns the task with id, nil when there is none.
func (c *Case) Task(id string) *Task {
	for i := range c.Tasks {
		if c.Tasks[i].ID == id {
			return &c.Tasks[i]
		}
	}
	return nil
}

// plannedTasks instantiates the playbook of kind at now.
func (p Policy) plannedTasks(kind Kind, now time.Time) []PlannedTask {
	var out []PlannedTask
	for _, t := range p.Playbooks[kind] {
		pt := PlannedTask{ID: t.ID, Title: t.Title, Required: t.Required, Role: t.Role, RecordsURL: t.RecordsURL}
		if t.Within > 0 {
			due := now.Add(t.Within).UTC()
			pt.DueAt = &due
		}
		out = append(out, pt)
	}
	return out
}

// CompleteTask records a playbook task as done.
type CompleteTask struct {
	TaskID string `json:"taskId"`
	Note   string `json:"note,omitempty"`
	// URL is what the task published (required when the task records one).
	URL string `json:"url,omitempty"`
}

// WaiveTask records that a playbook task will not be done, and why.
type WaiveTask struct {
	TaskID string `json:"taskId"`
	Reason string `json:"reason"`
}

// Name implementations.
func (CompleteTask) Name() string { return CmdCompleteTask }
func (WaiveTask) Name() string    { return CmdWaiveTask }

// TaskCompleted records a task done.
type TaskCompleted struct {
	TaskID string `json:"taskId"`
	Note   string `json:"note,omitempty"`
	URL    string `json:"url,omitempty"`
}

// TaskWaived records a task waived.
type TaskWaived struct {
	TaskID string `json:"taskId"`
	Reason string `json:"reason"`
}

// Event types of the tasks.
const (
	TypeTaskCompleted = "TaskCompleted"
	TypeTaskWaived    = "TaskWaived"
)

// EventType implementations.
func (TaskCompleted) EventType() string { return TypeTaskCompleted }
func (TaskWaived) EventType() string    { return TypeTaskWaived }

// openTask returns the open task id names, or the error a command on it gets.
func (b *batch) openTask(cmd, id string) (*Task, error) {
	if err := b.require(cmd, StatusTriaged, StatusAnalysis, StatusAction, StatusEscalated); err != nil {
		return nil, err
	}
	if len(b.c.Tasks) == 0 {
		return nil, Errorf(CodeInvalidTransition, "%s: the case has no playbook tasks", cmd)
	}
	t := b.c.Task(strings.TrimSpace(id))
	if t == nil {
		return nil, BadInput("taskId", "no task %q in this case", id)
	}
	if t.State != TaskStateOpen {
		return nil, Errorf(CodeInvalidTransition, "%s: task %s is already %s", cmd, t.ID, strings.ToLower(string(t.State)))
	}
	return t, nil
}

func (b *batch) completeTask(x CompleteTask) error {
	t, err := b.openTask(CmdCompleteTask, x.TaskID)
	if err != nil {
		return err
	}
	note, err := CleanText("note", x.Note, false, MaxText)
	if err != nil {
		return err
	}
	u, err := CleanText("url", x.URL, t.RecordsURL, MaxURL)
	if err != nil {
		return err
	}
	if u != "" {
		if _, err := NormalizeURL(u); err != nil {
			return BadInput("url", "%v", err)
		}
	}
	b.add(TaskCompleted{TaskID: t.ID, Note: note, URL: u})
	return nil
}

func (b *batch) waiveTask(x WaiveTask) error {
	t, err := b.openTask(CmdWaiveTask, x.TaskID)
	if err != nil {
		return err
	}
	reason, err := CleanText("reason", x.Reason, true, MaxText)
	if err != nil {
		return err
	}
	b.add(TaskWaived{TaskID: t.ID, Reason: reason})
	return nil
}

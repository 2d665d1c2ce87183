package web

// taskMessages are the words of the playbook's tasks on the case page
// (issue 17, §1). The glossary has no word for them yet: a playbook is a
// "quy trình xử lý", a task a "bước xử lý"; completing it "đánh dấu đã
// làm", waiving it "bỏ qua" with a reason (the leader's decision).
var taskMessages = map[string]msg{
	"case.tasks":          {"Các bước xử lý", "Playbook steps"},
	"case.tasks.intro":    {"Các bước theo quy trình xử lý của loại vụ việc này.", "The steps of the playbook for this kind of case."},
	"case.tasks.blocking": {"Còn %d bước bắt buộc chưa làm hoặc chưa được bỏ qua: chưa thể kết thúc xử lý vụ việc.", "%d required steps are neither done nor waived: the case cannot be resolved yet."},
	"case.task.required":  {"Bắt buộc", "Required"},
	"case.task.due":       {"Cần xong trước", "Due"},
	"case.task.role":      {"Người thực hiện", "Done by"},
	"case.task.url":       {"Đường dẫn đã đăng", "Published at"},
	"case.task.done":      {"%s đánh dấu đã làm lúc %s", "Done by %s at %s"},
	"case.task.waived":    {"%s bỏ qua lúc %s", "Waived by %s at %s"},
	"case.task.reason":    {"Lý do bỏ qua", "Why waived"},
	"case.task.note":      {"Ghi chú", "Note"},
	"taskState.OPEN":      {"Chưa làm", "Open"},
	"taskState.DONE":      {"Đã làm", "Done"},
	"taskState.WAIVED":    {"Đã bỏ qua", "Waived"},
	"action.completeTask": {"Đánh dấu đã làm", "Mark as done"},
	"action.waiveTask":    {"Bỏ qua bước", "Waive the step"},
	"done.completeTask":   {"Đã ghi nhận bước xử lý.", "The step is recorded as done."},
	"done.waiveTask":      {"Đã ghi nhận việc bỏ qua bước xử lý.", "The step is recorded as waived."},
	"field.taskId":        {"Bước xử lý", "Step"},
	"field.taskUrlHint":   {"Đường dẫn bài đính chính hoặc cảnh báo đã đăng; bắt buộc với bước có ghi “cần đường dẫn”.", "The URL of the correction or warning published; required for a step marked “needs a URL”."},
	"case.task.needsUrl":  {"cần đường dẫn", "needs a URL"},
	"event.TaskCompleted": {"Đã làm bước “%s”", "Step “%s” done"},
	"event.TaskWaived":    {"Bỏ qua bước “%s”", "Step “%s” waived"},
}

func init() { mergeCaseMessages(taskMessages) }

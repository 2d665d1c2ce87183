package web

import "log/slog"

// worklistMessages are the texts of the worklist (Việc cần làm), the report
// form (Phản ánh mới), the words of the contract's values (kinds,
// statuses, severities, platforms, deadlines) and the flash messages after a
// report, in the words of shared/GLOSSARY.md. They join the catalog at init;
// a key another file already holds keeps that file's words (TestWorklistCatalog
// fails when the two differ).
var worklistMessages = map[string]msg{
	// Trang chủ: the way to the two daily pages.
	"home.startTitle":   {"Bắt đầu làm việc", "Get started"},
	"home.worklistHint": {"Vụ việc đang mở của các đơn vị bạn phụ trách, thời hạn gần nhất lên trước.", "Open cases of your units, nearest deadline first."},
	"home.reportHint":   {"Tiếp nhận phản ánh về tài khoản giả mạo, bị chiếm quyền hoặc thông tin sai sự thật.", "File a report of an impersonating or compromised account, or of false information."},

	// Loại vụ việc (GLOSSARY.md, Kinds).
	"kind.ACCOUNT_COMPROMISED": {"Tài khoản chính thức bị chiếm quyền", "Official account compromised"},
	"kind.IMPERSONATION":       {"Giả mạo cơ quan, cá nhân", "Impersonation of an agency or official"},
	"kind.FALSE_INFORMATION":   {"Thông tin sai sự thật", "False information"},
	// Trạng thái.
	"status.REPORTED":  {"Mới tiếp nhận", "Reported"},
	"status.TRIAGED":   {"Đã phân loại", "Triaged"},
	"status.ANALYSIS":  {"Đang xác minh", "Under verification"},
	"status.ACTION":    {"Đang xử lý", "Action in progress"},
	"status.ESCALATED": {"Đã chuyển cấp trên", "Escalated"},
	"status.RESOLVED":  {"Đã giải quyết", "Resolved"},
	"status.CLOSED":    {"Đã đóng hồ sơ", "Closed"},
	"status.REJECTED":  {"Không thụ lý", "Rejected"},
	// Mức độ.
	"severity.LOW":      {"Thấp", "Low"},
	"severity.MEDIUM":   {"Trung bình", "Medium"},
	"severity.HIGH":     {"Cao", "High"},
	"severity.CRITICAL": {"Khẩn cấp", "Critical"},
	// Nền tảng.
	"platform.FACEBOOK":  {"Facebook", "Facebook"},
	"platform.TIKTOK":    {"TikTok", "TikTok"},
	"platform.YOUTUBE":   {"YouTube", "YouTube"},
	"platform.ZALO":      {"Zalo", "Zalo"},
	"platform.INSTAGRAM": {"Instagram", "Instagram"},
	"platform.X":         {"X (Twitter)", "X (Twitter)"},
	"platform.TELEGRAM":  {"Telegram", "Telegram"},
	"platform.WEBSITE":   {"Trang web", "Website"},
	"platform.OTHER":     {"Khác", "Other"},
	// Thời hạn.
	"deadline.TRIAGE":              {"Hạn phân loại", "Triage deadline"},
	"deadline.ANALYSIS":            {"Hạn xác minh", "Verification deadline"},
	"deadline.TAKEDOWN_RESPONSE":   {"Hạn nền tảng phản hồi", "Platform response deadline"},
	"deadline.ESCALATION_APPROVAL": {"Hạn lãnh đạo duyệt", "Leader approval deadline"},
	"deadline.ESCALATION_RESPONSE": {"Hạn cấp trên phản hồi", "Higher authority response deadline"},
	"deadline.RESOLUTION":          {"Hạn giải quyết", "Resolution deadline"},

	// Time left ("còn 2 giờ 15 phút", "quá hạn 3 giờ").
	"due.left":        {"còn %s", "%s left"},
	"due.over":        {"quá hạn %s", "overdue by %s"},
	"span.days":       {"%d ngày", "%d d"},
	"span.hours":      {"%d giờ", "%d h"},
	"span.minutes":    {"%d phút", "%d min"},
	"span.underOne":   {"dưới 1 phút", "under a minute"},
	"number.cases":    {"%s vụ việc", "%s cases"},
	"size.bytes":      {"%s byte", "%s bytes"},
	"size.kilobytes":  {"%s KB", "%s KB"},
	"size.megabytes":  {"%s MB", "%s MB"},
	"worklist.missed": {"Đã quá hạn: %s", "Missed: %s"},

	// Việc cần làm.
	"worklist.title":         {"Việc cần làm", "Worklist"},
	"worklist.intro":         {"Vụ việc của các đơn vị bạn phụ trách, thời hạn gần nhất lên trước.", "Cases of your units, nearest deadline first."},
	"worklist.filters":       {"Bộ lọc", "Filters"},
	"worklist.moreFilters":   {"Lọc theo trạng thái, loại, mức độ, đơn vị, người xử lý", "Filter by status, kind, severity, unit, assignee"},
	"worklist.status":        {"Trạng thái", "Status"},
	"worklist.statusOpen":    {"Tất cả vụ việc đang mở", "All open cases"},
	"worklist.kind":          {"Loại vụ việc", "Kind"},
	"worklist.severity":      {"Mức độ", "Severity"},
	"worklist.any":           {"Tất cả", "All"},
	"worklist.unit":          {"Đơn vị", "Unit"},
	"worklist.unitAll":       {"Tất cả đơn vị của tôi", "All my units"},
	"worklist.mine":          {"Chỉ vụ việc giao cho tôi", "Only cases assigned to me"},
	"worklist.overdue":       {"Chỉ vụ việc quá hạn", "Only overdue cases"},
	"worklist.text":          {"Tìm kiếm", "Search"},
	"worklist.textHint":      {"Số vụ việc, tiêu đề, nội dung hoặc đường dẫn; gõ không dấu cũng được.", "Case number, title, text or URL; diacritics are optional."},
	"worklist.apply":         {"Lọc", "Filter"},
	"worklist.clear":         {"Xóa bộ lọc", "Clear filters"},
	"worklist.caption":       {"Danh sách vụ việc, thời hạn gần nhất lên trước", "Cases, nearest deadline first"},
	"worklist.empty":         {"Không có vụ việc nào khớp bộ lọc.", "No case matches the filters."},
	"worklist.next":          {"Trang sau", "Next page"},
	"worklist.first":         {"Về trang đầu", "First page"},
	"worklist.pages":         {"Chuyển trang", "Pages"},
	"worklist.loadError":     {"Chưa tải được danh sách vụ việc: %s", "The cases could not be loaded: %s"},
	"worklist.badPage":       {"Liên kết trang này không còn dùng được. Vui lòng bắt đầu lại từ trang đầu.", "This page link no longer works. Start again from the first page."},
	"worklist.col.number":    {"Số vụ việc", "Number"},
	"worklist.col.title":     {"Tiêu đề", "Title"},
	"worklist.col.status":    {"Trạng thái", "Status"},
	"worklist.col.severity":  {"Mức độ", "Severity"},
	"worklist.col.unit":      {"Đơn vị", "Unit"},
	"worklist.col.assignee":  {"Người xử lý", "Assignee"},
	"worklist.col.deadline":  {"Thời hạn gần nhất", "Next deadline"},
	"worklist.noSeverity":    {"Chưa xác định", "Not set"},
	"worklist.noAssignee":    {"Chưa giao", "Unassigned"},
	"worklist.noDeadline":    {"Không có thời hạn đang tính", "No pending deadline"},
	"worklist.legendOver":    {"Đỏ: quá hạn", "Red: overdue"},
	"worklist.legendSoon":    {"Vàng: còn dưới 20% thời gian", "Amber: under 20% of the time left"},
	"worklist.dueAt":         {"hạn %s", "due %s"},
	"worklist.textTooLong":   {"Tìm kiếm: nhiều nhất %d ký tự.", "Search: at most %d characters."},
	"worklist.filterInvalid": {"Bộ lọc không hợp lệ, đã bỏ qua: %s", "An invalid filter was ignored: %s"},

	// Phản ánh mới.
	"report.title":             {"Phản ánh mới", "New report"},
	"report.intro":             {"Các mục có dấu * là bắt buộc. Phản ánh được gửi tới đơn vị bạn chọn.", "Fields marked * are required. The report goes to the unit you choose."},
	"report.required":          {"bắt buộc", "required"},
	"report.kind":              {"Loại vụ việc", "Kind of incident"},
	"report.kindPick":          {"— Chọn loại vụ việc —", "— Choose a kind —"},
	"report.unit":              {"Đơn vị tiếp nhận", "Receiving unit"},
	"report.unitPick":          {"— Chọn đơn vị —", "— Choose a unit —"},
	"report.titleLabel":        {"Tiêu đề", "Title"},
	"report.titleHint":         {"Tóm tắt ngắn gọn, từ 1 đến %d ký tự.", "A short summary, 1 to %d characters."},
	"report.description":       {"Nội dung phản ánh", "Description"},
	"report.descriptionHint":   {"Sự việc, thời điểm phát hiện, mức độ lan truyền… (nhiều nhất %d ký tự).", "What happened, when it was seen, how far it spread… (at most %d characters)."},
	"report.subjects":          {"Đối tượng (đường dẫn)", "Subjects (URLs)"},
	"report.subjectsHint":      {"Đường dẫn tới trang, tài khoản hoặc bài viết. Nền tảng được nhận diện theo tên miền; bạn có thể chọn lại.", "Links to the page, account or post. The platform is detected from the domain; you may change it."},
	"report.subjectURL":        {"Đường dẫn %d", "URL %d"},
	"report.subjectPlatform":   {"Nền tảng", "Platform"},
	"report.subjectName":       {"Tên trang, tài khoản (nếu có)", "Page or account name (optional)"},
	"report.platformAuto":      {"Tự nhận diện", "Detect"},
	"report.detected":          {"Nhận diện: %s", "Detected: %s"},
	"report.moreSubjects":      {"Thêm đường dẫn", "Add a URL"},
	"report.evidence":          {"Chứng cứ (tệp)", "Evidence (files)"},
	"report.evidenceHint":      {"Ảnh chụp màn hình, PDF hoặc trang web đã lưu; tối đa %d tệp, mỗi tệp không quá %d MiB. Mã SHA-256 của từng tệp được hiển thị sau khi gửi.", "Screenshots, PDFs or saved web pages; at most %d files of at most %d MiB each. Each file's SHA-256 is shown after sending."},
	"report.evidenceAgain":     {"Trình duyệt không giữ tệp đã chọn khi tải lại trang: vui lòng chọn lại tệp chứng cứ.", "The browser does not keep chosen files when the page reloads: choose the evidence files again."},
	"report.submit":            {"Gửi phản ánh", "Send report"},
	"report.noUnits":           {"Bạn chưa được giao vai trò phản ánh ở đơn vị nào. Vui lòng liên hệ quản trị hệ thống.", "You may not file reports in any unit. Contact your administrator."},
	"report.formError":         {"Chưa gửi được phản ánh. Vui lòng sửa các mục được đánh dấu bên dưới.", "The report was not sent. Correct the marked fields below."},
	"report.failed":            {"Chưa gửi được phản ánh: %s", "The report was not sent: %s"},
	"report.err.kind":          {"Loại vụ việc: vui lòng chọn một loại.", "Kind: choose one."},
	"report.err.unit":          {"Đơn vị tiếp nhận: vui lòng chọn một đơn vị bạn được phản ánh.", "Receiving unit: choose a unit you may report in."},
	"report.err.unitNotFound":  {"Đơn vị tiếp nhận: không có đơn vị này.", "Receiving unit: there is no such unit."},
	"report.err.unitForbidden": {"Đơn vị tiếp nhận: bạn không được gửi phản ánh tới đơn vị này.", "Receiving unit: you may not report in this unit."},
	"report.err.title":         {"Tiêu đề: từ 1 đến %d ký tự.", "Title: 1 to %d characters."},
	"report.err.description":   {"Nội dung phản ánh: nhiều nhất %d ký tự.", "Description: at most %d characters."},
	"report.err.subjects":      {"Đối tượng: nhập từ 1 đến %d đường dẫn.", "Subjects: enter 1 to %d URLs."},
	"report.err.url":           {"Đường dẫn: phải là địa chỉ http(s) đầy đủ, ví dụ https://www.facebook.com/ten-trang (nhiều nhất %d ký tự).", "URL: must be a full http(s) address such as https://www.facebook.com/page-name (at most %d characters)."},
	"report.err.platform":      {"Nền tảng: vui lòng chọn trong danh sách.", "Platform: choose one from the list."},
	"report.err.displayName":   {"Tên trang, tài khoản: nhiều nhất %d ký tự.", "Page or account name: at most %d characters."},
	"report.err.text":          {"Nội dung: chứa ký tự không hợp lệ.", "Text: contains invalid characters."},
	"report.err.evidenceSize":  {"Chứng cứ «%s»: lớn hơn %d MiB.", "Evidence «%s»: larger than %d MiB."},
	"report.err.evidenceEmpty": {"Chứng cứ «%s»: tệp rỗng.", "Evidence «%s»: the file is empty."},
	"report.err.evidenceCount": {"Chứng cứ: nhiều nhất %d tệp mỗi lần gửi.", "Evidence: at most %d files at a time."},
	"report.err.tooLarge":      {"Các tệp đã chọn vượt quá tổng dung lượng cho phép (%d MiB). Vui lòng gửi ít tệp hơn.", "The chosen files exceed the allowed total (%d MiB). Send fewer files."},

	// After a report (shown on the case page).
	"flash.reported":          {"Đã tiếp nhận phản ánh. Số vụ việc %s.", "Your report was received. Case number %s."},
	"flash.merged":            {"Phản ánh đã được gộp vào vụ việc %s (đang xử lý cùng đối tượng).", "Your report was merged into case %s (open about the same subject)."},
	"flash.evidence":          {"Đã lưu chứng cứ «%s» (%s), SHA-256: %s", "Evidence «%s» saved (%s), SHA-256: %s"},
	"flash.evidenceForbidden": {"Chưa lưu chứng cứ «%s»: vai trò của bạn không được thêm chứng cứ vào vụ việc này.", "Evidence «%s» was not saved: your role may not add evidence to this case."},
	"flash.evidenceFailed":    {"Chưa lưu được chứng cứ «%s»: %s Vui lòng thêm lại trên trang vụ việc.", "Evidence «%s» was not saved: %s Add it again on the case page."},
}

func init() {
	for k, m := range worklistMessages {
		if old, dup := messages[k]; dup {
			if old != m {
				slog.Warn("web: a catalog key is defined twice with different words; the first stays", "key", k)
			}
			continue
		}
		messages[k] = m
	}
}

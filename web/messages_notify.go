package web

// notifyMessages are the texts of Thông báo (issue 18): the bell of every
// page's header and the list of the user's notifications. The
// notifications' own texts (headline, body) are rendered in Vietnamese by
// the activities that send them; these are the page's words. They join
// the catalog at init like the other messages_*.go.
var notifyMessages = map[string]msg{
	"notify.nav":         {"Thông báo", "Notifications"},
	"notify.bellUnread":  {"Thông báo: %s chưa đọc", "Notifications: %s unread"},
	"notify.title":       {"Thông báo", "Notifications"},
	"notify.count":       {"%s thông báo", "%s notifications"},
	"notify.unreadCount": {"%s chưa đọc", "%s unread"},
	"notify.markAllRead": {"Đánh dấu tất cả đã đọc", "Mark all as read"},
	"notify.allReadDone": {"Đã đánh dấu tất cả thông báo là đã đọc.", "All notifications are marked as read."},
	"notify.caption":     {"Thông báo của bạn, mới nhất lên trước", "Your notifications, newest first"},
	"notify.new":         {"Mới", "New"},
	"notify.read":        {"Đã đọc", "Read"},
	"notify.empty":       {"Bạn chưa có thông báo nào. Nhắc hạn, quá hạn và đề nghị chờ duyệt liên quan đến bạn sẽ hiện ở đây.", "You have no notifications. Reminders, missed deadlines and approvals that concern you appear here."},
	"notify.notFound":    {"Không tìm thấy thông báo này trong danh sách của bạn.", "There is no such notification in your list."},
	"notify.pages":       {"Các trang thông báo", "Notification pages"},
	"notify.prev":        {"Trang trước", "Previous page"},
	"notify.next":        {"Trang sau", "Next page"},
	"notify.page":        {"Trang %s / %s", "Page %s of %s"},

	// Users' e-mail addresses on the admin pages (admin_user_email.go).
	"admin.user.email":         {"Thư điện tử", "E-mail"},
	"admin.user.emailHint":     {"Không bắt buộc. Thông báo nhắc hạn, quá hạn, chờ duyệt được gửi tới địa chỉ này.", "Optional. Reminders, missed deadlines and approval requests are sent to this address."},
	"admin.user.noEmail":       {"Chưa có", "None"},
	"admin.users.email":        {"Địa chỉ thư điện tử", "E-mail address"},
	"admin.users.emailHint":    {"Nơi nhận thông báo qua thư điện tử. Để trống để xóa địa chỉ; thông báo trong ứng dụng vẫn được gửi.", "Where e-mail notifications go. Leave it empty to remove the address; in-app notifications still arrive."},
	"admin.users.emailSubmit":  {"Lưu địa chỉ", "Save the address"},
	"admin.users.emailDone":    {"Đã lưu địa chỉ thư điện tử của %s.", "The e-mail address of %s is saved."},
	"admin.users.emailRemoved": {"Đã xóa địa chỉ thư điện tử của %s.", "The e-mail address of %s is removed."},
	"admin.err.email":          {"%s: không phải địa chỉ thư điện tử hợp lệ (ví dụ ten@tanuyen.gov.vn).", "%s: not a valid e-mail address (e.g. name@tanuyen.gov.vn)."},
	"admin.ev.emailSet":        {"Đặt địa chỉ thư điện tử của %s: %s", "Set the e-mail address of %s: %s"},
	"admin.ev.emailRemoved":    {"Xóa địa chỉ thư điện tử của %s", "Removed the e-mail address of %s"},
}

func init() { mergeCaseMessages(notifyMessages) }

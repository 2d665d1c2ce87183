package web

// msg is one user-visible text: Vietnamese first, English second. Texts may
// hold fmt verbs, filled by Printer.T's arguments.
type msg struct{ vi, en string }

// messages is the catalog: every text the interface shows, by key, in the
// words of shared/GLOSSARY.md. Templates and handlers name keys, never
// texts; TestCatalog checks that each key used exists in both languages.
var messages = map[string]msg{
	// Frame of every page.
	"app.name":      {"CaseTrail", "CaseTrail"},
	"app.tagline":   {"Theo dõi và xử lý vụ việc trên mạng xã hội", "Social-media incident case desk"},
	"skip.link":     {"Bỏ qua, đến nội dung chính", "Skip to main content"},
	"nav.label":     {"Điều hướng chính", "Main navigation"},
	"nav.home":      {"Trang chủ", "Home"},
	"nav.worklist":  {"Việc cần làm", "Worklist"},
	"nav.report":    {"Phản ánh mới", "New report"},
	"header.user":   {"Người dùng", "User"},
	"header.roles":  {"Vai trò", "Roles"},
	"lang.label":    {"Ngôn ngữ", "Language"},
	"lang.vi":       {"Tiếng Việt", "Tiếng Việt"},
	"lang.en":       {"English", "English"},
	"footer.text":   {"CaseTrail — quản lý vụ việc trên mạng xã hội của cơ quan nhà nước", "CaseTrail — case management for state agencies' social-media incidents"},
	"action.logout": {"Đăng xuất", "Log out"},
	"action.login":  {"Đăng nhập", "Log in"},
	"action.save":   {"Lưu", "Save"},
	"role.on":       {"%s — %s", "%s — %s"},

	// Đăng nhập.
	"login.title":        {"Đăng nhập", "Log in"},
	"login.intro":        {"Dùng tài khoản do quản trị hệ thống cấp cho bạn.", "Use the account your administrator gave you."},
	"login.username":     {"Tên đăng nhập", "Username"},
	"login.password":     {"Mật khẩu", "Password"},
	"login.failed":       {"Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password."},
	"login.missing":      {"Nhập tên đăng nhập và mật khẩu.", "Enter your username and password."},
	"login.throttled":    {"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %s.", "Too many failed attempts. Try again in %s."},
	"login.disabled":     {"Tài khoản này đã bị khóa. Vui lòng liên hệ quản trị hệ thống.", "This account is disabled. Contact your administrator."},
	"login.loggedOut":    {"Bạn đã đăng xuất.", "You have logged out."},
	"login.sessionEnded": {"Phiên làm việc đã kết thúc. Vui lòng đăng nhập lại.", "Your session has ended. Please log in again."},
	"login.required":     {"Vui lòng đăng nhập để tiếp tục.", "Please log in to continue."},

	// Tài khoản: the password and the user's own e-mail address.
	"account.link":           {"Tài khoản", "Account"},
	"account.title":          {"Tài khoản của tôi", "My account"},
	"account.email.title":    {"Thư điện tử nhận thông báo", "E-mail for notifications"},
	"account.email.current":  {"Địa chỉ hiện tại", "Current address"},
	"account.email.none":     {"Chưa có: thông báo chỉ hiện trong mục Thông báo.", "None: notifications show only under Notifications."},
	"account.email.hint":     {"Thông báo nhắc hạn, quá hạn, chờ duyệt được gửi tới địa chỉ này. Để trống rồi lưu để xóa địa chỉ.", "Reminders, missed deadlines and approval requests are sent to this address. Save it empty to remove it."},
	"account.email.save":     {"Lưu địa chỉ", "Save the address"},
	"account.email.same":     {"Chưa có gì thay đổi: đây là địa chỉ đang dùng.", "Nothing changed: this is the address in use."},
	"account.email.sameNone": {"Bạn chưa có địa chỉ nào: hãy nhập một địa chỉ.", "You have no address: type one."},
	"account.email.refused":  {"Chưa lưu được: %s", "Not saved: %s"},
	"account.email.saved":    {"Đã lưu địa chỉ thư điện tử của bạn.", "Your e-mail address is saved."},
	"account.email.removed":  {"Đã xóa địa chỉ thư điện tử của bạn: thông báo chỉ còn hiện trong mục Thông báo.", "Your e-mail address is removed: notifications show only under Notifications."},

	// Đổi mật khẩu.
	"password.title":         {"Đổi mật khẩu", "Change password"},
	"password.mustChange":    {"Bạn cần đổi mật khẩu trước khi tiếp tục.", "You must change your password before you continue."},
	"password.current":       {"Mật khẩu hiện tại", "Current password"},
	"password.new":           {"Mật khẩu mới", "New password"},
	"password.confirm":       {"Nhập lại mật khẩu mới", "New password again"},
	"password.hint":          {"Ít nhất %d ký tự.", "At least %d characters."},
	"password.wrongCurrent":  {"Mật khẩu hiện tại không đúng.", "The current password is wrong."},
	"password.mismatch":      {"Mật khẩu mới nhập lại không khớp.", "The two new passwords differ."},
	"password.same":          {"Mật khẩu mới phải khác mật khẩu hiện tại.", "The new password must differ from the current one."},
	"password.changed":       {"Đã đổi mật khẩu.", "Your password has been changed."},
	"password.rule.invalid":  {"Mật khẩu mới: chứa ký tự không hợp lệ.", "New password: contains invalid characters."},
	"password.rule.short":    {"Mật khẩu mới: ít nhất %d ký tự.", "New password: at least %d characters."},
	"password.rule.long":     {"Mật khẩu mới: nhiều nhất %d ký tự.", "New password: at most %d characters."},
	"password.rule.blank":    {"Mật khẩu mới: không được chỉ gồm khoảng trắng.", "New password: must not be only spaces."},
	"password.rule.username": {"Mật khẩu mới: không được trùng tên đăng nhập.", "New password: must not be the username."},

	// Trang chủ.
	"home.title":      {"Trang chủ", "Home"},
	"home.greeting":   {"Xin chào, %s", "Hello, %s"},
	"home.username":   {"Tên đăng nhập", "Username"},
	"home.rolesTitle": {"Vai trò của bạn", "Your roles"},
	"home.role":       {"Vai trò", "Role"},
	"home.unit":       {"Đơn vị", "Unit"},
	"home.noRoles":    {"Bạn chưa được giao vai trò nào. Vui lòng liên hệ quản trị hệ thống.", "You have no role yet. Contact your administrator."},
	"home.rolesError": {"Chưa tải được vai trò của bạn: %s", "Your roles could not be loaded: %s"},
	"home.sessionAt":  {"Đăng nhập lúc %s. Phiên làm việc kết thúc chậm nhất lúc %s, hoặc sau %s không thao tác.", "Logged in at %s. The session ends at %s at the latest, or after %s without activity."},

	// Errors.
	"error.title":          {"Có lỗi", "Error"},
	"error.notFound.title": {"Không tìm thấy trang", "Page not found"},
	"error.notFound.body":  {"Đường dẫn này không có trong hệ thống.", "There is no such page."},
	"error.crossOrigin":    {"Yêu cầu bị từ chối: biểu mẫu được gửi từ một trang khác.", "Request refused: the form was sent from another site."},
	"error.internal":       {"Đã có lỗi xảy ra. Vui lòng thử lại sau.", "Something went wrong. Please try again later."},
	"error.badForm":        {"Biểu mẫu không hợp lệ. Vui lòng tải lại trang rồi thử lại.", "The form could not be read. Reload the page and try again."},
	"error.backHome":       {"Về trang chủ", "Back to the home page"},

	// The contract's error codes, as the interface says them.
	"code.UNAUTHENTICATED":    {"Vui lòng đăng nhập lại.", "Please log in again."},
	"code.FORBIDDEN":          {"Bạn không có quyền thực hiện thao tác này với vụ việc.", "You may not do this on the case."},
	"code.NOT_FOUND":          {"Không tìm thấy vụ việc.", "Case not found."},
	"code.BAD_USER_INPUT":     {"Dữ liệu nhập chưa hợp lệ.", "Some input is not valid."},
	"code.CONFLICT":           {"Vụ việc vừa được cập nhật. Vui lòng tải lại trang rồi thao tác lại.", "The case has just been updated. Reload the page and try again."},
	"code.INVALID_TRANSITION": {"Trạng thái hiện tại của vụ việc không cho phép thao tác này.", "The case's current status does not allow this."},
	"code.RATE_LIMITED":       {"Thao tác quá nhanh. Vui lòng thử lại sau ít giây.", "Too fast. Try again in a few seconds."},
	"code.QUERY_TOO_COMPLEX":  {"Yêu cầu quá lớn. Vui lòng thu hẹp phạm vi rồi thử lại.", "The request is too large. Narrow it and try again."},
	"code.INTERNAL":           {"Đã có lỗi xảy ra. Vui lòng thử lại sau.", "Something went wrong. Please try again later."},

	// Roles (GLOSSARY.md, People).
	"role.REPORTER": {"Người phản ánh", "Reporter"},
	"role.HANDLER":  {"Cán bộ xử lý", "Case handler"},
	"role.LEADER":   {"Lãnh đạo", "Leader"},
	"role.AUDITOR":  {"Cán bộ kiểm tra", "Auditor"},
	"role.ADMIN":    {"Quản trị hệ thống", "Administrator"},
	"role.CLERK":    {"Văn thư", "Clerk"},

	// Durations.
	"duration.seconds": {"%d giây", "%d seconds"},
	"duration.minutes": {"%d phút", "%d minutes"},
}

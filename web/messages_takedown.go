package web

// takedownChannelMessages are the words of the takedown channels (issue
// 17, §2) on the case page: the request form's channel and authority, and
// the takedown list's channel, authority and what its deadline means. The
// words follow shared/GLOSSARY.md (yêu cầu gỡ bỏ, thời hạn, nền tảng); the
// two channels are new there: "Báo cáo vi phạm qua nền tảng" and "Yêu cầu
// của cơ quan có thẩm quyền".
var takedownChannelMessages = map[string]msg{
	"channel.PLATFORM_REPORT":   {"Báo cáo vi phạm qua nền tảng", "Report through the platform"},
	"channel.AUTHORITY_REQUEST": {"Yêu cầu của cơ quan có thẩm quyền", "Request of a competent authority"},

	"field.channel": {"Kênh yêu cầu", "Channel"},
	"field.channelHint": {"Báo cáo vi phạm qua nền tảng: thời hạn là hạn đôn đốc nền tảng. Yêu cầu của cơ quan có thẩm quyền: thời hạn gỡ bỏ theo Điều 23 Nghị định 147/2024/NĐ-CP, ghi tên cơ quan ở ô dưới.",
		"Report through the platform: the deadline is when to follow up with the platform. Request of a competent authority: the removal deadline of Decree 147/2024/NĐ-CP, Art. 23; name the authority below."},
	"field.authority": {"Cơ quan có thẩm quyền yêu cầu", "Requesting authority"},
	"field.authorityHint": {"Chỉ ghi khi chọn «Yêu cầu của cơ quan có thẩm quyền», ví dụ: Công an tỉnh Lai Châu (PA05).",
		"Only for «Request of a competent authority», e.g. Công an tỉnh Lai Châu (PA05)."},

	"rule.authorityRequired": {"%s: bắt buộc khi chọn «Yêu cầu của cơ quan có thẩm quyền».", "%s: required for a request of a competent authority."},
	"rule.authorityOnly": {"%s: chỉ ghi khi chọn «Yêu cầu của cơ quan có thẩm quyền»; để trống với báo cáo vi phạm qua nền tảng.",
		"%s: only for a request of a competent authority; leave it empty for a report through the platform."},

	"case.takedown.channel":       {"Kênh yêu cầu", "Channel"},
	"case.takedown.authority":     {"Cơ quan yêu cầu", "Requesting authority"},
	"case.takedown.legalDeadline": {"Hạn gỡ bỏ theo quy định", "Legal removal deadline"},
	"case.takedown.followUp":      {"Hạn đôn đốc nền tảng", "Follow up with the platform by"},

	"event.TakedownRequested.authority": {"(yêu cầu của %s)", "(requested by %s)"},
}

func init() { mergeCaseMessages(takedownChannelMessages) }

package web

// caseFileMessages are the texts of the case file (hồ sơ vụ việc) and of
// the takedown letters' drafts on the case page (issue 16), in the words
// of shared/GLOSSARY.md. They join the catalog at init like the other
// messages_*.go.
var caseFileMessages = map[string]msg{
	"casefile.download": {"Tải hồ sơ vụ việc (ZIP)", "Download the case file (ZIP)"},
	"casefile.hint": {"Tóm tắt vụ việc, lịch sử xử lý kèm mã băm, chứng cứ, công văn và bảng kê SHA-256; kiểm tra không cần kết nối bằng lệnh casetrail verify --bundle.",
		"The case summary, the history with its hashes, the evidence, the letters and a SHA-256 manifest; checked offline with casetrail verify --bundle."},
	"casefile.refused":          {"Hồ sơ vụ việc dành cho lãnh đạo, cán bộ kiểm tra và văn thư của đơn vị.", "The case file is for the unit's leaders, auditors and clerks."},
	"case.takedown.letter":      {"Dự thảo công văn yêu cầu gỡ bỏ", "Draft takedown letter"},
	"case.takedown.letter.pdf":  {"PDF", "PDF"},
	"case.takedown.letter.docx": {"Word (DOCX)", "Word (DOCX)"},
}

func init() { mergeCaseMessages(caseFileMessages) }

package documents

import "casetrail/incident"

// The takedown letter (công văn yêu cầu gỡ bỏ) as an office sends it: issued
// by the unit that issues the case's letters, addressed to the company
// that runs the platform. Until an authority sends it (issue 17's
// AUTHORITY_REQUEST channel) CaseTrail only drafts it: the number is the
// office's, given when the letter goes out.

// platformRecipients name the company a takedown letter on each platform
// is addressed to ("Kính gửi"); the office may correct it in the DOCX.
var platformRecipients = map[incident.Platform]string{
	incident.Facebook:  "Công ty Meta Platforms, Inc.",
	incident.Instagram: "Công ty Meta Platforms, Inc.",
	incident.TikTok:    "Công ty TikTok Pte. Ltd.",
	incident.YouTube:   "Công ty Google LLC",
	incident.Zalo:      "Công ty Cổ phần VNG",
	incident.X:         "Công ty X Corp.",
	incident.Telegram:  "Công ty Telegram Messenger Inc.",
	incident.Website:   "Đơn vị chủ quản trang thông tin điện tử",
	incident.Other:     "Đơn vị cung cấp dịch vụ nền tảng",
}

// PlatformRecipient names whom a takedown letter on platform p is
// addressed to.
func PlatformRecipient(p incident.Platform) string {
	if r, ok := platformRecipients[p]; ok {
		return r
	}
	return platformRecipients[incident.Other]
}

// TakedownLetter composes the letter asking the platform of takedown
// takedownID of case c to take its target down (LetterForTakedown),
// issued by iss.Issuer (by default the unit that issues the case's letters,
// incident.IssuingUnit) as units describe it (DispatchFor), addressed to
// the platform's company (PlatformRecipient), numbered and signed as iss
// says (a draft: iss.Draft, no number). The result is validated.
func TakedownLetter(units *incident.UnitTree, c incident.Case, takedownID string, iss Issue) (Letter, error) {
	td := c.Takedown(takedownID)
	if td == nil {
		return Letter{}, incident.BadInput("takedownId", "case %s has no takedown %q", c.Number, takedownID)
	}
	issuer := iss.Issuer
	if issuer == "" {
		issuer = incident.IssuingUnit(units, c.Unit).ID
	}
	d := DispatchFor(units, issuer, "", iss)
	d.Recipients = []string{PlatformRecipient(td.Platform)}
	return LetterForTakedown(c, takedownID, d)
}

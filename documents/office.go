package documents

import (
	"strings"
	"time"

	"casetrail/incident"
)

// The office's part of a letter taken from the registry of units: the
// issuing unit's letterhead, place and default signer, the recipient's
// name. Both the letter an escalation goes out with (activities) and its
// draft (the preview before approval) are composed here, so the two read
// alike.

// Issue is what numbers and signs one letter: the number in the issuer's
// register (0 for a draft), its symbol, the date of issue and the signer.
type Issue struct {
	// Issuer is the unit that issues the letter; "" is the one that issues
	// the case's letters (incident.IssuingUnit of the case's unit).
	Issuer string
	Number int
	Symbol string
	Date   time.Time
	Signer incident.Signer
	Draft  bool
}

// EscalationLetter composes the letter that escalates case c to its
// escalation target, issued by iss.Issuer (by default the unit that issues
// the case's letters, incident.IssuingUnit), as units describes them
// (DispatchFor), numbered and signed as iss says; its other recipients are
// listed in "Nơi nhận" (RecipientCopies). The result is validated.
func EscalationLetter(units *incident.UnitTree, c incident.Case, iss Issue) (Letter, error) {
	if c.Escalation == nil {
		return Letter{}, incident.BadInput("case", "case %s has no escalation", c.Number)
	}
	issuer := iss.Issuer
	if issuer == "" {
		issuer = incident.IssuingUnit(units, c.Unit).ID
	}
	d := DispatchFor(units, issuer, c.Escalation.To, iss)
	d.AlsoTo = append(d.AlsoTo, RecipientCopies(units, c.Escalation)...) // recipients.go
	return LetterForEscalation(c, d)
}

// DispatchFor returns the Dispatch of a letter that unit issuer sends to
// unit to: the heading from the issuer's IssuingBody (its Name when unset)
// and ParentBody, the place from its Place (its Name), the drafting unit
// from its symbol (incident.DispatchSymbol), the recipient by the target's
// one-line IssuingBody (its Name); iss.Symbol, when empty, is the issuer's
// dispatch symbol. Units the tree lacks are named by their id.
func DispatchFor(units *incident.UnitTree, issuer, to string, iss Issue) Dispatch {
	u, ok := units.Unit(issuer)
	if !ok {
		u = incident.Unit{ID: issuer, Name: issuer}
	}
	symbol, drafting := incident.DispatchSymbol(u)
	if iss.Symbol != "" {
		symbol = iss.Symbol
	}
	body := strings.TrimSpace(u.IssuingBody)
	if body == "" {
		body = u.Name
	}
	place := strings.TrimSpace(u.Place)
	if place == "" {
		place = u.Name
	}
	return Dispatch{
		ParentBody:   u.ParentBody,
		IssuingBody:  body,
		Sender:       oneLine(body),
		Number:       iss.Number,
		Symbol:       symbol,
		DraftingUnit: drafting,
		Place:        place,
		Date:         iss.Date,
		Recipients:   []string{RecipientName(units, to)},
		Signer:       SignerOf(iss.Signer),
		Draft:        iss.Draft,
	}
}

// RecipientName names unit id in "Kính gửi": its IssuingBody on one line,
// else its Name, else the id.
func RecipientName(units *incident.UnitTree, id string) string {
	u, ok := units.Unit(id)
	switch {
	case !ok:
		return id
	case strings.TrimSpace(u.IssuingBody) != "":
		return oneLine(u.IssuingBody)
	case strings.TrimSpace(u.Name) != "":
		return u.Name
	}
	return id
}

// SignerOf is the signature block of s. A signer without a prefix signs as
// the head: Authority is then their title (Title itself when Authority is
// unset). A signer with a prefix and no Authority signs for the head of the
// body, "Thủ trưởng cơ quan".
func SignerOf(s incident.Signer) Signer {
	out := Signer{Prefix: s.Prefix, Authority: s.Authority, Title: s.Title, Name: s.Name}
	switch {
	case out.Prefix == "" && out.Authority == "":
		out.Authority, out.Title = out.Title, ""
	case out.Prefix == "" && out.Title != "" && strings.EqualFold(out.Title, out.Authority):
		out.Title = ""
	case out.Prefix != "" && out.Authority == "":
		out.Authority = HeadOfBody
	}
	if out.Authority == "" {
		out.Authority = HeadOfBody
	}
	return out
}

// HeadOfBody is the authority of a signature block nobody configured.
const HeadOfBody = "Thủ trưởng cơ quan"

// oneLine joins the lines of a body name with spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

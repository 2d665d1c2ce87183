package activities

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"casetrail/documents"
	"casetrail/incident"
	"casetrail/workflows"
)

// The escalation's công văn (issue 16): PrepareEscalation readies an
// approval (signer, typed register number), IssueEscalation numbers the
// letter in the issuing unit's register, renders it (package documents),
// stores the PDF and DOCX in the blob store and delivers it.

// Media types of the stored letters.
const (
	MediaPDF  = "application/pdf"
	MediaDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)

// Payloads of the letter activities, as declared by the workflow.
type (
	// PrepareEscalationInput is the argument of PrepareEscalation.
	PrepareEscalationInput = workflows.PrepareEscalationInput
	// PrepareEscalationResult is the result of PrepareEscalation.
	PrepareEscalationResult = workflows.PrepareEscalationResult
	// IssueEscalationInput is the argument of IssueEscalation.
	IssueEscalationInput = workflows.IssueEscalationInput
	// IssueEscalationResult is the result of IssueEscalation.
	IssueEscalationResult = workflows.IssueEscalationResult
)

// badInput is a domain refusal crossing Temporal: non-retryable, typed by
// its contract code, the field in its details (the workflow answers the
// command with it).
func badInput(field, format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), incident.CodeBadUserInput, nil, field)
}

// invalid is input no attempt can succeed with.
func invalid(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), ErrTypeInvalid, nil)
}

// unitTree returns the registry's units (an empty tree without Units).
func (a *Activities) unitTree(ctx context.Context) (*incident.UnitTree, error) {
	if a.Units == nil {
		return incident.NewUnitTree(nil), nil
	}
	units, err := a.Units(ctx)
	if err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	return incident.NewUnitTree(units), nil
}

// issuerUnit returns the unit that issues the letters of cases of unit id
// (incident.IssuingUnit), with UnitSymbol's symbol when it has none.
func (a *Activities) issuerUnit(ctx context.Context, tree *incident.UnitTree, id string) (incident.Unit, error) {
	u := incident.IssuingUnit(tree, id)
	if strings.TrimSpace(u.Symbol) == "" && a.UnitSymbol != nil {
		s, err := a.UnitSymbol(ctx, u.ID)
		if err != nil {
			return u, fmt.Errorf("symbol of %s: %w", u.ID, err)
		}
		u.Symbol = s
	}
	return u, nil
}

// signerFor returns who signs a letter of issuer u: given, completed from
// the unit's default signer (its authority when the prefixes agree; for
// TM., the issuing body), else the unit's default signer, else the
// approver by their display name, signing for the head of the body.
func (a *Activities) signerFor(ctx context.Context, u incident.Unit, given *incident.Signer, approver string) (incident.Signer, error) {
	if given != nil && !given.IsZero() {
		s, err := incident.CleanSigner("signer", *given)
		if err != nil {
			var de *incident.Error
			if errors.As(err, &de) {
				return s, badInput(de.Field, "%s", de.Message)
			}
			return s, err
		}
		if s.Authority == "" {
			switch {
			case s.Prefix != "" && s.Prefix == u.Signer.Prefix:
				s.Authority = u.Signer.Authority
			case s.Prefix == documents.OnBehalf:
				body := u.IssuingBody
				if strings.TrimSpace(body) == "" {
					body = u.Name
				}
				s.Authority, _, _ = strings.Cut(strings.TrimSpace(body), "\n")
			}
		}
		return s, nil
	}
	if u.Signer.Name != "" {
		return u.Signer, nil
	}
	name := approver
	if a.DisplayName != nil && approver != "" {
		if n, err := a.DisplayName(ctx, approver); err == nil && strings.TrimSpace(n) != "" {
			name = strings.TrimSpace(n)
		}
	}
	if strings.TrimSpace(name) == "" {
		name = documents.HeadOfBody
	}
	return incident.Signer{Authority: documents.HeadOfBody, Name: name}, nil
}

// PrepareEscalation readies the approval of an escalation: it returns who
// signs the letter and, when the issuing unit (incident.IssuingUnit of
// in.Issuer, the case's unit) has its clerk number by hand
// (incident.NumberingManual), records the typed number in the unit's
// register for the year of in.At. A missing or already used typed number,
// a number typed for a unit whose register CaseTrail keeps, or a signer
// that breaks the rules is BAD_USER_INPUT (non-retryable, field in the
// details), which the workflow answers the approval with.
func (a *Activities) PrepareEscalation(ctx context.Context, in PrepareEscalationInput) (PrepareEscalationResult, error) {
	if strings.TrimSpace(in.Key) == "" || strings.TrimSpace(in.Issuer) == "" || in.At.IsZero() {
		return PrepareEscalationResult{}, invalid("prepare escalation: bad input (key %q, issuer %q, at %v)", in.Key, in.Issuer, in.At)
	}
	tree, err := a.unitTree(ctx)
	if err != nil {
		return PrepareEscalationResult{}, err
	}
	u, err := a.issuerUnit(ctx, tree, in.Issuer)
	if err != nil {
		return PrepareEscalationResult{}, err
	}
	signer, err := a.signerFor(ctx, u, in.Signer, in.Approver)
	if err != nil {
		return PrepareEscalationResult{}, err
	}
	res := PrepareEscalationResult{Signer: signer}
	switch {
	case u.ManualNumbering() && in.RegisterNumber < 1:
		return res, badInput("registerNumber",
			"%s numbers its letters in its own register: give the number the clerk issued", unitName(u))
	case !u.ManualNumbering() && in.RegisterNumber != 0:
		return res, badInput("registerNumber",
			"CaseTrail keeps the register of %s and numbers the letter when it is issued: leave the number out", unitName(u))
	case !u.ManualNumbering():
		return res, nil
	}
	symbol, _ := incident.DispatchSymbol(u)
	e, err := reserveTyped(ctx, a.Store.Pool(), entry{
		Key: in.Key, Issuer: u.ID, Year: yearOf(in.At), N: in.RegisterNumber, Symbol: symbol,
		IssuedAt: in.At.UTC(), CaseID: in.CaseID,
	})
	var used *errNumberUsed
	if errors.As(err, &used) {
		msg := fmt.Sprintf("number %02d of %d is already used in the register of %s", used.n, used.year, unitName(u))
		if used.holder != "" {
			msg += " (" + used.holder + ")"
		}
		return res, badInput("registerNumber", "%s; give the number the clerk issued for this letter", msg)
	}
	if err != nil {
		return res, fmt.Errorf("record register number for %s: %w", in.CaseID, err)
	}
	res.RegisterNumber = e.N
	return res, nil
}

// unitName is how a message names u.
func unitName(u incident.Unit) string {
	if strings.TrimSpace(u.IssuingBody) != "" {
		return strings.Join(strings.Fields(u.IssuingBody), " ")
	}
	if u.Name != "" {
		return u.Name
	}
	return u.ID
}

// EscalationLetter is the JSON body posted to the target unit's channel.
// Letters issued since the office documents (IssueEscalation) also carry
// the symbol, number, date and signer, the letter's SHA-256 and the PDF.
type EscalationLetter struct {
	Type           string `json:"type"` // "escalation"
	DispatchNumber string `json:"dispatchNumber"`
	CaseID         string `json:"caseId"`
	Number         string `json:"number"`
	Title          string `json:"title"`
	From           string `json:"from"`
	To             string `json:"to"`
	Reason         string `json:"reason"`
	ApprovedBy     string `json:"approvedBy"`

	Symbol       string           `json:"symbol,omitempty"`
	IssuedAt     time.Time        `json:"issuedAt,omitzero"`
	Signer       *incident.Signer `json:"signer,omitempty"`
	LetterSHA256 string           `json:"letterSha256,omitempty"`
	LetterPDF    string           `json:"letterPdfBase64,omitempty"`

	// Role is why To receives a letter addressed to another unit,
	// Addressee (COORDINATION or INFORMATION; DeliverEscalation); both are
	// empty in the addressee's own.
	Role      string `json:"role,omitempty"`
	Addressee string `json:"addressee,omitempty"`
}

// IssueEscalation issues the letter of an approved escalation. It numbers
// the letter in the register of the unit that issues the case's letters
// (incident.IssuingUnit: the case's unit, or the nearest ancestor with a
// letterhead) — the number the approval
// recorded under in.Key, else the next of the unit's counter for the year
// of in.At in Asia/Ho_Chi_Minh), composes it (documents.EscalationLetter:
// the issuer's letterhead and default signer from the registry, the
// approval's signer first), renders it as PDF and DOCX, stores both in the
// blob store, records them in the register and delivers the letter to the
// target unit's webhook (or hands it over to be sent by hand). Once a
// letter is recorded, a retry answers it again, whatever the case has
// become meanwhile.
func (a *Activities) IssueEscalation(ctx context.Context, in IssueEscalationInput) (IssueEscalationResult, error) {
	c := in.Case
	esc := c.Escalation
	if strings.TrimSpace(in.Key) == "" || in.At.IsZero() || esc == nil || strings.TrimSpace(c.Unit) == "" || strings.TrimSpace(esc.To) == "" {
		return IssueEscalationResult{}, invalid("issue escalation: bad input (key %q, at %v, case %q)", in.Key, in.At, c.ID)
	}
	tree, err := a.unitTree(ctx)
	if err != nil {
		return IssueEscalationResult{}, err
	}
	u, err := a.issuerUnit(ctx, tree, c.Unit)
	if err != nil {
		return IssueEscalationResult{}, err
	}
	symbol, _ := incident.DispatchSymbol(u)
	pool := a.Store.Pool()
	e, err := numberDispatch(ctx, pool, entry{
		Key: in.Key, Issuer: u.ID, Year: yearOf(in.At), Symbol: symbol, IssuedAt: in.At.UTC(), CaseID: c.ID,
	})
	if err != nil {
		return IssueEscalationResult{}, fmt.Errorf("number the letter of %s: %w", c.ID, err)
	}
	if e.Issuer != u.ID { // numbered at the approval by the issuer of then
		if u, err = a.issuerUnit(ctx, tree, e.Issuer); err != nil {
			return IssueEscalationResult{}, err
		}
	}
	var pdf []byte
	if !e.issued() {
		signer, err := a.signerFor(ctx, u, esc.Signer, esc.ApprovedBy)
		if err != nil {
			return IssueEscalationResult{}, err
		}
		l, err := documents.EscalationLetter(tree, c, documents.Issue{Issuer: e.Issuer, Number: e.N, Symbol: e.Symbol, Date: e.IssuedAt, Signer: signer})
		if err != nil {
			return IssueEscalationResult{}, invalid("compose the letter of %s: %v", c.ID, err)
		}
		pdf, err = documents.RenderPDF(l)
		if err != nil {
			return IssueEscalationResult{}, invalid("render the letter of %s: %v", c.ID, err)
		}
		docx, err := documents.RenderDOCX(l, documents.Options{})
		if err != nil {
			return IssueEscalationResult{}, invalid("render the letter of %s: %v", c.ID, err)
		}
		pdfSum, err := a.Store.PutBlob(ctx, MediaPDF, pdf)
		if err != nil {
			return IssueEscalationResult{}, fmt.Errorf("store the letter of %s: %w", c.ID, err)
		}
		docxSum, err := a.Store.PutBlob(ctx, MediaDOCX, docx)
		if err != nil {
			return IssueEscalationResult{}, fmt.Errorf("store the letter of %s: %w", c.ID, err)
		}
		if e, err = completeDispatch(ctx, pool, in.Key, signer, pdfSum, docxSum); err != nil {
			return IssueEscalationResult{}, fmt.Errorf("record the letter of %s: %w", c.ID, err)
		}
		if e.PDFSHA256 != pdfSum {
			pdf = nil // another attempt recorded its rendering first
		}
	}
	letter := incident.Letter{
		Number: e.N, Symbol: e.Symbol, Issuer: e.Issuer, IssuedAt: e.IssuedAt, Manual: e.Manual,
		SHA256: e.PDFSHA256, DOCXSHA256: e.DOCXSHA256,
	}
	if e.Signer != nil {
		letter.Signer = *e.Signer
	}
	if pdf == nil {
		if _, pdf, err = a.Store.GetBlob(ctx, e.PDFSHA256); err != nil {
			return IssueEscalationResult{}, fmt.Errorf("read the letter of %s: %w", c.ID, err)
		}
	}
	signer := letter.Signer
	body := EscalationLetter{
		Type: "escalation", DispatchNumber: letter.DispatchNumber(), CaseID: c.ID, Number: c.Number, Title: c.Title,
		From: letter.Issuer, To: esc.To, Reason: esc.Reason, ApprovedBy: esc.ApprovedBy,
		Symbol: letter.Symbol, IssuedAt: letter.IssuedAt, Signer: &signer, LetterSHA256: letter.SHA256,
		LetterPDF: base64.StdEncoding.EncodeToString(pdf),
	}
	attrs := []slog.Attr{
		slog.String("case", c.ID), slog.String("number", c.Number), slog.String("dispatch", body.DispatchNumber),
		slog.String("from", letter.Issuer), slog.String("to", esc.To), slog.String("sha256", letter.SHA256),
	}
	res, err := a.deliver(ctx, a.Escalation[esc.To], "escalation", body, attrs)
	return IssueEscalationResult{Letter: letter, DeliveryResult: res}, err
}

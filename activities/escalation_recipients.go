package activities

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"

	"casetrail/workflows"
)

// DeliverEscalationInput is the argument of DeliverEscalation.
type DeliverEscalationInput = workflows.DeliverEscalationInput

// DeliverEscalation sends the letter of an escalation, issued and stored
// by IssueEscalation, to one of its recipients other than the addressee
// (issue 17, §3): the same body the addressee received, To naming this
// recipient and Role why it receives it (COORDINATION, INFORMATION),
// through the recipient's escalation channel, or handed over to be sent
// by hand as IssueEscalation does. The letter is not numbered again.
func (a *Activities) DeliverEscalation(ctx context.Context, in DeliverEscalationInput) (DeliveryResult, error) {
	l := in.Letter
	if strings.TrimSpace(in.To) == "" || strings.TrimSpace(in.CaseID) == "" || !validSHA256(l.SHA256) {
		return DeliveryResult{}, invalid("deliver escalation: bad input (case %q, to %q, letter %q)", in.CaseID, in.To, l.SHA256)
	}
	_, pdf, err := a.Store.GetBlob(ctx, l.SHA256)
	if err != nil {
		return DeliveryResult{}, fmt.Errorf("read the letter of %s: %w", in.CaseID, err)
	}
	signer := l.Signer
	body := EscalationLetter{
		Type: "escalation", DispatchNumber: l.DispatchNumber(), CaseID: in.CaseID, Number: in.Number, Title: in.Title,
		From: l.Issuer, To: in.To, Reason: in.Reason, ApprovedBy: in.ApprovedBy,
		Symbol: l.Symbol, IssuedAt: l.IssuedAt, Signer: &signer, LetterSHA256: l.SHA256,
		LetterPDF: base64.StdEncoding.EncodeToString(pdf),
		Role:      string(in.Role), Addressee: in.Addressee,
	}
	attrs := []slog.Attr{
		slog.String("case", in.CaseID), slog.String("number", in.Number), slog.String("dispatch", body.DispatchNumber),
		slog.String("from", l.Issuer), slog.String("to", in.To), slog.String("role", string(in.Role)), slog.String("sha256", l.SHA256),
	}
	return a.deliver(ctx, a.Escalation[in.To], "escalation", body, attrs)
}

// validSHA256 reports whether s is a lower-case hex SHA-256.
func validSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

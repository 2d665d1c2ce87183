package main

import (
	"context"
	"fmt"
	"time"

	"casetrail/documents"
	"casetrail/incident"
	"casetrail/web"
)

// The wiring of the escalation letters (issue 16): who a subject is by name
// (the signer when neither the leader nor the unit names one) and the
// draft the web interface shows before approval.

// displayName returns the web user's display name of subject.
func (a *app) displayName(ctx context.Context, subject string) (string, error) {
	u, err := web.NewUsers(a.store.Pool()).Get(ctx, subject)
	if err != nil {
		return "", err
	}
	return u.DisplayName, nil
}

// letterPreview renders the draft (DỰ THẢO, not numbered) of the letter of
// case caseID's escalation, as the case is now: issued by the unit that
// issues the case's letters, signed by the signer the approval recorded,
// else by the unit's default one. The web interface calls it once the API
// has shown the user the case and its escalation.
func (a *app) letterPreview(ctx context.Context, caseID string) ([]byte, error) {
	c, err := a.reader.Case(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if c == nil || c.Escalation == nil {
		return nil, incident.Errorf(incident.CodeNotFound, "case %s has no escalation", caseID)
	}
	units, err := a.registry.Units(ctx)
	if err != nil {
		return nil, err
	}
	tree := incident.NewUnitTree(units)
	issuer := incident.IssuingUnit(tree, c.Unit)
	signer := issuer.Signer
	if s := c.Escalation.Signer; s != nil {
		signer = *s
	}
	if signer.Name == "" {
		signer = incident.Signer{Authority: documents.HeadOfBody, Name: "…"}
	}
	l, err := documents.EscalationLetter(tree, *c, documents.Issue{Issuer: issuer.ID, Date: time.Now(), Signer: signer, Draft: true})
	if err != nil {
		return nil, fmt.Errorf("draft letter of %s: %w", caseID, err)
	}
	return documents.RenderPDF(l)
}

// takedownLetter renders the draft (DỰ THẢO, not numbered) of the letter
// asking the platform of takedown takedownID of case caseID to take its
// target down, as the case is now, as "pdf" or "docx": issued by the unit
// that issues the case's letters, signed by its default signer. The web
// interface calls it once the API has shown the user the case and the
// takedown.
func (a *app) takedownLetter(ctx context.Context, caseID, takedownID, format string) ([]byte, error) {
	c, err := a.reader.Case(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, incident.Errorf(incident.CodeNotFound, "case %s not found", caseID)
	}
	units, err := a.registry.Units(ctx)
	if err != nil {
		return nil, err
	}
	tree := incident.NewUnitTree(units)
	issuer := incident.IssuingUnit(tree, c.Unit)
	signer := issuer.Signer
	if signer.Name == "" {
		signer = incident.Signer{Authority: documents.HeadOfBody, Name: "…"}
	}
	l, err := documents.TakedownLetter(tree, *c, takedownID, documents.Issue{Issuer: issuer.ID, Date: time.Now(), Signer: signer, Draft: true})
	if err != nil {
		return nil, fmt.Errorf("draft takedown letter of %s: %w", caseID, err)
	}
	if format == "docx" {
		return documents.RenderDOCX(l, documents.Options{})
	}
	return documents.RenderPDF(l)
}

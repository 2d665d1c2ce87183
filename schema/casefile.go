package schema

import (
	"net/url"

	"github.com/graphql-go/graphql"

	"casetrail/incident"
)

// The case file and the takedown letters in the graph (issue 16), beyond
// the contract (additions only): Case.caseFileUrl, where the web interface
// serves the case's ZIP (hồ sơ vụ việc, casefile/) to those allowed
// incident.ActionReadCaseFile (LEADER, AUDITOR and CLERK of the case's units), and
// TakedownRequest.letterPreviewUrl, where it renders the draft of the
// công văn that asks the platform to take the target down (DỰ THẢO, not
// numbered: the number is the office's when an authority sends it).

// CaseFileURL returns the web interface's path of the case file of case
// caseID.
func CaseFileURL(caseID string) string { return "/cases/" + url.PathEscape(caseID) + "/file.zip" }

// TakedownLetterURL returns the web interface's path of the draft letter
// of takedown takedownID of case caseID: format "pdf" or "docx".
func TakedownLetterURL(caseID, takedownID, format string) string {
	return "/cases/" + url.PathEscape(caseID) + "/letters/takedown-" + url.PathEscape(takedownID) + "." + format
}

// caseFileFields adds the case file's and the takedown letters' fields to t.
func (r *resolver) caseFileFields(t *types) {
	t.caseT.AddFieldConfig("caseFileUrl", field(graphql.String,
		"Where the web interface serves the case file (hồ sơ vụ việc): a ZIP of the case summary, the history with its hashes, "+
			"the evidence, the letters and a manifest with their SHA-256 and the latest signed checkpoint, checked offline by "+
			"`casetrail verify --bundle`; null for those who may not download it (LEADER, AUDITOR and CLERK of the case's units may) "+
			"and for a past state (caseAsOf)",
		r.guard("Case.caseFileUrl", func(p graphql.ResolveParams) (any, error) {
			c, ok := p.Source.(*incident.Case)
			if !ok || c.ID == "" {
				return nil, nil
			}
			if _, past := r.state(p.Context).past.Load(c); past {
				return nil, nil
			}
			sub, err := subject(p.Context)
			if err != nil {
				return nil, err
			}
			allowed, err := r.auth.Allowed(sub, incident.ActionReadCaseFile, c.Unit)
			if err != nil || !allowed {
				return nil, err
			}
			return CaseFileURL(c.ID), nil
		})))
	t.takedown.AddFieldConfig("letterPreviewUrl", field(graphql.String,
		"Where the web interface renders the draft of the letter (công văn) asking the platform to take the target down, as PDF; "+
			"the same path ending in .docx gives it as DOCX. Not numbered (DỰ THẢO): the office numbers the letter when it sends it",
		func(p graphql.ResolveParams) (any, error) {
			d, ok := p.Source.(*incident.Takedown)
			if !ok {
				return nil, nil
			}
			v, _ := r.state(p.Context).takedowns.Load(d)
			c, _ := v.(*incident.Case)
			if c == nil || c.ID == "" {
				return nil, nil
			}
			return TakedownLetterURL(c.ID, d.ID, "pdf"), nil
		}))
}

// caseTakedowns resolves Case.takedowns, remembering whose takedown each
// is (for its letter's link).
func (r *resolver) caseTakedowns(p graphql.ResolveParams) (any, error) {
	c, ok := p.Source.(*incident.Case)
	if !ok {
		return []*incident.Takedown{}, nil
	}
	out := ptrs(c.Takedowns)
	s := r.state(p.Context)
	for _, d := range out {
		s.takedowns.Store(d, c)
	}
	return out, nil
}

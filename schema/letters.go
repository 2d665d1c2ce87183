package schema

import (
	"net/url"

	"github.com/graphql-go/graphql"

	"casetrail/incident"
)

// The escalation's công văn in the graph (issue 16), beyond the contract
// (additions only): who signs it and its number, symbol, date and SHA-256
// once sent (Escalation.letter, signer, letterPreviewUrl); the issuing
// unit's symbol, numbering mode and default signer (Unit.symbol, numbering,
// defaultSigner); and approveEscalation's optional signer and
// registerNumber. The documents themselves are served by the web interface
// at the URLs given (LetterURL): the final PDF and DOCX from the blob
// store, the draft rendered on the fly.

// The letters' paths under the web interface, by case id.
const (
	letterPDFPath     = "/letters/escalation.pdf"
	letterDOCXPath    = "/letters/escalation.docx"
	letterPreviewPath = "/letters/escalation-preview.pdf"
)

// LetterURL returns the web interface's path of the escalation letter of
// case caseID: "pdf", "docx" or "preview" (the draft before it is sent).
func LetterURL(caseID, format string) string {
	p := map[string]string{"pdf": letterPDFPath, "docx": letterDOCXPath, "preview": letterPreviewPath}[format]
	return "/cases/" + url.PathEscape(caseID) + p
}

// letterSrc is the source of EscalationLetter: the letter and its case.
type letterSrc struct {
	incident.Letter
	caseID string
}

// signerArg reads a SignerInput argument (nil when absent).
func signerArg(args map[string]any, name string) *incident.Signer {
	in, ok := args[name].(map[string]any)
	if !ok || in == nil {
		return nil
	}
	return &incident.Signer{Name: argString(in, "name"), Title: argString(in, "title"),
		Prefix: argString(in, "prefix"), Authority: argString(in, "authority")}
}

// approveEscalationArgs are approveEscalation's arguments beyond the
// contract's.
func (t *types) approveEscalationArgs() graphql.FieldConfigArgument {
	return graphql.FieldConfigArgument{
		"signer": {Type: t.signerInput,
			Description: "Who signs the letter; the issuing unit's default signer (Unit.defaultSigner) when absent"},
		"registerNumber": {Type: graphql.Int,
			Description: "The number the clerk issued in the office's own register, required when the case's unit numbers by hand " +
				"(Unit.numbering MANUAL) and refused otherwise; a number the unit already used that year is BAD_USER_INPUT"},
	}
}

// letterFields adds the letters' types and fields to t.
func (r *resolver) letterFields(t *types) {
	signer := graphql.NewObject(graphql.ObjectConfig{
		Name:        "Signer",
		Description: "Who signs a letter: the signing-authority prefix (Decree 30/2020/NĐ-CP, Art. 13), for whom, the signer's title and name",
		Fields: graphql.Fields{
			"prefix":    field(graphql.String, "TM., KT., TL., TUQ. or Q.; none when the head signs", src(func(s *incident.Signer) any { return optString(s.Prefix) })),
			"authority": field(graphql.String, "The body or head signed for (Chủ tịch, Ủy ban nhân dân)", src(func(s *incident.Signer) any { return optString(s.Authority) })),
			"title":     field(graphql.String, "The signer's own title (Phó Chủ tịch)", src(func(s *incident.Signer) any { return optString(s.Title) })),
			"name":      field(nn(graphql.String), "", src(func(s *incident.Signer) any { return s.Name })),
		},
	})
	t.signerInput = graphql.NewInputObject(graphql.InputObjectConfig{Name: "SignerInput", Fields: graphql.InputObjectConfigFieldMap{
		"name":      {Type: nn(graphql.String)},
		"title":     {Type: graphql.String, Description: "Required with a prefix"},
		"prefix":    {Type: graphql.String, Description: "TM., KT., TL., TUQ. or Q."},
		"authority": {Type: graphql.String, Description: "The body or head signed for; from the unit's default signer when the prefixes agree"},
	}})
	numbering := graphql.NewEnum(graphql.EnumConfig{Name: "Numbering", Values: graphql.EnumValueConfigMap{
		"AUTO":   {Value: incident.NumberingAuto, Description: "CaseTrail keeps the unit's register: letters are numbered when they are issued, gap-free per year"},
		"MANUAL": {Value: incident.NumberingManual, Description: "The clerk numbers in the office's own register and the number is given at the approval"},
	}})
	letter := graphql.NewObject(graphql.ObjectConfig{
		Name:        "EscalationLetter",
		Description: "The công văn an escalation went out with, numbered by the issuing unit (Decree 30/2020/NĐ-CP, Art. 15)",
		Fields: graphql.Fields{
			"number": field(nn(graphql.Int), "Number in the issuer's register for the calendar year of issuedAt (Asia/Ho_Chi_Minh), from 1",
				src(func(l *letterSrc) any { return l.Number })),
			"symbol":         field(nn(graphql.String), "The issuer's and the drafting unit's abbreviations, e.g. UBND-VHTT", src(func(l *letterSrc) any { return l.Symbol })),
			"dispatchNumber": field(nn(graphql.String), "As the letter prints it, e.g. 05/UBND-VHTT", src(func(l *letterSrc) any { return l.DispatchNumber() })),
			"issuer": field(nn(t.unit), "The unit that issued and numbered it", r.guard("EscalationLetter.issuer", func(p graphql.ResolveParams) (any, error) {
				return r.state(p.Context).unitOrStub(p.Context, p.Source.(*letterSrc).Issuer)
			})),
			"issuedAt": field(nn(DateTime), "Date of issue", src(func(l *letterSrc) any { return l.IssuedAt })),
			"manual":   field(nn(graphql.Boolean), "The number was typed from the office's own register", src(func(l *letterSrc) any { return l.Manual })),
			"signer":   field(nn(signer), "", src(func(l *letterSrc) any { return &l.Signer })),
			"sha256":   field(nn(graphql.String), "Hex SHA-256 of the letter as PDF", src(func(l *letterSrc) any { return l.SHA256 })),
			"docxSha256": field(graphql.String, "Hex SHA-256 of the letter as DOCX",
				src(func(l *letterSrc) any { return optString(l.DOCXSHA256) })),
			"pdfUrl": field(graphql.String, "Where the web interface serves the PDF",
				src(func(l *letterSrc) any { return optURL(l.caseID, "pdf") })),
			"docxUrl": field(graphql.String, "Where the web interface serves the DOCX", src(func(l *letterSrc) any {
				if l.DOCXSHA256 == "" {
					return nil
				}
				return optURL(l.caseID, "docx")
			})),
		},
	})

	t.escalation.AddFieldConfig("signer", field(signer, "Who signs the letter, as the approval recorded it",
		src(func(e *incident.Escalation) any { return nilPtr(e.Signer) })))
	t.escalation.AddFieldConfig("letter", field(letter, "The letter the escalation went out with; null before it was sent (and for escalations sent before letters were issued)",
		func(p graphql.ResolveParams) (any, error) {
			e, ok := p.Source.(*incident.Escalation)
			if !ok || e.Letter == nil {
				return nil, nil
			}
			return &letterSrc{Letter: *e.Letter, caseID: r.state(p.Context).caseOfEscalation(e).ID}, nil
		}))
	t.escalation.AddFieldConfig("issuer", field(t.unit, "The unit that issues and numbers the letter: the case's unit, or its nearest ancestor with a letterhead",
		r.guard("Escalation.issuer", func(p graphql.ResolveParams) (any, error) {
			e, _ := p.Source.(*incident.Escalation)
			s := r.state(p.Context)
			if e != nil && e.Letter != nil {
				return s.unitOrStub(p.Context, e.Letter.Issuer)
			}
			c := s.caseOfEscalation(e)
			if c.Unit == "" {
				return nil, nil
			}
			if err := s.loadUnits(p.Context); err != nil {
				return nil, err
			}
			return s.unitOrStub(p.Context, incident.IssuingUnit(s.tree, c.Unit).ID)
		})))
	t.escalation.AddFieldConfig("letterPreviewUrl", field(graphql.String, "Where the web interface renders the draft of the letter (DỰ THẢO, not numbered) while it awaits approval or its number",
		func(p graphql.ResolveParams) (any, error) {
			e, ok := p.Source.(*incident.Escalation)
			if !ok || (e.Status != incident.EscPendingApproval && e.Status != incident.EscApproved) {
				return nil, nil
			}
			return optURL(r.state(p.Context).caseOfEscalation(e).ID, "preview"), nil
		}))

	// Unit's fields are a thunk (types.go), which reads these when the
	// schema is built.
	t.unitOffice = graphql.Fields{
		"symbol": field(graphql.String, "The unit's abbreviation on the documents it issues, e.g. UBND-VHTT", src(func(u *incident.Unit) any {
			s, _ := incident.DispatchSymbol(*u)
			return s
		})),
		"numbering": field(nn(numbering), "How the unit numbers the letters it issues", src(func(u *incident.Unit) any {
			if u.ManualNumbering() {
				return incident.NumberingManual
			}
			return incident.NumberingAuto
		})),
		"defaultSigner": field(signer, "Who signs the unit's letters unless the approving leader names someone", src(func(u *incident.Unit) any {
			if u.Signer.Name == "" {
				return nil
			}
			return &u.Signer
		})),
	}
}

// optURL is the path of a letter of caseID, nil when the case is unknown.
func optURL(caseID, format string) any {
	if caseID == "" {
		return nil
	}
	return LetterURL(caseID, format)
}

// caseEscalation resolves Case.escalation, remembering whose escalation it
// is (for the letter's links and issuer).
func (r *resolver) caseEscalation(p graphql.ResolveParams) (any, error) {
	c, ok := p.Source.(*incident.Case)
	if !ok || c.Escalation == nil {
		return nil, nil
	}
	r.state(p.Context).escalations.Store(c.Escalation, c)
	return c.Escalation, nil
}

// caseOfEscalation returns the case whose escalation e is (an empty case
// when e was not reached through a Case).
func (s *requestState) caseOfEscalation(e *incident.Escalation) *incident.Case {
	v, _ := s.escalations.Load(e)
	if c, ok := v.(*incident.Case); ok {
		return c
	}
	return &incident.Case{}
}

// withArgs returns a with the arguments of more added.
func withArgs(a, more graphql.FieldConfigArgument) graphql.FieldConfigArgument {
	for k, v := range more {
		a[k] = v
	}
	return a
}

package schema

import (
	"context"

	"github.com/graphql-go/graphql"

	"casetrail/incident"
)

// The public reports in the graph (issue 18), beyond the contract
// (additions only): Case.publicReports, how many of the case's reports
// came through the citizens' report form (the channel of CaseReported and
// ReportMerged, folded by incident.Apply), and Case.publicReporters, the
// contacts the citizens left: personal data kept apart from the history
// (package public), for the HANDLER and LEADER of the case's units only
// (incident.ActionReadPublicReporters; FORBIDDEN to anyone else).

// PublicReporters reads the contacts citizens left with the public reports
// of a case (public.Service).
type PublicReporters interface {
	// Reporters returns the contacts of case caseID, oldest first (none
	// when no citizen left one, or the retention erased them).
	Reporters(ctx context.Context, caseID string) ([]incident.PublicReporter, error)
}

// publicFields adds the public reports' fields to t.
func (r *resolver) publicFields(t *types) {
	reporter := graphql.NewObject(graphql.ObjectConfig{
		Name:        "PublicReporter",
		Description: "The contact a citizen left with a public report (Phản ánh của người dân), given with consent to its processing (Decree 13/2023/NĐ-CP)",
		Fields: graphql.Fields{
			"name": field(graphql.String, "The name given; null when none", func(p graphql.ResolveParams) (any, error) {
				return orNull(p.Source.(incident.PublicReporter).Name), nil
			}),
			"phone": field(graphql.String, "The phone number given (digits, and a leading + when typed); null when none", func(p graphql.ResolveParams) (any, error) {
				return orNull(p.Source.(incident.PublicReporter).Phone), nil
			}),
			"consentAt": field(nn(DateTime), "When the citizen consented (sent the report)", func(p graphql.ResolveParams) (any, error) {
				return p.Source.(incident.PublicReporter).ConsentAt, nil
			}),
			"reportedAt": field(nn(DateTime), "When the report was sent", func(p graphql.ResolveParams) (any, error) {
				return p.Source.(incident.PublicReporter).ReportedAt, nil
			}),
		},
	})
	t.caseT.AddFieldConfig("publicReports", field(nn(graphql.Int),
		"How many of the case's reports (the one that opened it and those merged into it) came through the citizens' report form",
		func(p graphql.ResolveParams) (any, error) {
			c, ok := p.Source.(*incident.Case)
			if !ok {
				return 0, nil
			}
			return c.PublicReports, nil
		}))
	t.caseT.AddFieldConfig("publicReporters", field(graphql.NewList(nn(reporter)),
		"The contacts citizens left with the case's public reports, oldest first: personal data kept apart from the history and "+
			"erased after the retention; for the HANDLER and LEADER of the case's units (FORBIDDEN to others); null for a past state (caseAsOf)",
		r.guard("Case.publicReporters", r.publicReporters)))
}

// publicReporters resolves Case.publicReporters.
func (r *resolver) publicReporters(p graphql.ResolveParams) (any, error) {
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
	if err := r.allow(sub, incident.ActionReadPublicReporters, c.Unit); err != nil {
		return nil, err
	}
	if r.public == nil || c.PublicReports == 0 {
		return []incident.PublicReporter{}, nil
	}
	out, err := r.public.Reporters(p.Context, c.ID)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []incident.PublicReporter{}
	}
	return out, nil
}

// orNull returns s, or nil (null) for "".
func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

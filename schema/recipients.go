package schema

import (
	"github.com/graphql-go/graphql"

	"casetrail/incident"
)

// Escalation routing by kind, to several recipients (issue 17, §3),
// beyond the contract and additive: Escalation.recipients,
// Unit.escalationRoutes and recordEscalationResponse's recipient argument
// (mutation.go).

// routingTypes are the types of the routes and recipients.
type routingTypes struct {
	role      *graphql.Enum
	recipient *graphql.Object // EscalationRecipient
	route     *graphql.Object // EscalationRoute
	routeUnit *graphql.Object // EscalationRouteRecipient
}

// recipientSource is the source of EscalationRecipient: a recipient and
// the escalation it belongs to (whose case dates its unit for caseAsOf).
type recipientSource struct {
	incident.EscalationRecipient
	esc *incident.Escalation
}

// routeSource is the source of EscalationRoute.
type routeSource struct {
	kind       incident.Kind
	recipients []incident.Recipient
}

func (r *resolver) recipientFields(t *types) {
	rt := &routingTypes{}
	t.routing = rt
	rt.role = enumOf("EscalationRecipientRole", "Why a unit receives an escalation", incident.RecipientRoles,
		map[incident.RecipientRole]string{
			incident.RecipientAddressee:    "The unit the letter is addressed to (Kính gửi); its answer settles the escalation",
			incident.RecipientCoordination: "Receives the letter to coordinate (để phối hợp)",
			incident.RecipientInformation:  "Receives the letter for information (để biết)",
		})
	rt.recipient = graphql.NewObject(graphql.ObjectConfig{Name: "EscalationRecipient",
		Description: "A unit an escalation goes to, and its answer",
		Fields: graphql.Fields{
			"unit": field(nn(t.unit), "", r.guard("EscalationRecipient.unit", func(p graphql.ResolveParams) (any, error) {
				s, x := r.state(p.Context), p.Source.(*recipientSource)
				return s.caseUnit(p.Context, s.caseOfEscalation(x.esc), x.Unit)
			})),
			"role":        field(nn(rt.role), "", src(func(x *recipientSource) any { return x.Role })),
			"sentAt":      field(DateTime, "When the letter was sent to it", src(func(x *recipientSource) any { return optTime(x.SentAt) })),
			"response":    field(graphql.String, "Its latest answer", src(func(x *recipientSource) any { return optString(x.Response) })),
			"respondedAt": field(DateTime, "", src(func(x *recipientSource) any { return optTime(x.RespondedAt) })),
			"resolved": field(nn(graphql.Boolean), "Whether its latest answer said the matter is settled on its side",
				src(func(x *recipientSource) any { return x.Resolved })),
		}})
	t.escalation.AddFieldConfig("recipients", field(listOf(rt.recipient),
		"Every unit the escalation goes to, the addressee (to) first; escalations recorded before routes have the addressee alone",
		src(func(e *incident.Escalation) any {
			list := e.RecipientList()
			out := make([]*recipientSource, len(list))
			for i, x := range list {
				out[i] = &recipientSource{EscalationRecipient: x, esc: e}
			}
			return out
		})))
	rt.routeUnit = graphql.NewObject(graphql.ObjectConfig{Name: "EscalationRouteRecipient", Fields: graphql.Fields{
		"unit": field(nn(t.unit), "", r.guard("EscalationRouteRecipient.unit", func(p graphql.ResolveParams) (any, error) {
			return r.state(p.Context).unitOrStub(p.Context, p.Source.(*incident.Recipient).Unit)
		})),
		"role": field(nn(rt.role), "", src(func(x *incident.Recipient) any { return x.Role })),
	}})
	rt.route = graphql.NewObject(graphql.ObjectConfig{Name: "EscalationRoute",
		Description: "Where the unit's cases of one kind escalate to: the addressee first, then the units that receive the letter too",
		Fields: graphql.Fields{
			"kind": field(nn(t.kind), "", src(func(x *routeSource) any { return x.kind })),
			"units": field(listOf(t.unit), "The units, the addressee first", r.guard("EscalationRoute.units", func(p graphql.ResolveParams) (any, error) {
				s, x := r.state(p.Context), p.Source.(*routeSource)
				out := make([]*incident.Unit, len(x.recipients))
				for i, rc := range x.recipients {
					u, err := s.unitOrStub(p.Context, rc.Unit)
					if err != nil {
						return nil, err
					}
					out[i] = u
				}
				return out, nil
			})),
			"recipients": field(listOf(rt.routeUnit), "The units with their roles, the addressee first",
				src(func(x *routeSource) any { return ptrs(x.recipients) })),
		}})
}

// unitRoutesField is Unit.escalationRoutes (in the Unit's fields thunk).
func (r *resolver) unitRoutesField(t *types) *graphql.Field {
	return field(listOf(t.routing.route),
		"The unit's own routes by incident kind (a kind without one escalates to escalatesTo); the effective ones of a case are on its escalation",
		src(func(u *incident.Unit) any {
			out := []*routeSource{}
			for _, k := range u.EscalationRoutes.Kinds() {
				out = append(out, &routeSource{kind: k, recipients: u.EscalationRoutes.Route(k)})
			}
			return out
		}))
}

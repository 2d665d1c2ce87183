package schema

import (
	"time"

	"github.com/graphql-go/graphql"

	"casetrail/incident"
)

// availableActionsField is Case.availableActions: the mutations the case's
// state allows now (incident.Available, which asks Decide itself) that the
// caller's grants allow on the case's unit. Interfaces offer exactly these,
// never a copy of the lifecycle table (issue 14). A state replayed by
// caseAsOf allows nothing: it is not the case as it is now.
func (r *resolver) availableActionsField() *graphql.Field {
	return field(listOf(graphql.String),
		"The commands (mutation names) the case's current state allows now and the caller may send on its unit",
		r.guard("Case.availableActions", func(p graphql.ResolveParams) (any, error) {
			return r.availableActions(p, "", incident.Available)
		}))
}

// respondableTakedownsField is Case.respondableTakedowns: the ids of the
// takedowns a platform's response may be recorded for now by the caller
// (empty when recordTakedownResponse is not among availableActions).
func (r *resolver) respondableTakedownsField() *graphql.Field {
	return field(listOf(graphql.ID),
		"Ids of the takedown requests whose platform response the caller may record now",
		r.guard("Case.respondableTakedowns", func(p graphql.ResolveParams) (any, error) {
			return r.availableActions(p, incident.CmdRecordTakedownResponse, func(c incident.Case, now time.Time, pol incident.Policy) []string {
				for _, a := range incident.Available(c, now, pol) {
					if a == incident.CmdRecordTakedownResponse {
						return incident.RespondableTakedowns(c, now, pol)
					}
				}
				return nil
			})
		}))
}

// userCommands are the commands a person sends, by mutation name: the
// system's own (mergeReport, sendEscalation) are never offered.
var userCommands = func() map[string]bool {
	m := map[string]bool{}
	for _, a := range []string{
		incident.CmdTriageCase, incident.CmdAssignCase, incident.CmdStartAnalysis, incident.CmdRecordAnalysis,
		incident.CmdAddEvidence, incident.CmdRequestTakedown, incident.CmdRecordTakedownResponse,
		incident.CmdRequestEscalation, incident.CmdApproveEscalation, incident.CmdDeclineEscalation,
		incident.CmdRecordEscalationResponse, incident.CmdResolveCase, incident.CmdCloseCase,
		incident.CmdRejectCase, incident.CmdReopenCase, incident.CmdAddComment,
		incident.CmdCompleteTask, incident.CmdWaiveTask,
	} {
		m[a] = true
	}
	return m
}()

// availableActions runs list on the source case and keeps what the caller
// may do: each command a person sends (the system's are dropped) that the
// caller's grants allow on the case's unit, or, when list answers items of
// one command (takedown ids), each item when the grants allow that command.
// The policy only sets deadline spans, never whether a command is
// accepted, so the default one answers for every case.
func (r *resolver) availableActions(p graphql.ResolveParams, itemsOf string, list func(incident.Case, time.Time, incident.Policy) []string) (any, error) {
	sub, err := subject(p.Context)
	if err != nil {
		return nil, err
	}
	c := p.Source.(*incident.Case)
	out := []string{}
	if _, past := r.state(p.Context).past.Load(c); past {
		return out, nil
	}
	allowed := map[string]bool{}
	may := func(action string) (bool, error) {
		ok, seen := allowed[action]
		if seen {
			return ok, nil
		}
		ok, err := r.auth.Allowed(sub, action, c.Unit)
		allowed[action] = ok
		return ok, err
	}
	for _, name := range list(*c, time.Now(), incident.DefaultPolicy()) {
		action := itemsOf
		if action == "" {
			if !userCommands[name] {
				continue
			}
			action = name
		}
		ok, err := may(action)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, name)
		}
	}
	return out, nil
}

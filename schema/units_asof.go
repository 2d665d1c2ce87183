package schema

// Units that change (issue 17 §5): Unit.validFrom and Unit.validTo, and
// units as they were. A case's past state (caseAsOf) shows its unit, the
// unit's parent, escalation target and successor, and the escalation's
// addressee, with the names and links they had at that moment
// (incident.UnitHistory, folded from the admin stream); the periodic
// report names its units as they were at the period's end (the read
// model's PeriodicReport).

import (
	"context"
	"time"

	"github.com/graphql-go/graphql"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// unitValidFromField is Unit.validFrom.
func unitValidFromField() *graphql.Field {
	return field(DateTime, "When the unit came into being: the date the seed file gives, or when the administration created it; "+
		"null when not known (the units of earlier seeds)", src(func(u *incident.Unit) any { return optTime(&u.ValidFrom) }))
}

// unitValidToField is Unit.validTo.
func unitValidToField() *graphql.Field {
	return field(DateTime, "When the unit stopped: the day it was closed (the same instant as closedAt); null while it is open",
		src(func(u *incident.Unit) any { return optTime(&u.ClosedAt) }))
}

// unitHistorian is a Registry that keeps the units' history itself
// (readmodel.Registry, brought up to date incrementally); any other
// Registry's history is folded from its AdminHistory.
type unitHistorian interface {
	UnitHistory(ctx context.Context) (*incident.UnitHistory, error)
}

// unitHistory returns the units' history, read at most once per request.
func (s *requestState) unitHistory(ctx context.Context) (*incident.UnitHistory, error) {
	s.historyMu.Lock()
	defer s.historyMu.Unlock()
	if s.history != nil {
		return s.history, nil
	}
	if h, ok := s.registry.(unitHistorian); ok {
		hist, err := h.UnitHistory(ctx)
		if err != nil {
			return nil, err
		}
		s.history = hist
		return hist, nil
	}
	recs, err := s.registry.AdminHistory(ctx, 0, 0)
	if err != nil {
		return nil, err
	}
	units, err := readmodel.UnitRecords(recs)
	if err != nil {
		return nil, err
	}
	s.history = incident.NewUnitHistory(units)
	return s.history, nil
}

// pastInstant returns the moment of c when c is a past state that
// caseAsOf replayed; ok is false for a case as it is now.
func (s *requestState) pastInstant(c *incident.Case) (time.Time, bool) {
	v, ok := s.past.Load(c)
	if !ok {
		return time.Time{}, false
	}
	at, ok := v.(time.Time)
	return at, ok
}

// unitAt returns unit id as it was at at, remembered as a unit of that
// moment (so its parent, escalation target and successor are those of the
// moment too); as the registry has it now when the history does not know
// it then (a unit without events, or created later).
func (s *requestState) unitAt(ctx context.Context, id string, at time.Time) (*incident.Unit, error) {
	hist, err := s.unitHistory(ctx)
	if err != nil {
		return nil, err
	}
	u, ok := hist.UnitAt(id, at)
	if !ok {
		return s.unitOrStub(ctx, id)
	}
	s.pastUnits.Store(&u, at)
	return &u, nil
}

// caseUnit returns unit id of case c: as it was then when c is a past
// state, as it is now otherwise.
func (s *requestState) caseUnit(ctx context.Context, c *incident.Case, id string) (*incident.Unit, error) {
	if at, ok := s.pastInstant(c); ok {
		return s.unitAt(ctx, id, at)
	}
	return s.unitOrStub(ctx, id)
}

// linkedUnit returns unit id that from links to (its parent, successor):
// as it was at from's moment when from is a unit of a past moment.
func (s *requestState) linkedUnit(ctx context.Context, from *incident.Unit, id string) (*incident.Unit, error) {
	if v, ok := s.pastUnits.Load(from); ok {
		return s.unitAt(ctx, id, v.(time.Time))
	}
	return s.unitOrStub(ctx, id)
}

// escalationTargetOf is escalationTarget for u, through the tree of u's
// moment when u is a unit of a past moment.
func (s *requestState) escalationTargetOf(ctx context.Context, u *incident.Unit) (*incident.Unit, error) {
	v, ok := s.pastUnits.Load(u)
	if !ok {
		return s.escalationTarget(ctx, u)
	}
	at := v.(time.Time)
	hist, err := s.unitHistory(ctx)
	if err != nil {
		return nil, err
	}
	if target := hist.TreeAt(at).EscalationTarget(u.ID); target != "" {
		return s.unitAt(ctx, target, at)
	}
	return nil, nil
}

// reportUnit returns unit id as the periodic report names it (name, as it
// was at the period's end): the registry's unit under that name.
func (s *requestState) reportUnit(ctx context.Context, ru incident.ReportUnit) (*incident.Unit, error) {
	u, err := s.unitOrStub(ctx, ru.ID)
	if err != nil || ru.Name == "" || u.Name == ru.Name {
		return u, err
	}
	named := *u
	named.Name = ru.Name
	return &named, nil
}

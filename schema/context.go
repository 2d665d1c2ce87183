package schema

import (
	"context"
	"sync"

	"github.com/google/uuid"

	"casetrail/incident"
)

type ctxKey int

const (
	subjectKey ctxKey = iota
	requestIDKey
	stateKey
)

// WithSubject returns ctx carrying the authenticated subject of the request.
func WithSubject(ctx context.Context, sub string) context.Context {
	return context.WithValue(ctx, subjectKey, sub)
}

// Subject returns the authenticated subject of ctx; ok is false when there is
// none (or it is empty).
func Subject(ctx context.Context) (sub string, ok bool) {
	sub, _ = ctx.Value(subjectKey).(string)
	return sub, sub != ""
}

// WithRequestID returns ctx carrying a client-chosen request id (for example
// an Idempotency-Key header). Mutations derive their command request ids from
// it and their position in the response, so a retried HTTP request repeats
// the same commands instead of doing them twice. Without it every mutation
// gets a fresh id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// idNamespace is the UUID v5 namespace of the ids this package derives.
var idNamespace = uuid.MustParse("6f1c0a8e-3d52-4b7e-9a41-2c9d8e7f5b10")

// commandRequestID returns the request id of the mutation at response key path.
func commandRequestID(ctx context.Context, path string) string {
	if id, _ := ctx.Value(requestIDKey).(string); id != "" {
		return uuid.NewSHA1(idNamespace, []byte("request/"+id+"/"+path)).String()
	}
	return uuid.NewString()
}

// requestState is per-request memory: the unit registry, loaded at most once,
// so Case.unit, Unit.parent, Unit.escalatesTo, RoleGrant.unit, Escalation.to
// and OfficialAccount.unit cost one Units call per request, not one per item.
type requestState struct {
	bind     sync.Once
	registry Registry

	unitsMu     sync.Mutex
	unitsLoaded bool
	tree        *incident.UnitTree
	units       map[string]*incident.Unit
	unitList    []*incident.Unit
	unitsErr    error

	mu       sync.Mutex
	accounts map[string]map[string]incident.OfficialAccount // unit -> id -> account

	// past holds the states caseAsOf replayed (*incident.Case), each with
	// the moment it is the state at (time.Time): they allow no action
	// (schema/available.go), and show units as they were then
	// (schema/units_asof.go).
	past sync.Map
	// pastUnits holds the units resolved as they were at a moment
	// (*incident.Unit -> time.Time), and historyMu guards history, the
	// units' history read once per request (schema/units_asof.go).
	pastUnits sync.Map
	historyMu sync.Mutex
	history   *incident.UnitHistory
	// stats holds the query each stats answer (*readmodel.Stats) was
	// computed for, for its breakdowns (schema/missed.go).
	stats sync.Map
	// escalations holds the case (*incident.Case) of each escalation
	// resolved through Case.escalation, for its letter's links and issuer
	// (schema/letters.go).
	escalations sync.Map
	// takedowns holds the case (*incident.Case) of each takedown resolved
	// through Case.takedowns, for its letter's link (schema/casefile.go).
	takedowns sync.Map
	// lists holds what each list read without its exact total
	// (*readmodel.Page -> listAnswer) was read for, for its countUpTo
	// (schema/count.go).
	lists sync.Map
}

func withState(ctx context.Context) context.Context {
	return context.WithValue(ctx, stateKey, &requestState{})
}

// state returns the request's state; a context that ExecuteDocument did not
// prepare gets a fresh one (correct, only without sharing across fields).
func (r *resolver) state(ctx context.Context) *requestState {
	s, ok := ctx.Value(stateKey).(*requestState)
	if !ok {
		return &requestState{registry: r.registry}
	}
	s.bind.Do(func() { s.registry = r.registry })
	return s
}

func (s *requestState) loadUnits(ctx context.Context) error {
	s.unitsMu.Lock()
	defer s.unitsMu.Unlock()
	if s.unitsLoaded {
		return s.unitsErr
	}
	s.unitsLoaded = true
	list, err := s.registry.Units(ctx)
	if err != nil {
		s.unitsErr = err
		return err
	}
	s.tree = incident.NewUnitTree(list)
	s.units = make(map[string]*incident.Unit, len(list))
	s.unitList = nil
	for i := range list {
		u := &list[i]
		s.units[u.ID] = u
		s.unitList = append(s.unitList, u)
	}
	return nil
}

// forgetUnits makes the next loadUnits read the registry again: after a
// mutation changed the units, the rest of the request sees the change.
func (s *requestState) forgetUnits() {
	s.unitsMu.Lock()
	defer s.unitsMu.Unlock()
	s.unitsLoaded, s.unitsErr = false, nil
}

// unit returns the unit with id, or nil when the registry has none.
func (s *requestState) unit(ctx context.Context, id string) (*incident.Unit, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	return s.units[id], nil
}

// unitOrStub returns the unit with id, or a stand-in named by its id when
// the registry no longer has it (a non-null field must still resolve).
func (s *requestState) unitOrStub(ctx context.Context, id string) (*incident.Unit, error) {
	u, err := s.unit(ctx, id)
	if err != nil || u != nil {
		return u, err
	}
	return &incident.Unit{ID: id, Name: id}, nil
}

// escalationTarget returns the unit cases of u escalate to
// (incident.UnitTree.EscalationTarget), or nil when there is none.
func (s *requestState) escalationTarget(ctx context.Context, u *incident.Unit) (*incident.Unit, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	if target := s.tree.EscalationTarget(u.ID); target != "" {
		return s.unitOrStub(ctx, target)
	}
	return nil, nil
}

// account returns the registered official account id of unit, loading the
// unit's accounts once per request.
func (s *requestState) account(ctx context.Context, unit, id string) (*incident.OfficialAccount, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	byID, ok := s.accounts[unit]
	if !ok {
		list, err := s.registry.OfficialAccounts(ctx, unit)
		if err != nil {
			return nil, err
		}
		byID = make(map[string]incident.OfficialAccount, len(list))
		for _, a := range list {
			byID[a.ID] = a
		}
		if s.accounts == nil {
			s.accounts = map[string]map[string]incident.OfficialAccount{}
		}
		s.accounts[unit] = byID
	}
	if a, ok := byID[id]; ok {
		return &a, nil
	}
	return nil, nil
}

// Package intake takes reports in. It is the one path every front door (the
// GraphQL API, a web form, e-mail) sends a report through: it validates the
// report (incident.ValidateReport), checks its unit, sends a report to a
// closed unit on to its successor (incident.UnitTree.ReceivingUnit), checks
// the reporter's right to report in the unit that receives it, looks up
// where the report goes and lets
// incident.RouteReport decide (a repeat, a merge into an open case about
// one of its subjects, or a new case), runs the command, and waits until
// the read model has it, so the reporter's next read sees it.
//
// The package knows nothing of GraphQL, HTTP, Temporal or PostgreSQL: it
// codes against small interfaces that the read model (readmodel.Reader,
// Registry and Projector), workflows.Commands and the authorizer satisfy
// (schema.New composes them). Every error it makes is an
// *incident.Error with a contract code.
package intake

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/google/uuid"

	"casetrail/incident"
)

// maxUnitID is the longest unit id a report may name (the API's longest id).
const maxUnitID = 256

// Reads are the lookups of the intake; the methods are those of
// schema.Cases, schema.Registry and schema.Progress. They must be safe for
// concurrent use.
type Reads interface {
	// Case returns the projected case, or nil, nil (or a NOT_FOUND
	// *incident.Error) when there is none.
	Case(ctx context.Context, id string) (*incident.Case, error)
	// CaseByRequest returns the case a report (reporter, clientRequestID)
	// opened or was merged into.
	CaseByRequest(ctx context.Context, reporter, clientRequestID string) (caseID string, ok bool, err error)
	// OpenCaseBySubject returns an open case having one of the normalized
	// subject URLs.
	OpenCaseBySubject(ctx context.Context, normalizedURLs []string) (caseID string, ok bool, err error)
	// EscalationTarget returns where cases of unitID escalate to ("" when
	// nowhere).
	EscalationTarget(ctx context.Context, unitID string) (string, error)
	// CaseIDKey returns the secret new case ids derive from (CaseIDFor): at
	// least 32 bytes, the same for every process of one deployment, never
	// changing. The Service reads it once.
	CaseIDKey(ctx context.Context) ([]byte, error)
	// WaitFor returns once the read model has applied global position
	// position (incident.Case.Position), or with ctx's error.
	WaitFor(ctx context.Context, position int64) error
}

// Commands runs commands through the case's workflow; the methods are
// those of schema.Commands (workflows.Commands).
type Commands interface {
	// Report opens case caseID; requestID makes a retry idempotent.
	Report(ctx context.Context, caseID, actor, requestID string, r incident.Report) (incident.Case, error)
	// Execute runs cmd on the existing case caseID.
	Execute(ctx context.Context, caseID, actor, requestID string, expectedVersion *int64, cmd incident.Command) (incident.Case, error)
}

// Authorizer answers whether sub may do action on a case of unit (the
// method of schema.Authorizer).
type Authorizer interface {
	Allowed(sub, action, unit string) (bool, error)
}

// Units checks the unit a report names against the registry of units.
type Units interface {
	// CheckUnit returns nil when unit is in the registry, and otherwise the
	// error to answer (NOT_FOUND on the field "unit") or the lookup's
	// failure. The front door supplies it, so that a request's unit
	// lookups can share one load of the registry.
	CheckUnit(ctx context.Context, unit string) error
	// UnitTree returns the registry's units, closed ones and their
	// successors included.
	UnitTree(ctx context.Context) (*incident.UnitTree, error)
}

// Deps are what a Service needs; all but Logger are required.
type Deps struct {
	Reads    Reads
	Commands Commands
	Auth     Authorizer
	Units    Units
	// Logger receives the waits for the read model that failed (the
	// command is durable then, and its result is still answered); nil
	// means slog.Default().
	Logger *slog.Logger
}

// Service takes reports in. It is safe for concurrent use; do not copy it.
type Service struct {
	reads    Reads
	commands Commands
	auth     Authorizer
	units    Units
	log      *slog.Logger
	// idKey caches Reads.CaseIDKey.
	idKey atomic.Pointer[[]byte]
}

// New returns a Service on d.
func New(d Deps) (*Service, error) {
	if d.Reads == nil || d.Commands == nil || d.Auth == nil || d.Units == nil {
		return nil, errors.New("intake: Reads, Commands, Auth and Units are required")
	}
	s := &Service{reads: d.Reads, commands: d.Commands, auth: d.Auth, units: d.Units, log: d.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s, nil
}

// Result is where a report went: the case after it, and whether the report
// was merged into a case another report opened.
type Result struct {
	Case   incident.Case
	Merged bool
}

var (
	errUnauthenticated = incident.Errorf(incident.CodeUnauthenticated, "authentication required")
	errForbidden       = incident.Errorf(incident.CodeForbidden, "not allowed")
)

// Report takes in rep, reported by sub (the authenticated subject). In
// order: the report is validated (BAD_USER_INPUT), its unit checked
// (BAD_USER_INPUT for an over-long id, then Units.CheckUnit); a report to a
// closed unit goes to the open unit that succeeds it
// (incident.UnitTree.ReceivingUnit; BAD_USER_INPUT when none does), and
// sub must be allowed to report in the unit that receives it (FORBIDDEN).
// Then:
//   - the same report again (sub and rep.ClientRequestID) is answered with
//     the case it opened or was merged into, unchanged, and nothing runs;
//   - an open case about one of the subjects that sub may join
//     (incident.ActionJoinCase: the roles that may read it, and the
//     citizens' report form's subject, which reads nothing) takes the
//     report in (MergeReport; Merged is true). If the case settled since
//     the lookup (INVALID_TRANSITION), the report opens a case instead;
//   - otherwise the report opens case CaseIDFor(key, sub, clientRequestID),
//     escalating to the unit's escalation target (or the recipients its
//     routes give the report's kind). A CONFLICT because a
//     concurrent attempt of the same report opened it first is answered
//     with that case.
//
// Commands carry ReportRequestID(sub, clientRequestID), so a retry is
// idempotent. After a command, Report waits for the read model to apply it.
func (s *Service) Report(ctx context.Context, sub string, rep incident.Report) (Result, error) {
	if sub == "" {
		return Result{}, errUnauthenticated
	}
	rep, subjects, err := incident.ValidateReport(rep)
	if err != nil {
		return Result{}, err
	}
	if len(rep.Unit) > maxUnitID {
		return Result{}, incident.BadInput("unit", "is not a valid id")
	}
	if err := s.units.CheckUnit(ctx, rep.Unit); err != nil {
		return Result{}, err
	}
	tree, err := s.units.UnitTree(ctx)
	if err != nil {
		return Result{}, err
	}
	if rep.Unit, err = tree.ReceivingUnit(rep.Unit); err != nil {
		return Result{}, err
	}
	if err := s.allow(sub, incident.CmdReportIncident, rep.Unit); err != nil {
		return Result{}, err
	}
	requestID := ReportRequestID(sub, rep.ClientRequestID)

	// The lookups, in order; once an earlier report is found, RouteReport
	// looks no further, so neither do they.
	var facts incident.IntakeFacts
	if id, ok, err := s.reads.CaseByRequest(ctx, sub, rep.ClientRequestID); err != nil {
		return Result{}, err
	} else if ok {
		facts.Earlier = id
	} else {
		urls := make([]string, len(subjects))
		for i, subj := range subjects {
			urls[i] = subj.NormalizedURL
		}
		if id, ok, err := s.reads.OpenCaseBySubject(ctx, urls); err != nil {
			return Result{}, err
		} else if ok {
			facts.Open, facts.ReporterMayReadOpen = id, s.mayJoin(ctx, sub, id)
		}
	}

	switch route, id := incident.RouteReport(facts); route {
	case incident.RouteRepeat:
		return s.earlier(ctx, sub, rep.ClientRequestID, id)
	case incident.RouteMerge:
		c, err := s.commands.Execute(ctx, id, sub, requestID, nil, incident.MergeReport{Report: rep})
		switch {
		case err == nil:
			s.waitFor(ctx, incident.CmdMergeReport, c.Position)
			return Result{Case: c, Merged: true}, nil
		case incident.ErrorCode(err) != incident.CodeInvalidTransition:
			return Result{}, err
		}
		// The case settled since the lookup: open a new one.
	}
	return s.open(ctx, sub, requestID, rep, tree)
}

// open opens the report's own case, escalating to the unit's escalation
// target or, when the routes of the unit (or of its ancestors) name units
// for the report's kind, to them (incident.UnitTree.EscalationRecipients).
func (s *Service) open(ctx context.Context, sub, requestID string, rep incident.Report, tree *incident.UnitTree) (Result, error) {
	target, err := s.reads.EscalationTarget(ctx, rep.Unit)
	if err != nil {
		return Result{}, err
	}
	if to := tree.EscalationRecipients(rep.Unit, rep.Kind); len(to) > 0 {
		// A closed target is followed to its successor. The case keeps
		// the recipients when there are more than the target.
		target = to[0].Unit
		if len(to) > 1 {
			rep.EscalationRecipients = to
		}
	}
	key, err := s.caseIDKey(ctx)
	if err != nil {
		return Result{}, err
	}
	rep.CaseID = CaseIDFor(key, sub, rep.ClientRequestID)
	rep.EscalatesTo = target
	c, err := s.commands.Report(ctx, rep.CaseID, sub, requestID, rep)
	if incident.ErrorCode(err) == incident.CodeConflict {
		// A concurrent retry of this report opened the case first.
		if prev, perr := s.readCase(ctx, rep.CaseID); perr == nil && prev != nil {
			return Result{Case: *prev}, nil
		}
	}
	if err != nil {
		return Result{}, err
	}
	s.waitFor(ctx, incident.CmdReportIncident, c.Position)
	return Result{Case: c}, nil
}

// earlier answers a repeated report with the case it went to; Merged tells
// whether that case was opened by another report.
func (s *Service) earlier(ctx context.Context, sub, clientRequestID, id string) (Result, error) {
	c, err := s.readCase(ctx, id)
	if err != nil {
		return Result{}, err
	}
	if c == nil {
		return Result{}, fmt.Errorf("report %s/%s: case %s is indexed but not projected", sub, clientRequestID, id)
	}
	return Result{Case: *c, Merged: !c.OpenedBy(sub, clientRequestID)}, nil
}

// mayJoin reports whether a report of sub may be merged into case id
// (incident.ActionJoinCase on its unit; false when it is gone or cannot be
// read).
func (s *Service) mayJoin(ctx context.Context, sub, id string) bool {
	c, err := s.readCase(ctx, id)
	if err != nil || c == nil {
		return false
	}
	return s.allow(sub, incident.ActionJoinCase, c.Unit) == nil
}

// readCase returns the projected case id, or nil, nil when there is none
// (also when Reads says so with NOT_FOUND).
func (s *Service) readCase(ctx context.Context, id string) (*incident.Case, error) {
	c, err := s.reads.Case(ctx, id)
	if incident.ErrorCode(err) == incident.CodeNotFound {
		return nil, nil
	}
	return c, err
}

// allow returns nil when sub may do action on unit, FORBIDDEN otherwise.
func (s *Service) allow(sub, action, unit string) error {
	ok, err := s.auth.Allowed(sub, action, unit)
	if err != nil {
		return err
	}
	if !ok {
		return errForbidden
	}
	return nil
}

// waitFor lets the read model catch up with position. The command is
// already durable, so a failed wait is only logged: the caller still gets
// the command's result.
func (s *Service) waitFor(ctx context.Context, op string, position int64) {
	if position <= 0 {
		return
	}
	if err := s.reads.WaitFor(ctx, position); err != nil {
		s.log.WarnContext(ctx, "read model did not catch up", "op", op, "position", position, "err", err)
	}
}

// caseIDKey returns the key of CaseIDFor, read once.
func (s *Service) caseIDKey(ctx context.Context) ([]byte, error) {
	if k := s.idKey.Load(); k != nil {
		return *k, nil
	}
	k, err := s.reads.CaseIDKey(ctx)
	if err != nil {
		return nil, err
	}
	if len(k) < 32 {
		return nil, fmt.Errorf("case id key: %d bytes, want at least 32", len(k))
	}
	s.idKey.Store(&k)
	return k, nil
}

// idNamespace is the UUID v5 namespace of the ids derived here (the same as
// the schema's: the request ids of reports have always been in it).
var idNamespace = uuid.MustParse("6f1c0a8e-3d52-4b7e-9a41-2c9d8e7f5b10")

// CaseIDFor returns the id of the case a report opens: a UUID in version 4
// form whose bits are HMAC-SHA256(key, actor NUL clientRequestID). The
// servers, which share key (Reads.CaseIDKey), derive the same id for every
// attempt of one report, so a retry, even one racing the first attempt,
// cannot open a second case; without the key the id can be neither
// computed nor guessed from the reporter and the request id. Cases opened
// before keep their ids (a UUID v5 of actor and clientRequestID).
func CaseIDFor(key []byte, actor, clientRequestID string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(actor))
	mac.Write([]byte{0})
	mac.Write([]byte(clientRequestID))
	var id uuid.UUID
	copy(id[:], mac.Sum(nil))
	id[6] = id[6]&0x0f | 0x40 // version 4
	id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
	return id.String()
}

// ReportRequestID is the command request id of a report (and of its
// merge): the same for every attempt of one report.
func ReportRequestID(actor, clientRequestID string) string {
	return uuid.NewSHA1(idNamespace, []byte("report/"+actor+"/"+clientRequestID)).String()
}

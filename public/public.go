// Package public serves the public's two doors (issue 18), which need no
// login: the official-account check (Kiểm tra trang chính thức) and the
// citizens' report form (Phản ánh của người dân) with its tracking codes.
//
// The rules of what the public may learn and send are incident's
// (incident.PublicAnswer, PublicStatusOf, PublicReportProblems); this
// package runs them against the read model and sends a report through the
// same intake as every front door (intake.Service.Report), as the system
// subject incident.PublicSubject, whose Casbin grants (role PUBLIC) let it
// report and join open cases in the units that take citizens' reports and
// read nothing. What it keeps is its own (migrations/): the tracking codes
// (their SHA-256), the contacts citizens leave (personal data, kept apart
// from the case history and deleted after the retention), and the recent
// reports of duplicate suppression. Package web shows the pages and holds
// the per-address rate limits; cmd/casetrail hands web a Service.
package public

import (
	"cmp"
	"context"
	"crypto/sha256"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/incident"
	"casetrail/intake"
	"casetrail/internal/pgmigrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// VersionTable is the tern version table of this package's migrations.
const VersionTable = "public.public_schema_version"

// EnsureSchema creates or upgrades the package's tables (tern migrations
// in public/migrations) and grants the application role what the server
// needs of them. The tables' owner runs it; it is idempotent and safe to
// call from several processes at once.
func EnsureSchema(ctx context.Context, pool *pgxpool.Pool) error {
	if err := pgmigrate.Run(ctx, pool, migrationFiles, "migrations", VersionTable); err != nil {
		return fmt.Errorf("public schema: %w", err)
	}
	return nil
}

// Defaults of Deps.
const (
	// DefaultDuplicateWindow: the same links to the same unit from the
	// same address within an hour answer the earlier tracking code.
	DefaultDuplicateWindow = time.Hour
	// DefaultRetention: a citizen's contact is deleted 180 days after the
	// report (the handling's longest default span is 20 days).
	DefaultRetention = 180 * 24 * time.Hour
	// DefaultConsentVersion names the consent text when the form gives
	// none.
	DefaultConsentVersion = "nd13-2023/1"
)

// Accounts answers the public account check (readmodel.Reader).
type Accounts interface {
	// PublicCheckAccount checks url against the registry and the settled
	// impersonation cases.
	PublicCheckAccount(ctx context.Context, url string) (incident.AccountCheck, error)
}

// Cases reads a projected case (readmodel.Reader): nil, nil or NOT_FOUND
// when there is none.
type Cases interface {
	Case(ctx context.Context, id string) (*incident.Case, error)
}

// Units lists the registry's units, closed ones included
// (readmodel.Registry).
type Units interface {
	Units(ctx context.Context) ([]incident.Unit, error)
}

// Intake takes a report in (intake.Service).
type Intake interface {
	Report(ctx context.Context, sub string, rep incident.Report) (intake.Result, error)
}

// Authorizer answers Casbin's question (api.Authorizer): here only
// whether the public subject may report in a unit, to list the units
// that take citizens' reports.
type Authorizer interface {
	Allowed(sub, action, unit string) (bool, error)
}

// Deps are what a Service needs; Pool, Accounts, Cases, Units, Intake and
// Auth are required.
type Deps struct {
	// Pool is the database with this package's tables (EnsureSchema).
	Pool     *pgxpool.Pool
	Accounts Accounts
	Cases    Cases
	Units    Units
	Intake   Intake
	Auth     Authorizer
	// DuplicateWindow is how long a report from an address suppresses the
	// same report again (DefaultDuplicateWindow when zero).
	DuplicateWindow time.Duration
	// Retention is how long a citizen's contact is kept after the report
	// (DefaultRetention when zero).
	Retention time.Duration
	// Now is the clock (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
}

// Service is the public's two doors. It is safe for concurrent use.
type Service struct {
	d   Deps
	log *slog.Logger
}

// New returns a Service on d.
func New(d Deps) (*Service, error) {
	if d.Pool == nil || d.Accounts == nil || d.Cases == nil || d.Units == nil || d.Intake == nil || d.Auth == nil {
		return nil, errors.New("public: Pool, Accounts, Cases, Units, Intake and Auth are required")
	}
	d.DuplicateWindow = cmp.Or(d.DuplicateWindow, DefaultDuplicateWindow)
	d.Retention = cmp.Or(d.Retention, DefaultRetention)
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Service{d: d, log: d.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("component", "public")
	return s, nil
}

// Check answers the public account check of url: OFFICIAL with the unit's
// name and the account's platform and name, KNOWN_IMPERSONATOR with the
// number of the settled case that found it, or UNKNOWN
// (incident.PublicAnswer). A url that is not an absolute http(s) URL of at
// most incident.MaxURL characters is BAD_USER_INPUT on "url".
func (s *Service) Check(ctx context.Context, url string) (incident.PublicCheck, error) {
	url, err := incident.CleanText("url", strings.TrimSpace(url), true, incident.MaxURL)
	if err != nil {
		return incident.PublicCheck{}, err
	}
	if _, err := incident.NormalizeURL(url); err != nil {
		return incident.PublicCheck{}, incident.BadInput("url", "is not an absolute http(s) link")
	}
	c, err := s.d.Accounts.PublicCheckAccount(ctx, url)
	if err != nil {
		return incident.PublicCheck{}, err
	}
	unitName := ""
	if c.Account != nil {
		units, err := s.d.Units.Units(ctx)
		if err != nil {
			return incident.PublicCheck{}, err
		}
		if u, ok := incident.NewUnitTree(units).Unit(c.Account.Unit); ok {
			unitName = u.Name
		}
	}
	return incident.PublicAnswer(c, unitName), nil
}

// ReportUnits returns the units a citizen may send a report to: the open
// units without open sub-units (communes and wards, and offices without
// sub-units) where the public subject may report (its grants of role
// PUBLIC), sorted by name.
func (s *Service) ReportUnits(ctx context.Context) ([]incident.Unit, error) {
	units, err := s.d.Units.Units(ctx)
	if err != nil {
		return nil, err
	}
	hasOpenChild := map[string]bool{}
	for _, u := range units {
		if !u.Closed() && u.Parent != "" {
			hasOpenChild[u.Parent] = true
		}
	}
	var out []incident.Unit
	for _, u := range units {
		if u.Closed() || hasOpenChild[u.ID] {
			continue
		}
		ok, err := s.d.Auth.Allowed(incident.PublicSubject, incident.CmdReportIncident, u.ID)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b incident.Unit) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

var errNoCode = incident.Errorf(incident.CodeNotFound, "no report has this tracking code")

// Track returns what the public may know of the case a tracking code
// follows: its public status (incident.PublicStatusOf) and when it last
// changed. A code of the wrong form, or of no report, is NOT_FOUND.
func (s *Service) Track(ctx context.Context, code string) (status string, changed time.Time, err error) {
	code, ok := incident.CleanTrackingCode(code)
	if !ok {
		return "", time.Time{}, errNoCode
	}
	h := codeHash(code)
	var caseID string
	err = s.d.Pool.QueryRow(ctx, `SELECT case_id FROM public_reports WHERE code_sha256 = $1`, h[:]).Scan(&caseID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", time.Time{}, errNoCode
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("track: %w", err)
	}
	c, err := s.d.Cases.Case(ctx, caseID)
	if incident.ErrorCode(err) == incident.CodeNotFound || err == nil && c == nil {
		// Recorded but not projected (yet): the report was just taken in.
		return incident.PublicReceived, time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, err
	}
	return incident.PublicStatusOf(c.Status), c.UpdatedAt, nil
}

// codeHash is the key a tracking code is kept under.
func codeHash(code string) [32]byte { return sha256.Sum256([]byte(code)) }

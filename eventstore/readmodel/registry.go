package readmodel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/eventstore"
	"casetrail/incident"
)

// Registry is the admin data next to the read model: units and official
// accounts. Its changes are events of AdminStream (see the package doc): DefineUnits
// and RegisterOfficialAccount append the event with the actor and reason
// first and then write the rows; ReplayAdmin writes them again from the
// stream.
type Registry struct {
	pool *pgxpool.Pool
	log  *eventstore.Store
	// history is the units' history (unit_history.go).
	history unitHistories
}

// NewRegistry returns the registry stored in pool's database (EnsureSchema
// and the event store's migrations must have run).
func NewRegistry(pool *pgxpool.Pool) *Registry {
	return &Registry{pool: pool, log: eventstore.New(pool)}
}

// UpsertUnit creates or replaces one unit. Its parent and escalation target
// must exist (BAD_USER_INPUT otherwise). It records no event: it is for
// tests and generated data; admin changes go through DefineUnits.
func (r *Registry) UpsertUnit(ctx context.Context, u incident.Unit) error {
	return r.UpsertUnits(ctx, []incident.Unit{u})
}

// UpsertUnits creates or replaces units in one transaction, in any order
// (a parent may come after its children). Every parent and escalation target
// must exist once all are written, and parents must not form a cycle;
// otherwise nothing is written and the error is BAD_USER_INPUT. Like
// UpsertUnit it records no event (DefineUnits does).
func (r *Registry) UpsertUnits(ctx context.Context, units []incident.Unit) error {
	return r.upsertUnits(ctx, units, true)
}

// upsertUnits is UpsertUnits; with commit false it only checks (the
// transaction is rolled back).
func (r *Registry) upsertUnits(ctx context.Context, units []incident.Unit, commit bool) error {
	if len(units) == 0 {
		return nil
	}
	ids := make([]string, len(units))
	names := make([]string, len(units))
	parents := make([]*string, len(units))
	escs := make([]*string, len(units))
	symbols := make([]*string, len(units))
	offices := make([]*string, len(units))
	closed := make([]*time.Time, len(units))
	successors := make([]*string, len(units))
	validFrom := make([]*time.Time, len(units))
	for i, u := range units {
		u, err := incident.CleanUnit(u)
		if err != nil {
			return err
		}
		ids[i], names[i] = u.ID, u.Name
		parents[i], escs[i], symbols[i] = nullable(u.Parent), nullable(u.EscalatesTo), nullable(u.Symbol)
		if offices[i], err = officeOf(u); err != nil {
			return err
		}
		if u.Closed() {
			closed[i] = &u.ClosedAt
		}
		successors[i] = nullable(u.Successor)
		if !u.ValidFrom.IsZero() {
			validFrom[i] = &u.ValidFrom
		}
	}
	err := pgx.BeginFunc(ctx, r.pool, rollbackDry(ctx, commit, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO units (id, name, parent, escalates_to, symbol, office, closed_at, successor, valid_from)
			SELECT id, name, parent, escalates_to, symbol, office::jsonb, closed_at, successor, valid_from
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::timestamptz[])
				AS u(id, name, parent, escalates_to, symbol, office, closed_at, successor, valid_from)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, parent = excluded.parent,
				escalates_to = excluded.escalates_to, symbol = excluded.symbol, office = excluded.office,
				closed_at = excluded.closed_at, successor = excluded.successor, valid_from = excluded.valid_from, updated_at = now()`,
			ids, names, parents, escs, symbols, offices, closed, successors, validFrom); err != nil {
			return err
		}
		// The stored units had no cycle, so a cycle now goes through a
		// written unit.
		all, err := unitsIn(ctx, tx)
		if err != nil {
			return err
		}
		tree := incident.NewUnitTree(all)
		for _, id := range ids {
			u, _ := tree.Unit(id)
			if u.Parent != "" && tree.Within(u.Parent, id) {
				return incident.BadInput("parent", "unit %s would be its own ancestor", id)
			}
			// The routes are no foreign key: check the units they name.
			for _, k := range u.EscalationRoutes.Kinds() {
				for _, r := range u.EscalationRoutes.Route(k) {
					if _, ok := tree.Unit(r.Unit); !ok {
						return incident.BadInput("escalationRoutes", "unit %s: the route of %s names %s, which does not exist", id, k, r.Unit)
					}
				}
			}
		}
		return nil
	}))
	if isDryRun(err) {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" {
		field := "parent"
		switch {
		case strings.Contains(pgErr.ConstraintName, "escalates_to"):
			field = "escalatesTo"
		case strings.Contains(pgErr.ConstraintName, "successor"):
			field = "successor"
		}
		return incident.BadInput(field, "refers to a unit that does not exist")
	}
	if err != nil && incident.ErrorCode(err) == incident.CodeInternal {
		return fmt.Errorf("upsert units: %w", err)
	}
	return err
}

const unitColumns = `id, name, coalesce(parent, ''), coalesce(escalates_to, ''), coalesce(symbol, ''), coalesce(office::text, ''),
	closed_at, coalesce(successor, ''), valid_from`

func scanUnit(row pgx.Row) (incident.Unit, error) {
	var u incident.Unit
	var office string
	var closed, validFrom *time.Time
	if err := row.Scan(&u.ID, &u.Name, &u.Parent, &u.EscalatesTo, &u.Symbol, &office, &closed, &u.Successor, &validFrom); err != nil {
		return u, err
	}
	if closed != nil {
		u.ClosedAt = closed.UTC()
	}
	if validFrom != nil {
		u.ValidFrom = validFrom.UTC()
	}
	if office != "" {
		var o unitOffice
		if err := json.Unmarshal([]byte(office), &o); err != nil {
			return u, fmt.Errorf("unit %s: office: %w", u.ID, err)
		}
		u.Drafting, u.Numbering, u.IssuingBody, u.ParentBody, u.Place, u.Signer = o.Drafting, o.Numbering, o.IssuingBody, o.ParentBody, o.Place, o.Signer
		u.EscalationRoutes = o.EscalationRoutes
	}
	return u, nil
}

// unitOffice is the office column of a unit: how it issues letters, and
// where its escalation letters go by kind (the incident.Unit fields of the
// same names).
type unitOffice struct {
	Drafting    string          `json:"drafting,omitempty"`
	Numbering   string          `json:"numbering,omitempty"`
	IssuingBody string          `json:"issuingBody,omitempty"`
	ParentBody  string          `json:"parentBody,omitempty"`
	Place       string          `json:"place,omitempty"`
	Signer      incident.Signer `json:"signer,omitzero"`
	// EscalationRoutes are kept here rather than in a column of their
	// own: the units they name are checked by upsertUnits.
	EscalationRoutes incident.EscalationRoutes `json:"escalationRoutes,omitzero"`
}

// officeOf is u's office column (NULL when it sets none of it).
func officeOf(u incident.Unit) (*string, error) {
	o := unitOffice{Drafting: u.Drafting, Numbering: u.Numbering, IssuingBody: u.IssuingBody, ParentBody: u.ParentBody, Place: u.Place, Signer: u.Signer,
		EscalationRoutes: u.EscalationRoutes}
	if o == (unitOffice{}) {
		return nil, nil
	}
	b, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("unit %s: office: %w", u.ID, err)
	}
	s := string(b)
	return &s, nil
}

// Units returns every unit, ordered by id (so a parent comes before its
// path children).
func (r *Registry) Units(ctx context.Context) ([]incident.Unit, error) {
	return unitsIn(ctx, r.pool)
}

func unitsIn(ctx context.Context, q querier) ([]incident.Unit, error) {
	rows, err := q.Query(ctx, `SELECT `+unitColumns+` FROM units ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (incident.Unit, error) { return scanUnit(row) })
	if err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	return out, nil
}

// Unit returns the unit with id, or NOT_FOUND.
func (r *Registry) Unit(ctx context.Context, id string) (incident.Unit, error) {
	u, err := scanUnit(r.pool.QueryRow(ctx, `SELECT `+unitColumns+` FROM units WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return incident.Unit{}, incident.Errorf(incident.CodeNotFound, "unit %s not found", id)
	}
	if err != nil {
		return incident.Unit{}, fmt.Errorf("unit %s: %w", id, err)
	}
	return u, nil
}

// unitTree returns the hierarchy of every unit.
func (r *Registry) unitTree(ctx context.Context) (*incident.UnitTree, error) {
	units, err := r.Units(ctx)
	if err != nil {
		return nil, err
	}
	return incident.NewUnitTree(units), nil
}

// EscalationTarget returns where cases of unitID escalate to
// (incident.UnitTree.EscalationTarget): the unit's escalatesTo, or that of
// its nearest ancestor that has one; "" when none has. An unknown unit is
// NOT_FOUND.
func (r *Registry) EscalationTarget(ctx context.Context, unitID string) (string, error) {
	tree, err := r.unitTree(ctx)
	if err != nil {
		return "", fmt.Errorf("escalation target of %s: %w", unitID, err)
	}
	if _, ok := tree.Unit(unitID); !ok {
		return "", incident.Errorf(incident.CodeNotFound, "unit %s not found", unitID)
	}
	return tree.EscalationTarget(unitID), nil
}

// RegisterOfficialAccount registers an official account of unit, made by
// ch.Actor for ch.Reason: it appends OfficialAccountRegistered to
// AdminStream, then writes the row. It is idempotent on the normalized URL:
// registering the same account again returns the stored one unchanged and
// appends nothing. A URL that is not absolute http(s), an unknown platform
// or an empty display name is BAD_USER_INPUT; an unknown unit is NOT_FOUND;
// a URL already registered to another unit is CONFLICT.
func (r *Registry) RegisterOfficialAccount(ctx context.Context, ch Change, unit string, platform incident.Platform, url, displayName string) (incident.OfficialAccount, error) {
	if !incident.ValidPlatform(platform) {
		return incident.OfficialAccount{}, incident.BadInput("platform", "unknown platform %q", platform)
	}
	url, err := incident.CleanText("url", url, true, incident.MaxURL)
	if err != nil {
		return incident.OfficialAccount{}, err
	}
	url = strings.TrimSpace(url)
	norm, err := incident.NormalizeURL(url)
	if err != nil {
		return incident.OfficialAccount{}, err
	}
	if displayName, err = incident.CleanText("displayName", displayName, true, incident.MaxShortText); err != nil {
		return incident.OfficialAccount{}, err
	}
	if _, err := r.Unit(ctx, unit); err != nil {
		return incident.OfficialAccount{}, err
	}
	var a incident.OfficialAccount
	err = r.withAdminLock(ctx, func() error {
		var ok bool
		var err error
		if a, ok, err = r.accountByURL(ctx, norm); err != nil || ok {
			return err
		}
		ev := AccountRegistered{ID: uuid.NewString(), Unit: unit, Platform: platform, URL: url, NormalizedURL: norm, DisplayName: displayName}
		recs, err := r.appendAdmin(ctx, ch, adminEvent{TypeOfficialAccountRegistered, ev})
		if err != nil {
			return err
		}
		if err := r.insertAccount(ctx, ev, recs[0].OccurredAt); err != nil {
			return err
		}
		if a, ok, err = r.accountByURL(ctx, norm); err == nil && !ok {
			err = fmt.Errorf("register official account %s: vanished after insert", norm)
		}
		return err
	})
	if err != nil {
		return incident.OfficialAccount{}, err
	}
	if a.Unit != unit {
		return incident.OfficialAccount{}, incident.Errorf(incident.CodeConflict, "%s is already registered to unit %s", url, a.Unit)
	}
	return a, nil
}

// insertAccount writes the row of a registered account unless its id or
// its normalized URL is already there.
func (r *Registry) insertAccount(ctx context.Context, a AccountRegistered, at time.Time) error {
	_, err := r.pool.Exec(ctx, `
		INSERT INTO official_accounts (id, unit, platform, url, normalized_url, display_name, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		a.ID, a.Unit, string(a.Platform), a.URL, a.NormalizedURL, a.DisplayName, at)
	if err != nil {
		return fmt.Errorf("register official account %s: %w", a.NormalizedURL, err)
	}
	return nil
}

const accountColumns = `id, unit, platform, url, normalized_url, display_name, verified, disabled, created_at`

func scanAccount(row pgx.Row) (incident.OfficialAccount, error) {
	var a incident.OfficialAccount
	var platform string
	err := row.Scan(&a.ID, &a.Unit, &platform, &a.URL, &a.NormalizedURL, &a.DisplayName, &a.Verified, &a.Disabled, &a.CreatedAt)
	a.Platform = incident.Platform(platform)
	a.CreatedAt = a.CreatedAt.UTC()
	return a, err
}

func (r *Registry) accountByURL(ctx context.Context, normalized string) (incident.OfficialAccount, bool, error) {
	return accountByURL(ctx, r.pool, normalized)
}

func accountByURL(ctx context.Context, q querier, normalized string) (incident.OfficialAccount, bool, error) {
	a, err := scanAccount(q.QueryRow(ctx, `SELECT `+accountColumns+` FROM official_accounts WHERE normalized_url = $1`, normalized))
	if errors.Is(err, pgx.ErrNoRows) {
		return incident.OfficialAccount{}, false, nil
	}
	if err != nil {
		return incident.OfficialAccount{}, false, fmt.Errorf("official account %s: %w", normalized, err)
	}
	return a, true, nil
}

// OfficialAccounts returns the official accounts of unit's subtree (all of
// them when unit is ""), disabled ones included, ordered by unit and URL.
// The subtree follows the registry's parent links, as every other "within"
// does (Reader.scope, incident.UnitTree), never the shape of the ids.
func (r *Registry) OfficialAccounts(ctx context.Context, unit string) ([]incident.OfficialAccount, error) {
	rows, err := r.pool.Query(ctx, `WITH RECURSIVE
		sub(id) AS (
			SELECT $1::text COLLATE "C" WHERE $1 <> ''
			UNION SELECT u.id FROM units u JOIN sub ON u.parent = sub.id
		)
		SELECT `+accountColumns+` FROM official_accounts
		WHERE $1 = '' OR unit IN (SELECT id FROM sub)
		ORDER BY unit, normalized_url`, unit)
	if err != nil {
		return nil, fmt.Errorf("official accounts of %q: %w", unit, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (incident.OfficialAccount, error) { return scanAccount(row) })
	if err != nil {
		return nil, fmt.Errorf("official accounts of %q: %w", unit, err)
	}
	return out, nil
}

// OfficialAccountRefs returns every registered official account that is
// not disabled as the domain's reference (what impersonation matching
// compares against).
func (r *Registry) OfficialAccountRefs(ctx context.Context) ([]incident.OfficialAccountRef, error) {
	all, err := r.OfficialAccounts(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make([]incident.OfficialAccountRef, 0, len(all))
	for _, a := range all {
		if !a.Disabled {
			out = append(out, a.Ref())
		}
	}
	return out, nil
}

// querier is what a pool and a transaction have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

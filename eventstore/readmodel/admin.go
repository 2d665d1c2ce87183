package readmodel

// The admin stream: see the package doc (doc.go).

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"casetrail/eventstore"
	"casetrail/incident"
)

// AdminStream is the stream of every registry and grant change.
const AdminStream = "admin-registry"

// Event types of AdminStream.
const (
	// TypeUnitDefined: a new unit (payload: incident.Unit).
	TypeUnitDefined = "UnitDefined"
	// TypeUnitChanged: a unit's name, parent, escalation target or symbol
	// changed (payload: the whole new incident.Unit).
	TypeUnitChanged = "UnitChanged"
	// TypeUnitClosed: a unit was closed, its new reports going to its
	// successor (payload: the whole closed incident.Unit, with closedAt
	// and successor).
	TypeUnitClosed = "UnitClosed"
	// TypeOfficialAccountRegistered: an account entered the registry
	// (payload: AccountRegistered).
	TypeOfficialAccountRegistered = "OfficialAccountRegistered"
	// TypeOfficialAccountChanged: an account's platform, URL, display
	// name, verified or disabled flag changed (payload: AccountChanged).
	TypeOfficialAccountChanged = "OfficialAccountChanged"
	// TypeRoleGranted: a role was granted (payload: RoleGrant).
	TypeRoleGranted = "RoleGranted"
	// TypeRoleRevoked: a role was revoked (payload: RoleGrant).
	TypeRoleRevoked = "RoleRevoked"
	// TypeUserCreated: a user of the web interface was created (payload:
	// UserChange with the display name).
	TypeUserCreated = "UserCreated"
	// TypePasswordReset: an admin or the operator set a user's password,
	// a one-time one or one typed in (payload: UserChange; never the
	// password or its hash).
	TypePasswordReset = "PasswordReset"
	// TypeUserDisabled: a user may no longer log in; their open sessions
	// end at their next request (payload: UserChange).
	TypeUserDisabled = "UserDisabled"
	// TypeUserEnabled: a disabled user may log in again (payload:
	// UserChange).
	TypeUserEnabled = "UserEnabled"
	// TypeUserEmailChanged: a user's e-mail address (where notifications
	// go) was set, changed or removed (payload: UserChange with the new
	// address, none when removed).
	TypeUserEmailChanged = "UserEmailChanged"
)

// Change says who makes an admin change and why; it becomes the event's
// metadata. Actor is required.
type Change struct {
	Actor  string
	Reason string
}

// RoleGrant is the payload of RoleGranted and RoleRevoked.
type RoleGrant struct {
	Subject string `json:"subject"`
	Role    string `json:"role"`
	Unit    string `json:"unit"`
}

// UserChange is the payload of the events of a user of the web interface:
// who, and for UserCreated the display name. Passwords, their hashes and
// one-time passwords are never recorded.
type UserChange struct {
	Username string `json:"username"`
	Name     string `json:"name,omitempty"`
	// Email is the new address of UserEmailChanged ("" when removed), and
	// the address a user was created with.
	Email string `json:"email,omitempty"`
}

// AccountRegistered is the payload of OfficialAccountRegistered.
type AccountRegistered struct {
	ID            string            `json:"id"`
	Unit          string            `json:"unit"`
	Platform      incident.Platform `json:"platform"`
	URL           string            `json:"url"`
	NormalizedURL string            `json:"normalizedUrl"`
	DisplayName   string            `json:"displayName"`
}

// adminLockKey is the advisory lock that serializes admin changes.
const adminLockKey int64 = 0x6361736574726164 // "casetrad"

// withAdminLock runs fn holding the admin advisory lock (on a connection of
// its own, so fn may use the pool and the store freely).
func (r *Registry) withAdminLock(ctx context.Context, fn func() error) error {
	conn, err := r.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("admin lock: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, adminLockKey); err != nil {
		return fmt.Errorf("admin lock: %w", err)
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, adminLockKey); err != nil {
			conn.Conn().Close(context.Background()) // closing the session releases the lock
		}
	}()
	return fn()
}

type adminEvent struct {
	typ  string
	data any
}

// appendAdmin appends events to AdminStream with ch as metadata. The
// caller holds the admin lock.
func (r *Registry) appendAdmin(ctx context.Context, ch Change, events ...adminEvent) ([]eventstore.RecordedEvent, error) {
	if ch.Actor == "" {
		return nil, errors.New("admin change without an actor")
	}
	if len(events) == 0 {
		return nil, nil
	}
	evs := make([]eventstore.EventData, len(events))
	for i, e := range events {
		data, err := json.Marshal(e.data)
		if err != nil {
			return nil, fmt.Errorf("admin event %s: %w", e.typ, err)
		}
		evs[i] = eventstore.EventData{ID: uuid.NewString(), Type: e.typ, Data: data,
			Metadata: eventstore.Metadata{Actor: ch.Actor, Reason: ch.Reason}}
	}
	v, err := r.log.StreamVersion(ctx, AdminStream)
	if err != nil {
		return nil, err
	}
	recs, err := r.log.Append(ctx, AdminStream, v, evs...)
	if err != nil {
		return nil, fmt.Errorf("record admin change: %w", err)
	}
	return recs, nil
}

// DefineUnits records and applies the units that are new (UnitDefined) or
// differ from the stored ones (UnitChanged), in one append, and returns how
// many changed: the same units again append nothing. The units are checked
// as UpsertUnits checks them before anything is appended. It is how the
// seed file defines units, so it leaves alone what the seed does not
// manage: a stored unit keeps its closing (closedAt, successor), and a unit
// whose last change on the admin stream was made by another actor than
// ch.Actor (an admin renamed or moved it since) keeps that change (logged).
func (r *Registry) DefineUnits(ctx context.Context, ch Change, units []incident.Unit) (int, error) {
	cleaned := make([]incident.Unit, len(units))
	for i, u := range units {
		c, err := incident.CleanUnit(u)
		if err != nil {
			return 0, err
		}
		cleaned[i] = c
	}
	var changed int
	err := r.withAdminLock(ctx, func() error {
		stored, err := r.Units(ctx)
		if err != nil {
			return err
		}
		have := make(map[string]incident.Unit, len(stored))
		for _, u := range stored {
			have[u.ID] = u
		}
		changedBy, err := r.unitActors(ctx)
		if err != nil {
			return err
		}
		var events []adminEvent
		var write []incident.Unit
		for _, u := range cleaned {
			old, ok := have[u.ID]
			if ok {
				u.ClosedAt, u.Successor = old.ClosedAt, old.Successor
			}
			switch {
			case !ok:
				events = append(events, adminEvent{TypeUnitDefined, u})
			case old == u:
				continue
			case changedBy[u.ID] != "" && changedBy[u.ID] != ch.Actor:
				slog.Warn("unit changed by the administration since: the definition of "+ch.Reason+" is not applied to it",
					"unit", u.ID, "changed_by", changedBy[u.ID])
				continue
			default:
				events = append(events, adminEvent{TypeUnitChanged, u})
			}
			have[u.ID] = u
			write = append(write, u)
		}
		if len(write) == 0 {
			return nil
		}
		if err := r.upsertUnits(ctx, write, false); err != nil {
			return err
		}
		if _, err := r.appendAdmin(ctx, ch, events...); err != nil {
			return err
		}
		changed = len(write)
		return r.upsertUnits(ctx, write, true)
	})
	return changed, err
}

// RecordGrant appends RoleGranted (revoke false) or RoleRevoked for g with
// ch. The caller applies the grant to the authorizer after it returns, so
// no grant changes without its event (ChangeGrant does both under the
// admin lock).
func (r *Registry) RecordGrant(ctx context.Context, ch Change, g RoleGrant, revoke bool) error {
	return r.ChangeGrant(ctx, ch, g, revoke, nil, nil)
}

// ChangeGrant records RoleGranted (revoke false) or RoleRevoked for g and
// applies it, as Record does: check, the event, apply.
func (r *Registry) ChangeGrant(ctx context.Context, ch Change, g RoleGrant, revoke bool, check, apply func(context.Context) error) error {
	typ := TypeRoleGranted
	if revoke {
		typ = TypeRoleRevoked
	}
	return r.Record(ctx, ch, typ, g, check, apply)
}

// ErrUnchanged, returned by the check of Record, says that what the change
// would make is already so: nothing is recorded, and Record returns nil.
var ErrUnchanged = errors.New("admin change: already so")

// Record makes one admin change whose state the registry does not keep
// itself (a role grant, a user of the web interface): holding the admin
// lock, it runs check (nil: none), appends the event typ with payload and
// ch's actor and reason, then runs apply (nil: none). A failed check
// records nothing. A failed apply leaves the event recorded and returns
// apply's error: the caller learns the change was not made and may make it
// again (recording it again). Every admin change holds the one lock, so a
// check sees the changes of every process made before it.
func (r *Registry) Record(ctx context.Context, ch Change, typ string, payload any, check, apply func(context.Context) error) error {
	if ch.Actor == "" {
		return errors.New("admin change without an actor")
	}
	return r.withAdminLock(ctx, func() error {
		if check != nil {
			if err := check(ctx); errors.Is(err, ErrUnchanged) {
				return nil
			} else if err != nil {
				return err
			}
		}
		if _, err := r.appendAdmin(ctx, ch, adminEvent{typ, payload}); err != nil {
			return err
		}
		if apply != nil {
			return apply(ctx)
		}
		return nil
	})
}

// GrantState is where the admin stream leaves one grant: its last
// RoleGranted or RoleRevoked, and who recorded it.
type GrantState struct {
	RoleGrant
	Revoked bool
	Actor   string
}

// GrantStates returns the state of every grant the admin stream mentions,
// in the order of their last events.
func (r *Registry) GrantStates(ctx context.Context) ([]GrantState, error) {
	recs, err := r.AdminHistory(ctx, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("grant states: %w", err)
	}
	last := map[RoleGrant]GrantState{}
	order := map[RoleGrant]int64{}
	for _, rec := range recs {
		if rec.Type != TypeRoleGranted && rec.Type != TypeRoleRevoked {
			continue
		}
		var g RoleGrant
		if err := json.Unmarshal(rec.Data, &g); err != nil {
			return nil, fmt.Errorf("grant states: v%d: %w", rec.Version, err)
		}
		last[g] = GrantState{RoleGrant: g, Revoked: rec.Type == TypeRoleRevoked, Actor: rec.Metadata.Actor}
		order[g] = rec.Version
	}
	out := make([]GrantState, 0, len(last))
	for _, s := range last {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b GrantState) int { return cmp.Compare(order[a.RoleGrant], order[b.RoleGrant]) })
	return out, nil
}

// unitActors returns, for every unit the admin stream defines, the actor
// of its last event.
func (r *Registry) unitActors(ctx context.Context) (map[string]string, error) {
	recs, err := r.AdminHistory(ctx, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("unit changes: %w", err)
	}
	out := map[string]string{}
	for _, rec := range recs {
		switch rec.Type {
		case TypeUnitDefined, TypeUnitChanged, TypeUnitClosed:
			var u struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(rec.Data, &u); err != nil {
				return nil, fmt.Errorf("unit changes: v%d: %w", rec.Version, err)
			}
			out[u.ID] = rec.Metadata.Actor
		}
	}
	return out, nil
}

// AdminHistory returns at most limit events of AdminStream with version
// greater than after (0: from the first), in version order; none when the
// stream does not exist yet.
func (r *Registry) AdminHistory(ctx context.Context, after int64, limit int) ([]eventstore.RecordedEvent, error) {
	recs, err := r.log.ReadStream(ctx, AdminStream, after+1, limit)
	if errors.Is(err, eventstore.ErrNotFound) {
		return []eventstore.RecordedEvent{}, nil
	}
	return recs, err
}

// ParseAdminCursor reads the after argument of AdminHistory from its
// string form (a version; "" is 0).
func ParseAdminCursor(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, incident.BadInput("after", "%q is not a version of the admin stream", s)
	}
	return v, nil
}

// ReplayAdmin writes the registry again from AdminStream: every unit as its
// last event left it and every registered account as its last event left
// it (with the id and time of its registration). It only adds and
// restores: rows that no event describes (written before the admin stream
// existed) stay. It returns the number of events read. Grant and user
// events are left to the caller (see Record). It holds the admin lock, so
// a change made meanwhile is not overwritten with an older state.
func (r *Registry) ReplayAdmin(ctx context.Context) (n int, err error) {
	err = r.withAdminLock(ctx, func() error {
		n, err = r.replayAdmin(ctx)
		return err
	})
	return n, err
}

func (r *Registry) replayAdmin(ctx context.Context) (int, error) {
	recs, err := r.AdminHistory(ctx, 0, 0)
	if err != nil {
		return 0, fmt.Errorf("replay admin stream: %w", err)
	}
	var units []incident.Unit
	at := map[string]int{}
	var accounts []eventstore.RecordedEvent
	for _, rec := range recs {
		switch rec.Type {
		case TypeUnitDefined, TypeUnitChanged, TypeUnitClosed:
			var u incident.Unit
			if err := json.Unmarshal(rec.Data, &u); err != nil {
				return 0, fmt.Errorf("replay admin stream v%d: %w", rec.Version, err)
			}
			if i, ok := at[u.ID]; ok {
				units[i] = u
			} else {
				at[u.ID] = len(units)
				units = append(units, u)
			}
		case TypeOfficialAccountRegistered, TypeOfficialAccountChanged:
			accounts = append(accounts, rec)
		}
	}
	if err := r.upsertUnits(ctx, units, true); err != nil {
		return 0, fmt.Errorf("replay admin stream: %w", err)
	}
	// Each account as its last event left it.
	var ids []string
	final := map[string]accountState{}
	for _, rec := range accounts {
		var a AccountChanged
		if err := json.Unmarshal(rec.Data, &a); err != nil {
			return 0, fmt.Errorf("replay admin stream v%d: %w", rec.Version, err)
		}
		st, seen := final[a.ID]
		if !seen {
			ids = append(ids, a.ID)
			st.createdAt = rec.OccurredAt
		}
		if rec.Type == TypeOfficialAccountRegistered {
			a.Verified = true // the column's default when it was registered
			st.registered = true
		}
		st.AccountChanged = a
		final[a.ID] = st
	}
	for _, id := range ids {
		st := final[id]
		if !st.registered {
			// Changes of an account registered before the stream existed:
			// its row has what they change.
			if err := r.writeAccount(ctx, r.pool, st.AccountChanged); err != nil {
				return 0, err
			}
			continue
		}
		if err := r.insertAccount(ctx, st.AccountRegistered, st.createdAt); err != nil {
			return 0, err
		}
		if err := r.writeAccount(ctx, r.pool, st.AccountChanged); err != nil {
			return 0, err
		}
	}
	return len(recs), nil
}

// accountState is an account as the replay folds its events.
type accountState struct {
	AccountChanged
	registered bool
	createdAt  time.Time
}

// errDryRun rolls back the dry run of upsertUnits.
var errDryRun = errors.New("dry run")

// isDryRun reports whether err is the dry run's rollback.
func isDryRun(err error) bool { return errors.Is(err, errDryRun) }

// rollbackDry turns a transaction function into one that always rolls back
// when commit is false.
func rollbackDry(ctx context.Context, commit bool, fn func(pgx.Tx) error) func(pgx.Tx) error {
	return func(tx pgx.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if !commit {
			// Deferred constraints (a parent may come after its child)
			// are checked now, as the commit would.
			if _, err := tx.Exec(ctx, `SET CONSTRAINTS ALL IMMEDIATE`); err != nil {
				return err
			}
			return errDryRun
		}
		return nil
	}
}

package readmodel

// The admin stream: see the package doc (doc.go).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

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
	// TypeOfficialAccountRegistered: an account entered the registry
	// (payload: AccountRegistered).
	TypeOfficialAccountRegistered = "OfficialAccountRegistered"
	// TypeRoleGranted: a role was granted (payload: RoleGrant).
	TypeRoleGranted = "RoleGranted"
	// TypeRoleRevoked: a role was revoked (payload: RoleGrant).
	TypeRoleRevoked = "RoleRevoked"
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
// as UpsertUnits checks them before anything is appended.
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
		var events []adminEvent
		var write []incident.Unit
		for _, u := range cleaned {
			old, ok := have[u.ID]
			switch {
			case !ok:
				events = append(events, adminEvent{TypeUnitDefined, u})
			case old != u:
				events = append(events, adminEvent{TypeUnitChanged, u})
			default:
				continue
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
// no grant changes without its event.
func (r *Registry) RecordGrant(ctx context.Context, ch Change, g RoleGrant, revoke bool) error {
	typ := TypeRoleGranted
	if revoke {
		typ = TypeRoleRevoked
	}
	return r.withAdminLock(ctx, func() error {
		_, err := r.appendAdmin(ctx, ch, adminEvent{typ, g})
		return err
	})
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
// last event left it and every registered account (with the id and time of
// its event). It only adds and restores: rows that no event describes
// (written before the admin stream existed) stay. It returns the number of
// events read. Grant events are left to the caller (see RecordGrant). It
// holds the admin lock, so a change made meanwhile is not overwritten with
// an older state.
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
		case TypeUnitDefined, TypeUnitChanged:
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
		case TypeOfficialAccountRegistered:
			accounts = append(accounts, rec)
		}
	}
	if err := r.upsertUnits(ctx, units, true); err != nil {
		return 0, fmt.Errorf("replay admin stream: %w", err)
	}
	for _, rec := range accounts {
		var a AccountRegistered
		if err := json.Unmarshal(rec.Data, &a); err != nil {
			return 0, fmt.Errorf("replay admin stream v%d: %w", rec.Version, err)
		}
		if err := r.insertAccount(ctx, a, rec.OccurredAt); err != nil {
			return 0, err
		}
	}
	return len(recs), nil
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

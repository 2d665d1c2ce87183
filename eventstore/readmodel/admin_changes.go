package readmodel

// The administration's changes of the registry (issue 15): units created,
// changed and closed, official accounts changed, verified, disabled. Each
// is checked against the stored registry under the admin lock (the rules
// are incident's: UnitTree.CheckNewUnit, CheckUnitChange, CheckClose),
// recorded on AdminStream with the actor and the reason, then written, as
// DefineUnits and RegisterOfficialAccount do (doc.go, "Admin stream").

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"casetrail/incident"
)

// CreateUnit adds unit u, created by ch.Actor for ch.Reason: cleaned
// (incident.CleanUnit) and checked against the stored units
// (incident.UnitTree.CheckNewUnit: a new lower-case slug id, a valid
// symbol, an existing open parent and escalation target), then UnitDefined
// is recorded and the row written. The unit is valid from its creation
// (ValidFrom now, unless u gives when it came into being). It returns the
// unit as stored.
func (r *Registry) CreateUnit(ctx context.Context, ch Change, u incident.Unit) (incident.Unit, error) {
	u.Symbol = strings.TrimSpace(u.Symbol)
	if u.ValidFrom.IsZero() {
		u.ValidFrom = time.Now()
	}
	u, err := incident.CleanUnit(u)
	if err != nil {
		return incident.Unit{}, err
	}
	err = r.withAdminLock(ctx, func() error {
		tree, err := r.unitTree(ctx)
		if err != nil {
			return err
		}
		if err := tree.CheckNewUnit(u); err != nil {
			return err
		}
		return r.writeUnit(ctx, ch, TypeUnitDefined, u)
	})
	if err != nil {
		return incident.Unit{}, err
	}
	return u, nil
}

// UnitChange is a change of some of a unit's settings. A nil field stays
// as it is; an empty Parent makes the unit a root, an empty EscalatesTo or
// Symbol clears it.
type UnitChange struct {
	Name        *string
	Parent      *string
	EscalatesTo *string
	Symbol      *string
	// EscalationRoutes, when given, replace the unit's routes by kind.
	EscalationRoutes *incident.EscalationRoutes
}

// UpdateUnit changes unit id as c says, for ch: the changed unit is
// cleaned and checked against the stored units
// (incident.UnitTree.CheckUnitChange: NOT_FOUND for an unknown unit; a new
// parent or escalation target must exist and be open; no cycle), then
// UnitChanged is recorded and the row written. A change that changes
// nothing records nothing. It returns the unit as stored.
func (r *Registry) UpdateUnit(ctx context.Context, ch Change, id string, c UnitChange) (incident.Unit, error) {
	var out incident.Unit
	err := r.withAdminLock(ctx, func() error {
		tree, err := r.unitTree(ctx)
		if err != nil {
			return err
		}
		old, ok := tree.Unit(id)
		if !ok {
			return incident.Errorf(incident.CodeNotFound, "unit %s not found", id)
		}
		u := old
		for _, f := range []struct {
			to   *string
			from *string
		}{{&u.Name, c.Name}, {&u.Parent, c.Parent}, {&u.EscalatesTo, c.EscalatesTo}, {&u.Symbol, c.Symbol}} {
			if f.from != nil {
				*f.to = *f.from
			}
		}
		if c.Symbol != nil {
			u.Symbol = strings.TrimSpace(*c.Symbol)
		}
		if c.EscalationRoutes != nil {
			u.EscalationRoutes = *c.EscalationRoutes
		}
		if u, err = incident.CleanUnit(u); err != nil {
			return err
		}
		if err := tree.CheckUnitChange(u); err != nil {
			return err
		}
		out = u
		if u == old {
			return nil
		}
		return r.writeUnit(ctx, ch, TypeUnitChanged, u)
	})
	if err != nil {
		return incident.Unit{}, err
	}
	return out, nil
}

// CloseUnit closes unit id for ch, naming successor as the unit that takes
// its new reports: checked against the stored units
// (incident.UnitTree.CheckClose: the unit open and without open sub-units,
// the successor existing, open, outside it), then UnitClosed is recorded
// and the row written. Its cases stay where they are. It returns the
// closed unit.
func (r *Registry) CloseUnit(ctx context.Context, ch Change, id, successor string) (incident.Unit, error) {
	return r.CloseUnitOn(ctx, ch, id, successor, time.Time{})
}

// CloseUnitOn is CloseUnit with the closing dated at (zero: now): the
// seed file's reorganisations close units on the date they give
// (incident.UnitTree.CheckCloseOn: not in the future, not before the unit
// or its successor came into being). The one event is recorded now, with
// closedAt at.
func (r *Registry) CloseUnitOn(ctx context.Context, ch Change, id, successor string, at time.Time) (incident.Unit, error) {
	successor = strings.TrimSpace(successor)
	now := time.Now()
	if at.IsZero() {
		at = now
	}
	var out incident.Unit
	err := r.withAdminLock(ctx, func() error {
		tree, err := r.unitTree(ctx)
		if err != nil {
			return err
		}
		if err := tree.CheckCloseOn(id, successor, at, now); err != nil {
			return err
		}
		u, _ := tree.Unit(id)
		u.ClosedAt, u.Successor = at, successor
		if u, err = incident.CleanUnit(u); err != nil {
			return err
		}
		out = u
		return r.writeUnit(ctx, ch, TypeUnitClosed, u)
	})
	if err != nil {
		return incident.Unit{}, err
	}
	return out, nil
}

// writeUnit checks u against the database in a rolled-back transaction
// (references, cycles), records the event typ with u for ch, then writes
// the row. The caller holds the admin lock.
func (r *Registry) writeUnit(ctx context.Context, ch Change, typ string, u incident.Unit) error {
	if err := r.upsertUnits(ctx, []incident.Unit{u}, false); err != nil {
		return err
	}
	if _, err := r.appendAdmin(ctx, ch, adminEvent{typ, u}); err != nil {
		return err
	}
	return r.upsertUnits(ctx, []incident.Unit{u}, true)
}

// AccountChanged is the payload of OfficialAccountChanged: the account
// after the change, and the names of the fields that changed (platform,
// url, displayName, verified, disabled).
type AccountChanged struct {
	AccountRegistered
	Verified bool     `json:"verified"`
	Disabled bool     `json:"disabled"`
	Changed  []string `json:"changed,omitempty"`
}

// AccountChange is a change of an official account: a nil field stays as
// it is.
type AccountChange struct {
	Platform    *incident.Platform
	URL         *string
	DisplayName *string
	Verified    *bool
	Disabled    *bool
}

// ChangeOfficialAccount changes the official account id as c says, for
// ch: an unknown account is NOT_FOUND; a new URL must be absolute http(s)
// and is normalized again, and the normalized URL must stay unique
// (BAD_USER_INPUT naming the account that has it); an unknown platform or
// an empty display name is BAD_USER_INPUT. Then OfficialAccountChanged is
// recorded and the row written; a change that changes nothing records
// nothing. It returns the account as stored.
func (r *Registry) ChangeOfficialAccount(ctx context.Context, ch Change, id string, c AccountChange) (incident.OfficialAccount, error) {
	if c.Platform != nil && !incident.ValidPlatform(*c.Platform) {
		return incident.OfficialAccount{}, incident.BadInput("platform", "unknown platform %q", *c.Platform)
	}
	var url, norm, name string
	if c.URL != nil {
		var err error
		if url, err = incident.CleanText("url", *c.URL, true, incident.MaxURL); err != nil {
			return incident.OfficialAccount{}, err
		}
		url = strings.TrimSpace(url)
		if norm, err = incident.NormalizeURL(url); err != nil {
			return incident.OfficialAccount{}, err
		}
	}
	if c.DisplayName != nil {
		var err error
		if name, err = incident.CleanText("displayName", *c.DisplayName, true, incident.MaxShortText); err != nil {
			return incident.OfficialAccount{}, err
		}
	}
	var out incident.OfficialAccount
	err := r.withAdminLock(ctx, func() error {
		a, err := r.OfficialAccount(ctx, id)
		if err != nil {
			return err
		}
		next := AccountChanged{AccountRegistered: AccountRegistered{ID: a.ID, Unit: a.Unit, Platform: a.Platform, URL: a.URL,
			NormalizedURL: a.NormalizedURL, DisplayName: a.DisplayName}, Verified: a.Verified, Disabled: a.Disabled}
		change := func(name string, differs bool, set func()) {
			if differs {
				set()
				next.Changed = append(next.Changed, name)
			}
		}
		if c.Platform != nil {
			change("platform", *c.Platform != a.Platform, func() { next.Platform = *c.Platform })
		}
		if c.URL != nil {
			change("url", url != a.URL || norm != a.NormalizedURL, func() { next.URL, next.NormalizedURL = url, norm })
		}
		if c.DisplayName != nil {
			change("displayName", name != a.DisplayName, func() { next.DisplayName = name })
		}
		if c.Verified != nil {
			change("verified", *c.Verified != a.Verified, func() { next.Verified = *c.Verified })
		}
		if c.Disabled != nil {
			change("disabled", *c.Disabled != a.Disabled, func() { next.Disabled = *c.Disabled })
		}
		if len(next.Changed) == 0 {
			out = a
			return nil
		}
		if next.NormalizedURL != a.NormalizedURL {
			if other, ok, err := r.accountByURL(ctx, next.NormalizedURL); err != nil {
				return err
			} else if ok {
				return incident.BadInput("url", "%s is already registered as official account %s of unit %s", url, other.ID, other.Unit)
			}
		}
		if _, err := r.appendAdmin(ctx, ch, adminEvent{TypeOfficialAccountChanged, next}); err != nil {
			return err
		}
		if err := r.writeAccount(ctx, r.pool, next); err != nil {
			return err
		}
		out, err = r.OfficialAccount(ctx, id)
		return err
	})
	if err != nil {
		return incident.OfficialAccount{}, err
	}
	return out, nil
}

// writeAccount writes the state a of an existing account's row (an
// account no row has, registered before the stream existed and deleted
// since, is left out).
func (r *Registry) writeAccount(ctx context.Context, q querier, a AccountChanged) error {
	_, err := q.Exec(ctx, `UPDATE official_accounts SET platform = $2, url = $3, normalized_url = $4, display_name = $5,
		verified = $6, disabled = $7 WHERE id = $1`,
		a.ID, string(a.Platform), a.URL, a.NormalizedURL, a.DisplayName, a.Verified, a.Disabled)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return incident.BadInput("url", "%s is already registered as another official account", a.URL)
	}
	if err != nil {
		return fmt.Errorf("official account %s: %w", a.ID, err)
	}
	return nil
}

// OfficialAccount returns the registered account with id, disabled or not,
// or NOT_FOUND.
func (r *Registry) OfficialAccount(ctx context.Context, id string) (incident.OfficialAccount, error) {
	a, err := scanAccount(r.pool.QueryRow(ctx, `SELECT `+accountColumns+` FROM official_accounts WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return incident.OfficialAccount{}, incident.Errorf(incident.CodeNotFound, "official account %s not found", id)
	}
	if err != nil {
		return incident.OfficialAccount{}, fmt.Errorf("official account %s: %w", id, err)
	}
	return a, nil
}

// AccountQuery selects official accounts (Registry.SearchOfficialAccounts).
type AccountQuery struct {
	// Unit: the accounts of this unit's subtree ("" for all).
	Unit string
	// Search: every word must occur in the display name or the URL,
	// compared without case or diacritics (incident.FoldText, as the
	// worklist's text search folds); "" for all.
	Search string
	// IncludeDisabled lists disabled accounts too.
	IncludeDisabled bool
}

// SearchOfficialAccounts returns the official accounts q selects, ordered
// by unit and URL. The registry is small (the deployment's official pages),
// so the text is compared here, after the subtree is read.
func (r *Registry) SearchOfficialAccounts(ctx context.Context, q AccountQuery) ([]incident.OfficialAccount, error) {
	all, err := r.OfficialAccounts(ctx, q.Unit)
	if err != nil {
		return nil, err
	}
	words := strings.Fields(incident.FoldText(q.Search))
	return slices.DeleteFunc(all, func(a incident.OfficialAccount) bool {
		if a.Disabled && !q.IncludeDisabled {
			return true
		}
		if len(words) == 0 {
			return false
		}
		text := incident.FoldText(a.DisplayName + " " + a.URL + " " + a.NormalizedURL)
		for _, w := range words {
			if !strings.Contains(text, w) {
				return true
			}
		}
		return false
	}), nil
}

package api

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/incident"
	"casetrail/schema"
)

//go:embed rbac_model.conf
var rbacModel string

// Roles (docs/ARCHITECTURE.md, "Lifecycle").
const (
	RoleReporter = "REPORTER"
	RoleHandler  = "HANDLER"
	RoleLeader   = "LEADER"
	RoleAuditor  = "AUDITOR"
	RoleAdmin    = "ADMIN"
)

// permissions is the role × action table (docs/ARCHITECTURE.md, "Lifecycle"), the one place it is
// written down: each action (the command names and incident's Action*, all
// of incident.Actions and nothing else: TestPermissionsCoverActions) with
// the roles that may perform it. Every grant is scoped to a unit and its
// sub-units, so "REPORTER (own unit)" is the reporter's grant like any
// other. The table is copied into casbin_rule as p rules when an
// Authorizer starts. Units and grants have no action: they change only
// through the seed file, which the operator applies.
var permissions = []struct {
	action string
	roles  []string
}{
	{incident.CmdReportIncident, []string{RoleReporter, RoleHandler, RoleLeader}},
	{incident.CmdTriageCase, []string{RoleHandler, RoleLeader}},
	{incident.CmdAssignCase, []string{RoleHandler, RoleLeader}},
	{incident.CmdStartAnalysis, []string{RoleHandler}},
	{incident.CmdRecordAnalysis, []string{RoleHandler}},
	{incident.CmdAddEvidence, []string{RoleReporter, RoleHandler}},
	{incident.CmdRequestTakedown, []string{RoleHandler}},
	{incident.CmdRecordTakedownResponse, []string{RoleHandler}},
	{incident.CmdRequestEscalation, []string{RoleHandler}},
	{incident.CmdApproveEscalation, []string{RoleLeader}},
	{incident.CmdDeclineEscalation, []string{RoleLeader}},
	{incident.CmdRecordEscalationResponse, []string{RoleHandler}},
	{incident.CmdResolveCase, []string{RoleHandler}},
	{incident.CmdCloseCase, []string{RoleLeader}},
	{incident.CmdRejectCase, []string{RoleHandler, RoleLeader}},
	{incident.CmdReopenCase, []string{RoleHandler, RoleLeader}},
	{incident.CmdAddComment, []string{RoleReporter, RoleHandler, RoleLeader}},
	{incident.ActionReadCase, []string{RoleReporter, RoleHandler, RoleLeader, RoleAuditor}},
	{incident.ActionReadHistory, []string{RoleHandler, RoleLeader, RoleAuditor}},
	{incident.ActionReadStats, []string{RoleHandler, RoleLeader, RoleAuditor}},
	{incident.ActionReadOfficialAccounts, []string{RoleReporter, RoleHandler, RoleLeader, RoleAuditor, RoleAdmin}},
	{incident.ActionRegisterOfficialAccount, []string{RoleAdmin}},
	{incident.ActionReadAdminHistory, []string{RoleAuditor, RoleAdmin}},
}

var knownActions = func() map[string]bool {
	m := make(map[string]bool, len(permissions))
	for _, p := range permissions {
		m[p.action] = true
	}
	return m
}()

// AllRoles returns every role, in the order of docs/ARCHITECTURE.md.
func AllRoles() []string {
	return []string{RoleReporter, RoleHandler, RoleLeader, RoleAuditor, RoleAdmin}
}

// Actions returns every action the Authorizer knows, in table order.
func Actions() []string {
	out := make([]string, len(permissions))
	for i, p := range permissions {
		out[i] = p.action
	}
	return out
}

// RolesAllowed returns the roles that may perform action (nil for an unknown
// action).
func RolesAllowed(action string) []string {
	for _, p := range permissions {
		if p.action == action {
			return slices.Clone(p.roles)
		}
	}
	return nil
}

func isRole(s string) bool { return slices.Contains(AllRoles(), s) }

// Grant gives Subject the Role in Unit and all of the unit's sub-units.
type Grant struct {
	Subject string
	Role    string
	Unit    string
}

// ErrUnknownUnit is returned by Grant for a unit that is not in the unit tree.
var ErrUnknownUnit = errors.New("unknown unit")

// permissionsLockKey serializes concurrent copies of the permission table
// into casbin_rule (an arbitrary constant for pg_advisory_xact_lock).
const permissionsLockKey = 7_242_011_002

// Authorizer answers "may sub do action on an object of unit?" with Casbin
// RBAC-with-domains, where domains are unit ids and a grant covers the
// granted unit's whole subtree.
//
// The hierarchy is applied with a Casbin domain matching function over the
// unit tree given to SetUnits (explicit parents, never string prefixes): a
// grant on unit U matches a request on unit X when X is U or U is one of X's
// ancestors. A unit missing from the tree matches only itself.
//
// Grants are g rules and the role × action table p rules in casbin_rule.
// The enforcer is a SyncedEnforcer without decision cache; every policy or
// tree change applies under its write lock, so a decision made after Grant
// or SetUnits returns sees it. Other instances learn of changes (also of
// rules changed in the table itself) through PostgreSQL NOTIFY (a trigger
// on casbin_rule) and reload. An Authorizer is safe for concurrent use; call
// Close when done.
type Authorizer struct {
	adapter *Adapter
	enf     *casbin.SyncedEnforcer
	tree    atomic.Pointer[incident.UnitTree] // immutable snapshots

	writeMu sync.Mutex // serializes Grant, SetUnits and reloads

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewAuthorizer writes the role × action table into casbin_rule (made by
// EnsureSchema, which the tables' owner runs first), loads the whole policy
// and starts listening for policy changes made elsewhere. Until SetUnits is
// called every grant covers only its own unit.
func NewAuthorizer(ctx context.Context, pool *pgxpool.Pool) (*Authorizer, error) {
	if err := syncPermissions(ctx, pool); err != nil {
		return nil, err
	}
	m, err := model.NewModelFromString(rbacModel)
	if err != nil {
		return nil, fmt.Errorf("authorization model: %w", err)
	}
	enf, err := casbin.NewSyncedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("authorization enforcer: %w", err)
	}
	a := &Authorizer{adapter: NewAdapter(pool), enf: enf}
	enf.SetAdapter(a.adapter)
	// The Authorizer writes to the database itself (with the caller's
	// context) before it changes the in-memory policy.
	enf.EnableAutoSave(false)
	enf.AddNamedDomainMatchingFunc("g", "unitWithin", func(unit, scope string) bool {
		return a.tree.Load().Within(unit, scope)
	})

	// Listen before the first load so that no change can slip in between.
	conn, err := listen(ctx, pool, PolicyChannel, "policy changes")
	if err != nil {
		return nil, err
	}
	if err := a.Reload(ctx); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	wctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	kick := make(chan struct{}, 1)
	a.wg.Add(2)
	go func() { defer a.wg.Done(); watch(wctx, pool, PolicyChannel, "policy changes", conn, kick) }()
	go func() { defer a.wg.Done(); a.reloader(wctx, kick) }()
	return a, nil
}

// Close stops watching for policy changes. The Authorizer still answers
// from the policy it holds.
func (a *Authorizer) Close() {
	a.cancel()
	a.wg.Wait()
}

// Reload replaces the in-memory policy with the one stored in the database.
func (a *Authorizer) Reload(ctx context.Context) error {
	a.writeMu.Lock()
	defer a.writeMu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := a.enf.LoadPolicy(); err != nil {
		return fmt.Errorf("reload policy: %w", err)
	}
	return nil
}

// SetUnits replaces the unit hierarchy grants are matched against. It fails,
// leaving the previous hierarchy in place, on empty or duplicate ids, unknown
// parents and cycles (incident.UnitTree.Check).
func (a *Authorizer) SetUnits(units []incident.Unit) error {
	t := incident.NewUnitTree(units)
	if err := t.Check(); err != nil {
		return fmt.Errorf("set units: %w", err)
	}
	a.writeMu.Lock()
	defer a.writeMu.Unlock()
	return a.locked(func(e *casbin.Enforcer) error {
		a.tree.Store(t)
		return e.BuildRoleLinks()
	})
}

// locked runs fn on the bare enforcer under the SyncedEnforcer's write lock,
// so that no decision sees a half-applied change.
func (a *Authorizer) locked(fn func(e *casbin.Enforcer) error) error {
	l := a.enf.GetLock()
	l.Lock()
	defer l.Unlock()
	return fn(a.enf.Enforcer)
}

// Grant stores g and applies it. Granting an existing grant is a no-op. The
// role must be one of AllRoles, the subject must not be a role name, and the
// unit must be in the tree given to SetUnits (ErrUnknownUnit otherwise).
func (a *Authorizer) Grant(ctx context.Context, g Grant) error {
	if err := a.validGrant(g); err != nil {
		return err
	}
	rule := []string{g.Subject, g.Role, g.Unit}
	a.writeMu.Lock()
	defer a.writeMu.Unlock()
	if err := a.adapter.AddPolicyCtx(ctx, "g", "g", rule); err != nil {
		return fmt.Errorf("grant %s %s on %s: %w", g.Subject, g.Role, g.Unit, err)
	}
	return a.locked(func(e *casbin.Enforcer) error {
		if _, err := e.AddGroupingPolicy(rule); err != nil {
			return fmt.Errorf("grant %s %s on %s: %w", g.Subject, g.Role, g.Unit, err)
		}
		return nil
	})
}

func (a *Authorizer) validGrant(g Grant) error {
	switch {
	case g.Subject == "" || isRole(g.Subject):
		return fmt.Errorf("grant: invalid subject %q", g.Subject)
	case !isRole(g.Role):
		return fmt.Errorf("grant: unknown role %q", g.Role)
	case !a.knownUnit(g.Unit):
		return fmt.Errorf("grant %s on %q: %w", g.Role, g.Unit, ErrUnknownUnit)
	}
	return nil
}

// Allowed reports whether sub may perform action on an object (a case, a
// unit, an account) that belongs to unit. An unknown action is an error, so
// a misspelt check fails closed.
func (a *Authorizer) Allowed(sub, action, unit string) (bool, error) {
	if !knownActions[action] {
		return false, fmt.Errorf("authorize: unknown action %q", action)
	}
	if sub == "" || isRole(sub) || unit == "" {
		return false, nil
	}
	ok, err := a.enf.Enforce(sub, unit, action)
	if err != nil {
		return false, fmt.Errorf("authorize %s %s on %s: %w", sub, action, unit, err)
	}
	return ok, nil
}

// Roles returns the grants held by sub, sorted by unit then role.
func (a *Authorizer) Roles(sub string) ([]Grant, error) {
	rules, err := a.enf.GetFilteredGroupingPolicy(0, sub)
	if err != nil {
		return nil, fmt.Errorf("roles of %s: %w", sub, err)
	}
	out := make([]Grant, 0, len(rules))
	for _, r := range rules {
		if len(r) == 3 && r[0] == sub {
			out = append(out, Grant{Subject: r[0], Role: r[1], Unit: r[2]})
		}
	}
	slices.SortFunc(out, func(x, y Grant) int {
		if x.Unit != y.Unit {
			if x.Unit < y.Unit {
				return -1
			}
			return 1
		}
		switch {
		case x.Role < y.Role:
			return -1
		case x.Role > y.Role:
			return 1
		}
		return 0
	})
	return out, nil
}

// RoleGrants returns the roles granted to sub, as the graph shows them
// (schema.Authorizer). A failure to read them is logged and answered with
// none, so that nothing is allowed on it.
func (a *Authorizer) RoleGrants(sub string) []schema.RoleGrant {
	gs, err := a.Roles(sub)
	if err != nil {
		slog.Error("authorization: roles unreadable; answering none", "subject", sub, "err", err)
		return nil
	}
	out := make([]schema.RoleGrant, len(gs))
	for i, g := range gs {
		out[i] = schema.RoleGrant{Role: g.Role, Unit: g.Unit}
	}
	return out
}

// VisibleUnits returns, sorted, every unit id where sub may perform action:
// the whole subtree of each grant whose role allows it. Lists and statistics
// filter on it. A failure to read the policy is logged and leaves out what
// it concerns, so that it shows less, never more.
func (a *Authorizer) VisibleUnits(sub, action string) []string {
	if sub == "" || isRole(sub) {
		return nil
	}
	grants, err := a.Roles(sub)
	if err != nil {
		slog.Error("authorization: roles unreadable; no unit visible", "subject", sub, "action", action, "err", err)
		return nil
	}
	t := a.tree.Load()
	seen := map[string]bool{}
	var out []string
	for _, g := range grants {
		ok, err := a.enf.HasPolicy(g.Role, action)
		if err != nil {
			slog.Error("authorization: policy unreadable; grant left out", "subject", sub, "role", g.Role, "action", action, "err", err)
			continue
		}
		if !ok {
			continue
		}
		for _, u := range t.Subtree(g.Unit) {
			if !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Subtree returns unit and every unit below it in the current hierarchy.
func (a *Authorizer) Subtree(unit string) []string {
	return a.tree.Load().Subtree(unit)
}

// knownUnit reports whether unit is in the current hierarchy.
func (a *Authorizer) knownUnit(unit string) bool {
	_, ok := a.tree.Load().Unit(unit)
	return ok
}

// syncPermissions makes the p rules in casbin_rule equal the permissions
// table, touching the table only when they differ.
func syncPermissions(ctx context.Context, pool *pgxpool.Pool) error {
	want := map[[2]string]bool{}
	for _, p := range permissions {
		for _, r := range p.roles {
			want[[2]string{r, p.action}] = true
		}
	}
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(permissionsLockKey)); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, v0, v1, v2 || v3 || v4 || v5 FROM casbin_rule WHERE ptype = 'p'`)
		if err != nil {
			return err
		}
		have := map[[2]string]bool{}
		var stale []int64
		for rows.Next() {
			var id int64
			var role, action, rest string
			if err := rows.Scan(&id, &role, &action, &rest); err != nil {
				rows.Close()
				return err
			}
			k := [2]string{role, action}
			if !want[k] || rest != "" || have[k] {
				stale = append(stale, id)
				continue
			}
			have[k] = true
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(stale) > 0 {
			if _, err := tx.Exec(ctx, "DELETE FROM casbin_rule WHERE id = ANY($1)", stale); err != nil {
				return err
			}
		}
		var missing [][]any
		for _, p := range permissions {
			for _, r := range p.roles {
				if !have[[2]string{r, p.action}] {
					row, err := ruleRow("p", []string{r, p.action})
					if err != nil {
						return err
					}
					missing = append(missing, row)
				}
			}
		}
		return insertRules(ctx, tx, missing)
	})
	if err != nil {
		return fmt.Errorf("store permissions: %w", err)
	}
	return nil
}

// reloader reloads the policy once per kick until ctx ends.
func (a *Authorizer) reloader(ctx context.Context, kick <-chan struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-kick:
			if err := a.Reload(ctx); err != nil && ctx.Err() == nil {
				slog.Warn("authorization: policy reload failed; keeping the previous policy", "err", err)
			}
		}
	}
}

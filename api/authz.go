package api

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
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
	// RoleClerk is the văn thư (issue 16): reads the cases of its units,
	// their letters and case files, and sends no case command; where the
	// unit numbers by hand, the clerk reads the letters to enter them in
	// the office's register.
	RoleClerk = "CLERK"
	// RolePublic is the role of incident.PublicSubject, the subject the
	// citizens' report form reports as (issue 18): it reports in the units
	// it is granted and joins a report to an open case there, and reads
	// nothing. It is no person's role: not in AllRoles, and granted only to
	// that subject, which holds no other (the seed file or `casetrail user
	// grant public --role PUBLIC` name the units that take public reports).
	RolePublic = "PUBLIC"
)

// permissions is the role × action table (docs/ARCHITECTURE.md, "Lifecycle"), the one place it is
// written down: each action (the command names and incident's Action*, all
// of incident.Actions and nothing else: TestPermissionsCoverActions) with
// the roles that may perform it. Every grant is scoped to a unit and its
// sub-units, so "REPORTER (own unit)" is the reporter's grant like any
// other. The table is copied into casbin_rule as p rules when an
// Authorizer starts. Units and grants change through the administration
// (manageUnits, manageUsers: ADMIN within its subtree), the seed file and
// the command line, each change an event of the admin stream.
var permissions = []struct {
	action string
	roles  []string
}{
	{incident.CmdReportIncident, []string{RoleReporter, RoleHandler, RoleLeader, RolePublic}},
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
	{incident.CmdCompleteTask, []string{RoleHandler, RoleLeader}},
	{incident.CmdWaiveTask, []string{RoleLeader}},
	{incident.ActionReadCase, []string{RoleReporter, RoleHandler, RoleLeader, RoleAuditor, RoleClerk}},
	{incident.ActionReadHistory, []string{RoleHandler, RoleLeader, RoleAuditor}},
	{incident.ActionReadStats, []string{RoleHandler, RoleLeader, RoleAuditor}},
	{incident.ActionReadOfficialAccounts, []string{RoleReporter, RoleHandler, RoleLeader, RoleAuditor, RoleAdmin}},
	{incident.ActionRegisterOfficialAccount, []string{RoleAdmin}},
	{incident.ActionReadAdminHistory, []string{RoleAuditor, RoleAdmin}},
	{incident.ActionReadPeriodicReport, []string{RoleLeader, RoleAuditor}},
	{incident.ActionManageUnits, []string{RoleAdmin}},
	{incident.ActionManageUsers, []string{RoleAdmin}},
	{incident.ActionReadCaseFile, []string{RoleLeader, RoleAuditor, RoleClerk}},
	// The roles of readCase, and PUBLIC (TestJoinCaseRoles).
	{incident.ActionJoinCase, []string{RoleReporter, RoleHandler, RoleLeader, RoleAuditor, RoleClerk, RolePublic}},
	{incident.ActionReadPublicReporters, []string{RoleHandler, RoleLeader}},
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
	return []string{RoleReporter, RoleHandler, RoleLeader, RoleAuditor, RoleAdmin, RoleClerk}
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

// isRoleName reports whether s names a role, RolePublic included: no
// subject may be called so.
func isRoleName(s string) bool { return isRole(s) || s == RolePublic }

// errPublicGrant: RolePublic granted to another subject than
// incident.PublicSubject, or another role granted to it.
var errPublicGrant = errors.New("the role PUBLIC is the public subject's alone")

// Grant gives Subject the Role in Unit and all of the unit's sub-units.
type Grant struct {
	Subject string
	Role    string
	Unit    string
}

// ErrUnknownUnit is returned by Grant for a unit that is not in the unit tree.
var ErrUnknownUnit = errors.New("unknown unit")

// ErrNoGrant is returned by Revoke for a grant the policy does not hold.
var ErrNoGrant = errors.New("no such grant")

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
// tree change applies under its write lock, so a decision made after Grant,
// Revoke or SetUnits returns sees it. Other instances learn of changes (also
// of rules changed in the table itself) through PostgreSQL NOTIFY (a trigger
// on casbin_rule) and reload; with FollowUnits they also reload the unit
// tree when the registry's units change. An Authorizer is safe for
// concurrent use; call Close when done.
type Authorizer struct {
	adapter *Adapter
	enf     *casbin.SyncedEnforcer
	tree    atomic.Pointer[incident.UnitTree] // immutable snapshots

	writeMu sync.Mutex // serializes Grant, Revoke, SetUnits and reloads

	pool      *pgxpool.Pool
	watchCtx  context.Context // ends at Close
	following atomic.Bool     // FollowUnits was called
	cancel    context.CancelFunc
	wg        sync.WaitGroup
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
	a := &Authorizer{adapter: NewAdapter(pool), enf: enf, pool: pool}
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
	a.watchCtx, a.cancel = wctx, cancel
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

// Revoke removes g from the database and from the enforcer: a decision made
// after Revoke returns no longer sees it (the enforcer's write lock), and
// the other instances reload on the NOTIFY of casbin_rule. A grant the
// database does not hold is ErrNoGrant (it is dropped from memory too, in
// case this instance had not reloaded yet). Recording the revocation on the
// admin stream is the caller's (readmodel.Admin.RevokeRole, the seed).
func (a *Authorizer) Revoke(ctx context.Context, g Grant) error {
	rule := []string{g.Subject, g.Role, g.Unit}
	a.writeMu.Lock()
	defer a.writeMu.Unlock()
	tag, err := a.pool.Exec(ctx, `DELETE FROM casbin_rule WHERE ptype = 'g' AND v0 = $1 AND v1 = $2 AND v2 = $3
		AND v3 = '' AND v4 = '' AND v5 = ''`, g.Subject, g.Role, g.Unit)
	if err != nil {
		return fmt.Errorf("revoke %s %s on %s: %w", g.Subject, g.Role, g.Unit, err)
	}
	err = a.locked(func(e *casbin.Enforcer) error {
		if _, err := e.RemoveGroupingPolicy(rule); err != nil {
			return fmt.Errorf("revoke %s %s on %s: %w", g.Subject, g.Role, g.Unit, err)
		}
		// Casbin's incremental unlinking also drops the subject's links in
		// sub-units that hold a grant of their own; rebuild from the rules.
		return e.BuildRoleLinks()
	})
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("revoke %s %s on %s: %w", g.Subject, g.Role, g.Unit, ErrNoGrant)
	}
	return nil
}

// The methods below are the policy as the administration
// (readmodel.Admin's Grants) and the graph see it: plain strings, and
// *incident.Error for what the caller can fix.

// CheckGrant returns nil when Grant would accept the grant of role on unit
// to subject; an unknown role or unit and a subject that is empty or a
// role's name are BAD_USER_INPUT.
func (a *Authorizer) CheckGrant(subject, role, unit string) error {
	err := a.validGrant(Grant{Subject: subject, Role: role, Unit: unit})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrUnknownUnit):
		return incident.BadInput("unit", "unit %s does not exist", unit)
	case errors.Is(err, errPublicGrant):
		return incident.BadInput("role", "%s is the role of the subject %q alone, which holds no other", RolePublic, incident.PublicSubject)
	case !isRole(role):
		return incident.BadInput("role", "unknown role %q (one of %s)", role, strings.Join(AllRoles(), ", "))
	}
	return incident.BadInput("subject", "%q cannot hold a role", subject)
}

// GrantRole is Grant of role on unit to subject, refused as CheckGrant
// says.
func (a *Authorizer) GrantRole(ctx context.Context, subject, role, unit string) error {
	if err := a.CheckGrant(subject, role, unit); err != nil {
		return err
	}
	return a.Grant(ctx, Grant{Subject: subject, Role: role, Unit: unit})
}

// RevokeRole is Revoke of role on unit from subject; a grant the database
// does not hold is BAD_USER_INPUT.
func (a *Authorizer) RevokeRole(ctx context.Context, subject, role, unit string) error {
	err := a.Revoke(ctx, Grant{Subject: subject, Role: role, Unit: unit})
	if errors.Is(err, ErrNoGrant) {
		return incident.BadInput("role", "%s does not hold %s on %s", subject, role, unit)
	}
	return err
}

// HasGrant reports whether the database holds the grant of role on unit
// itself (not through an ancestor) to subject: the stored policy, which
// another instance may have changed a moment ago, not this one's memory.
func (a *Authorizer) HasGrant(ctx context.Context, subject, role, unit string) (bool, error) {
	var ok bool
	err := a.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM casbin_rule WHERE ptype = 'g' AND v0 = $1 AND v1 = $2 AND v2 = $3)`,
		subject, role, unit).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("grant of %s %s on %s: %w", subject, role, unit, err)
	}
	return ok, nil
}

// HoldsGrants reports whether the database holds any grant to subject.
func (a *Authorizer) HoldsGrants(ctx context.Context, subject string) (bool, error) {
	var ok bool
	err := a.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM casbin_rule WHERE ptype = 'g' AND v0 = $1)`, subject).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("grants of %s: %w", subject, err)
	}
	return ok, nil
}

// UnitsChannel is the PostgreSQL NOTIFY channel raised (by the trigger of
// eventstore/readmodel's migration 008) after every statement that changes
// the registry's units; Authorizers that follow the units (FollowUnits)
// reload their tree on it.
const UnitsChannel = "casetrail_units"

// FollowUnits sets the unit hierarchy from load (the registry's units) now,
// and again whenever the units change in the database (NOTIFY on
// UnitsChannel, from any process) until Close. A failed reload is logged
// and leaves the previous hierarchy. It may be called once.
func (a *Authorizer) FollowUnits(ctx context.Context, load func(context.Context) ([]incident.Unit, error)) error {
	if !a.following.CompareAndSwap(false, true) {
		return errors.New("follow units: already following")
	}
	// Listen before the first load so that no change can slip in between.
	conn, err := listen(ctx, a.pool, UnitsChannel, "unit changes")
	if err != nil {
		return err
	}
	units, err := load(ctx)
	if err == nil {
		err = a.SetUnits(units)
	}
	if err != nil {
		conn.Close(context.Background())
		return err
	}
	kick := make(chan struct{}, 1)
	a.wg.Add(2)
	go func() { defer a.wg.Done(); watch(a.watchCtx, a.pool, UnitsChannel, "unit changes", conn, kick) }()
	go func() {
		defer a.wg.Done()
		for {
			select {
			case <-a.watchCtx.Done():
				return
			case <-kick:
				units, err := load(a.watchCtx)
				if err == nil {
					err = a.SetUnits(units)
				}
				if err != nil && a.watchCtx.Err() == nil {
					slog.Warn("authorization: unit reload failed; keeping the previous units", "err", err)
				}
			}
		}
	}()
	return nil
}

func (a *Authorizer) validGrant(g Grant) error {
	switch {
	case g.Subject == "" || isRoleName(g.Subject):
		return fmt.Errorf("grant: invalid subject %q", g.Subject)
	case (g.Role == RolePublic) != (g.Subject == incident.PublicSubject):
		return fmt.Errorf("grant %s to %s: %w", g.Role, g.Subject, errPublicGrant)
	case !isRole(g.Role) && g.Role != RolePublic:
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
	if sub == "" || isRoleName(sub) || unit == "" {
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
	if sub == "" || isRoleName(sub) {
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

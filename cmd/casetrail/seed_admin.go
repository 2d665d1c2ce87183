package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"casetrail/api"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
	"casetrail/web"
)

// The seed file as the administration's first actor (issue 15): its
// grants and official accounts are recorded on the admin stream with actor
// "seed" like every change, and it does not undo what an admin changed
// since.

// seedActor is the actor of the changes the seed file makes.
const seedActor = "seed"

// seedChange is the actor and reason of the seed's changes.
func (a *app) seedChange() readmodel.Change {
	return readmodel.Change{Actor: seedActor, Reason: "seed file " + a.cfg.SeedPath}
}

// seedGrants gives the seed's grants that the policy lacks, each recorded
// as RoleGranted (checked and recorded under the admin lock, so processes
// starting together record each once), and revokes the grants the seed
// gave before but no longer lists: those whose last event on the admin
// stream is a RoleGranted by the seed, each recorded as RoleRevoked by the
// seed. A grant an admin made (or made again) is never revoked here.
func (a *app) seedGrants(ctx context.Context, ch readmodel.Change, grants []SeedGrant) error {
	listed := make(map[readmodel.RoleGrant]bool, len(grants))
	for _, g := range grants {
		rg := readmodel.RoleGrant{Subject: g.Subject, Role: g.Role, Unit: g.Unit}
		listed[rg] = true
		check := func(ctx context.Context) error {
			if err := a.authz.CheckGrant(g.Subject, g.Role, g.Unit); err != nil {
				return err
			}
			held, err := a.authz.HasGrant(ctx, g.Subject, g.Role, g.Unit)
			if err == nil && held {
				return readmodel.ErrUnchanged
			}
			return err
		}
		grant := func(ctx context.Context) error {
			return a.authz.Grant(ctx, api.Grant{Subject: g.Subject, Role: g.Role, Unit: g.Unit})
		}
		if err := a.registry.ChangeGrant(ctx, ch, rg, false, check, grant); err != nil {
			return fmt.Errorf("seed grant (line %d): %w", g.line, err)
		}
	}
	states, err := a.registry.GrantStates(ctx)
	if err != nil {
		return err
	}
	for _, st := range states {
		if st.Revoked || st.Actor != seedActor || listed[st.RoleGrant] {
			continue
		}
		g := st.RoleGrant
		revoke := func(ctx context.Context) error {
			// Already gone from the policy (removed by hand): the event
			// still says the seed took it back.
			if err := a.authz.Revoke(ctx, api.Grant{Subject: g.Subject, Role: g.Role, Unit: g.Unit}); err != nil && !errors.Is(err, api.ErrNoGrant) {
				return err
			}
			return nil
		}
		// Checked again under the lock: another process starting on the
		// same seed may have revoked it meanwhile.
		still := func(ctx context.Context) error {
			now, err := a.registry.GrantStates(ctx)
			if err != nil {
				return err
			}
			for _, s := range now {
				if s.RoleGrant == g && (s.Revoked || s.Actor != seedActor) {
					return readmodel.ErrUnchanged
				}
			}
			return nil
		}
		if err := a.registry.ChangeGrant(ctx, ch, g, true, still, revoke); err != nil {
			return fmt.Errorf("seed: revoke %s %s on %s (no longer in the seed file): %w", g.Subject, g.Role, g.Unit, err)
		}
		a.log.Info("seed: grant revoked, no longer in the seed file", "subject", g.Subject, "role", g.Role, "unit", g.Unit)
	}
	return nil
}

// seedAccounts registers the seed's official accounts, except those whose
// URL was registered before (by the seed or by an admin): an account an
// admin has since moved to another URL or disabled is not registered again.
func (a *app) seedAccounts(ctx context.Context, ch readmodel.Change, accounts []SeedAccount) error {
	if len(accounts) == 0 {
		return nil
	}
	recs, err := a.registry.AdminHistory(ctx, 0, 0)
	if err != nil {
		return err
	}
	registered := map[string]bool{}
	for _, rec := range recs {
		if rec.Type != readmodel.TypeOfficialAccountRegistered {
			continue
		}
		var r readmodel.AccountRegistered
		if err := json.Unmarshal(rec.Data, &r); err != nil {
			return fmt.Errorf("seed official accounts: admin stream v%d: %w", rec.Version, err)
		}
		registered[r.NormalizedURL] = true
	}
	for _, o := range accounts {
		if norm, err := incident.NormalizeURL(o.URL); err == nil && registered[norm] {
			continue
		}
		if _, err := a.registry.RegisterOfficialAccount(ctx, ch, o.Unit, o.Platform, o.URL, o.DisplayName); err != nil {
			return fmt.Errorf("seed official account (line %d): %w", o.line, err)
		}
	}
	return nil
}

// admin is the administration of this process: the registry, the
// authorizer's policy and the web interface's users (readmodel.Admin),
// what the GraphQL mutations and the command line go through.
func (a *app) admin() *readmodel.Admin {
	return readmodel.NewAdmin(a.registry, a.authz, web.NewUserAdmin(a.store.Pool()))
}

package api

import (
	"context"
	"errors"
	"testing"
	"time"

	"casetrail/eventstore"
	"casetrail/eventstore/pgtest"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// TestRevokeDeniesImmediately: a decision made after Revoke returns no
// longer sees the grant (on the unit and below), a grant of the subject on
// a sub-unit stays, and revoking a grant the policy does not hold is
// ErrNoGrant (BAD_USER_INPUT through RevokeRole).
func TestRevokeDeniesImmediately(t *testing.T) {
	a := newTestAuthorizer(t, newTestPool(t))
	ctx := context.Background()
	district, commune := "lai-chau/tan-uyen", "lai-chau/tan-uyen/xa-phuc-khoa"
	wide := Grant{Subject: "handler1", Role: RoleHandler, Unit: district}
	narrow := Grant{Subject: "handler1", Role: RoleHandler, Unit: commune}
	for _, g := range []Grant{wide, narrow} {
		if err := a.Grant(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	if !mustAllowed(t, a, "handler1", incident.CmdTriageCase, district) {
		t.Fatal("not allowed before the revocation")
	}
	if err := a.Revoke(ctx, wide); err != nil {
		t.Fatal(err)
	}
	if mustAllowed(t, a, "handler1", incident.CmdTriageCase, district) {
		t.Error("still allowed on the district right after the revocation")
	}
	if !mustAllowed(t, a, "handler1", incident.CmdTriageCase, commune) {
		t.Error("the grant on the commune went with the district's")
	}
	if held, err := a.HasGrant(ctx, "handler1", RoleHandler, district); err != nil || held {
		t.Errorf("stored after the revocation: %v %v", held, err)
	}
	if err := a.Revoke(ctx, wide); !errors.Is(err, ErrNoGrant) {
		t.Errorf("revoked twice: %v", err)
	}
	if err := a.RevokeRole(ctx, "handler1", RoleHandler, district); incident.ErrorCode(err) != incident.CodeBadUserInput {
		t.Errorf("RevokeRole of a missing grant: %v", err)
	}
	if held, err := a.HoldsGrants(ctx, "handler1"); err != nil || !held {
		t.Errorf("holds grants: %v %v", held, err)
	}
	if held, err := a.HoldsGrants(ctx, "nobody"); err != nil || held {
		t.Errorf("nobody holds grants: %v %v", held, err)
	}
}

// TestCheckGrant: what GrantRole refuses, as BAD_USER_INPUT naming the
// argument.
func TestCheckGrant(t *testing.T) {
	a := newTestAuthorizer(t, newTestPool(t))
	for _, tc := range []struct{ subject, role, unit, field string }{
		{"handler1", RoleHandler, "lai-chau", ""},
		{"handler1", "OWNER", "lai-chau", "role"},
		{"handler1", RoleHandler, "ha-giang", "unit"},
		{RoleAdmin, RoleHandler, "lai-chau", "subject"},
		{"", RoleHandler, "lai-chau", "subject"},
	} {
		err := a.CheckGrant(tc.subject, tc.role, tc.unit)
		var de *incident.Error
		if tc.field == "" && err != nil || tc.field != "" && (!errors.As(err, &de) || de.Code != incident.CodeBadUserInput || de.Field != tc.field) {
			t.Errorf("%+v: %v; want field %q", tc, err, tc.field)
		}
		if tc.field != "" {
			if err := a.GrantRole(context.Background(), tc.subject, tc.role, tc.unit); incident.ErrorCode(err) != incident.CodeBadUserInput {
				t.Errorf("GrantRole %+v: %v", tc, err)
			}
		}
	}
}

// TestRevocationPropagates: two API instances on one database; a
// revocation made through one is seen by the other after the NOTIFY
// reload.
func TestRevocationPropagates(t *testing.T) {
	pool := newTestPool(t)
	a1, a2 := newTestAuthorizer(t, pool), newTestAuthorizer(t, pool)
	ctx := context.Background()
	g := Grant{Subject: "leader1", Role: RoleLeader, Unit: "lai-chau/tan-uyen"}
	if err := a1.Grant(ctx, g); err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, "the grant on the second instance", func() error {
		if !mustAllowed(t, a2, "leader1", incident.CmdCloseCase, "lai-chau/tan-uyen") {
			return errors.New("not allowed yet")
		}
		return nil
	})
	if err := a1.Revoke(ctx, g); err != nil {
		t.Fatal(err)
	}
	if mustAllowed(t, a1, "leader1", incident.CmdCloseCase, "lai-chau/tan-uyen") {
		t.Fatal("allowed on the revoking instance after Revoke returned")
	}
	eventually(t, 15*time.Second, "the revocation on the second instance", func() error {
		if mustAllowed(t, a2, "leader1", incident.CmdCloseCase, "lai-chau/tan-uyen") {
			return errors.New("still allowed")
		}
		return nil
	})
}

// TestFollowUnits: an Authorizer following the registry's units reloads
// its tree when another process changes them (the units table's NOTIFY):
// a grant on a district covers a commune created afterwards, and stops
// covering one moved elsewhere.
func TestFollowUnits(t *testing.T) {
	ctx := context.Background()
	store, err := eventstore.Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	pool := store.Pool()
	if err := readmodel.EnsureSchema(ctx, pool); err != nil {
		t.Fatal(err)
	}
	reg := readmodel.NewRegistry(pool)
	if err := reg.UpsertUnits(ctx, testUnits); err != nil {
		t.Fatal(err)
	}
	a := newTestAuthorizer(t, pool)
	if err := a.FollowUnits(ctx, reg.Units); err != nil {
		t.Fatal(err)
	}
	if err := a.FollowUnits(ctx, reg.Units); err == nil {
		t.Error("followed twice")
	}
	if err := a.Grant(ctx, Grant{Subject: "handler1", Role: RoleHandler, Unit: "lai-chau/tan-uyen"}); err != nil {
		t.Fatal(err)
	}
	// Another process (here: this test, through the registry) adds a
	// commune whose id does not share the district's prefix.
	newCommune := incident.Unit{ID: "xa-ta-mit", Name: "Xã Tà Mít", Parent: "lai-chau/tan-uyen"}
	if err := reg.UpsertUnit(ctx, newCommune); err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, "the new commune in the tree", func() error {
		if !mustAllowed(t, a, "handler1", incident.CmdTriageCase, newCommune.ID) {
			return errors.New("not covered yet")
		}
		return nil
	})
	newCommune.Parent = "lai-chau/than-uyen"
	if err := reg.UpsertUnit(ctx, newCommune); err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, "the moved commune out of the grant", func() error {
		if mustAllowed(t, a, "handler1", incident.CmdTriageCase, newCommune.ID) {
			return errors.New("still covered")
		}
		return nil
	})
}

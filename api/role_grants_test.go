package api

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/eventstore/pgtest"
)

// TestGrantsOf lists every grant of a role, revoked ones gone, other roles
// left out.
func TestGrantsOf(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	a := newTestAuthorizer(t, pool)
	for _, g := range []Grant{
		{"leader2", RoleLeader, "lai-chau/tan-uyen/xa-phuc-khoa"},
		{"leader1", RoleLeader, "lai-chau/tan-uyen"},
		{"leader1", RoleLeader, "lai-chau"},
		{"handler1", RoleHandler, "lai-chau/tan-uyen"},
		{"gone", RoleLeader, "lai-chau/than-uyen"},
	} {
		if err := a.Grant(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Revoke(ctx, Grant{"gone", RoleLeader, "lai-chau/than-uyen"}); err != nil {
		t.Fatal(err)
	}
	got, err := a.GrantsOf(RoleLeader)
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprint(got); s != "[{leader1 LEADER lai-chau} {leader1 LEADER lai-chau/tan-uyen} {leader2 LEADER lai-chau/tan-uyen/xa-phuc-khoa}]" {
		t.Errorf("GrantsOf(LEADER) = %s", s)
	}
}

package api

import (
	"context"
	"errors"
	"slices"
	"testing"

	"casetrail/incident"
)

// TestPublicRole: the subject of the citizens' report form, granted PUBLIC
// on a district, may report and join a report to a case there, and do
// nothing else anywhere: no read, no command.
func TestPublicRole(t *testing.T) {
	a := newTestAuthorizer(t, newTestPool(t))
	ctx := context.Background()
	if err := a.Grant(ctx, Grant{Subject: incident.PublicSubject, Role: RolePublic, Unit: "lai-chau/tan-uyen"}); err != nil {
		t.Fatal(err)
	}
	for _, action := range Actions() {
		for _, unit := range []string{"lai-chau/tan-uyen", "lai-chau/tan-uyen/xa-phuc-khoa", "lai-chau", "lai-chau/than-uyen"} {
			inside := unit != "lai-chau" && unit != "lai-chau/than-uyen"
			want := inside && (action == incident.CmdReportIncident || action == incident.ActionJoinCase)
			if got := mustAllowed(t, a, incident.PublicSubject, action, unit); got != want {
				t.Errorf("public %s on %s: %v, want %v", action, unit, got, want)
			}
		}
		if got := a.VisibleUnits(incident.PublicSubject, action); (action == incident.ActionReadCase || action == incident.ActionReadStats) && len(got) > 0 {
			t.Errorf("public sees %v for %s", got, action)
		}
	}
	// The role name is no subject.
	if mustAllowed(t, a, RolePublic, incident.CmdReportIncident, "lai-chau/tan-uyen") {
		t.Error("the subject PUBLIC is allowed")
	}
	if slices.Contains(AllRoles(), RolePublic) {
		t.Error("PUBLIC is among the roles people hold")
	}
}

// TestPublicGrantRefusals: PUBLIC goes to the public subject alone, which
// holds no other role, and no subject is named after it.
func TestPublicGrantRefusals(t *testing.T) {
	a := newTestAuthorizer(t, newTestPool(t))
	ctx := context.Background()
	for _, g := range []Grant{
		{Subject: "handler1", Role: RolePublic, Unit: "lai-chau"},
		{Subject: incident.PublicSubject, Role: RoleHandler, Unit: "lai-chau"},
		{Subject: incident.PublicSubject, Role: RoleReporter, Unit: "lai-chau"},
		{Subject: RolePublic, Role: RoleHandler, Unit: "lai-chau"},
	} {
		if err := a.Grant(ctx, g); err == nil {
			t.Errorf("%+v granted", g)
		}
		var de *incident.Error
		if err := a.CheckGrant(g.Subject, g.Role, g.Unit); !errors.As(err, &de) || de.Code != incident.CodeBadUserInput {
			t.Errorf("CheckGrant %+v: %v", g, err)
		}
	}
	if err := a.CheckGrant(incident.PublicSubject, RolePublic, "lai-chau"); err != nil {
		t.Errorf("CheckGrant of PUBLIC to public: %v", err)
	}
	if err := a.CheckGrant(incident.PublicSubject, RolePublic, "nowhere"); err == nil {
		t.Error("PUBLIC on an unknown unit")
	}
	if roles, err := a.Roles(incident.PublicSubject); err != nil || len(roles) != 0 {
		t.Errorf("roles after the refusals: %v %v", roles, err)
	}
}

// TestJoinCaseRoles: a report may join an open case of the units whose
// cases its reporter reads, and the public form's may join too.
func TestJoinCaseRoles(t *testing.T) {
	want := append(RolesAllowed(incident.ActionReadCase), RolePublic)
	if got := RolesAllowed(incident.ActionJoinCase); !slices.Equal(got, want) {
		t.Errorf("joinCase roles %v, want readCase's and PUBLIC: %v", got, want)
	}
	if !slices.Contains(RolesAllowed(incident.CmdReportIncident), RolePublic) {
		t.Error("PUBLIC may not report")
	}
}

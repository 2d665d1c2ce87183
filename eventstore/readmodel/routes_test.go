package readmodel

import (
	"context"
	"errors"
	"testing"

	"casetrail/incident"
)

// TestUnitEscalationRoutes: a unit's routes by kind are stored and read
// back with it, and a route naming a unit that does not exist is
// BAD_USER_INPUT on escalationRoutes with nothing written.
func TestUnitEscalationRoutes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	routes := incident.RoutesOf(map[incident.Kind][]incident.Recipient{
		incident.AccountCompromised: {
			{Unit: "lai-chau/so-vhttdl", Role: incident.RecipientAddressee},
			{Unit: "lai-chau/cong-an", Role: incident.RecipientCoordination},
		},
	})
	ward := incident.Unit{ID: "lai-chau/phuong-tan-phong", Name: "UBND phường Tân Phong", Parent: "lai-chau",
		EscalatesTo: "lai-chau/so-vhttdl", EscalationRoutes: routes}
	if err := e.reg.UpsertUnits(ctx, []incident.Unit{
		ward,
		{ID: "lai-chau", Name: "Tỉnh Lai Châu"},
		{ID: "lai-chau/so-vhttdl", Name: "Sở VHTTDL", Parent: "lai-chau"},
		{ID: "lai-chau/cong-an", Name: "Công an tỉnh", Parent: "lai-chau"},
	}); err != nil {
		t.Fatal(err)
	}
	got, err := e.reg.Unit(ctx, ward.ID)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "unit with routes", got, ward)
	units, err := e.reg.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := incident.NewUnitTree(units).EscalationRecipients(ward.ID, incident.AccountCompromised); len(r) != 2 || r[1].Unit != "lai-chau/cong-an" {
		t.Errorf("recipients from the stored tree = %v", r)
	}

	bad := ward
	bad.EscalationRoutes = incident.RoutesOf(map[incident.Kind][]incident.Recipient{
		incident.Impersonation: {{Unit: "lai-chau/so-vhttdl"}, {Unit: "ha-noi/cong-an"}},
	})
	if err := e.reg.UpsertUnits(ctx, []incident.Unit{bad}); codeOf(err) != incident.CodeBadUserInput || errField(err) != "escalationRoutes" {
		t.Fatalf("route to an unknown unit: %v", err)
	}
	if got, _ := e.reg.Unit(ctx, ward.ID); got != ward {
		t.Errorf("a refused change was written: %+v", got)
	}
}

// errField is the field a domain error names.
func errField(err error) string {
	var de *incident.Error
	if errors.As(err, &de) {
		return de.Field
	}
	return ""
}

package main

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"casetrail/incident"
)

// TestSeedEscalationRoutes: the demo seed routes account takeovers of the
// ward to the department, the police and (for information) the science
// department, and every other kind to the department; the file's routes
// are checked like its other unit references.
func TestSeedEscalationRoutes(t *testing.T) {
	s := demoSeed(t)
	tree := incident.NewUnitTree(s.Units)
	const ward = "lai-chau/phuong-tan-phong"
	want := []incident.Recipient{
		{Unit: "lai-chau/so-vhttdl", Role: incident.RecipientAddressee},
		{Unit: "lai-chau/cong-an", Role: incident.RecipientCoordination},
		{Unit: "lai-chau/so-khcn", Role: incident.RecipientInformation},
	}
	if got := tree.EscalationRecipients(ward, incident.AccountCompromised); !reflect.DeepEqual(got, want) {
		t.Errorf("account takeover of the ward goes to %v, want %v", got, want)
	}
	if got := tree.EscalationRecipients(ward, incident.Impersonation); len(got) != 1 || got[0].Unit != "lai-chau/so-vhttdl" {
		t.Errorf("impersonation in the ward goes to %v, want the department alone", got)
	}
	if got := tree.EscalationTarget(ward); got != "lai-chau/so-vhttdl" {
		t.Errorf("the ward's escalation target = %q", got)
	}
	if err := tree.Check(); err != nil {
		t.Error(err)
	}

	cases := []struct{ name, yaml, want string }{
		{"dangling route", "units:\n  - {id: a, name: A, escalatesTo: {IMPERSONATION: [b, q]}}\n  - {id: b, name: B}\n",
			`line 2: unit "a": escalatesTo IMPERSONATION: "q" is not a unit of this file`},
		{"route to itself", "units:\n  - {id: a, name: A, escalatesTo: {IMPERSONATION: [a]}}\n", `unit "a": escalationRoutes: IMPERSONATION: a unit cannot escalate to itself`},
		{"unknown kind", "units:\n  - {id: a, name: A,\n     escalatesTo: {SPAM: [b]}}\n", `line 2: escalatesTo: "SPAM" is neither default nor an incident kind`},
		{"unknown role", "units:\n  - {id: a, name: A, escalatesTo: {IMPERSONATION: [b, {unit: c, role: CC}]}}\n", `unknown role "CC"`},
		{"dangling default", "units:\n  - {id: a, name: A, escalatesTo: {default: q}}\n", `escalatesTo "q" is not a unit of this file`},
	}
	for _, c := range cases {
		_, err := ParseSeed("seed.yaml", []byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

// TestSeedRoutesApplied: the demo seed's routes reach the registry, and
// applying the same seed again records nothing (the routes read back
// equal to the file's).
func TestSeedRoutesApplied(t *testing.T) {
	ctx := context.Background()
	a, _ := newSeedApp(t)
	data, err := os.ReadFile("../../config/demo-seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.applySeed(ctx, parseTestSeed(t, string(data))); err != nil {
		t.Fatal(err)
	}
	head := headVersion(t, a.registry)
	if err := a.applySeed(ctx, parseTestSeed(t, string(data))); err != nil {
		t.Fatal(err)
	}
	if got := adminTrail(t, a.registry, head); len(got) != 0 {
		t.Errorf("the same seed again recorded %v", got)
	}
	u, err := a.registry.Unit(ctx, "lai-chau/phuong-tan-phong")
	if err != nil {
		t.Fatal(err)
	}
	if r := u.EscalationRoutes.Route(incident.AccountCompromised); len(r) != 3 || r[1].Unit != "lai-chau/cong-an" || r[2].Role != incident.RecipientInformation {
		t.Errorf("stored routes of the ward: %+v", u.EscalationRoutes.Map())
	}
	if u.EscalatesTo != "lai-chau/so-vhttdl" {
		t.Errorf("stored escalatesTo of the ward: %q", u.EscalatesTo)
	}
}

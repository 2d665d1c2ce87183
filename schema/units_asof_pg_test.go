package schema_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"casetrail/eventstore"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// TestUnitsAsTheyWereOnPostgres (issue 17 §5): a case's past state shows
// its unit, the unit's parent and escalation target, and the escalation's
// addressee, with the names they had then; the case as it is now and
// caseAsOf after the renames show the new names; Unit.validFrom and
// Unit.validTo are the unit's creation and closing.
func TestUnitsAsTheyWereOnPostgres(t *testing.T) {
	e := newPGEnv(t)
	ctx := e.ctx
	store := eventstore.New(e.pool)

	// A case of Tân Uyên, escalated to the department, its events written
	// as the workflow writes them.
	id := uuid.NewString()
	var c incident.Case
	policy := incident.DefaultPolicy()
	step := func(actor string, cmd incident.Command) {
		t.Helper()
		at := time.Now()
		pays, err := incident.Decide(c, cmd, at, policy)
		if err != nil {
			t.Fatalf("%s: %v", cmd.Name(), err)
		}
		evs := make([]eventstore.EventData, len(pays))
		for i, p := range pays {
			data, err := incident.EncodePayload(p)
			if err != nil {
				t.Fatal(err)
			}
			evs[i] = eventstore.EventData{ID: uuid.NewString(), Type: p.EventType(), Data: data, Metadata: eventstore.Metadata{Actor: actor}, OccurredAt: at}
		}
		recs, err := store.Append(ctx, incident.StreamOf(id), c.Version, evs...)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			ev, err := readmodel.ToDomain(rec)
			if err != nil {
				t.Fatal(err)
			}
			if err := incident.Apply(&c, ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	step("handler1", incident.Report{CaseID: id, Number: "VV-2026-000001", ClientRequestID: uuid.NewString(), Kind: incident.FalseInformation,
		Unit: "lai-chau/tan-uyen", EscalatesTo: "lai-chau/so-vhttdl", Title: "Tin sai sự thật về Tân Uyên",
		Subjects: []incident.SubjectInput{{Platform: incident.Facebook, URL: "https://www.facebook.com/tin-gia-tan-uyen"}}})
	step("handler1", incident.Triage{Severity: incident.High, Assignee: "handler1"})
	step("handler1", incident.StartAnalysis{})
	step("handler1", incident.RecordAnalysis{Findings: "Sai sự thật", Verdict: incident.VerdictFalse})
	step("handler1", incident.RequestEscalation{Reason: "Cần cấp tỉnh xử lý"})
	if _, err := readmodel.NewProjector(store).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}

	before := time.Now()
	admin := readmodel.Change{Actor: "admin0", Reason: "Quyết định đổi tên"}
	for unit, name := range map[string]string{
		"lai-chau":           "UBND tỉnh Lai Châu",
		"lai-chau/tan-uyen":  "UBND huyện Tân Uyên",
		"lai-chau/so-vhttdl": "Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu",
	} {
		if _, err := e.reg.UpdateUnit(ctx, admin, unit, readmodel.UnitChange{Name: &name}); err != nil {
			t.Fatal(err)
		}
	}
	after := time.Now()

	const fields = `unit { name validFrom validTo parent { name } escalatesTo { name } } escalation { to { name } }`
	type names struct{ unit, parent, target, to string }
	read := func(data map[string]any, key string) names {
		t.Helper()
		cs, _ := data[key].(map[string]any)
		u, _ := cs["unit"].(map[string]any)
		name := func(m map[string]any, k string) string {
			v, _ := m[k].(map[string]any)
			s, _ := v["name"].(string)
			return s
		}
		esc, _ := cs["escalation"].(map[string]any)
		s, _ := u["name"].(string)
		return names{unit: s, parent: name(u, "parent"), target: name(u, "escalatesTo"), to: name(esc, "to")}
	}
	old := names{"Tân Uyên", "Tỉnh Lai Châu", "Sở Văn hóa, Thể thao và Du lịch", "Sở Văn hóa, Thể thao và Du lịch"}
	renamed := names{"UBND huyện Tân Uyên", "UBND tỉnh Lai Châu", "Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu", "Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu"}
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		key         string
		want        names
	}{
		{"caseAsOf before the renames", `query($id: ID!, $at: DateTime) { caseAsOf(id: $id, at: $at) { ` + fields + ` } }`,
			map[string]any{"id": id, "at": before.Format(time.RFC3339Nano)}, "caseAsOf", old},
		{"caseAsOf by version (its last event came before the renames)", `query($id: ID!, $v: Int) { caseAsOf(id: $id, version: $v) { ` + fields + ` } }`,
			map[string]any{"id": id, "v": c.Version}, "caseAsOf", old},
		{"caseAsOf after the renames", `query($id: ID!, $at: DateTime) { caseAsOf(id: $id, at: $at) { ` + fields + ` } }`,
			map[string]any{"id": id, "at": after.Format(time.RFC3339Nano)}, "caseAsOf", renamed},
		{"the case now", `query($id: ID!) { case(id: $id) { ` + fields + ` } }`, map[string]any{"id": id}, "case", renamed},
	} {
		data := e.ok("auditor1", tc.query, tc.vars)
		if got := read(data, tc.key); got != tc.want {
			t.Errorf("%s: %+v; want %+v", tc.name, got, tc.want)
		}
	}

	// validFrom: unknown for the seed's units, the creation for a unit
	// the administration created; validTo: the closing.
	created := e.ok("admin0", `mutation { createUnit(input: {id: "lai-chau/tan-uyen/xa-moi", name: "UBND xã Mới", parent: "lai-chau/tan-uyen"}, reason: "Thành lập") { validFrom validTo } }`, nil)
	cu, _ := created["createUnit"].(map[string]any)
	from, err := time.Parse(time.RFC3339Nano, fmt.Sprint(cu["validFrom"]))
	if err != nil || from.Before(after.Truncate(time.Second)) || from.After(time.Now()) || cu["validTo"] != nil {
		t.Fatalf("created: %v (%v); want validFrom its creation, validTo null", cu, err)
	}
	closed := e.ok("admin0", `mutation { closeUnit(id: "lai-chau/tan-uyen/xa-moi", successor: "lai-chau/tan-uyen", reason: "Sáp nhập") { closedAt validTo validFrom } }`, nil)
	cl, _ := closed["closeUnit"].(map[string]any)
	if cl["validTo"] == nil || cl["validTo"] != cl["closedAt"] || cl["validFrom"] != cu["validFrom"] {
		t.Fatalf("closed: %v; want validTo = closedAt", cl)
	}
	units := e.ok("auditor1", `{ units { id validFrom validTo } }`, nil)
	for _, u := range units["units"].([]any) {
		m := u.(map[string]any)
		if m["id"] == "lai-chau/tan-uyen" && (m["validFrom"] != nil || m["validTo"] != nil) {
			t.Errorf("a seed unit without dates: %v", m)
		}
	}
}

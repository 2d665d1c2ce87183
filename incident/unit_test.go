package incident_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// seedUnits are DESIGN.md's seed units plus traps: a child whose id does not
// share its parent's prefix, and a sibling whose id does.
var seedUnits = []incident.Unit{
	{ID: "lai-chau", Name: "Tỉnh Lai Châu"},
	{ID: "lai-chau/so-vhttdl", Name: "Sở Văn hóa, Thể thao và Du lịch", Parent: "lai-chau"},
	{ID: "lai-chau/tan-uyen", Name: "Tân Uyên", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl"},
	{ID: "lai-chau/tan-uyen/xa-phuc-khoa", Name: "UBND xã Phúc Khoa", Parent: "lai-chau/tan-uyen"},
	{ID: "phong-vhtt-tan-uyen", Name: "Phòng VHTT Tân Uyên", Parent: "lai-chau/tan-uyen"},
	{ID: "lai-chau/tan-uyen-moi", Name: "Prefix trap", Parent: "lai-chau"},
	{ID: "lai-chau/than-uyen", Name: "Than Uyên", Parent: "lai-chau"},
}

// looping has a cycle (a <-> b), a unit below it (c), a self-parent (s), a
// dangling parent (d) and a duplicate id (a again, ignored).
var looping = []incident.Unit{
	{ID: "a", Parent: "b"},
	{ID: "b", Parent: "a", EscalatesTo: "x"},
	{ID: "c", Parent: "a"},
	{ID: "s", Parent: "s"},
	{ID: "d", Parent: "nowhere", EscalatesTo: "y"},
	{ID: "e", Parent: "d"},
	{ID: "a", Name: "second a"},
}

func TestUnitTreeWithin(t *testing.T) {
	tree := incident.NewUnitTree(seedUnits)
	loop := incident.NewUnitTree(looping)
	cases := []struct {
		name         string
		tree         *incident.UnitTree
		id, ancestor string
		want         bool
	}{
		{"itself", tree, "lai-chau/tan-uyen", "lai-chau/tan-uyen", true},
		{"unknown unit within itself", tree, "ha-giang", "ha-giang", true},
		{"child", tree, "lai-chau/tan-uyen/xa-phuc-khoa", "lai-chau/tan-uyen", true},
		{"grandchild", tree, "lai-chau/tan-uyen/xa-phuc-khoa", "lai-chau", true},
		{"child without the parent's prefix", tree, "phong-vhtt-tan-uyen", "lai-chau/tan-uyen", true},
		{"prefix is not parenthood", tree, "lai-chau/tan-uyen-moi", "lai-chau/tan-uyen", false},
		{"parent not within child", tree, "lai-chau", "lai-chau/tan-uyen", false},
		{"siblings", tree, "lai-chau/than-uyen", "lai-chau/tan-uyen", false},
		{"unknown unit", tree, "ha-giang", "lai-chau", false},
		{"nil tree, other unit", nil, "a", "b", false},
		{"nil tree, same unit", nil, "a", "a", true},
		{"cycle one way", loop, "a", "b", true},
		{"cycle other way", loop, "b", "a", true},
		{"below a cycle", loop, "c", "b", true},
		{"cycle not within what is below it", loop, "a", "c", false},
		{"self parent", loop, "s", "s", true},
		{"dangling parent is no ancestor", loop, "d", "nowhere", false},
		{"below a dangling parent", loop, "e", "d", true},
	}
	for _, c := range cases {
		if got := c.tree.Within(c.id, c.ancestor); got != c.want {
			t.Errorf("%s: Within(%q, %q) = %v, want %v", c.name, c.id, c.ancestor, got, c.want)
		}
	}
}

func TestUnitTreeSubtreeAndAncestors(t *testing.T) {
	tree := incident.NewUnitTree(seedUnits)
	loop := incident.NewUnitTree(looping)
	cases := []struct {
		name      string
		tree      *incident.UnitTree
		id        string
		subtree   []string
		ancestors []string
	}{
		{"root", tree, "lai-chau", []string{"lai-chau", "lai-chau/so-vhttdl", "lai-chau/tan-uyen", "lai-chau/tan-uyen-moi",
			"lai-chau/than-uyen", "lai-chau/tan-uyen/xa-phuc-khoa", "phong-vhtt-tan-uyen"}, nil},
		{"middle", tree, "lai-chau/tan-uyen", []string{"lai-chau/tan-uyen", "lai-chau/tan-uyen/xa-phuc-khoa", "phong-vhtt-tan-uyen"},
			[]string{"lai-chau"}},
		{"leaf", tree, "lai-chau/tan-uyen/xa-phuc-khoa", []string{"lai-chau/tan-uyen/xa-phuc-khoa"},
			[]string{"lai-chau/tan-uyen", "lai-chau"}},
		{"unknown", tree, "ha-giang", []string{"ha-giang"}, nil},
		{"nil tree", nil, "a", []string{"a"}, nil},
		{"in a cycle", loop, "a", []string{"a", "b", "c"}, []string{"b"}},
		{"other end of the cycle", loop, "b", []string{"b", "a", "c"}, []string{"a"}},
		{"below a cycle", loop, "c", []string{"c"}, []string{"a", "b"}},
		{"self parent", loop, "s", []string{"s"}, nil},
		{"dangling parent", loop, "d", []string{"d", "e"}, nil},
		{"below a dangling parent", loop, "e", []string{"e"}, []string{"d"}},
	}
	for _, c := range cases {
		if got := c.tree.Subtree(c.id); !reflect.DeepEqual(got, c.subtree) {
			t.Errorf("%s: Subtree(%q) = %q, want %q", c.name, c.id, got, c.subtree)
		}
		if got := c.tree.Ancestors(c.id); !reflect.DeepEqual(got, c.ancestors) {
			t.Errorf("%s: Ancestors(%q) = %q, want %q", c.name, c.id, got, c.ancestors)
		}
		// Subtree and Within agree.
		for _, u := range c.tree.Subtree(c.id) {
			if !c.tree.Within(u, c.id) {
				t.Errorf("%s: %q is in Subtree(%q) but not Within it", c.name, u, c.id)
			}
		}
	}
}

func TestUnitTreeEscalationTarget(t *testing.T) {
	tree := incident.NewUnitTree(seedUnits)
	loop := incident.NewUnitTree(looping)
	cases := []struct {
		name string
		tree *incident.UnitTree
		id   string
		want string
	}{
		{"own setting", tree, "lai-chau/tan-uyen", "lai-chau/so-vhttdl"},
		{"from the parent", tree, "lai-chau/tan-uyen/xa-phuc-khoa", "lai-chau/so-vhttdl"},
		{"from the parent, without its prefix", tree, "phong-vhtt-tan-uyen", "lai-chau/so-vhttdl"},
		{"none up to the root", tree, "lai-chau/than-uyen", ""},
		{"root", tree, "lai-chau", ""},
		{"unknown", tree, "ha-giang", ""},
		{"nil tree", nil, "a", ""},
		{"through a cycle", loop, "a", "x"},
		{"below a cycle", loop, "c", "x"},
		{"cycle without a target ends", incident.NewUnitTree([]incident.Unit{{ID: "p", Parent: "q"}, {ID: "q", Parent: "p"}}), "p", ""},
		{"self parent", loop, "s", ""},
		{"dangling parent", loop, "e", "y"},
	}
	for _, c := range cases {
		if got := c.tree.EscalationTarget(c.id); got != c.want {
			t.Errorf("%s: EscalationTarget(%q) = %q, want %q", c.name, c.id, got, c.want)
		}
	}
}

// TestUnitTreeReparenting builds the tree again after a unit moves: the new
// tree follows the move, the old one is unchanged (trees are snapshots).
func TestUnitTreeReparenting(t *testing.T) {
	before := incident.NewUnitTree(seedUnits)
	moved := append([]incident.Unit(nil), seedUnits...)
	for i := range moved {
		if moved[i].ID == "phong-vhtt-tan-uyen" {
			moved[i].Parent = "lai-chau/than-uyen"
		}
	}
	moved = append(moved, incident.Unit{ID: "lai-chau/than-uyen/xa-moi", Parent: "phong-vhtt-tan-uyen"})
	after := incident.NewUnitTree(moved)
	cases := []struct {
		name         string
		tree         *incident.UnitTree
		id, ancestor string
		want         bool
	}{
		{"before: under Tân Uyên", before, "phong-vhtt-tan-uyen", "lai-chau/tan-uyen", true},
		{"before: not under Than Uyên", before, "phong-vhtt-tan-uyen", "lai-chau/than-uyen", false},
		{"after: no longer under Tân Uyên", after, "phong-vhtt-tan-uyen", "lai-chau/tan-uyen", false},
		{"after: under Than Uyên", after, "phong-vhtt-tan-uyen", "lai-chau/than-uyen", true},
		{"after: the new child moves along", after, "lai-chau/than-uyen/xa-moi", "lai-chau/than-uyen", true},
		{"after: still under the root", after, "phong-vhtt-tan-uyen", "lai-chau", true},
	}
	for _, c := range cases {
		if got := c.tree.Within(c.id, c.ancestor); got != c.want {
			t.Errorf("%s: Within(%q, %q) = %v, want %v", c.name, c.id, c.ancestor, got, c.want)
		}
	}
	if got := before.EscalationTarget("phong-vhtt-tan-uyen"); got != "lai-chau/so-vhttdl" {
		t.Errorf("before: EscalationTarget = %q", got)
	}
	if got := after.EscalationTarget("phong-vhtt-tan-uyen"); got != "" {
		t.Errorf("after: EscalationTarget = %q, want none (Than Uyên has none)", got)
	}
	if got := after.Subtree("lai-chau/tan-uyen"); !reflect.DeepEqual(got, []string{"lai-chau/tan-uyen", "lai-chau/tan-uyen/xa-phuc-khoa"}) {
		t.Errorf("after: Subtree(tan-uyen) = %q", got)
	}
}

func TestUnitTreeCheck(t *testing.T) {
	cases := []struct {
		name  string
		units []incident.Unit
		want  string // "" for a proper tree
	}{
		{"seed", seedUnits, ""},
		{"empty list", nil, ""},
		{"empty id", []incident.Unit{{ID: ""}}, "empty id"},
		{"duplicate", []incident.Unit{{ID: "a"}, {ID: "a"}}, `"a" listed twice`},
		{"unknown parent", []incident.Unit{{ID: "a", Parent: "b"}}, `parent "b" is not a unit`},
		{"cycle", []incident.Unit{{ID: "a", Parent: "b"}, {ID: "b", Parent: "a"}}, `"a" is its own ancestor`},
		{"below a cycle first", []incident.Unit{{ID: "c", Parent: "a"}, {ID: "a", Parent: "b"}, {ID: "b", Parent: "a"}}, `"c" is its own ancestor`},
		{"self parent", []incident.Unit{{ID: "a", Parent: "a"}}, "own ancestor"},
		{"parents after children", []incident.Unit{{ID: "a/b/c", Parent: "a/b"}, {ID: "a/b", Parent: "a"}, {ID: "a"}}, ""},
	}
	for _, c := range cases {
		err := incident.NewUnitTree(c.units).Check()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: Check() = %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: Check() = %v, want %q", c.name, err, c.want)
		}
	}
	var none *incident.UnitTree
	if err := none.Check(); err != nil {
		t.Errorf("nil tree: %v", err)
	}
	loop := incident.NewUnitTree(looping)
	for id, want := range map[string]bool{"a": true, "b": true, "c": true, "s": true, "d": false, "e": false, "zz": false} {
		if got := loop.Loops(id); got != want {
			t.Errorf("Loops(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestUnitTreeUnits(t *testing.T) {
	tree := incident.NewUnitTree(looping)
	units := tree.Units()
	if len(units) != len(looping)-1 || units[0] != looping[0] {
		t.Fatalf("Units() = %+v: want the list without the duplicate, in order", units)
	}
	if u, ok := tree.Unit("a"); !ok || u.Name != "" {
		t.Errorf("Unit(a) = %+v, %v: want the first a", u, ok)
	}
	if _, ok := tree.Unit("zz"); ok {
		t.Error("Unit(zz) found")
	}
	units[0].Parent = "changed"
	if u, _ := tree.Unit("a"); u.Parent != "b" {
		t.Error("Units() shares the tree's memory")
	}
	var none *incident.UnitTree
	if _, ok := none.Unit("a"); ok || none.Units() != nil || none.Ancestors("a") != nil || none.Loops("a") {
		t.Error("a nil tree is not empty")
	}
}

func TestCleanUnit(t *testing.T) {
	got, err := incident.CleanUnit(incident.Unit{ID: " lai-chau/tan-uyen ", Name: " Tân Uyên ", Parent: " lai-chau ", EscalatesTo: " lai-chau/so "})
	if err != nil {
		t.Fatal(err)
	}
	want := incident.Unit{ID: "lai-chau/tan-uyen", Name: "Tân Uyên", Parent: "lai-chau", EscalatesTo: "lai-chau/so"}
	if got.ID != want.ID || got.Parent != want.Parent || got.EscalatesTo != want.EscalatesTo || strings.TrimSpace(got.Name) != want.Name {
		t.Errorf("CleanUnit = %+v, want %+v", got, want)
	}
	for name, c := range map[string]struct {
		u     incident.Unit
		field string
	}{
		"empty id":          {incident.Unit{ID: "", Name: "X"}, "id"},
		"empty segment":     {incident.Unit{ID: "a//b", Name: "X"}, "id"},
		"leading slash":     {incident.Unit{ID: "/a", Name: "X"}, "id"},
		"space in id":       {incident.Unit{ID: "lai chau", Name: "X"}, "id"},
		"control in id":     {incident.Unit{ID: "a\x01", Name: "X"}, "id"},
		"long id":           {incident.Unit{ID: strings.Repeat("a", incident.MaxUnitID+1), Name: "X"}, "id"},
		"no name":           {incident.Unit{ID: "y", Name: " "}, "name"},
		"own parent":        {incident.Unit{ID: "x", Name: "X", Parent: " x"}, "parent"},
		"escalates to self": {incident.Unit{ID: "x", Name: "X", EscalatesTo: "x "}, "escalatesTo"},
	} {
		_, err := incident.CleanUnit(c.u)
		if incident.ErrorCode(err) != incident.CodeBadUserInput || fieldOf(err) != c.field {
			t.Errorf("%s: CleanUnit = %v, want BAD_USER_INPUT on %s", name, err, c.field)
		}
	}
	if !incident.ValidUnitID(strings.Repeat("a", incident.MaxUnitID)) || !incident.ValidUnitID("lai-chau/tan-uyen") {
		t.Error("ValidUnitID refuses valid ids")
	}
}

// TestUnitJSON pins the JSON form of units, which the admin stream stores.
func TestUnitJSON(t *testing.T) {
	b, err := json.Marshal(incident.Unit{ID: "a/b", Name: "B", Parent: "a", EscalatesTo: "c", Symbol: "S"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"id":"a/b","name":"B","parent":"a","escalatesTo":"c","symbol":"S"}`; string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
	if b, _ := json.Marshal(incident.Unit{ID: "a", Name: "A"}); string(b) != `{"id":"a","name":"A"}` {
		t.Errorf("JSON of a root = %s", b)
	}
}

func TestCaseStreams(t *testing.T) {
	if got := incident.StreamOf("0190c0de"); got != "case-0190c0de" {
		t.Errorf("StreamOf = %q", got)
	}
	for stream, want := range map[string]struct {
		id string
		ok bool
	}{
		"case-0190c0de": {"0190c0de", true},
		"case-":         {"", false},
		"admin":         {"", false},
		"cases-x":       {"", false},
		"":              {"", false},
	} {
		if id, ok := incident.CaseIDOf(stream); id != want.id || ok != want.ok {
			t.Errorf("CaseIDOf(%q) = %q, %v; want %q, %v", stream, id, ok, want.id, want.ok)
		}
	}
	if id, ok := incident.CaseIDOf(incident.StreamOf("x/y")); id != "x/y" || !ok {
		t.Errorf("round trip = %q, %v", id, ok)
	}
}

func TestStoredEventDecode(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.FixedZone("ICT", 7*60*60))
	ev, err := incident.StoredEvent{ID: "e1", Type: incident.TypeCaseAssigned, Version: 4, Data: json.RawMessage(`{"assignee":"handler2"}`),
		Actor: "leader1", OccurredAt: at, GlobalPosition: 17}.Decode()
	if err != nil {
		t.Fatal(err)
	}
	want := incident.Event{ID: "e1", Type: incident.TypeCaseAssigned, Actor: "leader1", At: at.UTC(),
		Data: incident.CaseAssigned{Assignee: "handler2"}, Version: 4, GlobalPosition: 17}
	if !reflect.DeepEqual(ev, want) {
		t.Errorf("Decode = %+v, want %+v", ev, want)
	}
	if ev.At.Location() != time.UTC {
		t.Errorf("At in %v, want UTC", ev.At.Location())
	}
	if _, err := (incident.StoredEvent{Type: "Mystery", Data: json.RawMessage(`{}`)}).Decode(); err == nil {
		t.Error("unknown type decoded")
	}
	// The JSON form is recorded in Temporal histories (activity results).
	b, _ := json.Marshal(incident.StoredEvent{ID: "e", Type: "T", Version: 1, Data: json.RawMessage(`{}`), Actor: "a",
		OccurredAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), GlobalPosition: 2})
	if want := `{"id":"e","type":"T","version":1,"data":{},"actor":"a","occurredAt":"2026-01-02T03:04:05Z","globalPosition":2}`; string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
}

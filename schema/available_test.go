package schema

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"casetrail/incident"
)

const availableQuery = `query($id: ID!) { case(id: $id) { status version availableActions respondableTakedowns } }`

// strs returns the strings of a decoded JSON list.
func strs(v any) []string {
	l, _ := v.([]any)
	out := []string{}
	for _, x := range l {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

// Case.availableActions is what the state allows now (incident.Available)
// and the caller's grants allow on the case's unit: on a TRIAGED case the
// handler may assign, start the analysis, add evidence, reject and comment;
// the reporter only add evidence and comment; the leader assign, reject and
// comment. A state replayed by caseAsOf allows nothing.
func TestAvailableActions(t *testing.T) {
	_, e := newTestSchema(t)
	c := e.seed(t, "reporter1", unitCommune, "avail-1", "https://www.facebook.com/gia.mao.1")
	e.do(t, c.ID, "handler1", incident.Triage{Severity: incident.Medium, Assignee: "handler1"})
	vars := map[string]any{"id": c.ID}
	for sub, want := range map[string][]string{
		// The default playbook's steps came with the triage: the handler
		// may mark one done, the leader also waive one.
		"handler1":  {"assignCase", "startAnalysis", "addEvidence", "rejectCase", "addComment", "completeTask"},
		"reporter1": {"addEvidence", "addComment"},
		"leader1":   {"assignCase", "rejectCase", "addComment", "completeTask", "waiveTask"},
		"auditor1":  {},
	} {
		d := e.ok(t, sub, availableQuery, vars)
		if s := dig(d, "case", "status"); s != "TRIAGED" {
			t.Fatalf("status %v", s)
		}
		if got := strs(dig(d, "case", "availableActions")); !slices.Equal(got, want) {
			t.Errorf("%s: availableActions %v, want %v", sub, got, want)
		}
		if got := strs(dig(d, "case", "respondableTakedowns")); len(got) != 0 {
			t.Errorf("%s: respondableTakedowns %v on a case without takedowns", sub, got)
		}
	}
	if r := e.run(t, "outsider", availableQuery, vars); r.code() != incident.CodeForbidden {
		t.Errorf("outsider: %s, want FORBIDDEN", r.code())
	}

	// What is offered is accepted: the handler starts the analysis.
	v := dig(e.ok(t, "handler1", availableQuery, vars), "case", "version")
	d := e.ok(t, "handler1", `mutation($id: ID!, $v: Int) { startAnalysis(id: $id, expectedVersion: $v) { status availableActions } }`,
		map[string]any{"id": c.ID, "v": v})
	if got := strs(dig(d, "startAnalysis", "availableActions")); !slices.Equal(got,
		[]string{"assignCase", "recordAnalysis", "addEvidence", "requestEscalation", "resolveCase", "rejectCase", "addComment", "completeTask"}) {
		t.Errorf("in ANALYSIS the handler may %v", got)
	}

	// The past allows nothing.
	d = e.ok(t, "auditor1", `query($id: ID!) { caseAsOf(id: $id, version: 1) { status availableActions } }`, vars)
	if got := strs(dig(d, "caseAsOf", "availableActions")); dig(d, "caseAsOf", "status") != "REPORTED" || len(got) != 0 {
		t.Errorf("caseAsOf: %v", d)
	}
	d = e.ok(t, "handler1", `query($id: ID!) { caseAsOf(id: $id, version: 1) { availableActions } c: case(id: $id) { availableActions } }`, vars)
	if len(strs(dig(d, "caseAsOf", "availableActions"))) != 0 || len(strs(dig(d, "c", "availableActions"))) == 0 {
		t.Errorf("caseAsOf beside case: %v", d)
	}
}

// Case.respondableTakedowns lists the takedowns a response may be
// recorded for, to those who may record it.
func TestRespondableTakedowns(t *testing.T) {
	_, e := newTestSchema(t)
	c := e.seed(t, "reporter1", unitCommune, "avail-2", "https://www.facebook.com/gia.mao.2")
	e.do(t, c.ID, "handler1",
		incident.Triage{Severity: incident.High, Assignee: "handler1"}, incident.StartAnalysis{},
		incident.RecordAnalysis{Findings: "Trang mạo danh", Verdict: incident.VerdictFalse},
		incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://www.facebook.com/gia.mao.2", Reason: "Mạo danh"},
		incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://www.facebook.com/gia.mao.2/posts/1", Reason: "Tin sai"},
		incident.RecordTakedownResponse{TakedownID: "TD-1", Outcome: incident.OutcomeRemoved},
	)
	vars := map[string]any{"id": c.ID}
	d := e.ok(t, "handler1", availableQuery, vars)
	if got := strs(dig(d, "case", "respondableTakedowns")); !slices.Equal(got, []string{"TD-2"}) {
		t.Errorf("handler: respondableTakedowns %v, want [TD-2] (TD-1 is settled)", got)
	}
	if got := strs(dig(d, "case", "availableActions")); !slices.Contains(got, "recordTakedownResponse") {
		t.Errorf("handler: availableActions %v lacks recordTakedownResponse", got)
	}
	d = e.ok(t, "leader1", availableQuery, vars)
	if got := strs(dig(d, "case", "respondableTakedowns")); len(got) != 0 {
		t.Errorf("leader: respondableTakedowns %v, want none (not the leader's command)", got)
	}
}

// The names Available answers are the graph's mutation names, and every
// case mutation of the graph is one Available may answer.
func TestAvailableNamesAreMutations(t *testing.T) {
	s, _ := newTestSchema(t)
	fields := s.MutationType().Fields()
	for name := range userCommands {
		if _, ok := fields[name]; !ok {
			t.Errorf("%s is offered but is no mutation", name)
		}
	}
	for name, f := range fields {
		switch name {
		case incident.CmdReportIncident, incident.ActionRegisterOfficialAccount:
			continue
		}
		if f.Type.String() != "Case!" {
			continue // not a command on a case: the administration's (schema/admin_graph.go)
		}
		if !userCommands[name] {
			t.Errorf("mutation %s is never offered by availableActions", name)
		}
	}
	// Every name Available gives over the whole lifecycle is a command
	// the system sends or one of userCommands.
	c := incident.Case{ID: "x", Version: 1}
	for _, st := range incident.Statuses {
		c.Status = st
		for _, n := range incident.Available(c, time.Now(), incident.DefaultPolicy()) {
			if !userCommands[n] && n != incident.CmdMergeReport && n != incident.CmdSendEscalation {
				t.Errorf("Available(%s) answers %q, neither a mutation nor the system's", st, n)
			}
		}
	}
}

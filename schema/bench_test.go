package schema

import (
	"context"
	"fmt"
	"testing"

	"casetrail/incident"
)

// The cost of the graph itself (parse, validate, resolve, serialize) over
// in-memory reads; BenchmarkExecuteBaseline is the floor of any request.

func benchEnv(b *testing.B, cases int) (*env, string) {
	_, e := newTestSchema(b)
	var id string
	for i := range cases {
		c := e.seed(b, "reporter1", unitCommune, fmt.Sprintf("r-%d", i), fmt.Sprintf("https://facebook.com/fake-%d", i))
		e.do(b, c.ID, "handler1", incident.Triage{Severity: incident.High, Assignee: "handler1"}, incident.StartAnalysis{},
			incident.RecordAnalysis{Findings: "mạo danh", Verdict: incident.VerdictFalse},
			incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://facebook.com/fake", Reason: "mạo danh"})
		id = c.ID
	}
	return e, id
}

func benchRun(b *testing.B, e *env, query string, vars map[string]any) {
	ctx := WithSubject(context.Background(), "auditor1")
	b.ReportAllocs()
	for b.Loop() {
		if r := Execute(ctx, e.s, query, "", vars); len(r.Errors) > 0 {
			b.Fatal(r.Errors[0].Message)
		}
	}
}

func BenchmarkExecuteBaseline(b *testing.B) {
	e, _ := benchEnv(b, 0)
	benchRun(b, e, `{ me { subject } }`, nil)
}

func BenchmarkExecuteCase(b *testing.B) {
	e, id := benchEnv(b, 1)
	benchRun(b, e, `query($id: ID!) { case(id: $id) {
		id number kind status severity title unit { id name parent { id } escalatesTo { id } }
		subjects { url normalizedUrl } analysis { verdict findings } takedowns { id status dueAt }
		deadlines { kind dueAt state } history { version type hash }
	} }`, map[string]any{"id": id})
}

func BenchmarkExecuteCasesPage50(b *testing.B) {
	e, _ := benchEnv(b, 50)
	benchRun(b, e, `{ cases(first: 50) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
		id number kind status severity title reportedAt unit { id name parent { name } }
		deadlines { kind dueAt state }
	} } } }`, nil)
}

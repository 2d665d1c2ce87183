package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/parser"
)

// costOf parses q and returns the cost of its only operation.
func costOf(t *testing.T, q string, vars map[string]any) Cost {
	t.Helper()
	doc, err := ParseQuery(q, DefaultLimits())
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	def, herr := selectOperation(doc, "")
	if herr != nil {
		t.Fatal(herr)
	}
	return OperationCost(doc, def, vars)
}

func TestOperationCost(t *testing.T) {
	const historyEvery = "version globalPosition type actor occurredAt data hash prevHash"
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		units int
		cmds  int
	}{
		{"one field", `{ me }`, nil, 1, 0},
		{"cases default first", `{ cases { edges { node { id } } } }`, nil, 1 + 50*3, 0},
		{"cases first literal", `{ cases(first: 200) { totalCount edges { node { id } } } }`, nil, 1 + 200*4, 0},
		{"first from a variable", `query($n: Int) { cases(first: $n) { totalCount } }`, map[string]any{"n": float64(10)}, 11, 0},
		{"first from the variable's default", `query($n: Int = 7) { cases(first: $n) { totalCount } }`, nil, 8, 0},
		{"first from the field's default when the variable is null", `query($n: Int) { cases(first: $n) { totalCount } }`, map[string]any{"n": nil}, 51, 0},
		{"first beyond the maximum counts the maximum", `{ cases(first: 100000) { totalCount } }`, nil, 201, 0},
		{"huge first", `{ cases(first: 99999999999999999999) { totalCount } }`, nil, 201, 0},
		{"huge variable", `query($n: Int) { cases(first: $n) { totalCount } }`, map[string]any{"n": 1e300}, 201, 0},
		{"negative first counts one", `{ cases(first: -5) { totalCount } }`, nil, 2, 0},
		{"history default limit", `query($id: ID!) { case(id: $id) { version history { ` + historyEvery + ` } } }`, nil, 1 + 1 + 1 + 1000*8, 0},
		{"nested lists multiply", `{ cases(first: 200) { edges { node { history(limit: 1000) { version } } } } }`, nil, 1 + 200*(1+1+1+1000), 0},
		{"aliases add up", `{ a: cases(first: 2) { totalCount } b: cases(first: 3) { totalCount } }`, nil, 3 + 4, 0},
		{"fragments count once per spread", `{ ...F ...F } fragment F on Query { cases(first: 2) { totalCount } }`, nil, 6, 0},
		{"fragments inside lists multiply", `{ cases(first: 10) { edges { node { ...C } } } } fragment C on Case { id number }`, nil, 1 + 10*4, 0},
		{"inline fragments", `{ ... on Query { me } }`, nil, 1, 0},
		{"every mutation field is a command", `mutation { a: addComment(id: "1", text: "x") { id } b: addComment(id: "1", text: "y") { id } __typename }`, nil, 5, 2},
		{"commands through fragments", `mutation { ...M ...M } fragment M on Mutation { bump }`, nil, 2, 2},
		{"a query runs no command", `{ a: me b: me }`, nil, 2, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := costOf(t, tc.query, tc.vars)
			if got.Units != tc.units || got.Commands != tc.cmds {
				t.Fatalf("cost %+v, want units %d, commands %d", got, tc.units, tc.cmds)
			}
		})
	}
}

// TestOperationCostSaturates: spreads that double at each level saturate
// instead of overflowing.
func TestOperationCostSaturates(t *testing.T) {
	var b strings.Builder
	b.WriteString("fragment F0 on Case { history(limit: 1000) { version } }\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "fragment F%d on Case { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	b.WriteString("{ cases(first: 200) { edges { node { ...F40 } } } }")
	doc, err := parser.Parse(parser.ParseParams{Source: b.String()})
	if err != nil {
		t.Fatal(err)
	}
	def, _ := selectOperation(doc, "")
	c := OperationCost(doc, def, nil)
	if c.Units <= 0 || c.Units < 1<<40 {
		t.Fatalf("cost %d: want saturated", c.Units)
	}
	if err := CheckCost(c, DefaultLimits(), ""); code(err) != CodeQueryTooComplex {
		t.Fatalf("CheckCost = %v", err)
	}
}

// issueAttack is finding 4 of issue 12: 100 aliases of the largest page of
// cases, each with its full history.
func issueAttack() string {
	var b strings.Builder
	b.WriteString("{")
	for i := range 100 {
		fmt.Fprintf(&b, " a%d: cases(first: 200) { edges { node { id history(limit: 1000) { version type data } } } }", i)
	}
	b.WriteString("}")
	return b.String()
}

func TestCheckCost(t *testing.T) {
	if err := CheckCost(costOf(t, issueAttack(), nil), DefaultLimits(), ""); code(err) != CodeQueryTooComplex ||
		!strings.Contains(err.Error(), "the limit is 50000") {
		t.Errorf("the attack of issue 12: %v", err)
	}
	one := `query Big { cases(first: 200) { edges { node { history(limit: 1000) { version } } } } }`
	err := CheckCost(costOf(t, one, nil), DefaultLimits(), "Big")
	if code(err) != CodeQueryTooComplex || !strings.Contains(err.Error(), "operation Big costs 200601; the limit is 50000") {
		t.Errorf("message: %v", err)
	}
	var m strings.Builder
	m.WriteString("mutation {")
	for i := range 11 {
		fmt.Fprintf(&m, ` c%d: addComment(id: "1", text: "x") { id }`, i)
	}
	m.WriteString("}")
	err = CheckCost(costOf(t, m.String(), nil), DefaultLimits(), "")
	if code(err) != CodeQueryTooComplex || !strings.Contains(err.Error(), "runs 11 commands") {
		t.Errorf("11 commands: %v", err)
	}
}

// contractQueries are the queries the end-to-end tests and the README's tour
// send (cmd/casetrail/e2e_helpers_test.go, README.md): they must stay
// within the limits.
var contractQueries = []string{
	// e2e: caseFields on the largest page.
	`query($o: Boolean) { cases(filter: {overdue: $o}, first: 200) { totalCount edges { node { ...C } } } }
	fragment C on Case {
	  id number kind status severity title description unit { id } reportedBy reportedAt
	  assignee updatedAt version mergedReports resolution
	  subjects { platform url normalizedUrl displayName }
	  evidence { id description url sha256 mediaType sizeBytes addedBy addedAt }
	  analysis { findings verdict legalBasis similarity recordedBy recordedAt impersonatedAccount { url displayName unit { id } } }
	  takedowns { id platform targetUrl reason legalBasis status platformReference requestedBy requestedAt respondedAt dueAt }
	  escalation { status reason to { id } requestedBy requestedAt approvedBy approvedAt dispatchNumber sentAt response respondedAt }
	  deadlines { kind dueAt state settledAt ref }
	}`,
	// e2e: historyQuery.
	`query($id: ID!) { case(id: $id) { version history { version globalPosition type actor occurredAt data hash prevHash } } }`,
	`query($f: CaseFilter, $u: ID) { cases(filter: $f, first: 200) { totalCount edges { node { id } } } stats(unit: $u) { total } }`,
	// README tour.
	`mutation($in: ReportIncidentInput!){ reportIncident(input:$in){ merged case { id number status deadlines { kind dueAt state } } } }`,
	`mutation{ triageCase(id:"x", severity: HIGH, assignee: "handler1"){ status version deadlines { kind dueAt state } } }`,
	`{ cases(filter:{text:"gia mao"}){ totalCount edges { node { number title deadlines { kind state dueAt } } } } }`,
	`{ stats { total open overdue byStatus { status count } deadlineMetRatio } }`,
	`{ case(id:"x"){ history { version type actor occurredAt hash prevHash } } verifyCase(id:"x"){ ok eventsChecked headHash } caseAsOf(id:"x", version: 3){ status severity } }`,
	// A page of cases, each with its last few events.
	`{ cases(first: 50) { edges { node { id history(fromVersion: 1, limit: 20) { version type actor occurredAt } } } } }`,
}

func TestContractQueriesWithinLimits(t *testing.T) {
	for _, q := range contractQueries {
		c := costOf(t, q, nil)
		if err := CheckCost(c, DefaultLimits(), ""); err != nil {
			t.Errorf("%.60q: %v", q, err)
		}
	}
}

// costSchema has the list fields of the graph (cases(first:), history(limit:))
// and a command, for the limits of the HTTP server.
func costSchema(t *testing.T, commands *int) graphql.Schema {
	t.Helper()
	event := graphql.NewObject(graphql.ObjectConfig{Name: "CaseEvent", Fields: graphql.Fields{
		"version": {Type: graphql.Int, Resolve: func(graphql.ResolveParams) (any, error) { return 1, nil }},
	}})
	caseT := graphql.NewObject(graphql.ObjectConfig{Name: "Case", Fields: graphql.Fields{
		"id": {Type: graphql.ID, Resolve: func(graphql.ResolveParams) (any, error) { return "c", nil }},
		"history": {Type: graphql.NewList(event), Args: graphql.FieldConfigArgument{"limit": {Type: graphql.Int, DefaultValue: 1000}},
			Resolve: func(p graphql.ResolveParams) (any, error) { return make([]struct{}, p.Args["limit"].(int)), nil }},
	}})
	s, err := graphql.NewSchema(graphql.SchemaConfig{
		Query: graphql.NewObject(graphql.ObjectConfig{Name: "Query", Fields: graphql.Fields{
			"cases": {Type: graphql.NewList(caseT), Args: graphql.FieldConfigArgument{"first": {Type: graphql.Int, DefaultValue: 50}},
				Resolve: func(p graphql.ResolveParams) (any, error) { return make([]struct{}, p.Args["first"].(int)), nil }},
			"echo": {Type: graphql.String, Args: graphql.FieldConfigArgument{"s": {Type: graphql.String}},
				Resolve: func(p graphql.ResolveParams) (any, error) { return p.Args["s"], nil }},
		}}),
		Mutation: graphql.NewObject(graphql.ObjectConfig{Name: "Mutation", Fields: graphql.Fields{
			"addComment": {Type: graphql.String, Args: graphql.FieldConfigArgument{"s": {Type: graphql.String}},
				Resolve: func(p graphql.ResolveParams) (any, error) { *commands++; return p.Args["s"], nil }},
		}}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type costServer struct {
	h     http.Handler
	token string
	ran   *int
}

func newCostServer(t *testing.T, o ServerOptions) *costServer {
	t.Helper()
	ran := new(int)
	auth := NewAuthenticator(testSecret)
	tok, err := auth.Mint("handler1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	o.Schema, o.Auth, o.Timeout = costSchema(t, ran), auth, 10*time.Second
	return &costServer{h: NewServer(o), token: tok, ran: ran}
}

func (s *costServer) post(t *testing.T, query string) (int, http.Header, response) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(queryBody(query)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	var out response
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("status %d, body is not JSON: %.200s", rec.Code, rec.Body.String())
	}
	return rec.Code, rec.Header(), out
}

func comments(n int) string {
	var b strings.Builder
	b.WriteString("mutation {")
	for i := range n {
		fmt.Fprintf(&b, ` c%d: addComment(s: "x")`, i)
	}
	b.WriteString("}")
	return b.String()
}

// TestServerCostCap: a request over the cost or command cap is refused with
// HTTP 400 QUERY_TOO_COMPLEX before anything runs.
func TestServerCostCap(t *testing.T) {
	s := newCostServer(t, ServerOptions{})
	status, _, r := s.post(t, `{ cases(first: 200) { id history(limit: 1000) { version } } }`)
	if status != http.StatusBadRequest || r.code() != CodeQueryTooComplex ||
		!strings.Contains(r.Errors[0].Message, "costs 200401; the limit is 50000") {
		t.Errorf("over the cost cap: status %d, %+v", status, r.Errors)
	}
	status, _, r = s.post(t, `{ cases(first: 200) { id history(limit: 100) { version } } }`)
	if status != http.StatusOK || r.code() != "" {
		t.Errorf("within the cost cap: status %d, %+v", status, r.Errors)
	}
	status, _, r = s.post(t, comments(11))
	if status != http.StatusBadRequest || r.code() != CodeQueryTooComplex || *s.ran != 0 {
		t.Errorf("11 commands in one request: status %d, %+v, %d ran", status, r.Errors, *s.ran)
	}
}

// TestServerCostBudget: each subject's cost budget is spent by the cost of
// its requests, not their number.
func TestServerCostBudget(t *testing.T) {
	s := newCostServer(t, ServerOptions{CostPerSecond: 1e-9, CostBurst: 100000})
	q := `{ cases(first: 40) { id history(limit: 1000) { version } } }` // 1 + 40 × 1002 = 40081
	for i := range 2 {
		if status, _, r := s.post(t, q); status != http.StatusOK || r.code() != "" {
			t.Fatalf("request %d: status %d, %+v", i+1, status, r.Errors)
		}
	}
	status, h, r := s.post(t, q)
	if status != http.StatusTooManyRequests || r.code() != CodeRateLimited || h.Get("Retry-After") == "" ||
		!strings.Contains(r.Errors[0].Message, "this request costs 40081") {
		t.Errorf("third request: status %d, Retry-After %q, %+v", status, h.Get("Retry-After"), r.Errors)
	}
	// A cheap request still fits in what is left.
	if status, _, r := s.post(t, `{ cases(first: 10) { id } }`); status != http.StatusOK {
		t.Errorf("cheap request: status %d, %+v", status, r.Errors)
	}
}

// TestServerCommandBudget: five aliased commands in one request are five
// commands of the subject's budget (issue 12: they counted as one request).
func TestServerCommandBudget(t *testing.T) {
	s := newCostServer(t, ServerOptions{CommandsPerSecond: 1e-9, CommandBurst: 12})
	for i := range 2 {
		if status, _, r := s.post(t, comments(5)); status != http.StatusOK || r.code() != "" {
			t.Fatalf("request %d: status %d, %+v", i+1, status, r.Errors)
		}
	}
	status, h, r := s.post(t, comments(5))
	if status != http.StatusTooManyRequests || r.code() != CodeRateLimited || h.Get("Retry-After") == "" ||
		!strings.Contains(r.Errors[0].Message, "runs 5 commands") {
		t.Errorf("third request: status %d, %+v", status, r.Errors)
	}
	if *s.ran != 10 {
		t.Errorf("%d commands ran, want 10", *s.ran)
	}
	if status, _, r := s.post(t, comments(2)); status != http.StatusOK || *s.ran != 12 {
		t.Errorf("two more commands fit the burst: status %d, %+v, %d ran", status, r.Errors, *s.ran)
	}
	// Queries do not spend commands.
	if status, _, r := s.post(t, `{ echo(s: "x") }`); status != http.StatusOK {
		t.Errorf("query after the command budget is spent: status %d, %+v", status, r.Errors)
	}
}

// TestServerResponseCap: a response larger than the cap is not sent.
func TestServerResponseCap(t *testing.T) {
	s := newCostServer(t, ServerOptions{MaxResponseBytes: 4096})
	big := strings.Repeat("y", 5000)
	status, _, r := s.post(t, `{ echo(s: "`+big+`") }`)
	if status != http.StatusBadRequest || r.code() != CodeQueryTooComplex || r.Data != nil ||
		!strings.Contains(r.Errors[0].Message, "the response would be") {
		t.Errorf("large query response: status %d, %+v", status, r.Errors)
	}
	status, _, r = s.post(t, `mutation { addComment(s: "`+big+`") }`)
	if status != http.StatusOK || r.code() != CodeQueryTooComplex || !strings.Contains(r.Errors[0].Message, "were carried out") || *s.ran != 1 {
		t.Errorf("large mutation response: status %d, %+v", status, r.Errors)
	}
	if status, _, r := s.post(t, `{ echo(s: "small") }`); status != http.StatusOK || r.Data["echo"] != "small" {
		t.Errorf("small response: status %d, %+v", status, r)
	}
	// The default cap is 8 MiB.
	s = newCostServer(t, ServerOptions{})
	status, _, r = s.post(t, `{ a: echo(s: "`+strings.Repeat("z", 5<<20)+`") b: echo(s: "`+strings.Repeat("z", 4<<20)+`") }`)
	if status != http.StatusBadRequest || r.code() != CodeQueryTooComplex {
		t.Errorf("9 MiB response: status %d, %+v", status, r.Errors)
	}
}

package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/graphql-go/graphql"

	"casetrail/incident"
	"casetrail/schema"
)

// The GraphQL-over-HTTP rules (https://graphql.github.io/graphql-over-http/draft/)
// checked against the real handler (NewServer): media type negotiation, and
// the status of each kind of GraphQL request error under each media type.

const (
	acceptJSON     = MediaTypeJSON
	acceptResponse = MediaTypeGraphQLResponse
)

// overHTTPServer is the API over a small graph: double(n: Int!) counts its
// runs, as do the mutations bump and add(n: Int!); broken and
// brokenRequired fail as fields (NOT_FOUND), badInput fails as a field with
// BAD_USER_INPUT.
type overHTTPServer struct {
	h     http.Handler
	token string
	ran   *atomic.Int64
}

func newOverHTTPServer(t *testing.T, production bool) *overHTTPServer {
	t.Helper()
	ran := new(atomic.Int64)
	notFound := func(graphql.ResolveParams) (any, error) {
		return nil, &schema.Error{Code: incident.CodeNotFound, Message: "no such thing"}
	}
	s, err := graphql.NewSchema(graphql.SchemaConfig{
		Query: graphql.NewObject(graphql.ObjectConfig{Name: "Query", Fields: graphql.Fields{
			"echo": {Type: graphql.String, Args: graphql.FieldConfigArgument{"s": {Type: graphql.String}},
				Resolve: func(p graphql.ResolveParams) (any, error) { return p.Args["s"], nil }},
			"double": {Type: graphql.Int, Args: graphql.FieldConfigArgument{"n": {Type: graphql.NewNonNull(graphql.Int)}},
				Resolve: func(p graphql.ResolveParams) (any, error) { ran.Add(1); return 2 * p.Args["n"].(int), nil }},
			"broken":         {Type: graphql.String, Resolve: notFound},
			"brokenRequired": {Type: graphql.NewNonNull(graphql.String), Resolve: notFound},
			"badInput": {Type: graphql.NewNonNull(graphql.String), Resolve: func(graphql.ResolveParams) (any, error) {
				return nil, &schema.Error{Code: incident.CodeBadUserInput, Field: "s", Message: "s: not acceptable"}
			}},
			"node": {Type: graphql.NewObject(graphql.ObjectConfig{Name: "Deep", Fields: graphql.Fields{"id": {Type: graphql.ID}}})},
		}}),
		Mutation: graphql.NewObject(graphql.ObjectConfig{Name: "Mutation", Fields: graphql.Fields{
			"bump": {Type: graphql.Int, Resolve: func(graphql.ResolveParams) (any, error) { return int(ran.Add(1)), nil }},
			"add": {Type: graphql.Int, Args: graphql.FieldConfigArgument{"n": {Type: graphql.NewNonNull(graphql.Int)}},
				Resolve: func(p graphql.ResolveParams) (any, error) { return int(ran.Add(int64(p.Args["n"].(int)))), nil }},
		}}),
	})
	if err != nil {
		t.Fatal(err)
	}
	auth := NewAuthenticator(testSecret)
	tok, err := auth.Mint("handler1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := NewServer(ServerOptions{Schema: s, Auth: auth, Production: production, Timeout: 10 * time.Second, Logger: quiet})
	return &overHTTPServer{h: h, token: tok, ran: ran}
}

// overHTTPRequest is one request: POST with body unless method says
// otherwise; accept nil sends no Accept header; auth "" sends the token,
// "-" none.
type overHTTPRequest struct {
	method, target, contentType, body, auth string
	accept                                  []string
	header                                  [2]string
}

// overHTTPAnswer is a response: its status, headers, top-level entries and
// errors.
type overHTTPAnswer struct {
	status  int
	header  http.Header
	raw     string
	entries map[string]json.RawMessage
	errors  []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	}
}

func (a overHTTPAnswer) code() string {
	if len(a.errors) == 0 {
		return ""
	}
	c, _ := a.errors[0].Extensions["code"].(string)
	return c
}

// data is "absent", "null" or the data entry.
func (a overHTTPAnswer) data() string {
	d, ok := a.entries["data"]
	if !ok {
		return "absent"
	}
	return string(d)
}

func serveOverHTTP(h http.Handler, token string, rq overHTTPRequest) *httptest.ResponseRecorder {
	method := rq.method
	if method == "" {
		method = http.MethodPost
	}
	req := httptest.NewRequest(method, "/graphql"+rq.target, strings.NewReader(rq.body))
	if method == http.MethodPost {
		ct := rq.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	switch rq.auth {
	case "":
		req.Header.Set("Authorization", "Bearer "+token)
	case "-":
	default:
		req.Header.Set("Authorization", rq.auth)
	}
	for _, a := range rq.accept {
		req.Header.Add("Accept", a)
	}
	if rq.header[0] != "" {
		req.Header.Add(rq.header[0], rq.header[1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func decodeAnswer(t *testing.T, rec *httptest.ResponseRecorder) overHTTPAnswer {
	t.Helper()
	a := overHTTPAnswer{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	if err := json.Unmarshal(rec.Body.Bytes(), &a.entries); err != nil {
		t.Fatalf("status %d, body is not a JSON object: %v: %.300s", rec.Code, err, a.raw)
	}
	if e, ok := a.entries["errors"]; ok {
		if err := json.Unmarshal(e, &a.errors); err != nil {
			t.Fatalf("errors: %v: %.300s", err, a.raw)
		}
	}
	return a
}

func (s *overHTTPServer) send(t *testing.T, rq overHTTPRequest) overHTTPAnswer {
	t.Helper()
	return decodeAnswer(t, serveOverHTTP(s.h, s.token, rq))
}

func gqlBody(query string, variables any) string {
	m := map[string]any{"query": query}
	if variables != nil {
		m["variables"] = variables
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// checkContentType asserts the response's media type, with charset=utf-8.
func assertMediaType(t *testing.T, a overHTTPAnswer, mediaType string) {
	t.Helper()
	if ct := a.header.Get("Content-Type"); ct != mediaType+"; charset=utf-8" {
		t.Errorf("Content-Type %q, want %q (status %d)", ct, mediaType+"; charset=utf-8", a.status)
	}
}

// Rule 1: the response is application/graphql-response+json when the Accept
// header prefers it (q-values, then specificity, then order), otherwise
// application/json (no Accept, */*); 406 when neither is accepted.
func TestGraphQLOverHTTPAcceptNegotiation(t *testing.T) {
	s := newOverHTTPServer(t, false)
	cases := []struct {
		name   string
		accept []string
		want   string // "" for 406
	}{
		{"no Accept", nil, acceptJSON},
		{"empty Accept", []string{""}, acceptJSON},
		{"*/*", []string{"*/*"}, acceptJSON},
		{"application/*", []string{"application/*"}, acceptJSON},
		{"application/json", []string{"application/json"}, acceptJSON},
		{"graphql-response+json", []string{"application/graphql-response+json"}, acceptResponse},
		{"graphql-response+json with charset", []string{"application/graphql-response+json; charset=utf-8"}, acceptResponse},
		{"case-insensitive", []string{"Application/GraphQL-Response+JSON"}, acceptResponse},
		{"preferred, json q=0.9", []string{"application/graphql-response+json, application/json;q=0.9"}, acceptResponse},
		{"q beats order", []string{"application/json;q=0.9, application/graphql-response+json"}, acceptResponse},
		{"lower q", []string{"application/graphql-response+json;q=0.5, application/json;q=0.8"}, acceptJSON},
		{"same q: json first", []string{"application/json, application/graphql-response+json"}, acceptJSON},
		{"same q: graphql-response first", []string{"application/graphql-response+json, application/json"}, acceptResponse},
		{"named beats wildcard", []string{"*/*, application/graphql-response+json"}, acceptResponse},
		{"wildcard low q", []string{"*/*;q=0.1, application/graphql-response+json"}, acceptResponse},
		{"json refused, wildcard", []string{"application/json;q=0, */*"}, acceptResponse},
		{"graphql-response refused, wildcard", []string{"application/graphql-response+json;q=0, */*"}, acceptJSON},
		{"two headers", []string{"text/html", "application/graphql-response+json"}, acceptResponse},
		{"browser", []string{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, acceptJSON},
		{"accept-ext after q", []string{"application/graphql-response+json;q=0.8;ext=1, application/json;q=0.5"}, acceptResponse},
		{"malformed range skipped", []string{"nonsense, application/graphql-response+json"}, acceptResponse},
		{"json in latin-1 only", []string{"application/json;charset=iso-8859-1, application/graphql-response+json;q=0.1"}, acceptResponse},
		{"text/html", []string{"text/html"}, ""},
		{"xml or text", []string{"application/xml, text/plain"}, ""},
		{"json refused", []string{"application/json;q=0"}, ""},
		{"both refused", []string{"application/graphql-response+json;q=0, application/json;q=0, text/html"}, ""},
		{"invalid q only", []string{"application/json;q=2"}, ""},
		{"garbage", []string{"garbage"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := s.ran.Load()
			a := s.send(t, overHTTPRequest{accept: tc.accept, body: gqlBody(`{ double(n: 21) }`, nil)})
			if !strings.Contains(strings.Join(a.header.Values("Vary"), ","), "Accept") {
				t.Errorf("Vary %q, want Accept", a.header.Values("Vary"))
			}
			if tc.want == "" {
				if a.status != http.StatusNotAcceptable || a.code() != incident.CodeBadUserInput || s.ran.Load() != before {
					t.Fatalf("status %d code %q, %d runs: %s; want 406 BAD_USER_INPUT and no run", a.status, a.code(), s.ran.Load()-before, a.raw)
				}
				assertMediaType(t, a, acceptJSON)
				return
			}
			if a.status != http.StatusOK || a.data() != `{"double":42}` {
				t.Fatalf("status %d: %s", a.status, a.raw)
			}
			assertMediaType(t, a, tc.want)
		})
	}
	// GET is negotiated the same way.
	a := s.send(t, overHTTPRequest{method: http.MethodGet, target: "?query=" + url.QueryEscape(`{ double(n: 1) }`), accept: []string{acceptResponse}})
	if a.status != http.StatusOK || a.data() != `{"double":2}` {
		t.Fatalf("GET: status %d: %s", a.status, a.raw)
	}
	assertMediaType(t, a, acceptResponse)
}

// statusCase is a request and what each media type must answer to it.
type statusCase struct {
	name      string
	rq        overHTTPRequest
	status    int
	code      string
	data      string // "absent", "null", "object" (non-null), "" for either absent or null
	executes  bool   // double or bump runs
	hasHeader [2]string
}

func runStatusCases(t *testing.T, s *overHTTPServer, accept []string, mediaType string, cases []statusCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rq := tc.rq
			rq.accept = accept
			before := s.ran.Load()
			a := s.send(t, rq)
			if a.status != tc.status || a.code() != tc.code {
				t.Fatalf("status %d code %q, want %d %q: %s", a.status, a.code(), tc.status, tc.code, a.raw)
			}
			assertMediaType(t, a, mediaType)
			d := a.data()
			switch tc.data {
			case "":
				if d != "absent" && d != "null" {
					t.Errorf("data %s, want none", d)
				}
			case "object":
				if !strings.HasPrefix(d, "{") {
					t.Errorf("data %s, want an object", d)
				}
			default:
				if d != tc.data {
					t.Errorf("data %s, want %s", d, tc.data)
				}
			}
			if tc.code != "" && (len(a.errors) == 0 || a.errors[0].Message == "") {
				t.Errorf("want an error with a message: %s", a.raw)
			}
			if ran := s.ran.Load() != before; ran != tc.executes {
				t.Errorf("executed %v, want %v", ran, tc.executes)
			}
			if tc.hasHeader[0] != "" && a.header.Get(tc.hasHeader[0]) != tc.hasHeader[1] {
				t.Errorf("%s = %q, want %q", tc.hasHeader[0], a.header.Get(tc.hasHeader[0]), tc.hasHeader[1])
			}
		})
	}
}

const (
	intVar       = `query($n: Int!) { double(n: $n) }`
	badInputCode = incident.CodeBadUserInput
)

// Rule 2: under application/json a GraphQL request error (the document does
// not parse or validate, no single operation, variables that cannot be
// coerced) answers 200 with errors; only a request that is not well-formed
// GraphQL over HTTP answers 400.
func TestGraphQLOverHTTPRequestErrorsUnderJSON(t *testing.T) {
	s := newOverHTTPServer(t, false)
	cases := []statusCase{
		{name: "parse failure", rq: overHTTPRequest{body: gqlBody(`{ double(n: 1) `, nil)}, status: 200, code: badInputCode, data: "absent"},
		{name: "parse failure over GET", rq: overHTTPRequest{method: http.MethodGet, target: "?query=" + url.QueryEscape(`{`)}, status: 200, code: badInputCode, data: "absent"},
		{name: "empty document", rq: overHTTPRequest{body: gqlBody(`# nothing`, nil)}, status: 200, code: badInputCode, data: "absent"},
		{name: "validation: unknown field", rq: overHTTPRequest{body: gqlBody(`{ nope }`, nil)}, status: 200, code: badInputCode},
		{name: "validation: argument type", rq: overHTTPRequest{body: gqlBody(`{ double(n: "x") }`, nil)}, status: 200, code: badInputCode},
		{name: "validation: repeated fragment name", rq: overHTTPRequest{body: gqlBody(`fragment F on Query { echo } fragment F on Query { echo } { ...F }`, nil)}, status: 200, code: badInputCode},
		{name: "no operation name", rq: overHTTPRequest{body: gqlBody(`query A { echo } query B { echo }`, nil)}, status: 200, code: badInputCode},
		{name: "unknown operation", rq: overHTTPRequest{body: `{"query":"query A { echo }","operationName":"B"}`}, status: 200, code: badInputCode},
		{name: "coercion: string for Int!", rq: overHTTPRequest{body: gqlBody(intVar, map[string]any{"n": "abc"})}, status: 200, code: badInputCode},
		{name: "coercion: missing Int!", rq: overHTTPRequest{body: gqlBody(intVar, nil)}, status: 200, code: badInputCode},
		{name: "executed", rq: overHTTPRequest{body: gqlBody(intVar, map[string]any{"n": 4})}, status: 200, data: `{"double":8}`, executes: true},
		{name: "field error", rq: overHTTPRequest{body: gqlBody(`{ echo(s: "a") broken }`, nil)}, status: 200, code: incident.CodeNotFound, data: "object"},
		// Not well-formed GraphQL over HTTP: still 400.
		{name: "malformed JSON", rq: overHTTPRequest{body: `{"query":`}, status: 400, code: badInputCode, data: "absent"},
		{name: "variables not an object", rq: overHTTPRequest{body: `{"query":"{ echo }","variables":[7]}`}, status: 400, code: badInputCode, data: "absent"},
		{name: "no query", rq: overHTTPRequest{body: `{"qeury":"{ echo }"}`}, status: 400, code: badInputCode, data: "absent"},
	}
	t.Run("Accept application/json", func(t *testing.T) {
		runStatusCases(t, s, []string{acceptJSON}, acceptJSON, cases)
	})
	t.Run("no Accept", func(t *testing.T) {
		runStatusCases(t, s, nil, acceptJSON, cases)
	})
}

// Rule 3, request errors: under application/graphql-response+json a
// document that does not parse or validate, no single operation and
// variables that cannot be coerced answer 400 without data, and nothing is
// executed.
func TestGraphQLOverHTTPRequestErrorsUnderGraphQLResponse(t *testing.T) {
	s := newOverHTTPServer(t, false)
	cases := []statusCase{
		{name: "parse failure", rq: overHTTPRequest{body: gqlBody(`{ double(n: 1) `, nil)}, status: 400, code: badInputCode, data: "absent"},
		{name: "parse failure over GET", rq: overHTTPRequest{method: http.MethodGet, target: "?query=" + url.QueryEscape(`{`)}, status: 400, code: badInputCode, data: "absent"},
		{name: "empty document", rq: overHTTPRequest{body: gqlBody(`# nothing`, nil)}, status: 400, code: badInputCode, data: "absent"},
		{name: "validation: unknown field", rq: overHTTPRequest{body: gqlBody(`{ nope }`, nil)}, status: 400, code: badInputCode, data: "absent"},
		{name: "validation: argument type", rq: overHTTPRequest{body: gqlBody(`{ double(n: "x") }`, nil)}, status: 400, code: badInputCode, data: "absent"},
		{name: "validation: undefined variable", rq: overHTTPRequest{body: gqlBody(`{ double(n: $n) }`, nil)}, status: 400, code: badInputCode, data: "absent"},
		{name: "validation: repeated fragment name", rq: overHTTPRequest{body: gqlBody(`fragment F on Query { echo } fragment F on Query { echo } { ...F }`, nil)}, status: 400, code: badInputCode, data: "absent"},
		{name: "validation over GET", rq: overHTTPRequest{method: http.MethodGet, target: "?query=" + url.QueryEscape(`{ nope }`)}, status: 400, code: badInputCode, data: "absent"},
		{name: "no operation name", rq: overHTTPRequest{body: gqlBody(`query A { echo } query B { echo }`, nil)}, status: 400, code: badInputCode, data: "absent"},
		{name: "unknown operation", rq: overHTTPRequest{body: `{"query":"query A { echo }","operationName":"B"}`}, status: 400, code: badInputCode, data: "absent"},
		{name: "coercion: string for Int!", rq: overHTTPRequest{body: gqlBody(intVar, map[string]any{"n": "abc"})}, status: 400, code: badInputCode, data: "absent"},
		{name: "coercion: Int! out of range", rq: overHTTPRequest{body: gqlBody(intVar, map[string]any{"n": 1e20})}, status: 400, code: badInputCode, data: "absent"},
		{name: "coercion: object for Int!", rq: overHTTPRequest{body: gqlBody(intVar, map[string]any{"n": map[string]any{"a": 1}})}, status: 400, code: badInputCode, data: "absent"},
		{name: "coercion: null for Int!", rq: overHTTPRequest{body: gqlBody(intVar, map[string]any{"n": nil})}, status: 400, code: badInputCode, data: "absent"},
		{name: "coercion: missing Int!", rq: overHTTPRequest{body: gqlBody(intVar, nil)}, status: 400, code: badInputCode, data: "absent"},
		{name: "coercion over GET", rq: overHTTPRequest{method: http.MethodGet, target: "?query=" + url.QueryEscape(intVar) + "&variables=" + url.QueryEscape(`{"n":"abc"}`)}, status: 400, code: badInputCode, data: "absent"},
		{name: "coercion of a mutation", rq: overHTTPRequest{body: gqlBody(`mutation($n: Int!) { add(n: $n) }`, map[string]any{"n": "x"})}, status: 400, code: badInputCode, data: "absent"},
		{name: "malformed JSON", rq: overHTTPRequest{body: `{"query":`}, status: 400, code: badInputCode, data: "absent"},
		{name: "variables not an object", rq: overHTTPRequest{body: `{"query":"{ echo }","variables":[7]}`}, status: 400, code: badInputCode, data: "absent"},
	}
	runStatusCases(t, s, []string{acceptResponse}, acceptResponse, cases)
	// The same request answered as application/json is 200: the status
	// follows the negotiated media type.
	a := s.send(t, overHTTPRequest{accept: []string{"application/json, application/graphql-response+json;q=0.5"}, body: gqlBody(intVar, map[string]any{"n": "abc"})})
	if a.status != http.StatusOK || a.code() != badInputCode {
		t.Fatalf("coercion failure under application/json: %d %s", a.status, a.raw)
	}
}

// Rule 3, execution: under application/graphql-response+json a request
// whose execution starts answers 200, with data (null when a non-null root
// field failed), even with field errors, BAD_USER_INPUT ones included.
func TestGraphQLOverHTTPExecutionUnderGraphQLResponse(t *testing.T) {
	s := newOverHTTPServer(t, false)
	cases := []statusCase{
		{name: "query", rq: overHTTPRequest{body: gqlBody(intVar, map[string]any{"n": 5})}, status: 200, data: `{"double":10}`, executes: true},
		{name: "query over GET", rq: overHTTPRequest{method: http.MethodGet, target: "?query=" + url.QueryEscape(`{ double(n: 1) }`)}, status: 200, data: `{"double":2}`, executes: true},
		{name: "mutation", rq: overHTTPRequest{body: gqlBody(`mutation { bump }`, nil)}, status: 200, data: "object", executes: true},
		{name: "field error, partial data", rq: overHTTPRequest{body: gqlBody(`{ double(n: 1) broken }`, nil)}, status: 200, code: incident.CodeNotFound, data: `{"broken":null,"double":2}`, executes: true},
		{name: "non-null root field error", rq: overHTTPRequest{body: gqlBody(`{ brokenRequired }`, nil)}, status: 200, code: incident.CodeNotFound, data: "null"},
		{name: "BAD_USER_INPUT field error", rq: overHTTPRequest{body: gqlBody(`{ badInput }`, nil)}, status: 200, code: badInputCode, data: "null"},
		{name: "coerced variables, then a field error", rq: overHTTPRequest{body: gqlBody(`query($s: String!) { echo(s: $s) badInput }`, map[string]any{"s": "x"})}, status: 200, code: badInputCode, data: "null"},
	}
	runStatusCases(t, s, []string{acceptResponse}, acceptResponse, cases)
	// graphql-go resolves root fields in no set order and stops at a
	// non-null one that fails: these show they were executed by the path
	// of their error.
	for _, name := range []string{"BAD_USER_INPUT field error", "non-null root field error", "coerced variables, then a field error"} {
		for _, tc := range cases {
			if tc.name != name {
				continue
			}
			rq := tc.rq
			rq.accept = []string{acceptResponse}
			if a := s.send(t, rq); len(a.errors) == 0 || len(a.errors[0].Path) == 0 {
				t.Errorf("%s: the field error has no path: %s", name, a.raw)
			}
		}
	}

	// A mutation whose response is too large was executed: 200, data null.
	cs := newCostServer(t, ServerOptions{MaxResponseBytes: 4096})
	big := strings.Repeat("y", 5000)
	a := decodeAnswer(t, serveOverHTTP(cs.h, cs.token, overHTTPRequest{accept: []string{acceptResponse}, body: queryBody(`mutation { addComment(s: "` + big + `") }`)}))
	if a.status != http.StatusOK || a.code() != CodeQueryTooComplex || a.data() != "null" || *cs.ran != 1 {
		t.Errorf("large mutation response: status %d data %s: %.300s", a.status, a.data(), a.raw)
	}
	assertMediaType(t, a, acceptResponse)
	// A query whose response is too large is refused: 400, no data.
	a = decodeAnswer(t, serveOverHTTP(cs.h, cs.token, overHTTPRequest{accept: []string{acceptResponse}, body: queryBody(`{ echo(s: "` + big + `") }`)}))
	if a.status != http.StatusBadRequest || a.code() != CodeQueryTooComplex || a.data() != "absent" {
		t.Errorf("large query response: status %d data %s: %.300s", a.status, a.data(), a.raw)
	}
}

// Rule 4: the edge keeps its statuses under both media types (auth, method,
// content type, limits, cost, Idempotency-Key, introspection), with the
// negotiated Content-Type.
func TestGraphQLOverHTTPEdgeStatusesKept(t *testing.T) {
	s := newOverHTTPServer(t, false)
	prod := newOverHTTPServer(t, true)
	cases := []statusCase{
		{name: "no token", rq: overHTTPRequest{auth: "-", body: gqlBody(`{ echo }`, nil)}, status: 401, code: incident.CodeUnauthenticated, data: "absent",
			hasHeader: [2]string{"WWW-Authenticate", `Bearer realm="casetrail"`}},
		{name: "bad token", rq: overHTTPRequest{auth: "Bearer x.y.z", body: gqlBody(`{ echo }`, nil)}, status: 401, code: incident.CodeUnauthenticated, data: "absent"},
		{name: "mutation over GET", rq: overHTTPRequest{method: http.MethodGet, target: "?query=" + url.QueryEscape(`mutation { bump }`)}, status: 405, code: badInputCode, data: "absent",
			hasHeader: [2]string{"Allow", "POST"}},
		{name: "PUT", rq: overHTTPRequest{method: http.MethodPut, body: gqlBody(`{ echo }`, nil)}, status: 405, code: badInputCode, data: "absent"},
		{name: "text/plain", rq: overHTTPRequest{contentType: "text/plain", body: gqlBody(`{ echo }`, nil)}, status: 415, code: badInputCode, data: "absent"},
		{name: "batch", rq: overHTTPRequest{body: `[` + gqlBody(`{ echo }`, nil) + `]`}, status: 400, code: badInputCode, data: "absent"},
		{name: "too deep", rq: overHTTPRequest{body: gqlBody(nested("node", 50), nil)}, status: 400, code: CodeQueryTooComplex, data: "absent"},
		{name: "fragment cycle", rq: overHTTPRequest{body: gqlBody(`fragment A on Query { ...B } fragment B on Query { ...A } { ...A }`, nil)}, status: 400, code: CodeQueryTooComplex, data: "absent"},
		{name: "bad Idempotency-Key", rq: overHTTPRequest{body: gqlBody(`mutation { bump }`, nil), header: [2]string{"Idempotency-Key", "a\tb"}}, status: 400, code: badInputCode, data: "absent"},
		{name: "Idempotency-Key", rq: overHTTPRequest{body: gqlBody(`mutation { bump }`, nil), header: [2]string{"Idempotency-Key", "k-1"}}, status: 200, data: "object", executes: true},
	}
	big := overHTTPRequest{body: `{"query":"{ echo }","variables":{"pad":"` + strings.Repeat("x", MaxBodyBytes) + `"}}`}
	for _, mt := range []string{acceptJSON, acceptResponse} {
		t.Run(mt, func(t *testing.T) {
			runStatusCases(t, s, []string{mt}, mt, cases)
			runStatusCases(t, prod, []string{mt}, mt, []statusCase{
				{name: "introspection in production", rq: overHTTPRequest{body: gqlBody(`{ __schema { types { name } } }`, nil)}, status: 403, code: incident.CodeForbidden, data: "absent"},
				{name: "body too large", rq: big, status: 413, code: badInputCode, data: "absent"},
			})
			cs := newCostServer(t, ServerOptions{})
			a := decodeAnswer(t, serveOverHTTP(cs.h, cs.token, overHTTPRequest{accept: []string{mt},
				body: queryBody(`{ cases(first: 200) { id history(limit: 1000) { version } } }`)}))
			if a.status != http.StatusBadRequest || a.code() != CodeQueryTooComplex || a.data() != "absent" {
				t.Errorf("over the cost cap: status %d: %.300s", a.status, a.raw)
			}
			assertMediaType(t, a, mt)
			limited := newCostServer(t, ServerOptions{RatePerSecond: 1e-9, Burst: 1})
			for i, want := range []int{http.StatusOK, http.StatusTooManyRequests} {
				a := decodeAnswer(t, serveOverHTTP(limited.h, limited.token, overHTTPRequest{accept: []string{mt}, body: queryBody(`{ echo(s: "x") }`)}))
				if a.status != want {
					t.Errorf("request %d: status %d, want %d: %.300s", i+1, a.status, want, a.raw)
				}
				assertMediaType(t, a, mt)
			}
		})
	}
}

// ResponseMediaType without a server: the table of rule 1 in brief, and the
// status PrepareOperation gives a request error under each media type.
func TestResponseMediaTypeAndRequestErrorStatus(t *testing.T) {
	for accept, want := range map[string]string{
		"":                                  acceptJSON,
		"*/*":                               acceptJSON,
		"application/graphql-response+json": acceptResponse,
		"application/graphql-response+json, application/json;q=0.9": acceptResponse,
		"application/json": acceptJSON,
		"image/png":        "",
	} {
		r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{"}`))
		r.Header.Set("Content-Type", "application/json")
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		got, ok := ResponseMediaType(r)
		if got != want || ok != (want != "") {
			t.Errorf("Accept %q: %q %v, want %q", accept, got, ok, want)
		}
		_, herr := PrepareOperation(r, DefaultLimits())
		wantStatus := http.StatusOK
		if want == acceptResponse {
			wantStatus = http.StatusBadRequest
		}
		if herr == nil || herr.Status != wantStatus || herr.Code != badInputCode {
			t.Errorf("Accept %q: parse failure %+v, want status %d", accept, herr, wantStatus)
		}
	}
}

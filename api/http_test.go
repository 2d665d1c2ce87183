package api

import (
	"bytes"
	"context"
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

	"github.com/golang-jwt/jwt/v5"
	"github.com/graphql-go/graphql"

	"casetrail/incident"
)

// testSchema is a small graph with the shapes hostile queries need: a
// self-referencing type for depth, a mutation, an argument.
var testSchema = func() graphql.Schema {
	var node *graphql.Object
	node = graphql.NewObject(graphql.ObjectConfig{
		Name: "Node",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id":    &graphql.Field{Type: graphql.ID, Resolve: func(graphql.ResolveParams) (any, error) { return "n", nil }},
				"node":  &graphql.Field{Type: node, Resolve: func(graphql.ResolveParams) (any, error) { return struct{}{}, nil }},
				"child": &graphql.Field{Type: node, Resolve: func(graphql.ResolveParams) (any, error) { return struct{}{}, nil }},
			}
		}),
	})
	var bumps atomic.Int64
	s, err := graphql.NewSchema(graphql.SchemaConfig{
		Query: graphql.NewObject(graphql.ObjectConfig{Name: "Query", Fields: graphql.Fields{
			"me": &graphql.Field{Type: graphql.String, Resolve: func(p graphql.ResolveParams) (any, error) {
				sub, _ := SubjectFrom(p.Context)
				return sub, nil
			}},
			"echo": &graphql.Field{
				Type: graphql.String,
				Args: graphql.FieldConfigArgument{"s": &graphql.ArgumentConfig{Type: graphql.String}},
				Resolve: func(p graphql.ResolveParams) (any, error) {
					return p.Args["s"], nil
				},
			},
			"node": &graphql.Field{Type: node, Resolve: func(graphql.ResolveParams) (any, error) { return struct{}{}, nil }},
		}}),
		Mutation: graphql.NewObject(graphql.ObjectConfig{Name: "Mutation", Fields: graphql.Fields{
			"bump": &graphql.Field{Type: graphql.Int, Resolve: func(graphql.ResolveParams) (any, error) {
				return int(bumps.Add(1)), nil
			}},
		}}),
	})
	if err != nil {
		panic(err)
	}
	return s
}()

// graphqlHandler is the recipe the real handler follows: prepare (parse,
// check, select), validate the checked document, execute it.
func graphqlHandler(limits Limits) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, herr := PrepareOperation(r, limits)
		if herr != nil {
			WriteHTTPError(w, herr)
			return
		}
		if v := graphql.ValidateDocument(&testSchema, op.Document, nil); !v.IsValid {
			// A GraphQL request error: 200 under application/json, and
			// NegotiateResponse makes it 400 under
			// application/graphql-response+json.
			MaskSuggestions(v.Errors)
			for i := range v.Errors {
				v.Errors[i].Extensions = map[string]any{"code": incident.CodeBadUserInput}
			}
			WriteJSON(w, http.StatusOK, &graphql.Result{Errors: v.Errors})
			return
		}
		res := graphql.Execute(graphql.ExecuteParams{
			Schema: testSchema, AST: op.Document, OperationName: op.Name,
			Args: op.Request.Variables, Context: r.Context(),
		})
		WriteJSON(w, http.StatusOK, res)
	})
}

type edge struct {
	srv   *httptest.Server
	token string
	auth  *Authenticator
}

func newEdge(t *testing.T) *edge {
	t.Helper()
	auth := NewAuthenticator(testSecret)
	tok, err := auth.Mint("handler1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Harden(graphqlHandler(DefaultLimits()), auth, 10*time.Second))
	t.Cleanup(srv.Close)
	return &edge{srv: srv, token: tok, auth: auth}
}

type response struct {
	status int
	header http.Header
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func (e *edge) do(t *testing.T, req *http.Request) response {
	t.Helper()
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := response{status: res.StatusCode, header: res.Header}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("status %d with content type %q: %.200s", res.StatusCode, ct, body)
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("status %d, body is not JSON: %v: %.200s", res.StatusCode, err, body)
	}
	return out
}

func (e *edge) post(t *testing.T, body string) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.token)
	return e.do(t, req)
}

func queryBody(q string) string {
	b, _ := json.Marshal(map[string]any{"query": q})
	return string(b)
}

// alive asserts that the server still answers a normal query.
func (e *edge) alive(t *testing.T) {
	t.Helper()
	r := e.post(t, `{"query":"{ me }"}`)
	if r.status != http.StatusOK || r.Data["me"] != "handler1" {
		t.Fatalf("server not serving: %+v", r)
	}
}

func TestHTTPEdgeRequests(t *testing.T) {
	e := newEdge(t)
	claims := validClaims()
	claims["exp"] = time.Now().Add(-time.Hour).Unix()
	expired := sign(t, jwt.SigningMethodHS256, testSecret, claims)
	cases := []struct {
		name        string
		method      string
		target      string
		contentType string
		auth        string
		body        string
		status      int
		code        string
		header      [2]string
	}{
		{name: "query", method: "POST", contentType: "application/json", body: `{"query":"{ me }"}`, status: 200},
		{name: "charset utf-8", method: "POST", contentType: "application/json; charset=UTF-8", body: `{"query":"{ me }"}`, status: 200},
		{name: "mutation over POST", method: "POST", contentType: "application/json", body: `{"query":"mutation { bump }"}`, status: 200},
		{name: "query over GET", method: "GET", target: "?query=" + url.QueryEscape("{ me }"), status: 200},
		{name: "mutation over GET", method: "GET", target: "?query=" + url.QueryEscape("mutation { bump }"), status: 405, code: incident.CodeBadUserInput, header: [2]string{"Allow", "POST"}},
		{name: "named mutation over GET", method: "GET", target: "?operationName=M&query=" + url.QueryEscape("query Q { me } mutation M { bump }"), status: 405, code: incident.CodeBadUserInput},
		{name: "PUT", method: "PUT", contentType: "application/json", body: `{"query":"{ me }"}`, status: 405, code: incident.CodeBadUserInput, header: [2]string{"Allow", "GET, POST"}},
		{name: "no token", method: "POST", contentType: "application/json", auth: "-", body: `{"query":"{ me }"}`, status: 401, code: incident.CodeUnauthenticated, header: [2]string{"WWW-Authenticate", `Bearer realm="casetrail"`}},
		{name: "basic auth", method: "POST", contentType: "application/json", auth: "Basic dTpw", body: `{"query":"{ me }"}`, status: 401, code: incident.CodeUnauthenticated},
		{name: "bad token", method: "POST", contentType: "application/json", auth: "Bearer x.y.z", body: `{"query":"{ me }"}`, status: 401, code: incident.CodeUnauthenticated},
		{name: "expired token", method: "POST", contentType: "application/json", auth: "Bearer " + expired, body: `{"query":"{ me }"}`, status: 401, code: incident.CodeUnauthenticated},
		{name: "malformed JSON", method: "POST", contentType: "application/json", body: `{"query": "{ me }"`, status: 400, code: incident.CodeBadUserInput},
		{name: "not JSON at all", method: "POST", contentType: "application/json", body: `query { me }`, status: 400, code: incident.CodeBadUserInput},
		{name: "trailing data", method: "POST", contentType: "application/json", body: `{"query":"{ me }"} {}`, status: 400, code: incident.CodeBadUserInput},
		{name: "JSON null", method: "POST", contentType: "application/json", body: `null`, status: 400, code: incident.CodeBadUserInput},
		{name: "batch", method: "POST", contentType: "application/json", body: `[{"query":"{ me }"}]`, status: 400, code: incident.CodeBadUserInput},
		{name: "query not a string", method: "POST", contentType: "application/json", body: `{"query":42}`, status: 400, code: incident.CodeBadUserInput},
		{name: "no query", method: "POST", contentType: "application/json", body: `{"variables":{}}`, status: 400, code: incident.CodeBadUserInput},
		{name: "variables not an object", method: "POST", contentType: "application/json", body: `{"query":"{ me }","variables":[1]}`, status: 400, code: incident.CodeBadUserInput},
		{name: "invalid UTF-8", method: "POST", contentType: "application/json", body: "{\"query\":\"{ echo(s: \\\"\xff\\\") }\"}", status: 400, code: incident.CodeBadUserInput},
		{name: "text/plain", method: "POST", contentType: "text/plain", body: `{"query":"{ me }"}`, status: 415, code: incident.CodeBadUserInput},
		{name: "form", method: "POST", contentType: "application/x-www-form-urlencoded", body: `query=%7B+me+%7D`, status: 415, code: incident.CodeBadUserInput},
		{name: "no content type", method: "POST", body: `{"query":"{ me }"}`, status: 415, code: incident.CodeBadUserInput},
		{name: "latin-1 charset", method: "POST", contentType: "application/json; charset=iso-8859-1", body: `{"query":"{ me }"}`, status: 415, code: incident.CodeBadUserInput},
		// GraphQL request errors: 200 under application/json (GraphQL over HTTP).
		{name: "syntax error", method: "POST", contentType: "application/json", body: `{"query":"{ me "}`, status: 200, code: incident.CodeBadUserInput},
		{name: "several operations, no name", method: "POST", contentType: "application/json", body: `{"query":"query A { me } query B { me }"}`, status: 200, code: incident.CodeBadUserInput},
		{name: "unknown operation name", method: "POST", contentType: "application/json", body: `{"query":"query A { me }","operationName":"B"}`, status: 200, code: incident.CodeBadUserInput},
		{name: "selected operation", method: "POST", contentType: "application/json", body: `{"query":"query A { me } query B { echo(s: \"b\") }","operationName":"B"}`, status: 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, e.srv.URL+"/graphql"+tc.target, strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			switch tc.auth {
			case "":
				req.Header.Set("Authorization", "Bearer "+e.token)
			case "-":
			default:
				req.Header.Set("Authorization", tc.auth)
			}
			r := e.do(t, req)
			if r.status != tc.status || r.code() != tc.code {
				t.Fatalf("status %d code %q (%+v), want %d %q", r.status, r.code(), r.Errors, tc.status, tc.code)
			}
			if tc.code == "" && len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			if tc.code != "" && (len(r.Errors) != 1 || r.Errors[0].Message == "") {
				t.Fatalf("want one error with a message: %+v", r.Errors)
			}
			if tc.header[0] != "" && r.header.Get(tc.header[0]) != tc.header[1] {
				t.Fatalf("%s = %q, want %q", tc.header[0], r.header.Get(tc.header[0]), tc.header[1])
			}
		})
	}
	e.alive(t)
}

func TestHTTPEdgeBodyLimit(t *testing.T) {
	e := newEdge(t)
	big := `{"query":"{ me }","variables":{"pad":"` + strings.Repeat("x", 30<<20) + `"}}`

	// Declared length: refused before reading.
	r := e.post(t, big)
	if r.status != http.StatusRequestEntityTooLarge || r.code() != incident.CodeBadUserInput {
		t.Fatalf("30 MiB with Content-Length: %d %q", r.status, r.code())
	}
	// Chunked, length unknown: refused once 16 MiB have been read.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.token)
	r = e.do(t, req)
	if r.status != http.StatusRequestEntityTooLarge || r.code() != incident.CodeBadUserInput {
		t.Fatalf("30 MiB chunked: %d %q", r.status, r.code())
	}
	// Just under the cap is accepted.
	ok := `{"query":"{ me }","variables":{"pad":"` + strings.Repeat("x", MaxBodyBytes-100) + `"}}`
	if r := e.post(t, ok); r.status != http.StatusOK {
		t.Fatalf("body under the cap: %d %+v", r.status, r.Errors)
	}
	e.alive(t)
}

// TestHTTPEdgeHostileQueries: each hostile query gets a bounded error and
// the server keeps serving.
func TestHTTPEdgeHostileQueries(t *testing.T) {
	e := newEdge(t)
	cases := map[string]string{
		"fragment cycle":      `fragment A on Query { ...B } fragment B on Query { ...A } { ...A }`,
		"depth 50":            nested("node", 50),
		"1000 aliases":        aliases(1000),
		"fragment bomb":       fragmentBomb(60),
		"8 MB of nesting":     strings.Repeat("{a", 4_000_000) + strings.Repeat("}", 4_000_000),
		"too many tokens":     `{` + strings.Repeat(" me", 200000) + `}`,
		"long cycle chain":    chain(3000, true),
		"conflicting repeats": `{` + strings.Repeat(` x: echo(s: "a") x: echo(s: "b")`, 1000) + `}`,
		"many fragments":      manyFragments(2000),
	}
	for name, q := range cases {
		t.Run(name, func(t *testing.T) {
			r := e.post(t, queryBody(q))
			if r.status != http.StatusBadRequest || r.code() != CodeQueryTooComplex {
				t.Fatalf("status %d code %q: %+v", r.status, r.code(), r.Errors)
			}
			e.alive(t)
		})
	}
}

func TestHTTPEdgeValidationAndExecution(t *testing.T) {
	e := newEdge(t)
	r := e.post(t, `{"query":"query($s: String) { echo(s: $s) }","variables":{"s":"xin chào"}}`)
	if r.status != 200 || r.Data["echo"] != "xin chào" {
		t.Fatalf("echo: %+v", r)
	}
	r = e.post(t, `{"query":"{ mee }"}`)
	if r.status != 200 || len(r.Errors) == 0 || strings.Contains(r.Errors[0].Message, "Did you mean") {
		t.Fatalf("unknown field: %+v", r)
	}
}

func TestParseRequestKeepsExplicitNull(t *testing.T) {
	body := `{"query":"query($a: String, $in: X) { me }","variables":{"a":null,"in":{"verdict":null,"x":1}}}`
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	gr, herr := ParseRequest(req)
	if herr != nil {
		t.Fatal(herr)
	}
	if v, ok := gr.Variables["a"]; !ok || v != nil {
		t.Errorf("explicit null variable lost: %v %v", v, ok)
	}
	in := gr.Variables["in"].(map[string]any)
	if v, ok := in["verdict"]; !ok || v != nil {
		t.Errorf("explicit null input field lost: %v %v", v, ok)
	}
	if _, ok := gr.Variables["absent"]; ok {
		t.Error("absent variable present")
	}
	if !bytes.Contains(gr.RawVariables, []byte(`"verdict":null`)) {
		t.Errorf("raw variables %s", gr.RawVariables)
	}

	get := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape("{ me }")+"&variables="+url.QueryEscape(`{"a":null}`), nil)
	gr, herr = ParseRequest(get)
	if herr != nil {
		t.Fatal(herr)
	}
	if v, ok := gr.Variables["a"]; !ok || v != nil || gr.Query != "{ me }" {
		t.Errorf("GET request decoded as %+v", gr)
	}
}

func TestTimeout(t *testing.T) {
	started := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done() // a resolver honouring its context
		WriteJSON(w, http.StatusOK, map[string]any{"data": "late"})
	})
	srv := httptest.NewServer(Timeout(50*time.Millisecond, slow))
	defer srv.Close()
	e := &edge{srv: srv}
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{}`))
	r := e.do(t, req)
	<-started
	if r.status != http.StatusServiceUnavailable || r.code() != incident.CodeInternal {
		t.Fatalf("status %d code %q", r.status, r.code())
	}

	fast := Timeout(time.Minute, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Context().Deadline(); !ok {
			t.Error("handler context has no deadline")
		}
		w.Header().Set("X-Test", "1")
		WriteJSON(w, http.StatusCreated, map[string]any{"data": "ok"})
	}))
	rec := httptest.NewRecorder()
	fast.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusCreated || rec.Header().Get("X-Test") != "1" || !strings.Contains(rec.Body.String(), `"ok"`) {
		t.Fatalf("fast handler: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

func TestTimeoutRecoversPanic(t *testing.T) {
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	h := Timeout(time.Minute, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "boom") {
		t.Fatalf("panic answered %d %s", rec.Code, rec.Body)
	}
}

func TestAuthenticatePutsSubjectInContext(t *testing.T) {
	e := newEdge(t)
	tok, _ := e.auth.Mint("reporter1", time.Minute)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL, strings.NewReader(`{"query":"{ me }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "bearer "+tok) // scheme is case-insensitive
	if r := e.do(t, req); r.status != 200 || r.Data["me"] != "reporter1" {
		t.Fatalf("%+v", r)
	}
	if _, ok := SubjectFrom(context.Background()); ok {
		t.Fatal("subject in an empty context")
	}
}

// TestIdempotencyKeyHeader: a key of 1 to 255 printable ASCII characters is
// taken; an empty, overlong, repeated or non-ASCII one is BAD_USER_INPUT.
func TestIdempotencyKeyHeader(t *testing.T) {
	e := newEdge(t)
	for _, tc := range []struct {
		name   string
		values []string
		ok     bool
	}{
		{"uuid", []string{"5b7e9c52-2f4d-4d8e-9a1c-3b2f6e7d8c90"}, true},
		{"longest", []string{strings.Repeat("k", MaxIdempotencyKey)}, true},
		{"too long", []string{strings.Repeat("k", MaxIdempotencyKey+1)}, false},
		{"empty", []string{""}, false},
		{"two", []string{"a", "b"}, false},
		{"not ASCII", []string{"khóa-1"}, false},
		{"control", []string{"a\tb"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", strings.NewReader(`{"query":"{ me }"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+e.token)
			for _, v := range tc.values {
				req.Header.Add("Idempotency-Key", v)
			}
			r := e.do(t, req)
			if tc.ok && (r.status != http.StatusOK || r.code() != "") {
				t.Errorf("refused: %d %+v", r.status, r.Errors)
			}
			if !tc.ok && (r.status != http.StatusBadRequest || r.code() != incident.CodeBadUserInput) {
				t.Errorf("accepted: %d %+v", r.status, r.Errors)
			}
		})
	}
}

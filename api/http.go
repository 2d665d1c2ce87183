package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/graphql-go/graphql/language/ast"

	"casetrail/incident"
)

// MaxBodyBytes is the largest request body accepted (16 MiB); larger bodies
// are answered with HTTP 413.
const MaxBodyBytes = 16 << 20

// DefaultTimeout is a sensible per-request time limit for Timeout.
const DefaultTimeout = 30 * time.Second

// HTTPError is a request refused at the HTTP edge: the status to answer and
// the GraphQL error (contract code, user-facing message) to put in the body.
type HTTPError struct {
	Status  int
	Code    string
	Message string
	// Header holds extra response headers (Allow, WWW-Authenticate).
	Header http.Header
}

// Error returns the message.
func (e *HTTPError) Error() string { return e.Message }

func httpError(status int, code, format string, args ...any) *HTTPError {
	return &HTTPError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func (e *HTTPError) with(key, value string) *HTTPError {
	if e.Header == nil {
		e.Header = http.Header{}
	}
	e.Header.Set(key, value)
	return e
}

// errorBody is the GraphQL response carrying one error.
type errorBody struct {
	Errors []errorItem `json:"errors"`
}

type errorItem struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// WriteError answers with status and a GraphQL error body:
// {"errors":[{"message":message,"extensions":{"code":code}}]}.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	WriteJSON(w, status, errorBody{Errors: []errorItem{{Message: message, Extensions: map[string]any{"code": code}}}})
}

// WriteHTTPError answers with e's headers, status and GraphQL error body.
func WriteHTTPError(w http.ResponseWriter, e *HTTPError) {
	for k, vs := range e.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	WriteError(w, e.Status, e.Code, e.Message)
}

// WriteJSON answers with status and v encoded as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// GraphQLRequest is a decoded GraphQL-over-HTTP request.
type GraphQLRequest struct {
	Query         string
	OperationName string
	// Variables as decoded from JSON (numbers are float64). A variable sent
	// as explicit null is present with a nil value, at any depth; graphql-go
	// drops such entries when it coerces variables, so resolvers that must
	// tell "null" from "absent" look here.
	Variables map[string]any
	// RawVariables is the variables object exactly as sent (nil when absent
	// or null).
	RawVariables json.RawMessage
}

// ParseRequest decodes a GraphQL request: GET with query, operationName and
// variables URL parameters, or POST with an application/json body of at
// most MaxBodyBytes. Failures are answered with the returned HTTPError: 413
// for a body too large, 415 for another content type, 405 for another
// method, 400 (BAD_USER_INPUT) for malformed JSON, invalid UTF-8, a batch or
// a missing query.
func ParseRequest(r *http.Request) (GraphQLRequest, *HTTPError) {
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		return decodeRequest(q.Get("query"), q.Get("operationName"), []byte(q.Get("variables")))
	case http.MethodPost:
	default:
		return GraphQLRequest{}, httpError(http.StatusMethodNotAllowed, incident.CodeBadUserInput,
			"method %s is not allowed; use GET or POST", r.Method).with("Allow", "GET, POST")
	}
	if herr := checkContentType(r.Header.Get("Content-Type")); herr != nil {
		return GraphQLRequest{}, herr
	}
	if r.ContentLength > MaxBodyBytes {
		return GraphQLRequest{}, bodyTooLarge()
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return GraphQLRequest{}, bodyTooLarge()
		}
		return GraphQLRequest{}, httpError(http.StatusBadRequest, incident.CodeBadUserInput, "could not read the request body")
	}
	if !utf8.Valid(body) {
		return GraphQLRequest{}, badRequest("the request body is not valid UTF-8")
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return GraphQLRequest{}, badRequest("batched requests are not supported; send one JSON object")
	}
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&fields); err != nil {
		return GraphQLRequest{}, badRequest("malformed JSON body: %s", jsonProblem(err))
	}
	if fields == nil {
		return GraphQLRequest{}, badRequest("the request body must be a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return GraphQLRequest{}, badRequest("malformed JSON body: data after the request object")
	}
	var query, opName string
	if err := decodeOptionalString(fields["query"], &query); err != nil {
		return GraphQLRequest{}, badRequest("query must be a string")
	}
	if err := decodeOptionalString(fields["operationName"], &opName); err != nil {
		return GraphQLRequest{}, badRequest("operationName must be a string")
	}
	return decodeRequest(query, opName, fields["variables"])
}

func decodeRequest(query, opName string, variables []byte) (GraphQLRequest, *HTTPError) {
	if !utf8.ValidString(query) || !utf8.ValidString(opName) || !utf8.Valid(variables) {
		return GraphQLRequest{}, badRequest("the request is not valid UTF-8")
	}
	if strings.TrimSpace(query) == "" {
		return GraphQLRequest{}, badRequest("query is required")
	}
	req := GraphQLRequest{Query: query, OperationName: opName}
	v := bytes.TrimSpace(variables)
	if len(v) == 0 || string(v) == "null" {
		return req, nil
	}
	if v[0] != '{' {
		return GraphQLRequest{}, badRequest("variables must be a JSON object")
	}
	if err := json.Unmarshal(v, &req.Variables); err != nil {
		return GraphQLRequest{}, badRequest("malformed variables: %s", jsonProblem(err))
	}
	req.RawVariables = append(json.RawMessage(nil), v...)
	return req, nil
}

func decodeOptionalString(raw json.RawMessage, out *string) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return json.Unmarshal(raw, out)
}

// jsonProblem describes a decoding error without echoing the input.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected end of input"
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("unexpected %s at byte %d", typ.Value, typ.Offset)
	}
	return "invalid JSON"
}

func checkContentType(ct string) *HTTPError {
	unsupported := httpError(http.StatusUnsupportedMediaType, incident.CodeBadUserInput,
		"unsupported content type %q; send application/json", ct)
	if ct == "" {
		unsupported.Message = "missing content type; send application/json"
		return unsupported
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return unsupported
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return unsupported
	}
	return nil
}

func badRequest(format string, args ...any) *HTTPError {
	return httpError(http.StatusBadRequest, incident.CodeBadUserInput, format, args...)
}

func bodyTooLarge() *HTTPError {
	return httpError(http.StatusRequestEntityTooLarge, incident.CodeBadUserInput,
		"the request body is larger than %d MiB", MaxBodyBytes>>20)
}

// Operation is a request ready for graphql-go: decoded, parsed, checked
// against the limits, with its operation selected.
type Operation struct {
	Request  GraphQLRequest
	Document *ast.Document
	// Name is the selected operation's name ("" when anonymous).
	Name string
	// Type is "query", "mutation" or "subscription".
	Type string
	// IdempotencyKey is the request's Idempotency-Key header ("" when
	// absent): the caller's key for the commands of the request.
	IdempotencyKey string
}

// MaxIdempotencyKey is the longest Idempotency-Key accepted, in bytes.
const MaxIdempotencyKey = 255

// idempotencyKey returns r's Idempotency-Key: at most one header of 1 to
// MaxIdempotencyKey printable ASCII characters (the IETF draft's sf-string,
// unquoted).
func idempotencyKey(r *http.Request) (string, *HTTPError) {
	vs := r.Header.Values("Idempotency-Key")
	if len(vs) == 0 {
		return "", nil
	}
	const rule = "Idempotency-Key: one header of 1 to %d printable ASCII characters"
	if len(vs) > 1 || vs[0] == "" || len(vs[0]) > MaxIdempotencyKey {
		return "", httpError(http.StatusBadRequest, incident.CodeBadUserInput, rule, MaxIdempotencyKey)
	}
	for i := 0; i < len(vs[0]); i++ {
		if c := vs[0][i]; c < 0x20 || c > 0x7e {
			return "", httpError(http.StatusBadRequest, incident.CodeBadUserInput, rule, MaxIdempotencyKey)
		}
	}
	return vs[0], nil
}

// PrepareOperation decodes r (ParseRequest), parses and checks its query
// (ParseQuery) and selects the operation to run; a mutation sent with GET
// is refused (405, mutations only over POST). A document that does not
// parse (or repeats a fragment name) and one that selects no single
// operation are GraphQL request errors (BAD_USER_INPUT) answered with
// requestErrorStatus: 200 under application/json, 400 under
// application/graphql-response+json. The limits keep their own statuses
// (400 QUERY_TOO_COMPLEX, 403 for introspection when disabled). Pass the
// Document to graphql.ValidateDocument and graphql.Execute, never the query
// text to graphql.Do.
func PrepareOperation(r *http.Request, limits Limits) (*Operation, *HTTPError) {
	req, herr := ParseRequest(r)
	if herr != nil {
		return nil, herr
	}
	doc, err := ParseQuery(req.Query, limits)
	if err != nil {
		status := http.StatusBadRequest
		switch incident.ErrorCode(err) {
		case incident.CodeForbidden:
			status = http.StatusForbidden
		case incident.CodeBadUserInput: // the document does not parse or is invalid
			status = requestErrorStatus(r)
		}
		return nil, httpError(status, incident.ErrorCode(err), "%s", incident.ErrorMessage(err))
	}
	op, herr := selectOperation(doc, req.OperationName)
	if herr != nil {
		herr.Status = requestErrorStatus(r) // the operation cannot be determined
		return nil, herr
	}
	if r.Method != http.MethodPost && op.Operation != ast.OperationTypeQuery {
		return nil, httpError(http.StatusMethodNotAllowed, incident.CodeBadUserInput,
			"a %s must be sent with POST", op.Operation).with("Allow", "POST")
	}
	name := ""
	if op.Name != nil {
		name = op.Name.Value
	}
	key, herr := idempotencyKey(r)
	if herr != nil {
		return nil, herr
	}
	return &Operation{Request: req, Document: doc, Name: name, Type: op.Operation, IdempotencyKey: key}, nil
}

func selectOperation(doc *ast.Document, name string) (*ast.OperationDefinition, *HTTPError) {
	var found *ast.OperationDefinition
	n := 0
	for _, def := range doc.Definitions {
		op, ok := def.(*ast.OperationDefinition)
		if !ok {
			continue
		}
		n++
		if name == "" || (op.Name != nil && op.Name.Value == name) {
			found = op
		}
	}
	switch {
	case n == 0:
		return nil, badRequest("the document contains no operation")
	case name == "" && n > 1:
		return nil, badRequest("operationName is required when the document has several operations")
	case found == nil:
		return nil, badRequest("unknown operation %q", name)
	}
	return found, nil
}

type subjectKey struct{}

// WithSubject returns ctx carrying the authenticated subject.
func WithSubject(ctx context.Context, sub string) context.Context {
	return context.WithValue(ctx, subjectKey{}, sub)
}

// SubjectFrom returns the authenticated subject carried by ctx.
func SubjectFrom(ctx context.Context) (string, bool) {
	sub, ok := ctx.Value(subjectKey{}).(string)
	return sub, ok && sub != ""
}

// BearerToken returns the token of an "Authorization: Bearer <token>" header.
func BearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}

// Authenticate lets through only requests with a valid bearer token, with
// the token's subject in the request context (SubjectFrom); the others get
// HTTP 401 and a GraphQL error with code UNAUTHENTICATED.
func Authenticate(auth *Authenticator, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := BearerToken(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="casetrail"`)
			WriteError(w, http.StatusUnauthorized, incident.CodeUnauthenticated,
				"authentication required: send Authorization: Bearer <token>")
			return
		}
		sub, err := auth.Verify(token)
		if err != nil {
			msg := "invalid token"
			if errors.Is(err, ErrTokenExpired) {
				msg = "token expired"
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="casetrail", error="invalid_token"`)
			WriteError(w, http.StatusUnauthorized, incident.CodeUnauthenticated, msg)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithSubject(r.Context(), sub)))
	})
}

// LimitBody refuses bodies larger than limit bytes: at once (413) when the
// declared Content-Length is larger, otherwise reading beyond limit fails
// with *http.MaxBytesError, which ParseRequest answers with 413.
func LimitBody(limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			w.Header().Set("Connection", "close")
			WriteError(w, http.StatusRequestEntityTooLarge, incident.CodeBadUserInput,
				fmt.Sprintf("the request body is larger than %d bytes", limit))
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// Timeout gives each request at most d: the request context is cancelled at
// the deadline and, if the handler has not finished, the client gets HTTP
// 503 with a GraphQL error (code INTERNAL) while the handler's late output
// is discarded. The response is buffered until the handler returns. A panic
// in the handler is logged and answered with 500 INTERNAL.
func Timeout(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		bw := &bufferedWriter{header: http.Header{}}
		done := make(chan any, 1)
		go func() {
			defer func() {
				p := recover()
				if p != nil && p != http.ErrAbortHandler {
					slog.Error("panic serving request", "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
				}
				done <- p
			}()
			next.ServeHTTP(bw, r.WithContext(ctx))
		}()
		select {
		case p := <-done:
			if p == http.ErrAbortHandler {
				panic(p)
			}
			if p != nil {
				WriteError(w, http.StatusInternalServerError, incident.CodeInternal, "internal error")
				return
			}
			bw.flushTo(w)
		case <-ctx.Done():
			bw.stop()
			WriteError(w, http.StatusServiceUnavailable, incident.CodeInternal,
				"the request took too long and was cancelled; a command it carried may still be applied: "+
					"send it again with the same Idempotency-Key header to learn its outcome")
		}
	})
}

// bufferedWriter holds a handler's response until it is copied to the real
// writer; after stop, writes fail with http.ErrHandlerTimeout.
type bufferedWriter struct {
	mu      sync.Mutex
	header  http.Header
	status  int
	body    bytes.Buffer
	stopped bool
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(status int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.status == 0 && !b.stopped {
		b.status = status
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return 0, http.ErrHandlerTimeout
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedWriter) stop() {
	b.mu.Lock()
	b.stopped = true
	b.mu.Unlock()
}

func (b *bufferedWriter) flushTo(w http.ResponseWriter) {
	b.mu.Lock()
	defer b.mu.Unlock()
	dst := w.Header()
	for k, vs := range b.header {
		dst[k] = vs
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}

// Harden wraps a GraphQL handler with the edge protections, outermost
// first: NegotiateResponse, Timeout(timeout), LimitBody(MaxBodyBytes),
// Authenticate(auth).
func Harden(h http.Handler, auth *Authenticator, timeout time.Duration) http.Handler {
	return NegotiateResponse(Timeout(timeout, LimitBody(MaxBodyBytes, Authenticate(auth, h))))
}

// The media types of a GraphQL response (GraphQL over HTTP, "Body").
const (
	MediaTypeJSON            = "application/json"
	MediaTypeGraphQLResponse = "application/graphql-response+json"
)

// ResponseMediaType chooses the media type of the response to r from its
// Accept headers, as RFC 9110 section 12.5.1 says: each supported type gets
// the q-value of the most specific media range that matches it (a range
// naming a charset other than UTF-8 matches nothing); the type with the
// highest q-value wins; on a tie, the one named exactly rather than
// through a wildcard, then the one listed first, then application/json.
// Without an Accept header, or with an empty one, it is application/json,
// for legacy clients (and the clients of this API, which check for it): the
// spec's legacy watershed asked for this default until 2025, and since
// then only recommends (SHOULD) application/graphql-response+json. */*
// gets application/json too. ok is false when the header accepts neither
// type: the request is answered 406.
func ResponseMediaType(r *http.Request) (mediaType string, ok bool) {
	header := strings.Join(r.Header.Values("Accept"), ",")
	if strings.TrimSpace(header) == "" {
		return MediaTypeJSON, true
	}
	type match struct {
		q           float64
		specificity int // 3 exact, 2 type/*, 1 */*, 0 no match
		pos         int
	}
	supported := []string{MediaTypeJSON, MediaTypeGraphQLResponse}
	matches := make([]match, len(supported))
	for pos, item := range strings.Split(header, ",") {
		mr, ok := parseMediaRange(item)
		if !ok {
			continue
		}
		for i, mt := range supported {
			typ, sub, _ := strings.Cut(mt, "/")
			var spec int
			switch {
			case mr.typ == typ && mr.sub == sub:
				spec = 3
			case mr.typ == typ && mr.sub == "*":
				spec = 2
			case mr.typ == "*" && mr.sub == "*":
				spec = 1
			default:
				continue
			}
			if !mr.utf8 {
				continue
			}
			if spec > matches[i].specificity {
				matches[i] = match{q: mr.q, specificity: spec, pos: pos}
			}
		}
	}
	best := -1
	for i, m := range matches {
		if m.specificity == 0 || m.q <= 0 {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		b := matches[best]
		switch {
		case m.q != b.q:
			if m.q > b.q {
				best = i
			}
		case m.specificity != b.specificity:
			if m.specificity > b.specificity {
				best = i
			}
		case m.pos < b.pos:
			best = i
		}
	}
	if best < 0 {
		return "", false
	}
	return supported[best], true
}

type mediaRange struct {
	typ, sub string
	q        float64
	utf8     bool // no charset parameter, or UTF-8
}

// parseMediaRange parses one element of an Accept header: a media range,
// its parameters and a weight ("q"), after which accept extensions are
// ignored. ok is false for an element that is not a media range or has an
// invalid weight.
func parseMediaRange(s string) (mediaRange, bool) {
	parts := strings.Split(s, ";")
	typ, sub, ok := strings.Cut(strings.ToLower(strings.TrimSpace(parts[0])), "/")
	typ, sub = strings.TrimSpace(typ), strings.TrimSpace(sub)
	if !ok || typ == "" || sub == "" || (typ == "*" && sub != "*") {
		return mediaRange{}, false
	}
	mr := mediaRange{typ: typ, sub: sub, q: 1, utf8: true}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.Trim(strings.TrimSpace(v), `"`)
		switch k {
		case "q":
			q, err := strconv.ParseFloat(v, 64)
			if err != nil || q < 0 || q > 1 {
				return mediaRange{}, false
			}
			mr.q = q
			return mr, true
		case "charset":
			mr.utf8 = strings.EqualFold(v, "utf-8") || strings.EqualFold(v, "utf8")
		}
	}
	return mr, true
}

// requestErrorStatus is the status of a GraphQL request error (a document
// that does not parse or validate, no single operation to run, variables
// that cannot be coerced): GraphQL over HTTP asks for 200 when the
// response is application/json and 400 when it is
// application/graphql-response+json.
func requestErrorStatus(r *http.Request) int {
	if mt, _ := ResponseMediaType(r); mt == MediaTypeGraphQLResponse {
		return http.StatusBadRequest
	}
	return http.StatusOK
}

// NegotiateResponse answers each request in the media type
// ResponseMediaType chooses, or with 406 NOT ACCEPTABLE (BAD_USER_INPUT)
// when its Accept header allows neither. Every JSON response of next gets
// Content-Type "<media type>; charset=utf-8" and Vary: Accept. Under
// application/graphql-response+json a 2xx GraphQL response is held until
// next returns and its status follows GraphQL over HTTP: one without data
// whose errors are all GraphQL request errors (graphqlRequestErrors) is
// answered 400 without the data entry; any other (the operation was
// executed) stays 2xx and carries data, null when it had none.
func NegotiateResponse(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept")
		mt, ok := ResponseMediaType(r)
		if !ok {
			WriteError(w, http.StatusNotAcceptable, incident.CodeBadUserInput,
				"the Accept header allows neither "+MediaTypeGraphQLResponse+" nor "+MediaTypeJSON)
			return
		}
		nw := &negotiatedWriter{w: w, mediaType: mt}
		next.ServeHTTP(nw, r)
		nw.finish()
	})
}

// negotiatedWriter gives JSON responses the negotiated media type and,
// under application/graphql-response+json, holds 2xx ones for finish.
type negotiatedWriter struct {
	w         http.ResponseWriter
	mediaType string
	status    int
	held      *bytes.Buffer
}

func (n *negotiatedWriter) Header() http.Header { return n.w.Header() }

func (n *negotiatedWriter) WriteHeader(status int) {
	if status < 200 { // informational: passed on, the response is still to come
		n.w.WriteHeader(status)
		return
	}
	if n.status != 0 {
		return
	}
	n.status = status
	h := n.w.Header()
	if mt, _, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil && mt == MediaTypeJSON {
		h.Set("Content-Type", n.mediaType+"; charset=utf-8")
		if n.mediaType == MediaTypeGraphQLResponse && status >= 200 && status < 300 {
			n.held = &bytes.Buffer{}
			return
		}
	}
	n.w.WriteHeader(status)
}

func (n *negotiatedWriter) Write(p []byte) (int, error) {
	if n.status == 0 {
		n.WriteHeader(http.StatusOK)
	}
	if n.held != nil {
		return n.held.Write(p)
	}
	return n.w.Write(p)
}

// finish sends a held response with the status GraphQL over HTTP gives it.
func (n *negotiatedWriter) finish() {
	if n.held == nil {
		return
	}
	status, body := graphQLResponseStatus(n.status, n.held.Bytes())
	n.w.Header().Del("Content-Length")
	n.w.WriteHeader(status)
	_, _ = n.w.Write(body)
}

// graphQLResponseStatus returns the status and body of a 2xx GraphQL
// response sent as application/graphql-response+json. A response with
// non-null data is unchanged. One without data (absent or null) whose
// errors are all GraphQL request errors becomes 400 without the data entry
// (a response without data must not be 2xx). Any other one without data
// reports an executed operation: it stays 2xx, with data null.
func graphQLResponseStatus(status int, body []byte) (int, []byte) {
	if b := bytes.TrimLeft(body, " \t\r\n"); bytes.HasPrefix(b, []byte(`{"data":`)) &&
		!bytes.HasPrefix(b, []byte(`{"data":null`)) {
		return status, body // the usual case, without decoding a large body
	}
	var res map[string]json.RawMessage
	if err := json.Unmarshal(body, &res); err != nil || res == nil {
		return status, body
	}
	data, hasData := res["data"]
	if hasData && string(data) != "null" {
		return status, body
	}
	var errs []map[string]any
	if err := json.Unmarshal(res["errors"], &errs); err != nil || len(errs) == 0 {
		return status, body
	}
	switch {
	case graphqlRequestErrors(errs):
		delete(res, "data")
		status = http.StatusBadRequest
	case !hasData:
		res["data"] = json.RawMessage("null")
	default:
		return status, body
	}
	out, err := json.Marshal(res)
	if err != nil {
		return status, body
	}
	return status, append(out, '\n')
}

// graphqlRequestErrors reports whether errs, the errors of a response
// without data, are GraphQL request errors, raised before execution: each
// has the code BAD_USER_INPUT and no path. graphql-go (v0.8.1) reports a
// document that fails validation and variables that cannot be coerced
// (CoerceVariableValues: a string for an Int!, a required variable missing
// or null) that way, with a nil data, before it resolves any field; the
// schema package gives them BAD_USER_INPUT, as it does the operation that
// cannot be determined. An error raised while executing has a path (a
// field error) or another code (INTERNAL for a timeout, QUERY_TOO_COMPLEX
// for a response too large).
func graphqlRequestErrors(errs []map[string]any) bool {
	for _, e := range errs {
		if p, ok := e["path"]; ok && p != nil {
			return false
		}
		ext, _ := e["extensions"].(map[string]any)
		if code, _ := ext["code"].(string); code != incident.CodeBadUserInput {
			return false
		}
	}
	return true
}

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
// is refused (405, mutations only over POST). Pass the Document to
// graphql.ValidateDocument and graphql.Execute, never the query text to
// graphql.Do.
func PrepareOperation(r *http.Request, limits Limits) (*Operation, *HTTPError) {
	req, herr := ParseRequest(r)
	if herr != nil {
		return nil, herr
	}
	doc, err := ParseQuery(req.Query, limits)
	if err != nil {
		status := http.StatusBadRequest
		if incident.ErrorCode(err) == incident.CodeForbidden {
			status = http.StatusForbidden
		}
		return nil, httpError(status, incident.ErrorCode(err), "%s", incident.ErrorMessage(err))
	}
	op, herr := selectOperation(doc, req.OperationName)
	if herr != nil {
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
// first: Timeout(timeout), LimitBody(MaxBodyBytes), Authenticate(auth).
func Harden(h http.Handler, auth *Authenticator, timeout time.Duration) http.Handler {
	return Timeout(timeout, LimitBody(MaxBodyBytes, Authenticate(auth, h)))
}

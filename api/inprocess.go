package api

import (
	"context"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"

	"casetrail/incident"
)

// Executor runs GraphQL operations in-process as a given subject: the way
// the web interface reads and writes, so that it has no authorization path
// of its own (DESIGN.md, "one authorization path"). An operation goes the
// way a /graphql request goes once its token is verified: the subject's
// request budget, ParseQuery's limits, operation selection, the cost and
// command limits and budgets (opHandler.charge), then schema.ExecuteDocument
// with the subject where the resolvers and Casbin checks read it, the errors
// finished as for HTTP, the metric observed and the operation logged.
//
// Given to NewServer as ServerOptions.Executor, it also serves /graphql, so
// a subject's budgets are one, whichever door it comes through.
type Executor struct {
	h *opHandler
}

// NewExecutor returns the executor of o (o.Schema is required). Pass the
// same options, with Executor set to the result, to NewServer.
func NewExecutor(o ServerOptions) *Executor {
	return &Executor{h: newOpHandler(o.withDefaults())}
}

type idempotencyKeyCtx struct{}

// WithIdempotencyKey returns ctx carrying the caller's key for the commands
// of the next Execute: the same key (and the same document) repeats the
// same commands instead of doing them twice, as the Idempotency-Key header
// does on /graphql. A key longer than MaxIdempotencyKey bytes is refused.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idempotencyKeyCtx{}, key)
}

// Execute runs the one operation of query with variables (Go values as
// encoding/json would decode them, or ints) as subject. Refusals before
// execution (no subject, a budget spent, a document too large or costly,
// several operations) come back as a result with one error whose
// extensions.code is the contract's code; it never returns nil.
func (e *Executor) Execute(ctx context.Context, subject, query string, variables map[string]any) *graphql.Result {
	began := time.Now()
	h := e.h
	refuse := func(code, msg string) *graphql.Result {
		h.opts.Metrics.Observe("", code, time.Since(began))
		return &graphql.Result{Errors: []gqlerrors.FormattedError{{
			Message: msg, Extensions: map[string]any{"code": code},
		}}}
	}
	if subject == "" {
		return refuse(incident.CodeUnauthenticated, "authentication required")
	}
	if !h.limiter.allow(subject) {
		return refuse(CodeRateLimited, "too many requests; slow down")
	}
	key, _ := ctx.Value(idempotencyKeyCtx{}).(string)
	if len(key) > MaxIdempotencyKey {
		return refuse(incident.CodeBadUserInput, "idempotency key too long")
	}
	doc, err := ParseQuery(query, h.limits)
	if err != nil {
		return refuse(incident.ErrorCode(err), incident.ErrorMessage(err))
	}
	def, herr := selectOperation(doc, "")
	if herr != nil {
		return refuse(herr.Code, herr.Message)
	}
	op := &Operation{
		Request:        GraphQLRequest{Query: query, Variables: variables},
		Document:       doc,
		Type:           def.Operation,
		IdempotencyKey: key,
	}
	if def.Name != nil {
		op.Name = def.Name.Value
	}
	if herr := h.charge(subject, op); herr != nil {
		return refuse(herr.Code, herr.Message)
	}
	res, _ := h.execute(ctx, subject, op, began, "via", "in-process")
	return res
}

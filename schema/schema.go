package schema

import (
	"context"
	"errors"
	"log/slog"
	"reflect"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/parser"
	"github.com/graphql-go/graphql/language/source"

	"casetrail/incident"
	"casetrail/intake"
)

// resolver holds the dependencies every resolver uses.
type resolver struct {
	auth      Authorizer
	commands  Commands
	projected Cases
	streams   Streams
	registry  Registry
	progress  Progress
	blobs     Blobs
	registrar Registrar
	admin     Administration  // schema/admin_*.go; may be nil
	public    PublicReporters // schema/public.go; may be nil
	log       *slog.Logger
	t         *types
	// evidenceQuota is Deps.EvidenceQuota resolved (negative: none).
	evidenceQuota int64
	// intake takes reports in (reportIncident).
	intake *intake.Service
}

// New builds the graph of the contract on deps. The schema is safe for
// concurrent use; run requests through Execute (or ExecuteDocument), which
// prepares the per-request state and gives every error a contract code.
func New(deps Deps) (graphql.Schema, error) {
	deps = deps.withReads()
	if deps.Auth == nil || deps.Commands == nil || deps.Cases == nil || deps.Streams == nil || deps.Registry == nil ||
		deps.Progress == nil || deps.Blobs == nil || deps.Registrar == nil {
		return graphql.Schema{}, errors.New("schema: Auth, Commands, Cases, Streams, Registry, Progress, Blobs and Registrar are required (or Reads for those left nil)")
	}
	r := &resolver{auth: deps.Auth, commands: deps.Commands, projected: deps.Cases, streams: deps.Streams, registry: deps.Registry,
		progress: deps.Progress, blobs: deps.Blobs, registrar: deps.Registrar, log: deps.Logger}
	if r.log == nil {
		r.log = slog.Default()
	}
	r.public = deps.Public
	r.admin = deps.Admin
	if r.admin == nil {
		r.admin, _ = deps.Reads.(Administration)
	}
	r.evidenceQuota = deps.EvidenceQuota
	if r.evidenceQuota == 0 {
		r.evidenceQuota = DefaultEvidenceQuota
	}
	in, err := intake.New(intake.Deps{
		Reads:    intakeReads{deps.Cases, deps.Registry, deps.Progress},
		Commands: deps.Commands, Auth: deps.Auth, Units: intakeUnits{r}, Logger: r.log,
	})
	if err != nil {
		return graphql.Schema{}, err
	}
	r.intake = in
	r.t = r.buildTypes()
	s, err := graphql.NewSchema(graphql.SchemaConfig{
		Query:    r.queryType(),
		Mutation: r.mutationType(),
	})
	if err != nil {
		return graphql.Schema{}, err
	}
	// graphql-go builds an enum's lookup maps lazily on first use, without a
	// lock; build them now so concurrent requests only read them.
	for _, e := range r.t.enums() {
		for _, v := range e.Values() {
			e.Serialize(v.Value)
			e.ParseValue(v.Name)
		}
	}
	return s, nil
}

// Execute parses query and runs it with ExecuteDocument. A syntax error is
// answered with BAD_USER_INPUT.
func Execute(ctx context.Context, s graphql.Schema, query, operationName string, variables map[string]any) *graphql.Result {
	doc, err := parser.Parse(parser.ParseParams{Source: source.NewSource(&source.Source{Body: []byte(query), Name: "GraphQL request"})})
	if err != nil {
		return &graphql.Result{Errors: finishErrors(ctx, slog.Default(), gqlerrors.FormatErrors(err))}
	}
	return ExecuteDocument(ctx, s, doc, operationName, variables)
}

// ExecuteDocument validates and runs a parsed request as the subject of ctx
// (WithSubject; resolvers answer UNAUTHENTICATED without one). It rejects
// fragment cycles before any other validation (graphql-go v0.8.1 overflows
// its stack on them), prepares the per-request unit cache, and gives every
// error of the result an extensions.code of the contract. Depth and size
// limits are the HTTP layer's, which runs before this.
func ExecuteDocument(ctx context.Context, s graphql.Schema, doc *ast.Document, operationName string, variables map[string]any) *graphql.Result {
	log := slog.Default()
	if v := validate(s, doc, []graphql.ValidationRuleFn{graphql.NoFragmentCyclesRule}); v != nil {
		return v
	}
	if v := validate(s, doc, otherRules); v != nil {
		return v
	}
	if msg := checkOperation(doc, operationName); msg != "" {
		return &graphql.Result{Errors: []gqlerrors.FormattedError{requestError(incident.CodeBadUserInput, msg)}}
	}
	res := graphql.Execute(graphql.ExecuteParams{
		Schema:        s,
		AST:           doc,
		OperationName: operationName,
		Args:          variables,
		Context:       withState(ctx),
	})
	res.Errors = finishErrors(ctx, log, res.Errors)
	return res
}

// otherRules are graphql-go's specified rules but the fragment-cycle rule,
// which ExecuteDocument runs on its own first.
var otherRules = func() []graphql.ValidationRuleFn {
	cycles := reflect.ValueOf(graphql.NoFragmentCyclesRule).Pointer()
	var out []graphql.ValidationRuleFn
	for _, r := range graphql.SpecifiedRules {
		if reflect.ValueOf(r).Pointer() != cycles {
			out = append(out, r)
		}
	}
	return out
}()

func validate(s graphql.Schema, doc *ast.Document, rules []graphql.ValidationRuleFn) *graphql.Result {
	v := graphql.ValidateDocument(&s, doc, rules)
	if v.IsValid {
		return nil
	}
	return &graphql.Result{Errors: finishErrors(context.Background(), slog.Default(), v.Errors)}
}

// checkOperation returns why operationName selects no single operation of
// doc ("" when it does), before graphql-go would say so without a code.
func checkOperation(doc *ast.Document, name string) string {
	n := 0
	for _, d := range doc.Definitions {
		op, ok := d.(*ast.OperationDefinition)
		if !ok {
			continue
		}
		n++
		if name != "" && op.Name != nil && op.Name.Value == name {
			return ""
		}
	}
	switch {
	case n == 0:
		return "the request has no operation"
	case name != "":
		return "unknown operation named \"" + name + "\""
	case n > 1:
		return "operationName is required when the request has several operations"
	}
	return ""
}

// subject returns the caller's subject or UNAUTHENTICATED.
func subject(ctx context.Context) (string, error) {
	sub, ok := Subject(ctx)
	if !ok {
		return "", errUnauthenticated
	}
	return sub, nil
}

// allow returns nil when sub may do action on unit, FORBIDDEN otherwise.
func (r *resolver) allow(sub, action, unit string) error {
	ok, err := r.auth.Allowed(sub, action, unit)
	if err != nil {
		return err
	}
	if !ok {
		return errForbidden
	}
	return nil
}

// hasRole returns nil when sub holds any role, FORBIDDEN otherwise: the
// list of units is for staff.
func (r *resolver) hasRole(sub string) error {
	if len(r.auth.RoleGrants(sub)) == 0 {
		return errForbidden
	}
	return nil
}

// allowAnywhere returns nil when sub may do action on some unit, FORBIDDEN
// otherwise: for the registry, which is one for the whole deployment.
func (r *resolver) allowAnywhere(sub, action string) error {
	if len(r.auth.VisibleUnits(sub, action)) == 0 {
		return errForbidden
	}
	return nil
}

package schema

import (
	"context"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"casetrail/eventstore/readmodel"
)

// CaseHeads lists cases with only their heads (readmodel.HeadOf): what
// Query.cases reads when the query selects nothing else of its cases
// (readmodel.Reader.ListCaseHeads, which skips decoding whole case
// documents; issue 19). Optional: the Cases of Deps may implement it;
// without it every list reads whole cases.
type CaseHeads interface {
	ListCaseHeads(ctx context.Context, f readmodel.Filter, visible []string, first int, after string) (readmodel.Page, error)
}

// headFields are the fields of Case whose resolvers read nothing but what
// readmodel.HeadOf keeps (unit: the case's unit id, looked up in the
// registry). TestCasesHeads selects them all and compares with a list of
// whole cases.
var headFields = map[string]bool{
	"__typename": true, "id": true, "number": true, "kind": true, "status": true, "severity": true,
	"title": true, "unit": true, "reportedBy": true, "reportedAt": true, "assignee": true,
	"updatedAt": true, "version": true,
}

// headsOnly reports whether the cases field being resolved selects, of
// each case (edges.node), only headFields, through fragments too. Anything
// it does not know makes it answer false: the whole cases are read.
func headsOnly(info graphql.ResolveInfo) bool {
	ok := true
	for _, conn := range info.FieldASTs {
		ok = ok && eachField(info, conn.SelectionSet, 0, func(f *ast.Field) bool {
			if f.Name.Value != "edges" {
				return true
			}
			return eachField(info, f.SelectionSet, 0, func(f *ast.Field) bool {
				if f.Name.Value != "node" {
					return true
				}
				return eachField(info, f.SelectionSet, 0, func(f *ast.Field) bool { return headFields[f.Name.Value] })
			})
		})
	}
	return ok
}

// maxFragmentDepth bounds the fragments eachField follows inside each
// other (cycles are rejected before execution; this is a second guard).
const maxFragmentDepth = 8

// eachField calls fn for each field of set, looking through fragment
// spreads and inline fragments, and reports whether fn accepted them all.
// A fragment it cannot find, or fragments nested deeper than
// maxFragmentDepth, count as not accepted.
func eachField(info graphql.ResolveInfo, set *ast.SelectionSet, depth int, fn func(*ast.Field) bool) bool {
	if set == nil {
		return true
	}
	if depth > maxFragmentDepth {
		return false
	}
	for _, sel := range set.Selections {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == nil || !fn(s) {
				return false
			}
		case *ast.InlineFragment:
			if !eachField(info, s.SelectionSet, depth+1, fn) {
				return false
			}
		case *ast.FragmentSpread:
			if s.Name == nil {
				return false
			}
			def, ok := info.Fragments[s.Name.Value].(*ast.FragmentDefinition)
			if !ok || !eachField(info, def.SelectionSet, depth+1, fn) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

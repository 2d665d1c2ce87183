package schema

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/parser"
	"github.com/graphql-go/graphql/language/printer"
)

// contractPath is the API contract kept in the repository.
var contractPath = filepath.Join("..", "docs", "contract", "schema.graphql")

// sharedContractPath is the contract shared with other programs, beside the
// repository when the repository is checked out in its workspace.
var sharedContractPath = filepath.Join("..", "..", "shared", "contract", "schema.graphql")

func readContract(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(contractPath)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestContractCopy checks that the repository's contract is the shared one,
// byte for byte, when the shared one is there to compare with (a clone of the
// repository alone checks its API against its own copy).
func TestContractCopy(t *testing.T) {
	shared, err := os.ReadFile(sharedContractPath)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("no shared contract at %s to compare docs/contract/schema.graphql with", sharedContractPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	if own := readContract(t); own != string(shared) {
		t.Errorf("docs/contract/schema.graphql differs from %s: copy the shared contract into the repository", sharedContractPath)
	}
}

// TestContract compares the served schema (introspection printed as SDL)
// with docs/contract/schema.graphql: every type, field, argument, argument
// default, input field and enum value of the contract must be served
// unchanged; additions are allowed as long as they do not break a client.
func TestContract(t *testing.T) {
	contract := readContract(t)
	s, _ := newTestSchema(t)
	served, err := SDL(s)
	if err != nil {
		t.Fatal(err)
	}
	want, err := sdlModel(contract)
	if err != nil {
		t.Fatalf("parse contract: %v", err)
	}
	got, err := sdlModel(served)
	if err != nil {
		t.Fatalf("parse served SDL: %v\n%s", err, served)
	}
	if diffs := compatible(want, got); len(diffs) > 0 {
		t.Errorf("served schema breaks contract/schema.graphql:\n  %s", strings.Join(diffs, "\n  "))
	}
	if t.Failed() {
		t.Logf("served SDL:\n%s", served)
	}
}

// TestContractComparisonDetects proves the comparison fails on each kind of
// breaking change, so TestContract can fail.
func TestContractComparisonDetects(t *testing.T) {
	contract := readContract(t)
	want, err := sdlModel(contract)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, old, new, diff string
	}{
		{"missing type", "type CountByKind { kind: IncidentKind! count: Int! }", "", "type CountByKind is missing"},
		{"changed kind", "type PageInfo {", "input PageInfo {", "type PageInfo is INPUT_OBJECT"},
		{"missing field", "  \"Other reports of the same subject that were merged into this case\"\n  mergedReports: Int!\n", "", "Case.mergedReports is missing"},
		{"changed field type", "  resolution: String\n", "  resolution: String!\n", "Case.resolution has type String!"},
		{"missing argument", "caseAsOf(id: ID!, version: Int, at: DateTime)", "caseAsOf(id: ID!, version: Int)", "Query.caseAsOf(at:) is missing"},
		{"changed argument type", "addComment(id: ID!, text: String!)", "addComment(id: ID!, text: String)", "Mutation.addComment(text:) has type String"},
		{"changed default", "first: Int = 50", "first: Int = 20", `Query.cases(first:) has default "20"`},
		{"lost default", "limit: Int = 1000", "limit: Int", "Case.history(limit:) has default \"\""},
		{"new required argument", "verifyCase(id: ID!)", "verifyCase(id: ID!, deep: Boolean!)", "Query.verifyCase(deep:) is new and required"},
		{"missing enum value", "enum Severity { LOW MEDIUM HIGH CRITICAL }", "enum Severity { LOW MEDIUM HIGH }", "enum Severity lacks CRITICAL"},
		{"changed input field", "  overdue: Boolean\n", "  overdue: String\n", "CaseFilter.overdue has type String"},
		{"new required input field", "input SubjectInput { platform: Platform! url: String! displayName: String }",
			"input SubjectInput { platform: Platform! url: String! displayName: String lang: String! }", "SubjectInput.lang is new and required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(contract, tc.old) {
				t.Fatalf("the contract no longer contains %q; update this test", tc.old)
			}
			changed, err := sdlModel(strings.Replace(contract, tc.old, tc.new, 1))
			if err != nil {
				t.Fatal(err)
			}
			diffs := compatible(want, changed)
			found := false
			for _, d := range diffs {
				if strings.Contains(d, tc.diff) {
					found = true
				}
			}
			if !found {
				t.Errorf("want a difference containing %q, got %q", tc.diff, diffs)
			}
		})
	}
	if diffs := compatible(want, want); len(diffs) != 0 {
		t.Errorf("the contract differs from itself: %q", diffs)
	}
}

// TestSDLPrinterDescriptions checks that descriptions and defaults survive
// printing and parsing back.
func TestSDLPrinterDescriptions(t *testing.T) {
	s, _ := newTestSchema(t)
	sdl, err := SDL(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"RFC 3339 timestamp with offset, e.g. 2026-11-27T09:00:00+07:00"` + "\nscalar DateTime",
		"history(fromVersion: Int = 1, limit: Int = 1000): [CaseEvent!]!",
		"cases(after: String, filter: CaseFilter, first: Int = 50): CaseConnection!",
		"enum Role {\n  ADMIN\n  AUDITOR\n  CLERK\n  HANDLER\n  LEADER\n  REPORTER\n}",
	} {
		if !strings.Contains(sdl, want) {
			t.Errorf("printed SDL lacks %q", want)
		}
	}
	if _, err := parser.Parse(parser.ParseParams{Source: sdl}); err != nil {
		t.Fatalf("printed SDL does not parse: %v", err)
	}
}

// The model of an SDL document the comparison works on.
type (
	sdlType struct {
		kind   string
		fields map[string]sdlField // object/interface fields or input fields
		values map[string]bool     // enum values, union members, interfaces
	}
	sdlField struct {
		typ  string
		def  string // input fields: default value
		args map[string]sdlField
	}
)

func sdlModel(doc string) (map[string]sdlType, error) {
	d, err := parser.Parse(parser.ParseParams{Source: doc})
	if err != nil {
		return nil, err
	}
	out := map[string]sdlType{}
	for _, def := range d.Definitions {
		st := sdlType{fields: map[string]sdlField{}, values: map[string]bool{}}
		var name string
		switch x := def.(type) {
		case *ast.ScalarDefinition:
			name, st.kind = x.Name.Value, "SCALAR"
		case *ast.EnumDefinition:
			name, st.kind = x.Name.Value, "ENUM"
			for _, v := range x.Values {
				st.values[v.Name.Value] = true
			}
		case *ast.UnionDefinition:
			name, st.kind = x.Name.Value, "UNION"
			for _, m := range x.Types {
				st.values[m.Name.Value] = true
			}
		case *ast.InputObjectDefinition:
			name, st.kind = x.Name.Value, "INPUT_OBJECT"
			for _, f := range x.Fields {
				st.fields[f.Name.Value] = inputField(f)
			}
		case *ast.ObjectDefinition, *ast.InterfaceDefinition:
			var fields []*ast.FieldDefinition
			if o, ok := x.(*ast.ObjectDefinition); ok {
				name, st.kind, fields = o.Name.Value, "OBJECT", o.Fields
				for _, i := range o.Interfaces {
					st.values[i.Name.Value] = true
				}
			} else {
				i := x.(*ast.InterfaceDefinition)
				name, st.kind, fields = i.Name.Value, "INTERFACE", i.Fields
			}
			for _, f := range fields {
				sf := sdlField{typ: typeString(f.Type), args: map[string]sdlField{}}
				for _, a := range f.Arguments {
					sf.args[a.Name.Value] = inputField(a)
				}
				st.fields[f.Name.Value] = sf
			}
		case *ast.SchemaDefinition, *ast.DirectiveDefinition:
			continue
		default:
			return nil, fmt.Errorf("unexpected definition %T", def)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("type %s is defined twice", name)
		}
		out[name] = st
	}
	return out, nil
}

func inputField(v *ast.InputValueDefinition) sdlField {
	f := sdlField{typ: typeString(v.Type)}
	if v.DefaultValue != nil {
		f.def = fmt.Sprint(printer.Print(v.DefaultValue))
	}
	return f
}

func typeString(t ast.Type) string {
	switch x := t.(type) {
	case *ast.NonNull:
		return typeString(x.Type) + "!"
	case *ast.List:
		return "[" + typeString(x.Type) + "]"
	case *ast.Named:
		return x.Name.Value
	}
	return fmt.Sprintf("%T", t)
}

// compatible lists how got breaks want: anything of want missing or changed
// in got, and additions in got a client of want would trip over (new
// required arguments or input fields).
func compatible(want, got map[string]sdlType) []string {
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	for _, name := range sortedKeys(want) {
		w := want[name]
		g, ok := got[name]
		if !ok {
			add("type %s is missing", name)
			continue
		}
		if g.kind != w.kind {
			add("type %s is %s, want %s", name, g.kind, w.kind)
			continue
		}
		for _, v := range sortedKeys(w.values) {
			if !g.values[v] {
				switch w.kind {
				case "ENUM":
					add("enum %s lacks %s", name, v)
				case "UNION":
					add("union %s lacks %s", name, v)
				default:
					add("type %s does not implement %s", name, v)
				}
			}
		}
		for _, fname := range sortedKeys(w.fields) {
			wf := w.fields[fname]
			gf, ok := g.fields[fname]
			if !ok {
				add("%s.%s is missing", name, fname)
				continue
			}
			if gf.typ != wf.typ {
				add("%s.%s has type %s, want %s", name, fname, gf.typ, wf.typ)
			}
			if gf.def != wf.def {
				add("%s.%s has default %q, want %q", name, fname, gf.def, wf.def)
			}
			for _, aname := range sortedKeys(wf.args) {
				wa := wf.args[aname]
				ga, ok := gf.args[aname]
				switch {
				case !ok:
					add("%s.%s(%s:) is missing", name, fname, aname)
				case ga.typ != wa.typ:
					add("%s.%s(%s:) has type %s, want %s", name, fname, aname, ga.typ, wa.typ)
				case ga.def != wa.def:
					add("%s.%s(%s:) has default %q, want %q", name, fname, aname, ga.def, wa.def)
				}
			}
			for _, aname := range sortedKeys(gf.args) {
				if ga := gf.args[aname]; wf.args[aname].typ == "" && strings.HasSuffix(ga.typ, "!") && ga.def == "" {
					add("%s.%s(%s:) is new and required", name, fname, aname)
				}
			}
		}
		if w.kind == "INPUT_OBJECT" {
			for _, fname := range sortedKeys(g.fields) {
				if gf := g.fields[fname]; w.fields[fname].typ == "" && strings.HasSuffix(gf.typ, "!") && gf.def == "" {
					add("%s.%s is new and required", name, fname)
				}
			}
		}
	}
	return diffs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

package api

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/parser"
	"github.com/graphql-go/graphql/testutil"

	"casetrail/incident"
)

func nested(field string, levels int) string {
	return strings.Repeat("{"+field+" ", levels-1) + "{" + field + "}" + strings.Repeat("}", levels-1)
}

func aliases(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " a%d: me", i)
	}
	b.WriteString("}")
	return b.String()
}

// fragmentBomb doubles the expanded size with each of n fragments.
func fragmentBomb(n int) string {
	var b strings.Builder
	b.WriteString("fragment F0 on Query { me }\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "{ ...F%d }", n)
	return b.String()
}

// chain returns n fragments each spreading the next; the last spreads the
// first when cyclic.
func chain(n int, cyclic bool) string {
	var b strings.Builder
	for i := range n - 1 {
		fmt.Fprintf(&b, "fragment F%d on Query { me ...F%d }\n", i, i+1)
	}
	if cyclic {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F0 }\n", n-1)
	} else {
		fmt.Fprintf(&b, "fragment F%d on Query { me }\n", n-1)
	}
	b.WriteString("{ ...F0 }")
	return b.String()
}

// wide returns n aliased copies of a 27-field fragment tree.
func wide(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " a%d: node { ...H }", i)
	}
	b.WriteString(`}
		fragment F on Node { id child { id } node { id } }
		fragment G on Node { child { ...F } node { ...F } }
		fragment H on Node { child { ...G } node { ...G } }`)
	return b.String()
}

// manyFragments returns a query spreading n fragments.
func manyFragments(n int) string {
	var b strings.Builder
	b.WriteString("{ node { ")
	for i := range n {
		fmt.Fprintf(&b, " ...F%d", i)
	}
	b.WriteString(" } }")
	for i := range n {
		fmt.Fprintf(&b, " fragment F%d on Node { a%d: id }", i, i)
	}
	return b.String()
}

// emptyBomb doubles spreads of a fragment that selects no field.
func emptyBomb(n int) string {
	var b strings.Builder
	b.WriteString("fragment F0 on Query { ...Missing }\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "{ me ...F%d }", n)
	return b.String()
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return incident.ErrorCode(err)
}

func TestCheckQuery(t *testing.T) {
	const tooComplex = CodeQueryTooComplex
	cases := []struct {
		name, query, want string
	}{
		{"simple", `{ me }`, ""},
		{"contract-like", `query Cases($f: CaseFilter) { cases(filter: $f, first: 20) { totalCount
			edges { cursor node { ...C history(limit: 5) { version type actor } } } pageInfo { hasNextPage endCursor } } }
			fragment C on Case { id number status unit { id name parent { id } escalatesTo { id } }
			takedowns { id status } deadlines { kind dueAt state } }`, ""},
		{"mutation", `mutation { triageCase(id: "1", severity: HIGH, assignee: "h") { id status version } }`, ""},
		{"introspection", testutil.IntrospectionQuery, ""},
		{"depth 15", nested("node", 15), ""},
		{"depth 16", nested("node", 16), tooComplex},
		{"depth 50", nested("node", 50), tooComplex},
		{"depth through fragments", `{ node { node { ...N } } } fragment N on Node { node { node { ...M } } }
			fragment M on Node { ` + nested("node", 12)[1:], tooComplex},
		{"depth within limit through fragments", `{ node { ...N } } fragment N on Node { node { id } }`, ""},
		{"100 aliases", aliases(100), ""},
		{"101 aliases", aliases(101), tooComplex},
		{"1000 aliases", aliases(1000), tooComplex},
		{"aliases multiplied by spreads", `{ ...A ...A ...A } fragment A on Query { ` + aliases(40)[1:], tooComplex},
		{"1998 fields", wide(74), ""},
		{"2025 fields", wide(75), tooComplex},
		{"20 repeats", `{` + strings.Repeat(" me", 20) + `}`, ""},
		{"21 repeats", `{` + strings.Repeat(" me", 21) + `}`, tooComplex},
		{"repeats merged from fragments", `{ ...A ... on Query { ...B } } fragment A on Query { ` + strings.Repeat(" x: me", 11) + ` } fragment B on Query { ` + strings.Repeat(" x: me", 10) + ` }`, tooComplex},
		{"repeats in merged sub-selections", `{` + strings.Repeat(" node { id id }", 11) + `}`, tooComplex},
		{"conflicting repeats", `{` + strings.Repeat(` x: echo(s: "a") x: echo(s: "b")`, 1000) + `}`, tooComplex},
		{"big argument repeated", `{` + strings.Repeat(` x: echo(s: "`+strings.Repeat("y", 2<<20)+`")`, 17) + `}`, tooComplex},
		{"big argument once", `{ x: echo(s: "` + strings.Repeat("y", 10<<20) + `") y: echo(s: "` + strings.Repeat("y", 5<<20) + `") }`, ""},
		{"100 fragments", manyFragments(100), ""},
		{"101 fragments", manyFragments(101), tooComplex},
		{"selections without fields", emptyBomb(40), tooComplex},
		{"fragment bomb", fragmentBomb(60), tooComplex},
		{"fragment cycle", `fragment A on Query { ...B } fragment B on Query { ...A } { ...A }`, tooComplex},
		{"self spread", `fragment A on Query { me ...A } { ...A }`, tooComplex},
		{"cycle in unused fragments", `{ me } fragment A on Query { ...B } fragment B on Query { ...A }`, tooComplex},
		{"cycle through inline fragment", `fragment A on Query { ... on Query { node { ...B } } } fragment B on Node { ...A } { ...A }`, tooComplex},
		{"duplicate fragment name", `fragment A on Query { me } fragment A on Query { ...B } fragment B on Query { ...A } { ...A }`, incident.CodeBadUserInput},
		{"long chain over the fragment limit", chain(101, false), tooComplex},
		{"unknown fragment is left to graphql-go", `{ ...Nope }`, ""},
		{"deep inline fragments", `{` + strings.Repeat("... on Query {", 70) + "me" + strings.Repeat("}", 70) + `}`, tooComplex},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := parser.Parse(parser.ParseParams{Source: tc.query})
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			err = CheckQuery(doc, DefaultLimits())
			if code(err) != tc.want {
				t.Fatalf("CheckQuery = %v (code %q), want code %q", err, code(err), tc.want)
			}
			var ie *incident.Error
			if err != nil && !errors.As(err, &ie) {
				t.Fatalf("error %T is not an *incident.Error", err)
			}
		})
	}
}

// TestCheckQueryLongChains: with the fragment limit raised, thousands of
// chained fragments are walked without recursion trouble.
func TestCheckQueryLongChains(t *testing.T) {
	limits := DefaultLimits()
	limits.MaxFragments = 100000
	limits.MaxRepeats = 100000
	for _, tc := range []struct {
		query, want string
	}{
		{chain(5000, true), CodeQueryTooComplex},
		{chain(1500, false), ""},
		{chain(5000, false), CodeQueryTooComplex}, // 5,000 fields
	} {
		doc, err := parser.Parse(parser.ParseParams{Source: tc.query})
		if err != nil {
			t.Fatal(err)
		}
		if got := code(CheckQuery(doc, limits)); got != tc.want {
			t.Errorf("%.30q...: code %q, want %q", tc.query, got, tc.want)
		}
	}
}

func TestFixLocations(t *testing.T) {
	query := "query {\r\n  me\n\n    mee\r  node { idd }\n}"
	doc, err := ParseQuery(query, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	res := graphql.ValidateDocument(&testSchema, doc, nil)
	if len(res.Errors) != 2 {
		t.Fatalf("errors: %v", res.Errors)
	}
	FixLocations(query, res.Errors)
	got := fmt.Sprint(res.Errors[0].Locations, res.Errors[1].Locations)
	if got != "[{4 5}] [{5 10}]" {
		t.Fatalf("locations %s, want [{4 5}] [{5 10}]", got)
	}
}

func TestCheckQueryMessages(t *testing.T) {
	doc, _ := parser.Parse(parser.ParseParams{Source: `fragment A on Query { ...B } fragment B on Query { ...A } { ...A }`})
	if err := CheckQuery(doc, DefaultLimits()); err == nil || err.Error() != "fragment cycle: A -> B -> A" {
		t.Errorf("cycle message: %v", err)
	}
	doc, _ = parser.Parse(parser.ParseParams{Source: fragmentBomb(60)})
	if err := CheckQuery(doc, DefaultLimits()); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("bomb message: %v", err)
	}
	doc, _ = parser.Parse(parser.ParseParams{Source: "query Deep " + nested("node", 20)})
	if err := CheckQuery(doc, DefaultLimits()); err == nil || err.Error() != "operation Deep is nested 20 levels deep; the limit is 15" {
		t.Errorf("depth message: %v", err)
	}
}

func TestCheckQueryIntrospectionSwitch(t *testing.T) {
	limits := DefaultLimits()
	limits.NoIntrospection = true
	for q, want := range map[string]string{
		testutil.IntrospectionQuery:                                    incident.CodeForbidden,
		`{ __type(name: "Case") { name } }`:                            incident.CodeForbidden,
		`{ ...F } fragment F on Query { __schema { types { name } } }`: incident.CodeForbidden,
		`{ me __typename }`:                                            "",
	} {
		doc, err := parser.Parse(parser.ParseParams{Source: q})
		if err != nil {
			t.Fatal(err)
		}
		if got := code(CheckQuery(doc, limits)); got != want {
			t.Errorf("%.40q: code %q, want %q", q, got, want)
		}
	}
}

func TestPrecheckQuery(t *testing.T) {
	cases := []struct {
		name, query, want string
	}{
		{"normal", `query Q($v: [String!]) { echo(s: "{{{{") { x } }`, ""},
		{"brackets in strings are not nesting", `{ echo(s: "` + strings.Repeat("{[(", 1000) + `") }`, ""},
		{"brackets in block strings", `{ echo(s: """` + strings.Repeat("{", 1000) + `\""" more """) }`, ""},
		{"brackets in comments", "# " + strings.Repeat("{", 1000) + "\n{ me }", ""},
		{"escaped quote", `{ echo(s: "\"` + strings.Repeat("{", 100) + `") }`, ""},
		{"deep braces", strings.Repeat("{a", 100) + strings.Repeat("}", 100), CodeQueryTooComplex},
		{"deep lists in arguments", `{ echo(s: ` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `) }`, CodeQueryTooComplex},
		{"deep input objects", `{ echo(s: ` + strings.Repeat("{a:", 100) + "1" + strings.Repeat("}", 100) + `) }`, CodeQueryTooComplex},
		{"too many tokens", `{` + strings.Repeat(" me", 60000) + `}`, CodeQueryTooComplex},
		{"unterminated string", `{ echo(s: "abc) }`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := code(PrecheckQuery(tc.query, DefaultLimits())); got != tc.want {
				t.Fatalf("code %q, want %q", got, tc.want)
			}
		})
	}
}

// TestParseQueryDeepNestingDoesNotCrash: 4 million nested braces overflow
// graphql-go's parser stack (a fatal error, not a panic); ParseQuery must
// refuse them before parsing.
func TestParseQueryDeepNestingDoesNotCrash(t *testing.T) {
	q := strings.Repeat("{a", 4_000_000) + strings.Repeat("}", 4_000_000)
	if _, err := ParseQuery(q, DefaultLimits()); code(err) != CodeQueryTooComplex {
		t.Fatalf("ParseQuery = %v", err)
	}
}

func TestParseQuery(t *testing.T) {
	if _, err := ParseQuery(`{ me }`, Limits{}); err != nil {
		t.Fatalf("zero Limits must mean defaults: %v", err)
	}
	_, err := ParseQuery(`{ me `, DefaultLimits())
	if code(err) != incident.CodeBadUserInput || strings.Contains(err.Error(), "\n") {
		t.Fatalf("syntax error = %q (code %q)", err, code(err))
	}
	if _, err := ParseQuery(nested("node", 16), DefaultLimits()); code(err) != CodeQueryTooComplex {
		t.Fatalf("deep query = %v", err)
	}
}

func TestMaskSuggestions(t *testing.T) {
	doc, err := ParseQuery(`{ mee }`, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	res := graphql.ValidateDocument(&testSchema, doc, nil)
	if res.IsValid || !strings.Contains(res.Errors[0].Message, "Did you mean") {
		t.Fatalf("expected a suggestion from graphql-go, got %v", res.Errors)
	}
	MaskSuggestions(res.Errors)
	if got := res.Errors[0].Message; got != `Cannot query field "mee" on type "Query".` {
		t.Fatalf("masked message %q", got)
	}
}

// FuzzCheckQuery: whatever the text, ParseQuery (precheck, parse,
// CheckQuery) returns without panicking or hanging, its errors carry a
// contract code, and a document it accepts is safe for graphql-go's
// validator (which recurses forever on fragment cycles).
func FuzzCheckQuery(f *testing.F) {
	for _, seed := range []string{
		`{ me }`,
		`query Q($s: String) { echo(s: $s) node { id child { id } } }`,
		`mutation { bump }`,
		`fragment A on Query { ...B } fragment B on Query { ...A } { ...A }`,
		`fragment A on Query { me ...A } { ...A }`,
		`{ ...A } fragment A on Query { ... on Query { ...A } }`,
		nested("node", 16),
		nested("node", 50),
		aliases(120),
		fragmentBomb(30),
		chain(50, true),
		wide(3),
		emptyBomb(20),
		`{ node { ...A ...B } } fragment A on Node { x: id } fragment B on Node { x: child { id } }`,
		`{ echo(s: """ {{{ \""" """) }`,
		"# {{{\n{ me }",
		`{ echo(s: [[[[{a: {b: [1, 2.5e3, -4]}}]]]]) }`,
		testutil.IntrospectionQuery,
		`{ node(`,
		`"""`,
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, q string) {
		doc, err := ParseQuery(q, DefaultLimits())
		if err != nil {
			var ie *incident.Error
			if !errors.As(err, &ie) || ie.Code == "" {
				t.Fatalf("error without contract code: %v", err)
			}
			return
		}
		res := graphql.ValidateDocument(&testSchema, doc, nil)
		FixLocations(q, res.Errors)
		MaskSuggestions(res.Errors)
	})
}

func BenchmarkCheckQuery(b *testing.B) {
	introspection, err := parser.Parse(parser.ParseParams{Source: testutil.IntrospectionQuery})
	if err != nil {
		b.Fatal(err)
	}
	bomb, _ := parser.Parse(parser.ParseParams{Source: fragmentBomb(60)})
	b.Run("check-introspection", func(b *testing.B) {
		for b.Loop() {
			if err := CheckQuery(introspection, DefaultLimits()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("check-fragment-bomb", func(b *testing.B) {
		for b.Loop() {
			if err := CheckQuery(bomb, DefaultLimits()); err == nil {
				b.Fatal("accepted")
			}
		}
	})
	// Baseline in the same run: what graphql-go's parser costs on its own.
	b.Run("parse-introspection-baseline", func(b *testing.B) {
		for b.Loop() {
			if _, err := parser.Parse(parser.ParseParams{Source: testutil.IntrospectionQuery}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parsequery-introspection", func(b *testing.B) {
		for b.Loop() {
			if _, err := ParseQuery(testutil.IntrospectionQuery, DefaultLimits()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

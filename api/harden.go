package api

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/parser"
	"github.com/graphql-go/graphql/language/source"

	"casetrail/incident"
	"casetrail/schema"
)

// Limits bounds what a GraphQL request may ask for. graphql-go v0.8.1 has no
// limits of its own: its parser and validators recurse without bound, so a
// deeply nested document or a fragment cycle overflows the goroutine stack,
// which kills the process (a stack overflow cannot be recovered), and some
// validators are quadratic. A zero field means its default (DefaultLimits).
type Limits struct {
	// MaxDepth is the deepest field nesting, following fragment spreads.
	MaxDepth int
	// MaxAliases is the number of aliased fields, counted once per place a
	// fragment is spread.
	MaxAliases int
	// MaxFields is the number of fields, counted once per place a fragment
	// is spread (what the executor would resolve at most).
	MaxFields int
	// MaxRepeats bounds how often one response name (alias or field name)
	// occurs in a selection set once fragments are merged into it.
	MaxRepeats int
	// MaxFragments bounds the fragment definitions of a document
	// (graphql-go compares fragments pairwise).
	MaxFragments int
	// MaxNesting bounds the nesting of brackets ({, [, () in the query text
	// and of selection sets in a document; it protects the recursive parser
	// and validators.
	MaxNesting int
	// MaxTokens bounds the number of lexical tokens in the query text, and
	// so the size of the syntax tree built for it.
	MaxTokens int
	// NoIntrospection rejects __schema and __type (production).
	NoIntrospection bool
	// MaxCost bounds the cost of one request (OperationCost's Units).
	MaxCost int
	// MaxCommands bounds the commands (mutation fields) of one request.
	MaxCommands int
}

// DefaultLimits returns the limits of the contract (depth 15) and generous
// bounds for the rest: 100 aliases, 2,000 fields, 20 repeats of a response
// name, 100 fragments, bracket nesting 64, 50,000 tokens, a cost of 50,000
// and 10 commands per request.
func DefaultLimits() Limits {
	return Limits{
		MaxDepth: 15, MaxAliases: 100, MaxFields: 2000, MaxRepeats: 20,
		MaxFragments: 100, MaxNesting: 64, MaxTokens: 50000,
		MaxCost: 50000, MaxCommands: 10,
	}
}

func (l Limits) orDefaults() Limits {
	d := DefaultLimits()
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxAliases <= 0 {
		l.MaxAliases = d.MaxAliases
	}
	if l.MaxFields <= 0 {
		l.MaxFields = d.MaxFields
	}
	if l.MaxRepeats <= 0 {
		l.MaxRepeats = d.MaxRepeats
	}
	if l.MaxFragments <= 0 {
		l.MaxFragments = d.MaxFragments
	}
	if l.MaxNesting <= 0 {
		l.MaxNesting = d.MaxNesting
	}
	if l.MaxTokens <= 0 {
		l.MaxTokens = d.MaxTokens
	}
	if l.MaxCost <= 0 {
		l.MaxCost = d.MaxCost
	}
	if l.MaxCommands <= 0 {
		l.MaxCommands = d.MaxCommands
	}
	return l
}

func tooComplex(format string, args ...any) *incident.Error {
	return incident.Errorf(CodeQueryTooComplex, format, args...)
}

// ParseQuery checks query's text (PrecheckQuery), parses it with graphql-go
// and checks the document (CheckQuery). The document it returns is safe to
// hand to graphql.ValidateDocument and graphql.Execute; never pass the raw
// text to graphql.Do, which parses and validates it unchecked. The document
// does not keep the source (see FixLocations for error locations). Errors
// are *incident.Error: BAD_USER_INPUT for syntax errors, QUERY_TOO_COMPLEX
// (or FORBIDDEN for introspection when disabled) for limits.
func ParseQuery(query string, limits Limits) (*ast.Document, error) {
	if err := PrecheckQuery(query, limits); err != nil {
		return nil, err
	}
	doc, err := parser.Parse(parser.ParseParams{
		Source:  source.NewSource(&source.Source{Body: []byte(query), Name: "GraphQL request"}),
		Options: parser.ParseOptions{NoSource: true},
	})
	if err != nil {
		msg := err.Error()
		if gerr, ok := err.(*gqlerrors.Error); ok {
			msg = gerr.Message
		}
		msg, _, _ = strings.Cut(msg, "\n")
		return nil, incident.Errorf(incident.CodeBadUserInput, "query: %s", strings.TrimSpace(msg))
	}
	if err := CheckQuery(doc, limits); err != nil {
		return nil, err
	}
	return doc, nil
}

// PrecheckQuery scans query's text, without parsing it, and rejects bracket
// nesting deeper than limits.MaxNesting and more than limits.MaxTokens
// tokens. It runs in linear time and constant space; strings and comments
// are skipped. Without it a few megabytes of "{a{a{a..." overflow the stack
// of graphql-go's recursive parser.
func PrecheckQuery(query string, limits Limits) error {
	limits = limits.orDefaults()
	depth, tokens := 0, 0
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			i++
			continue
		case c == '#':
			for i < len(query) && query[i] != '\n' && query[i] != '\r' {
				i++
			}
			continue
		case strings.HasPrefix(query[i:], `"""`):
			i = skipBlockString(query, i+3)
		case c == '"':
			i = skipString(query, i+1)
		case c == '{' || c == '[' || c == '(':
			depth++
			if depth > limits.MaxNesting {
				return tooComplex("query nests brackets deeper than %d", limits.MaxNesting)
			}
			i++
		case c == '}' || c == ']' || c == ')':
			if depth > 0 {
				depth--
			}
			i++
		case isNameByte(c) || c == '-':
			for i < len(query) && (isNameByte(query[i]) || query[i] == '.' || query[i] == '-' || query[i] == '+') {
				i++
			}
		case c == '.':
			for i < len(query) && query[i] == '.' {
				i++
			}
		default:
			i++
		}
		tokens++
		if tokens > limits.MaxTokens {
			return tooComplex("query has more than %d tokens", limits.MaxTokens)
		}
	}
	return nil
}

func isNameByte(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80
}

// skipString returns the index after the string whose body starts at i.
func skipString(q string, i int) int {
	for i < len(q) {
		switch q[i] {
		case '\\':
			i += 2
		case '"':
			return i + 1
		case '\n', '\r':
			return i // unterminated: the parser reports it
		default:
			i++
		}
	}
	return len(q)
}

// skipBlockString returns the index after the block string whose body
// starts at i.
func skipBlockString(q string, i int) int {
	for i < len(q) {
		switch {
		case strings.HasPrefix(q[i:], `\"""`):
			i += 4
		case strings.HasPrefix(q[i:], `"""`):
			return i + 3
		default:
			i++
		}
	}
	return len(q)
}

// CheckQuery enforces limits on a parsed document before any graphql-go
// validator sees it. It rejects duplicate fragment names and fragment cycles
// first (graphql-go v0.8.1 recurses forever on a cycle), then measures every
// operation — depth, aliases, fields and selections, expanding fragment
// spreads — and finally bounds how often one response name repeats in a
// merged selection set (graphql-go's OverlappingFieldsCanBeMerged compares
// such fields pairwise). Fragments are measured once each, in dependency
// order, so the work stays linear in the document even when spreads multiply
// the expanded size. Errors are *incident.Error with code QUERY_TOO_COMPLEX,
// BAD_USER_INPUT for duplicate fragment names, or FORBIDDEN for
// introspection when limits.NoIntrospection is set.
func CheckQuery(doc *ast.Document, limits Limits) error {
	if doc == nil {
		return incident.Errorf(incident.CodeBadUserInput, "query: empty document")
	}
	limits = limits.orDefaults()
	c := checker{limits: limits, fragments: map[string]*ast.FragmentDefinition{}}
	var ops []*ast.OperationDefinition
	for _, def := range doc.Definitions {
		switch d := def.(type) {
		case *ast.OperationDefinition:
			if d != nil {
				ops = append(ops, d)
			}
		case *ast.FragmentDefinition:
			if d == nil || d.Name == nil {
				continue
			}
			if _, dup := c.fragments[d.Name.Value]; dup {
				return incident.Errorf(incident.CodeBadUserInput, "query: fragment %s is defined more than once", d.Name.Value)
			}
			c.fragments[d.Name.Value] = d
		}
	}
	if len(c.fragments) > limits.MaxFragments {
		return tooComplex("the query defines %d fragments; the limit is %d", len(c.fragments), limits.MaxFragments)
	}
	order, err := c.fragmentOrder()
	if err != nil {
		return err
	}
	c.summaries = make(map[string]summary, len(order))
	for _, name := range order {
		s, err := c.measure(c.fragments[name].SelectionSet, 1, 1)
		if err != nil {
			return err
		}
		c.summaries[name] = s
	}
	for _, op := range ops {
		s, err := c.measure(op.SelectionSet, 1, 1)
		if err != nil {
			return err
		}
		name := "the operation"
		if op.Name != nil && op.Name.Value != "" {
			name = "operation " + op.Name.Value
		}
		switch {
		case limits.NoIntrospection && s.introspection:
			return incident.Errorf(incident.CodeForbidden, "introspection is disabled")
		case s.depth > limits.MaxDepth:
			return tooComplex("%s is nested %s levels deep; the limit is %d", name, count(s.depth), limits.MaxDepth)
		case s.aliases > limits.MaxAliases:
			return tooComplex("%s uses %s aliases; the limit is %d", name, count(s.aliases), limits.MaxAliases)
		case s.fields > limits.MaxFields:
			return tooComplex("%s selects %s fields; the limit is %d", name, count(s.fields), limits.MaxFields)
		case s.selections > selectionsPerField*limits.MaxFields:
			return tooComplex("%s expands to %s selections; the limit is %d", name, count(s.selections), selectionsPerField*limits.MaxFields)
		}
	}
	// The expanded size of every operation is bounded now, so expanding
	// the spreads once more is cheap.
	for _, op := range ops {
		if err := c.checkRepeats([]*ast.SelectionSet{op.SelectionSet}); err != nil {
			return err
		}
	}
	return nil
}

// selectionsPerField bounds the expanded selections (fields, inline
// fragments, spreads) relative to MaxFields: spreads of fragments without
// fields (only unknown spreads) would otherwise multiply unchecked.
const selectionsPerField = 4

// saturation caps the counters: spreads can multiply sizes exponentially.
const saturation = 1 << 40

func addSat(a, b int) int { return min(a+b, saturation) }

func count(n int) string {
	if n >= saturation {
		return fmt.Sprintf("more than %d", saturation)
	}
	return fmt.Sprint(n)
}

// summary is the expanded size of a selection set.
type summary struct {
	fields, aliases, depth, selections int
	introspection                      bool
}

// add combines sibling selections: sizes add up, depth is the deeper one.
func (s summary) add(o summary) summary {
	return summary{
		fields:        addSat(s.fields, o.fields),
		aliases:       addSat(s.aliases, o.aliases),
		selections:    addSat(s.selections, o.selections),
		depth:         max(s.depth, o.depth),
		introspection: s.introspection || o.introspection,
	}
}

type checker struct {
	limits    Limits
	fragments map[string]*ast.FragmentDefinition
	summaries map[string]summary
}

// spreads returns the fragment names spread anywhere inside ss (not
// following the spreads), or an error when selection sets nest too deep.
func (c *checker) spreads(ss *ast.SelectionSet, nesting int, out []string) ([]string, error) {
	if ss == nil {
		return out, nil
	}
	if nesting > c.limits.MaxNesting {
		return nil, tooComplex("selection sets nest deeper than %d", c.limits.MaxNesting)
	}
	var err error
	for _, sel := range ss.Selections {
		switch s := sel.(type) {
		case *ast.FragmentSpread:
			if s != nil && s.Name != nil {
				out = append(out, s.Name.Value)
			}
		case *ast.Field:
			if s != nil {
				out, err = c.spreads(s.SelectionSet, nesting+1, out)
			}
		case *ast.InlineFragment:
			if s != nil {
				out, err = c.spreads(s.SelectionSet, nesting+1, out)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fragmentOrder returns the defined fragment names so that every fragment
// comes after the fragments it spreads, or an error naming a cycle. The
// depth-first search keeps its own stack: the fragment graph may be long.
func (c *checker) fragmentOrder() ([]string, error) {
	edges := make(map[string][]string, len(c.fragments))
	names := make([]string, 0, len(c.fragments))
	for name, fd := range c.fragments {
		names = append(names, name)
		out, err := c.spreads(fd.SelectionSet, 1, nil)
		if err != nil {
			return nil, err
		}
		edges[name] = out
	}
	// Deterministic order keeps error messages stable.
	slices.Sort(names)

	const (
		unvisited = iota
		onStack
		done
	)
	state := make(map[string]int, len(names))
	order := make([]string, 0, len(names))
	type frame struct {
		name string
		next int
	}
	for _, root := range names {
		if state[root] != unvisited {
			continue
		}
		stack := []frame{{name: root}}
		state[root] = onStack
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next == len(edges[top.name]) {
				state[top.name] = done
				order = append(order, top.name)
				stack = stack[:len(stack)-1]
				continue
			}
			child := edges[top.name][top.next]
			top.next++
			if _, defined := c.fragments[child]; !defined {
				continue // unknown fragment: graphql-go reports it
			}
			switch state[child] {
			case onStack:
				start := len(stack) - 1
				for stack[start].name != child {
					start--
				}
				path := make([]string, 0, len(stack)-start+1)
				for _, f := range stack[start:] {
					path = append(path, f.name)
				}
				path = append(path, child)
				return nil, tooComplex("fragment cycle: %s", strings.Join(path, " -> "))
			case unvisited:
				state[child] = onStack
				stack = append(stack, frame{name: child})
			}
		}
	}
	return order, nil
}

// measure returns the expanded summary of ss whose fields sit at depth
// level, using the summaries of already measured fragments.
func (c *checker) measure(ss *ast.SelectionSet, level, nesting int) (summary, error) {
	var s summary
	if ss == nil {
		return s, nil
	}
	if nesting > c.limits.MaxNesting {
		return s, tooComplex("selection sets nest deeper than %d", c.limits.MaxNesting)
	}
	for _, sel := range ss.Selections {
		s.selections = addSat(s.selections, 1)
		switch f := sel.(type) {
		case *ast.Field:
			if f == nil {
				continue
			}
			s.fields = addSat(s.fields, 1)
			if f.Alias != nil && f.Alias.Value != "" {
				s.aliases = addSat(s.aliases, 1)
			}
			s.depth = max(s.depth, level)
			if f.Name != nil && (f.Name.Value == "__schema" || f.Name.Value == "__type") {
				s.introspection = true
			}
			sub, err := c.measure(f.SelectionSet, addSat(level, 1), nesting+1)
			if err != nil {
				return s, err
			}
			s = s.add(sub)
		case *ast.InlineFragment:
			if f == nil {
				continue
			}
			sub, err := c.measure(f.SelectionSet, level, nesting+1)
			if err != nil {
				return s, err
			}
			s = s.add(sub)
		case *ast.FragmentSpread:
			if f == nil || f.Name == nil {
				continue
			}
			fs, ok := c.summaries[f.Name.Value]
			if !ok {
				continue // unknown fragment: graphql-go reports it
			}
			if fs.depth > 0 {
				fs.depth = addSat(fs.depth, level-1)
			}
			s = s.add(fs)
		}
	}
	return s, nil
}

// checkRepeats bounds how often one response name (alias or field name)
// occurs in the merged selection set formed by sets: the selections of one
// level, with inline fragments and fragment spreads flattened into it, and
// then level by level the merged sub-selections of the fields sharing a
// name. graphql-go compares such fields pairwise, and builds an error for
// every conflicting pair (thousands of "x: f(a: 1) x: f(a: 2) ..." take
// tens of seconds and gigabytes). Callers bound the expanded size first.
func (c *checker) checkRepeats(sets []*ast.SelectionSet) error {
	counts := map[string]int{}
	argBytes := map[string]int{}
	subs := map[string][]*ast.SelectionSet{}
	var keys []string
	var collect func(ss *ast.SelectionSet)
	collect = func(ss *ast.SelectionSet) {
		if ss == nil {
			return
		}
		for _, sel := range ss.Selections {
			switch f := sel.(type) {
			case *ast.Field:
				if f == nil || f.Name == nil {
					continue
				}
				key := f.Name.Value
				if f.Alias != nil && f.Alias.Value != "" {
					key = f.Alias.Value
				}
				if counts[key] == 0 {
					keys = append(keys, key)
				}
				counts[key]++
				argBytes[key] += argumentsSize(f.Arguments)
				if f.SelectionSet != nil {
					subs[key] = append(subs[key], f.SelectionSet)
				}
			case *ast.InlineFragment:
				if f != nil {
					collect(f.SelectionSet)
				}
			case *ast.FragmentSpread:
				if f != nil && f.Name != nil {
					if fd, ok := c.fragments[f.Name.Value]; ok {
						collect(fd.SelectionSet)
					}
				}
			}
		}
	}
	for _, ss := range sets {
		collect(ss)
	}
	for _, key := range keys {
		n := counts[key]
		if n > c.limits.MaxRepeats {
			return tooComplex("%q is selected %d times in one selection set; the limit is %d", key, n, c.limits.MaxRepeats)
		}
		// graphql-go prints both argument lists for every pair compared.
		if (n-1)*argBytes[key] > repeatCompareBytes {
			return tooComplex("%q is selected %d times with %d bytes of arguments; use variables", key, n, argBytes[key])
		}
	}
	for _, key := range keys {
		if len(subs[key]) > 0 {
			if err := c.checkRepeats(subs[key]); err != nil {
				return err
			}
		}
	}
	return nil
}

// repeatCompareBytes bounds the argument text graphql-go prints to compare
// the repeats of one response name ((repeats-1) × their argument bytes).
const repeatCompareBytes = 32 << 20

// argumentsSize is the length of the source text of args.
func argumentsSize(args []*ast.Argument) int {
	if len(args) == 0 || args[0] == nil || args[len(args)-1] == nil {
		return 0
	}
	first, last := args[0].Loc, args[len(args)-1].Loc
	if first == nil || last == nil || last.End < first.Start {
		return 0
	}
	return last.End - first.Start
}

// FixLocations rewrites the error locations graphql-go reports for a
// document parsed by ParseQuery into real line and column numbers of query.
// ParseQuery parses without keeping the source because graphql-go rescans
// the whole source (with a freshly compiled regexp) for every location of
// every error; without the source it reports line 1 and column offset+1.
func FixLocations(query string, errs []gqlerrors.FormattedError) {
	var lineStarts []int
	for i := range errs {
		for j, loc := range errs[i].Locations {
			if loc.Line != 1 {
				continue
			}
			if lineStarts == nil {
				lineStarts = []int{0}
				for k := 0; k < len(query); k++ {
					switch {
					case query[k] == '\r' && k+1 < len(query) && query[k+1] == '\n':
						k++
						lineStarts = append(lineStarts, k+1)
					case query[k] == '\n' || query[k] == '\r':
						lineStarts = append(lineStarts, k+1)
					}
				}
			}
			offset := loc.Column - 1
			line, _ := slices.BinarySearch(lineStarts, offset+1)
			errs[i].Locations[j].Line = line
			errs[i].Locations[j].Column = offset - lineStarts[line-1] + 1
		}
	}
}

// MaskSuggestions removes graphql-go's "Did you mean ...?" hints from error
// messages in place, so that production does not reveal field, argument and
// type names the caller did not already know.
func MaskSuggestions(errs []gqlerrors.FormattedError) {
	for i := range errs {
		if j := strings.Index(errs[i].Message, " Did you mean "); j >= 0 {
			errs[i].Message = errs[i].Message[:j]
		}
	}
}

// Cost is what one operation charges against the cost limits.
type Cost struct {
	// Units: every field selected costs 1, and the selection of a list
	// field whose length an argument bounds (schema.ListSizes:
	// cases(first:), history(limit:)) counts once per item the list may
	// return, nested lists multiplying. Fragments count once per spread.
	Units int
	// Commands is the number of root fields of a mutation: each is a
	// command of its own, aliases included (__typename excluded).
	Commands int
}

// OperationCost returns the cost of operation op of doc, whose list sizes
// come from literal arguments, from variables (as decoded from JSON), from
// the variables' defaults or from the fields' defaults, in that order. A
// size is taken between 1 and the field's maximum (the resolver refuses
// anything else). Sizes saturate, so a cost is never negative. Run it on
// a document CheckQuery accepted (no fragment cycles).
func OperationCost(doc *ast.Document, op *ast.OperationDefinition, variables map[string]any) Cost {
	c := coster{fragments: map[string]*ast.FragmentDefinition{}, memo: map[string]int{}, vars: variables,
		defaults: map[string]ast.Value{}}
	for _, def := range doc.Definitions {
		if fd, ok := def.(*ast.FragmentDefinition); ok && fd != nil && fd.Name != nil {
			c.fragments[fd.Name.Value] = fd
		}
	}
	if op == nil {
		return Cost{}
	}
	for _, vd := range op.VariableDefinitions {
		if vd != nil && vd.Variable != nil && vd.Variable.Name != nil && vd.DefaultValue != nil {
			c.defaults[vd.Variable.Name.Value] = vd.DefaultValue
		}
	}
	out := Cost{Units: c.selections(op.SelectionSet)}
	if op.Operation == ast.OperationTypeMutation {
		out.Commands = c.rootFields(op.SelectionSet, map[string]bool{})
	}
	return out
}

// CheckCost returns QUERY_TOO_COMPLEX when c is over limits' MaxCost or
// MaxCommands; name says which operation ("" for an anonymous one).
func CheckCost(c Cost, limits Limits, name string) error {
	limits = limits.orDefaults()
	what := "the operation"
	if name != "" {
		what = "operation " + name
	}
	if c.Units > limits.MaxCost {
		return tooComplex("%s costs %s; the limit is %d (every field costs 1, and what a list selects counts once per item: "+
			"cases per first, default %d; history per limit, default %d): ask for smaller pages or fewer fields",
			what, count(c.Units), limits.MaxCost, schema.ListSizes["cases"].Default, schema.ListSizes["history"].Default)
	}
	if c.Commands > limits.MaxCommands {
		return tooComplex("%s runs %d commands (mutation fields); the limit is %d per request: send them in separate requests",
			what, c.Commands, limits.MaxCommands)
	}
	return nil
}

func mulSat(a, b int) int {
	if a != 0 && b > saturation/a {
		return saturation
	}
	return min(a*b, saturation)
}

type coster struct {
	fragments map[string]*ast.FragmentDefinition
	memo      map[string]int
	vars      map[string]any
	defaults  map[string]ast.Value
}

// selections returns the cost of ss; a fragment's cost is computed once
// (it does not depend on where it is spread) and a cycle counts nothing.
func (c *coster) selections(ss *ast.SelectionSet) int {
	if ss == nil {
		return 0
	}
	total := 0
	for _, sel := range ss.Selections {
		switch f := sel.(type) {
		case *ast.Field:
			if f == nil {
				continue
			}
			sub := c.selections(f.SelectionSet)
			if f.Name != nil {
				if ls, ok := schema.ListSizes[f.Name.Value]; ok {
					sub = mulSat(sub, c.size(f, ls))
				}
			}
			total = addSat(total, addSat(1, sub))
		case *ast.InlineFragment:
			if f != nil {
				total = addSat(total, c.selections(f.SelectionSet))
			}
		case *ast.FragmentSpread:
			if f == nil || f.Name == nil {
				continue
			}
			name := f.Name.Value
			cost, done := c.memo[name]
			if !done {
				c.memo[name] = 0 // a cycle (rejected earlier) counts nothing
				if fd := c.fragments[name]; fd != nil {
					cost = c.selections(fd.SelectionSet)
				}
				c.memo[name] = cost
			}
			total = addSat(total, cost)
		}
	}
	return total
}

// size is how many items list field f may return.
func (c *coster) size(f *ast.Field, ls schema.ListSize) int {
	n, ok := 0, false
	for _, a := range f.Arguments {
		if a != nil && a.Name != nil && a.Name.Value == ls.Arg {
			n, ok = c.intValue(a.Value)
		}
	}
	if !ok {
		n = ls.Default
	}
	return max(1, min(n, ls.Max))
}

// intValue reads an Int argument: a literal, or a variable's value or
// default; ok is false when there is none (null, absent, not an integer).
func (c *coster) intValue(v ast.Value) (int, bool) {
	switch x := v.(type) {
	case *ast.IntValue:
		n, err := strconv.Atoi(x.Value)
		if err != nil {
			return math.MaxInt, true // too large: the resolver refuses it
		}
		return n, true
	case *ast.Variable:
		if x == nil || x.Name == nil {
			return 0, false
		}
		if val, present := c.vars[x.Name.Value]; present {
			switch n := val.(type) {
			case float64:
				if n >= math.MaxInt32 {
					return math.MaxInt, true
				}
				return int(n), true
			case int:
				return n, true
			case json.Number:
				i, err := n.Int64()
				return int(min(i, math.MaxInt32)), err == nil
			}
			return 0, false
		}
		if d, ok := c.defaults[x.Name.Value]; ok {
			return c.intValue(d)
		}
	}
	return 0, false
}

// rootFields counts the fields of a root selection set, fragments
// expanded, __typename excluded.
func (c *coster) rootFields(ss *ast.SelectionSet, spreading map[string]bool) int {
	if ss == nil {
		return 0
	}
	n := 0
	for _, sel := range ss.Selections {
		switch f := sel.(type) {
		case *ast.Field:
			if f != nil && f.Name != nil && f.Name.Value != "__typename" {
				n++
			}
		case *ast.InlineFragment:
			if f != nil {
				n += c.rootFields(f.SelectionSet, spreading)
			}
		case *ast.FragmentSpread:
			if f == nil || f.Name == nil || spreading[f.Name.Value] {
				continue
			}
			if fd := c.fragments[f.Name.Value]; fd != nil {
				spreading[f.Name.Value] = true
				n += c.rootFields(fd.SelectionSet, spreading)
				delete(spreading, f.Name.Value)
			}
		}
	}
	return n
}

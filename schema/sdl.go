package schema

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/graphql-go/graphql"
)

// IntrospectionQuery is the standard introspection query (types, fields,
// arguments with defaults, input fields, enum values, interfaces, unions).
const IntrospectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
  }
}
fragment FullType on __Type {
  kind
  name
  description
  fields(includeDeprecated: true) {
    name
    description
    args { ...InputValue }
    type { ...TypeRef }
    isDeprecated
    deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
}
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`

// SDL runs IntrospectionQuery on s and prints the result as SDL: what a
// client sees of the served schema (graphql-go has no schema printer).
func SDL(s graphql.Schema) (string, error) {
	res := graphql.Do(graphql.Params{Schema: s, RequestString: IntrospectionQuery})
	if len(res.Errors) > 0 {
		return "", fmt.Errorf("introspection: %s", res.Errors[0].Message)
	}
	data, _ := res.Data.(map[string]any)
	return PrintIntrospection(data)
}

// PrintIntrospection prints the data of an IntrospectionQuery result as SDL.
// Built-in scalars and the introspection types are left out; types, fields,
// arguments, input fields and enum values are sorted by name so the output
// is stable.
func PrintIntrospection(data map[string]any) (string, error) {
	sch, ok := data["__schema"].(map[string]any)
	if !ok {
		return "", errors.New("introspection result has no __schema")
	}
	var b strings.Builder
	roots := []string{}
	for _, op := range []struct{ key, name, def string }{
		{"queryType", "query", "Query"}, {"mutationType", "mutation", "Mutation"}, {"subscriptionType", "subscription", "Subscription"},
	} {
		if t, ok := sch[op.key].(map[string]any); ok {
			name, _ := t["name"].(string)
			if name != op.def {
				roots = append(roots, fmt.Sprintf("  %s: %s", op.name, name))
			}
		}
	}
	if len(roots) > 0 {
		fmt.Fprintf(&b, "schema {\n%s\n}\n\n", strings.Join(roots, "\n"))
	}
	typesList := maps(sch["types"])
	sort.Slice(typesList, func(i, j int) bool { return str(typesList[i], "name") < str(typesList[j], "name") })
	for _, t := range typesList {
		name := str(t, "name")
		if strings.HasPrefix(name, "__") || builtinScalar[name] {
			continue
		}
		printDescription(&b, "", str(t, "description"))
		switch kind := str(t, "kind"); kind {
		case "SCALAR":
			fmt.Fprintf(&b, "scalar %s\n\n", name)
		case "ENUM":
			fmt.Fprintf(&b, "enum %s {\n", name)
			values := sorted(maps(t["enumValues"]))
			for _, v := range values {
				printDescription(&b, "  ", str(v, "description"))
				fmt.Fprintf(&b, "  %s%s\n", str(v, "name"), deprecated(v))
			}
			b.WriteString("}\n\n")
		case "UNION":
			var members []string
			for _, m := range maps(t["possibleTypes"]) {
				members = append(members, str(m, "name"))
			}
			sort.Strings(members)
			fmt.Fprintf(&b, "union %s = %s\n\n", name, strings.Join(members, " | "))
		case "INPUT_OBJECT":
			fmt.Fprintf(&b, "input %s {\n", name)
			for _, f := range sorted(maps(t["inputFields"])) {
				printDescription(&b, "  ", str(f, "description"))
				fmt.Fprintf(&b, "  %s\n", inputValue(f))
			}
			b.WriteString("}\n\n")
		case "OBJECT", "INTERFACE":
			word := "type"
			if kind == "INTERFACE" {
				word = "interface"
			}
			fmt.Fprintf(&b, "%s %s", word, name)
			var ifaces []string
			for _, i := range maps(t["interfaces"]) {
				ifaces = append(ifaces, str(i, "name"))
			}
			if len(ifaces) > 0 {
				sort.Strings(ifaces)
				fmt.Fprintf(&b, " implements %s", strings.Join(ifaces, " & "))
			}
			b.WriteString(" {\n")
			for _, f := range sorted(maps(t["fields"])) {
				printDescription(&b, "  ", str(f, "description"))
				fmt.Fprintf(&b, "  %s%s: %s%s\n", str(f, "name"), printArgs(maps(f["args"])), typeRef(f["type"]), deprecated(f))
			}
			b.WriteString("}\n\n")
		default:
			return "", fmt.Errorf("type %s has unknown kind %q", name, kind)
		}
	}
	return strings.TrimRight(b.String(), "\n") + "\n", nil
}

var builtinScalar = map[string]bool{"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true}

func printArgs(args []map[string]any) string {
	if len(args) == 0 {
		return ""
	}
	args = sorted(args)
	described := false
	for _, a := range args {
		if str(a, "description") != "" {
			described = true
		}
	}
	parts := make([]string, len(args))
	if !described {
		for i, a := range args {
			parts[i] = inputValue(a)
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	var b strings.Builder
	b.WriteString("(\n")
	for _, a := range args {
		printDescription(&b, "    ", str(a, "description"))
		fmt.Fprintf(&b, "    %s\n", inputValue(a))
	}
	b.WriteString("  )")
	return b.String()
}

func inputValue(v map[string]any) string {
	s := str(v, "name") + ": " + typeRef(v["type"])
	if d, ok := v["defaultValue"].(string); ok && d != "" {
		s += " = " + d
	}
	return s
}

func typeRef(v any) string {
	t, _ := v.(map[string]any)
	switch str(t, "kind") {
	case "NON_NULL":
		return typeRef(t["ofType"]) + "!"
	case "LIST":
		return "[" + typeRef(t["ofType"]) + "]"
	}
	return str(t, "name")
}

func deprecated(v map[string]any) string {
	if dep, _ := v["isDeprecated"].(bool); !dep {
		return ""
	}
	if r := str(v, "deprecationReason"); r != "" {
		return " @deprecated(reason: " + quote(r) + ")"
	}
	return " @deprecated"
}

func printDescription(b *strings.Builder, indent, d string) {
	if d != "" {
		b.WriteString(indent + quote(d) + "\n")
	}
}

// quote writes s as a GraphQL string literal.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func maps(v any) []map[string]any {
	l, _ := v.([]any)
	out := make([]map[string]any, 0, len(l))
	for _, x := range l {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func sorted(l []map[string]any) []map[string]any {
	sort.SliceStable(l, func(i, j int) bool { return str(l[i], "name") < str(l[j], "name") })
	return l
}

package schema

import (
	"testing"

	"github.com/graphql-go/graphql"
)

// TestListSizesMatchTheSchema: every field with an Int argument first or
// limit is in ListSizes with the argument's default, except the counts of
// CountLimits, and every entry of ListSizes is such a field of the graph.
func TestListSizesMatchTheSchema(t *testing.T) {
	s, _ := newTestSchema(t)
	seen := map[string]bool{}
	for _, typ := range s.TypeMap() {
		obj, ok := typ.(*graphql.Object)
		if !ok {
			continue
		}
		for name, f := range obj.Fields() {
			for _, a := range f.Args {
				if a.Name() != "first" && a.Name() != "limit" {
					continue
				}
				if CountLimits[name] {
					if _, ok := ListSizes[name]; ok {
						t.Errorf("%s.%s(%s:) is a count (CountLimits) and also in ListSizes", obj.Name(), name, a.Name())
					}
					seen["count:"+name] = true
					continue
				}
				ls, ok := ListSizes[name]
				if !ok || ls.Arg != a.Name() {
					t.Errorf("%s.%s(%s:) is not in ListSizes", obj.Name(), name, a.Name())
					continue
				}
				if a.DefaultValue != ls.Default {
					t.Errorf("%s.%s(%s:) defaults to %v; ListSizes says %d", obj.Name(), name, a.Name(), a.DefaultValue, ls.Default)
				}
				seen[name] = true
			}
		}
	}
	for name := range CountLimits {
		if !seen["count:"+name] {
			t.Errorf("CountLimits has %s, which no field of the graph bounds with first or limit", name)
		}
	}
	for name := range ListSizes {
		if !seen[name] {
			t.Errorf("ListSizes has %s, which no field of the graph bounds with its argument", name)
		}
	}
}

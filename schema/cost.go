package schema

// ListSize says how many items a list field returns at most: the value of
// its argument Arg, Default when the argument is absent, never more than
// Max (a larger value is refused with BAD_USER_INPUT).
type ListSize struct {
	Arg          string
	Default, Max int
}

// ListSizes are the list fields of the graph whose length an argument
// bounds, by field name: Query.cases(first:) and Case.history(limit:). The
// HTTP layer multiplies the cost of their selections by their size; a test
// checks the table against the schema's arguments and their defaults.
var ListSizes = map[string]ListSize{
	"cases":   {Arg: "first", Default: 50, Max: MaxFirst},
	"history": {Arg: "limit", Default: 1000, Max: MaxHistory},
	// adminHistory: schema/admin.go.
	"adminHistory": {Arg: "limit", Default: 100, Max: MaxAdminHistory},
	// worklist: schema/worklist.go.
	"worklist": {Arg: "first", Default: 50, Max: MaxFirst},
	// watchlist: schema/missed.go.
	"watchlist": {Arg: "first", Default: 50, Max: MaxFirst},
}

// CountLimits are the fields whose limit argument bounds a count, not the
// length of a list: CaseConnection.countUpTo(limit:) answers one CaseCount
// whatever its limit, so the HTTP layer prices it as any other field (1,
// and 1 for each of count and more), never per unit of the limit; it is
// not in ListSizes. schema/count.go.
var CountLimits = map[string]bool{"countUpTo": true}

package schema

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/graphql-go/graphql"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// Bounds of list arguments.
const (
	// MaxFirst is the largest page cases(first:) returns.
	MaxFirst = 200
	// MaxHistory is the most events Case.history(limit:) returns.
	MaxHistory = 1000
	maxID      = 256
	maxCursor  = 1024
)

func (r *resolver) queryType() *graphql.Object {
	t := r.t
	idArg := graphql.FieldConfigArgument{"id": {Type: nn(graphql.ID)}}
	q := graphql.NewObject(graphql.ObjectConfig{Name: "Query", Fields: graphql.Fields{
		"me": {Type: nn(t.viewer), Resolve: r.guard("me", r.me)},
		"case": {Type: t.caseT, Args: idArg, Resolve: r.guard("case", func(p graphql.ResolveParams) (any, error) {
			return r.readCase(p, r.projected.Case, "id")
		})},
		"caseByNumber": {Type: t.caseT, Args: graphql.FieldConfigArgument{"number": {Type: nn(graphql.String)}},
			Resolve: r.guard("caseByNumber", func(p graphql.ResolveParams) (any, error) {
				return r.readCase(p, r.projected.CaseByNumber, "number")
			})},
		"cases": {Type: nn(t.caseConnection), Args: graphql.FieldConfigArgument{
			"filter": {Type: t.caseFilter},
			"first":  {Type: graphql.Int, DefaultValue: 50},
			"after":  {Type: graphql.String},
		}, Resolve: r.guard("cases", r.cases)},
		"caseAsOf": {
			Type:        t.caseT,
			Description: "State of a case replayed from its event stream as of a version or an instant (auditors)",
			Args: graphql.FieldConfigArgument{
				"id":      {Type: nn(graphql.ID)},
				"version": {Type: graphql.Int},
				"at":      {Type: DateTime},
			},
			Resolve: r.guard("caseAsOf", r.caseAsOf),
		},
		"verifyCase": {Type: nn(t.integrity), Description: "Recompute the case's hash chain", Args: idArg, Resolve: r.guard("verifyCase", r.verifyCase)},
		"stats": {Type: nn(t.caseStats), Args: graphql.FieldConfigArgument{
			"unit": {Type: graphql.ID},
			"from": {Type: DateTime},
			"to":   {Type: DateTime},
		}, Resolve: r.guard("stats", r.stats)},
		"units": {Type: listOf(t.unit), Resolve: r.guard("units", r.units)},
		"officialAccounts": {Type: listOf(t.officialAccount), Args: officialAccountArgs(), // schema/admin_accounts.go
			Resolve: r.guard("officialAccounts", r.officialAccounts)},
		"checkAccount": {
			Type:        nn(t.accountCheckResult),
			Description: "Is this URL an official account, a known impersonator, or unknown?",
			Args:        graphql.FieldConfigArgument{"url": {Type: nn(graphql.String)}},
			Resolve:     r.guard("checkAccount", r.checkAccount),
		},
		"adminHistory":   r.adminHistoryField(),
		"worklist":       r.worklistField(),       // schema/worklist.go
		"watchlist":      r.watchlistField(),      // schema/missed.go
		"periodicReport": r.periodicReportField(), // schema/report.go
	}})
	for name, f := range r.adminQueries() { // schema/admin_graph.go
		q.AddFieldConfig(name, f)
	}
	return q
}

// Argument readers. graphql-go has already coerced the values to the
// declared types (enums to their incident values, DateTime to time.Time).

func argString(args map[string]any, name string) string {
	s, _ := args[name].(string)
	return s
}

func argInt(args map[string]any, name string) (int, bool) {
	n, ok := args[name].(int)
	return n, ok
}

func argTime(args map[string]any, name string) *time.Time {
	if t, ok := args[name].(time.Time); ok {
		return &t
	}
	return nil
}

func argObject(args map[string]any, name string) map[string]any {
	m, _ := args[name].(map[string]any)
	return m
}

func argList[T any](args map[string]any, name string) []T {
	l, _ := args[name].([]any)
	out := make([]T, 0, len(l))
	for _, v := range l {
		if x, ok := v.(T); ok {
			out = append(out, x)
		}
	}
	return out
}

// idArg returns the id-like string argument name, bounded in length.
func idArg(args map[string]any, name string) (string, error) {
	s := argString(args, name)
	if s == "" {
		return "", badInput(name, "is required")
	}
	if len(s) > maxID || !utf8.ValidString(s) {
		return "", badInput(name, "is not a valid id")
	}
	return s, nil
}

func (r *resolver) me(p graphql.ResolveParams) (any, error) {
	sub, err := subject(p.Context)
	if err != nil {
		return nil, err
	}
	return &viewer{subject: sub, roles: r.auth.RoleGrants(sub)}, nil
}

// readCase resolves case and caseByNumber: null for an unknown key, and
// FORBIDDEN for a case outside the caller's units, as the contract says.
// (Issue 12 asked for null there too; the contract's answer stands, see
// README, Security. Ids are keyed by a server secret, so they cannot be
// probed, and numbers are sequential, so a number's existence tells nothing
// new.)
func (r *resolver) readCase(p graphql.ResolveParams, load func(context.Context, string) (*incident.Case, error), arg string) (any, error) {
	sub, err := subject(p.Context)
	if err != nil {
		return nil, err
	}
	key, err := idArg(p.Args, arg)
	if err != nil {
		return nil, err
	}
	c, err := absentIfNotFound(load(p.Context, key))
	if err != nil || c == nil {
		return nil, err
	}
	if err := r.allow(sub, incident.ActionReadCase, c.Unit); err != nil {
		return nil, err
	}
	return c, nil
}

// absentIfNotFound reads a NOT_FOUND error of a case lookup as "no case".
func absentIfNotFound(c *incident.Case, err error) (*incident.Case, error) {
	if incident.ErrorCode(err) == incident.CodeNotFound {
		return nil, nil
	}
	return c, err
}

// caseFor loads case id for an action: FORBIDDEN, with one message, both
// when there is no such case and when sub may not do action on its unit,
// so that a command does not tell which case ids exist (the contract's
// "outside the caller's units" covers an id in none of them).
func (r *resolver) caseFor(ctx context.Context, sub, action, id string) (*incident.Case, error) {
	c, err := absentIfNotFound(r.projected.Case(ctx, id))
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, errForbidden
	}
	if err := r.allow(sub, action, c.Unit); err != nil {
		return nil, err
	}
	return c, nil
}

func (r *resolver) cases(p graphql.ResolveParams) (any, error) {
	sub, err := subject(p.Context)
	if err != nil {
		return nil, err
	}
	first, _ := argInt(p.Args, "first")
	if first < 1 || first > MaxFirst {
		return nil, badInput("first", "must be between 1 and %d, got %d", MaxFirst, first)
	}
	after := argString(p.Args, "after")
	if len(after) > maxCursor {
		return nil, badInput("after", "is not a cursor of this API")
	}
	f, err := caseFilter(argObject(p.Args, "filter"))
	if err != nil {
		return nil, err
	}
	visible := r.auth.VisibleUnits(sub, incident.ActionReadCase)
	if len(visible) == 0 {
		return &readmodel.Page{}, nil
	}
	if c, ok := r.projected.(CaseCounts); ok { // schema/count.go
		return r.countedList(p, c, c.ListCasesWith, f, visible, first, after)
	}
	list := r.projected.ListCases
	if h, ok := r.projected.(CaseHeads); ok && headsOnly(p.Info) { // schema/list_heads.go
		list = h.ListCaseHeads
	}
	page, err := list(p.Context, f, visible, first, after)
	if err != nil {
		return nil, err
	}
	return &page, nil
}

func caseFilter(m map[string]any) (readmodel.Filter, error) {
	var f readmodel.Filter
	if m == nil {
		return f, nil
	}
	f.Status = argList[incident.Status](m, "status")
	f.Kind = argList[incident.Kind](m, "kind")
	f.Severity = argList[incident.Severity](m, "severity")
	f.Unit = argString(m, "unit")
	if len(f.Unit) > maxID {
		return f, badInput("filter.unit", "is not a valid id")
	}
	var err error
	if f.Assignee, err = incident.CleanText("filter.assignee", argString(m, "assignee"), false, incident.MaxShortText); err != nil {
		return f, err
	}
	if f.Text, err = incident.CleanText("filter.text", argString(m, "text"), false, incident.MaxShortText); err != nil {
		return f, err
	}
	if b, ok := m["overdue"].(bool); ok {
		f.Overdue = &b
	}
	f.ReportedAfter = argTime(m, "reportedAfter")
	f.ReportedBefore = argTime(m, "reportedBefore")
	if f.ReportedAfter != nil && f.ReportedBefore != nil && f.ReportedAfter.After(*f.ReportedBefore) {
		return f, badInput("filter.reportedAfter", "is after filter.reportedBefore")
	}
	leaderFilter(m, &f) // schema/missed.go
	return f, nil
}

func (r *resolver) caseAsOf(p graphql.ResolveParams) (any, error) {
	sub, err := subject(p.Context)
	if err != nil {
		return nil, err
	}
	id, err := idArg(p.Args, "id")
	if err != nil {
		return nil, err
	}
	var version *int64
	if v, ok := argInt(p.Args, "version"); ok {
		if v < 1 {
			return nil, badInput("version", "must be at least 1, got %d", v)
		}
		n := int64(v)
		version = &n
	}
	at := argTime(p.Args, "at")
	c, err := absentIfNotFound(r.projected.Case(p.Context, id))
	if err != nil || c == nil {
		return nil, err
	}
	if err := r.allow(sub, incident.ActionReadHistory, c.Unit); err != nil {
		return nil, err
	}
	past, err := absentIfNotFound(r.streams.CaseAsOf(p.Context, id, version, at))
	if err != nil || past == nil {
		return nil, err
	}
	// The moment of the state: at, or the time of its last event when
	// asked by version (units are shown as they were then).
	instant := past.UpdatedAt
	if at != nil {
		instant = *at
	}
	r.state(p.Context).past.Store(past, instant)
	return past, nil
}

func (r *resolver) verifyCase(p graphql.ResolveParams) (any, error) {
	sub, err := subject(p.Context)
	if err != nil {
		return nil, err
	}
	id, err := idArg(p.Args, "id")
	if err != nil {
		return nil, err
	}
	if _, err := r.caseFor(p.Context, sub, incident.ActionReadHistory, id); err != nil {
		return nil, err
	}
	rep, err := r.streams.Verify(p.Context, id)
	if err != nil {
		return nil, err
	}
	return &integrity{VerifyReport: rep, caseID: id}, nil
}

// history resolves Case.history for HANDLER, LEADER and AUDITOR of the case's units.
func (r *resolver) history(p graphql.ResolveParams) (any, error) {
	sub, err := subject(p.Context)
	if err != nil {
		return nil, err
	}
	c := p.Source.(*incident.Case)
	from, _ := argInt(p.Args, "fromVersion")
	if from < 1 {
		return nil, badInput("fromVersion", "must be at least 1, got %d", from)
	}
	limit, _ := argInt(p.Args, "limit")
	if limit < 1 || limit > MaxHistory {
		return nil, badInput("limit", "must be between 1 and %d, got %d", MaxHistory, limit)
	}
	if err := r.allow(sub, incident.ActionReadHistory, c.Unit); err != nil {
		return nil, err
	}
	events, err := r.streams.History(p.Context, c.ID, int64(from), limit)
	if err != nil {
		return nil, err
	}
	return ptrs(events), nil
}

func (r *resolver) stats(p graphql.ResolveParams) (any, error) {
	sub, err := subject(p.Context)
	if err != nil {
		return nil, err
	}
	unit := argString(p.Args, "unit")
	if unit != "" {
		if err := r.knownUnit(p.Context, "unit", unit); err != nil {
			return nil, err
		}
	}
	from, to := argTime(p.Args, "from"), argTime(p.Args, "to")
	if from != nil && to != nil && from.After(*to) {
		return nil, badInput("from", "is after to")
	}
	visible := r.auth.VisibleUnits(sub, incident.ActionReadStats)
	if len(visible) == 0 {
		return &readmodel.Stats{}, nil
	}
	q := readmodel.StatsQuery{Unit: unit, Visible: visible, From: from, To: to}
	pre := r.prefetchBreakdowns(p, q) // the breakdowns asked for start beside (schema/missed.go)
	st, err := r.projected.Stats(p.Context, unit, visible, from, to)
	if err != nil {
		return nil, err
	}
	r.rememberStats(p.Context, &st, q, pre)
	return &st, nil
}

// knownUnit returns NOT_FOUND unless the registry has unit.
func (r *resolver) knownUnit(ctx context.Context, arg, unit string) error {
	u, err := r.state(ctx).unit(ctx, unit)
	if err != nil {
		return err
	}
	if u == nil {
		return &Error{Code: incident.CodeNotFound, Field: arg, Message: "unit \"" + truncate(unit, 80) + "\" not found"}
	}
	return nil
}

func (r *resolver) units(p graphql.ResolveParams) (any, error) {
	sub, err := subject(p.Context)
	if err != nil {
		return nil, err
	}
	if err := r.hasRole(sub); err != nil {
		return nil, err
	}
	s := r.state(p.Context)
	if err := s.loadUnits(p.Context); err != nil {
		return nil, err
	}
	return s.unitList, nil
}

// checkAccount answers checkAccount, for the subjects officialAccounts
// answers. The number of the case behind a KNOWN_IMPERSONATOR answer is
// shown only to callers who may read that case.
func (r *resolver) checkAccount(p graphql.ResolveParams) (any, error) {
	sub, err := subject(p.Context)
	if err != nil {
		return nil, err
	}
	if err := r.allowAnywhere(sub, incident.ActionReadOfficialAccounts); err != nil {
		return nil, err
	}
	url, err := cleanURL("url", argString(p.Args, "url"))
	if err != nil {
		return nil, err
	}
	res, err := r.projected.CheckAccount(p.Context, url)
	if err != nil {
		return nil, err
	}
	if res.CaseNumber != "" {
		c, err := absentIfNotFound(r.projected.CaseByNumber(p.Context, res.CaseNumber))
		if err != nil {
			return nil, err
		}
		if c == nil {
			res.CaseNumber = ""
		} else if ok, err := r.auth.Allowed(sub, incident.ActionReadCase, c.Unit); err != nil {
			return nil, err
		} else if !ok {
			res.CaseNumber = ""
		}
	}
	return &res, nil
}

// cleanURL checks that s is an absolute http(s) URL of bounded length.
func cleanURL(field, s string) (string, error) {
	s, err := incident.CleanText(field, s, true, incident.MaxURL)
	if err != nil {
		return "", err
	}
	if _, err := incident.NormalizeURL(s); err != nil {
		return "", badInput(field, "is not an absolute http(s) URL")
	}
	return s, nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// impersonatedAccount resolves Analysis.impersonatedAccount from the
// registry (once per unit per request); an account no longer registered is
// shown as recorded, unverified.
func (r *resolver) impersonatedAccount(p graphql.ResolveParams) (any, error) {
	ref := p.Source.(*incident.Analysis).ImpersonatedAccount
	if ref == nil {
		return nil, nil
	}
	a, err := r.state(p.Context).account(p.Context, ref.Unit, ref.ID)
	if err != nil {
		return nil, err
	}
	if a == nil {
		a = &incident.OfficialAccount{ID: ref.ID, Unit: ref.Unit, Platform: ref.Platform, URL: ref.URL, DisplayName: ref.DisplayName}
	}
	return a, nil
}

package readmodel

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/eventstore"
	"casetrail/incident"
)

// Reader answers the API's queries: from the read-model tables (cases,
// lists, statistics, the intake's lookups) and from the case streams
// themselves (History, CaseAsOf, Verify: replay.go). Every list and
// statistic takes the caller's visible units: ids whose whole subtrees the
// caller may see (a case of unit "a/b/c" is visible through "a", "a/b" or
// "a/b/c"). A nil slice means no restriction; an empty one shows nothing.
type Reader struct {
	pool *pgxpool.Pool
	// log reads the case streams.
	log *eventstore.Store
	// Now is the clock of the overdue filter and statistic (time.Now when nil).
	Now func() time.Time
	// history is the units' history (unit_history.go).
	history unitHistories
}

// NewReader returns a reader over pool's database (EnsureSchema and the
// event store's migrations must have run).
func NewReader(pool *pgxpool.Pool) *Reader { return &Reader{pool: pool, log: eventstore.New(pool)} }

func (r *Reader) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// MaxPageSize is the largest page ListCases returns.
const MaxPageSize = 500

// MaxSearchText bounds Filter.Text (characters).
const MaxSearchText = 200

// Filter selects cases; zero fields do not filter. Within a field the values
// are alternatives (OR); fields combine with AND.
type Filter struct {
	Status   []incident.Status
	Kind     []incident.Kind
	Severity []incident.Severity
	// Unit keeps the cases of this unit's subtree.
	Unit     string
	Assignee string
	// Overdue keeps (true) or drops (false) the cases that have a PENDING
	// deadline already past due.
	Overdue        *bool
	ReportedAfter  *time.Time // inclusive
	ReportedBefore *time.Time // exclusive
	// Text keeps the cases where every word of Text is a word of the
	// number, title, description or subject URLs, ignoring case and
	// Vietnamese diacritics ("gia mao" finds "Giả mạo"; đ matches d); the
	// last word may be the beginning of one, and in the number and URL
	// paths a word may also match from the middle ("tanuyen" finds
	// facebook.com/ubndtanuyen). Text shaped like a case number
	// ("VV-2026-0001") keeps the numbers that begin with it. See search.go.
	Text string
	// MissedDeadline keeps (true) or drops (false) the cases with a
	// deadline that was missed and whose step has not happened yet
	// (incident.Case.MissedDeadlines; column missed_at). missed.go.
	MissedDeadline *bool
	// EscalationStatus keeps the cases whose escalation is in one of these
	// statuses (column escalation_status). missed.go.
	EscalationStatus []incident.EscalationStatus
}

// Page is one page of cases, newest report first (ties by id).
type Page struct {
	Cases []incident.Case
	// Cursors holds the opaque cursor of each case (parallel to Cases).
	Cursors   []string
	EndCursor string
	HasNext   bool
	// Total counts every case matching the filter, on all pages (0 when
	// ListOptions.NoTotal skipped it).
	Total int
	// UpTo counts the matches up to ListOptions.UpTo; nil when not asked
	// (count.go).
	UpTo *CountUpTo
}

// Case returns the projected case with id, or NOT_FOUND.
func (r *Reader) Case(ctx context.Context, id string) (*incident.Case, error) {
	return r.oneCase(ctx, `SELECT doc FROM cases WHERE id = $1`, id)
}

// CaseByNumber returns the projected case with number, or NOT_FOUND.
func (r *Reader) CaseByNumber(ctx context.Context, number string) (*incident.Case, error) {
	return r.oneCase(ctx, `SELECT doc FROM cases WHERE number = $1 ORDER BY reported_at, id LIMIT 1`, number)
}

func (r *Reader) oneCase(ctx context.Context, sql, key string) (*incident.Case, error) {
	var doc []byte
	err := r.pool.QueryRow(ctx, sql, key).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, incident.Errorf(incident.CodeNotFound, "case %s not found", key)
	}
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", key, err)
	}
	var c incident.Case
	if err := json.Unmarshal(doc, &c); err != nil {
		return nil, fmt.Errorf("case %s: stored document: %w", key, err)
	}
	return &c, nil
}

// where builds a conjunction of SQL conditions with numbered arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *where) add(format string, vals ...any) {
	refs := make([]any, len(vals))
	for i, v := range vals {
		refs[i] = w.arg(v)
	}
	w.conds = append(w.conds, fmt.Sprintf(format, refs...))
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return "TRUE"
	}
	return strings.Join(w.conds, " AND ")
}

// likeEscaper quotes LIKE's wildcards (the default escape is backslash).
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// scope is the set of units a query may see: all of them, or a list.
type scope struct {
	all   bool
	units []string
}

// empty reports whether the scope shows nothing.
func (s scope) empty() bool { return !s.all && len(s.units) == 0 }

// restrict adds the scope's condition on col (a unit column).
func (w *where) restrict(col string, s scope) {
	if !s.all {
		w.add(col+" = ANY(%s::text[])", s.units)
	}
}

// scope turns the visible subtrees (nil: no restriction) and a unit filter
// (its subtree; "" none) into the list of units that have cases in both,
// so the case queries filter on a plain unit = ANY(list) that their btree
// indexes answer. A unit's subtree follows the registry's parent links, as
// the authorizer's tree does (never the shape of the ids): one notion of
// "within" for checks, lists and statistics, also after a reorganisation
// moves a unit. A unit missing from the registry is its own subtree.
func (r *Reader) scope(ctx context.Context, visible []string, unit string) (scope, error) {
	unit = strings.TrimSpace(unit)
	if visible == nil && unit == "" {
		return scope{all: true}, nil
	}
	if visible != nil && len(visible) == 0 {
		return scope{}, nil
	}
	var vis any
	if visible != nil {
		vis = visible
	}
	rows, err := r.pool.Query(ctx, `WITH RECURSIVE
		vis(id) AS (
			SELECT v COLLATE "C" FROM unnest($1::text[]) v
			UNION SELECT u.id FROM units u JOIN vis ON u.parent = vis.id
		),
		sub(id) AS (
			SELECT $2::text COLLATE "C" WHERE $2 <> ''
			UNION SELECT u.id FROM units u JOIN sub ON u.parent = sub.id
		)
		SELECT unit FROM case_units
		WHERE ($1::text[] IS NULL OR unit IN (SELECT id FROM vis))
			AND ($2 = '' OR unit IN (SELECT id FROM sub))`, vis, unit)
	if err != nil {
		return scope{}, fmt.Errorf("units in scope: %w", err)
	}
	units, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return scope{}, fmt.Errorf("units in scope: %w", err)
	}
	sc := scope{units: units}
	return sc, nil
}

// filter returns the SQL conditions of a list's filter within scope sc;
// the total counts the rows they select, the page adds a cursor's.
//
// A text search finds its words in the search index and filters status,
// kind, severity and unit on the table's columns. (Status and unit were
// once words of the index too, so a count could be answered by the index
// alone; but PostgreSQL reads the table for every row a bitmap scan finds,
// and the posting lists of such common words cost more to read than the
// rows they would drop, as BenchmarkTextSearch shows on the benchmark data
// set.)
func (r *Reader) filter(f Filter, sc scope) (*where, error) {
	w := &where{}
	var statuses, kinds, severities []string
	for _, s := range f.Status {
		if !validStatus(s) {
			return w, incident.BadInput("filter.status", "unknown status %q", s)
		}
		statuses = append(statuses, string(s))
	}
	for _, k := range f.Kind {
		if !validKind(k) {
			return w, incident.BadInput("filter.kind", "unknown incident kind %q", k)
		}
		kinds = append(kinds, string(k))
	}
	for _, s := range f.Severity {
		if !validSeverity(s) {
			return w, incident.BadInput("filter.severity", "unknown severity %q", s)
		}
		severities = append(severities, string(s))
	}
	q, err := searchQuery(f.Text)
	if err != nil {
		return w, err
	}
	number, isNumber := numberPrefix(f.Text)
	w.restrict("c.unit", sc)
	if len(statuses) > 0 {
		w.add("c.status = ANY(%s::text[])", statuses)
	}
	if len(kinds) > 0 {
		w.add("c.kind = ANY(%s::text[])", kinds)
	}
	if len(severities) > 0 {
		w.add("c.severity = ANY(%s::text[])", severities)
	}
	if f.Assignee != "" {
		w.add("c.assignee = %s", f.Assignee)
	}
	if f.Overdue != nil {
		if *f.Overdue {
			w.add("c.next_due_at <= %s", r.now())
		} else {
			w.add("(c.next_due_at IS NULL OR c.next_due_at > %s)", r.now())
		}
	}
	if err := missedFilter(w, f); err != nil {
		return w, err
	}
	if f.ReportedAfter != nil {
		w.add("c.reported_at >= %s", *f.ReportedAfter)
	}
	if f.ReportedBefore != nil {
		w.add("c.reported_at < %s", *f.ReportedBefore)
	}
	switch {
	case isNumber:
		w.add("c.number LIKE %s", likeEscaper.Replace(number)+"%")
	case q != "":
		w.add("c.search @@ %s::tsquery", q)
	case strings.TrimSpace(f.Text) != "":
		w.add("FALSE") // only punctuation: no word to find
	}
	return w, nil
}

// cursor is the sort key of a case: reported_at (microseconds) and id.
type cursor struct {
	At int64  `json:"t"`
	ID string `json:"i"`
}

func encodeCursor(at time.Time, id string) string {
	b, _ := json.Marshal(cursor{At: at.UnixMicro(), ID: id})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" {
		return c, incident.BadInput("after", "is not a cursor of this list")
	}
	return c, nil
}

// CursorOf returns the cursor of c in every list (the same as Page.Cursors).
func CursorOf(c *incident.Case) string { return encodeCursor(c.ReportedAt, c.ID) }

// ListCases returns the first cases after the cursor after ("" = from the
// start) that match f and are visible, newest report first. The order is by
// (reported_at, id), which no later event changes, and cursors carry that
// key, so paging never repeats or skips a case, even while cases are added.
// first must be 0..MaxPageSize (0 returns only Total).
func (r *Reader) ListCases(ctx context.Context, f Filter, visible []string, first int, after string) (Page, error) {
	return r.list(ctx, f, visible, first, after, ListOptions{})
}

// list is ListCases, ListCaseHeads (heads.go) or ListCasesWith (count.go),
// as opt says.
func (r *Reader) list(ctx context.Context, f Filter, visible []string, first int, after string, opt ListOptions) (Page, error) {
	if err := r.checkList(f, first, after); err != nil {
		return Page{}, err
	}
	if err := opt.check(); err != nil {
		return Page{}, err
	}
	sc, err := r.scope(ctx, visible, f.Unit)
	if err != nil {
		return Page{}, err
	}
	if sc.empty() {
		return Page{Cursors: []string{}, UpTo: opt.none()}, nil
	}
	q, err := r.listQuery(f, sc, first, after)
	if err != nil {
		return Page{}, err
	}
	// The counts and the page are independent: ask for them at once, on
	// connections of their own.
	var page Page
	counted := r.countBeside(ctx, q, opt, &page)
	var listErr error
	switch {
	case first > 0 && opt.Heads:
		page.Cases, listErr = r.queryHeads(ctx, headsSelect(`SELECT c.doc, c.reported_at, c.id `+q.pageSQL), q.listArgs)
	case first > 0:
		page.Cases, listErr = r.queryCases(ctx, q.listSQL, q.listArgs)
	}
	countErr := counted()
	if err := errors.Join(countErr, listErr); err != nil {
		return Page{}, fmt.Errorf("list cases: %w", err)
	}
	if len(page.Cases) > first {
		page.Cases, page.HasNext = page.Cases[:first], true
	}
	page.Cursors = make([]string, len(page.Cases))
	for i := range page.Cases {
		page.Cursors[i] = CursorOf(&page.Cases[i])
	}
	if n := len(page.Cursors); n > 0 {
		page.EndCursor = page.Cursors[n-1]
	}
	return page, nil
}

// customPlan runs a query with the unnamed statement, so it is planned for
// its actual parameters: a filter's selectivity depends on them far more
// than a cached generic plan can know.
const customPlan = pgx.QueryExecModeExec

// withMode prefixes query arguments with customPlan.
func withMode(args []any) []any { return append([]any{customPlan}, args...) }

func (r *Reader) queryCases(ctx context.Context, sql string, args []any) ([]incident.Case, error) {
	rows, err := r.pool.Query(ctx, sql, withMode(args)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []incident.Case
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var c incident.Case
		if err := json.Unmarshal(doc, &c); err != nil {
			return nil, fmt.Errorf("stored document: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// listQuery is the SQL of ListCases: the total and one page (first + 1
// rows, to learn whether another page follows).
type listQuery struct {
	// cond is the WHERE condition of the counts (countArgs are its
	// arguments): countSQL counts every match, CountCasesUpTo a few.
	cond    string
	listSQL string
	// pageSQL is listSQL after its SELECT list: FROM, WHERE, ORDER BY and
	// LIMIT of the page (ListCaseHeads selects other columns; heads.go).
	pageSQL             string
	countArgs, listArgs []any
}

// countSQL counts every match of q.
func (q listQuery) countSQL() string { return `SELECT count(*) FROM cases c WHERE ` + q.cond }

// checkList validates the arguments of ListCases before any query.
func (r *Reader) checkList(f Filter, first int, after string) error {
	if first < 0 || first > MaxPageSize {
		return incident.BadInput("first", "must be between 0 and %d", MaxPageSize)
	}
	if after != "" {
		if _, err := decodeCursor(after); err != nil {
			return err
		}
	}
	_, err := r.filter(f, scope{all: true})
	return err
}

func (r *Reader) listQuery(f Filter, sc scope, first int, after string) (listQuery, error) {
	if first < 0 || first > MaxPageSize {
		return listQuery{}, incident.BadInput("first", "must be between 0 and %d", MaxPageSize)
	}
	w, err := r.filter(f, sc)
	if err != nil {
		return listQuery{}, err
	}
	q := listQuery{cond: w.sql(), countArgs: slices.Clone(w.args)}
	if after != "" {
		cur, err := decodeCursor(after)
		if err != nil {
			return listQuery{}, err
		}
		w.add("(c.reported_at, c.id) < (%s, %s)", time.UnixMicro(cur.At), cur.ID)
	}
	q.pageSQL = `FROM cases c WHERE ` + w.sql() +
		` ORDER BY c.reported_at DESC, c.id DESC LIMIT ` + w.arg(first+1)
	q.listSQL = `SELECT c.doc ` + q.pageSQL
	q.listArgs = w.args
	return q, nil
}

// Stats are the figures of the stats query.
type Stats struct {
	// Total, Open, Overdue, ByStatus and ByKind count cases reported in the
	// window.
	Total    int
	Open     int
	Overdue  int
	ByStatus map[incident.Status]int
	ByKind   map[incident.Kind]int
	// MedianHoursToResolve is the median time from report to RESOLVED of the
	// cases resolved in the window (nil when none).
	MedianHoursToResolve *float64
	// DeadlineMetRatio is MET / (MET + MISSED) over the deadlines settled in
	// the window (nil when none).
	DeadlineMetRatio *float64
	// Missed counts the cases reported in the window that have, now, a
	// deadline missed whose step has not happened yet
	// (Filter.MissedDeadline).
	Missed int
}

// Stats computes the statistics of unit's subtree ("" = everything visible)
// within visible, for the window [from, to) (nil ends are open; both nil is
// all time).
func (r *Reader) Stats(ctx context.Context, unit string, visible []string, from, to *time.Time) (Stats, error) {
	window := func(w *where, col string) {
		if from != nil {
			w.add(col+" >= %s", *from)
		}
		if to != nil {
			w.add(col+" < %s", *to)
		}
	}
	st := Stats{ByStatus: map[incident.Status]int{}, ByKind: map[incident.Kind]int{}}
	sc, err := r.scope(ctx, visible, unit)
	if err != nil {
		return Stats{}, err
	}
	if sc.empty() {
		return st, nil
	}
	base := func(col string) *where {
		w := &where{}
		w.restrict(col, sc)
		return w
	}
	q := StatsQuery{From: from, To: to}

	// The counts and the ratio read the daily rollups for the window's
	// whole days (rollup.go, migration 009); the median reads the resolved
	// cases (index cases_resolved). Four independent reads: at once, on
	// four connections.
	resolved := base("c.unit")
	resolved.conds = append(resolved.conds, "c.resolved_at IS NOT NULL")
	window(resolved, "c.resolved_at")
	// date_part, not extract: double precision, not numeric, sorts a
	// province's year of resolutions in a third less time.
	medianSQL := `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', c.resolved_at - c.reported_at) / 3600)
		FROM cases c WHERE ` + resolved.sql()

	errs := make([]error, 4)
	var counts []caseCount
	var overdue map[string]int
	var settled map[string][2]int
	var wg sync.WaitGroup
	wg.Go(func() { counts, errs[0] = r.caseCounts(ctx, sc, q, keyStatus, keyKind) })
	wg.Go(func() { overdue, errs[1] = r.overdueCounts(ctx, sc, q, r.now()) })
	wg.Go(func() {
		errs[2] = r.pool.QueryRow(ctx, medianSQL, withMode(resolved.args)...).Scan(&st.MedianHoursToResolve)
	})
	wg.Go(func() { settled, errs[3] = r.settledCounts(ctx, sc, q) })
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	for _, c := range counts {
		status := incident.Status(c.status)
		st.Total += c.n
		if status.Open() {
			st.Open += c.n
		}
		st.Missed += c.missed
		st.ByStatus[status] += c.n
		st.ByKind[incident.Kind(c.kind)] += c.n
	}
	for _, n := range overdue {
		st.Overdue += n
	}
	met, all := 0, 0
	for _, c := range settled {
		met, all = met+c[0], all+c[1]
	}
	st.DeadlineMetRatio = ratioOf(met, all)
	return st, nil
}

func openStatuses() []string {
	var out []string
	for _, s := range incident.Statuses {
		if s.Open() {
			out = append(out, string(s))
		}
	}
	return out
}

// OpenCaseBySubject returns the open case (the earliest reported, when
// several) that has one of normalizedURLs as a subject: where a new report
// of the same subject is merged.
func (r *Reader) OpenCaseBySubject(ctx context.Context, normalizedURLs []string) (string, bool, error) {
	if len(normalizedURLs) == 0 {
		return "", false, nil
	}
	var id string
	err := r.pool.QueryRow(ctx, `
		SELECT c.id FROM case_subjects s JOIN cases c ON c.id = s.case_id
		WHERE s.normalized_url = ANY($1) AND s.open
		ORDER BY c.reported_at, c.id LIMIT 1`, normalizedURLs).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("open case by subject: %w", err)
	}
	return id, true, nil
}

// CaseByRequest returns the case that received the report with
// clientRequestID from reporter (opened by it, or merged into), if any.
func (r *Reader) CaseByRequest(ctx context.Context, reporter, clientRequestID string) (string, bool, error) {
	var id string
	err := r.pool.QueryRow(ctx, `SELECT case_id FROM intake WHERE reporter = $1 AND client_request_id = $2`,
		reporter, clientRequestID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("case by request: %w", err)
	}
	return id, true, nil
}

// EvidenceBytes returns the bytes of evidence sub has added, summed over the
// projected evidence of every case (each piece counted, also when two share
// content).
func (r *Reader) EvidenceBytes(ctx context.Context, sub string) (int64, error) {
	var n int64
	if err := r.pool.QueryRow(ctx, `SELECT COALESCE(sum(size_bytes), 0)::bigint FROM evidence WHERE added_by = $1`, sub).Scan(&n); err != nil {
		return 0, fmt.Errorf("evidence bytes: %w", err)
	}
	return n, nil
}

// CaseIDKey returns the secret new case ids derive from (the one row of
// case_id_key, written by the read-model migrations).
func (r *Reader) CaseIDKey(ctx context.Context) ([]byte, error) {
	var key []byte
	if err := r.pool.QueryRow(ctx, `SELECT key FROM case_id_key`).Scan(&key); err != nil {
		return nil, fmt.Errorf("case id key: %w", err)
	}
	return key, nil
}

// CheckAccount tells whether url (compared by its normalized form) is a
// registered official account that is not disabled, a known impersonator (a subject of an
// IMPERSONATION case whose recorded verdict is FALSE or MISLEADING), or
// unknown. A URL that is not absolute http(s) is BAD_USER_INPUT.
func (r *Reader) CheckAccount(ctx context.Context, url string) (incident.AccountCheck, error) {
	return r.checkAccount(ctx, url, nil)
}

// checkAccount is CheckAccount counting only the impersonation cases in
// one of statuses (nil: in any).
func (r *Reader) checkAccount(ctx context.Context, url string, statuses []incident.Status) (incident.AccountCheck, error) {
	norm, err := incident.NormalizeURL(url)
	if err != nil {
		return incident.AccountCheck{}, err
	}
	a, ok, err := accountByURL(ctx, r.pool, norm)
	if err != nil {
		return incident.AccountCheck{}, err
	}
	if ok && !a.Disabled {
		return incident.AccountCheck{Result: incident.AccountOfficial, Account: &a}, nil
	}
	var number string
	err = r.pool.QueryRow(ctx, `
		SELECT c.number FROM case_subjects s JOIN cases c ON c.id = s.case_id
		WHERE s.normalized_url = $1 AND c.kind = $2 AND c.verdict = ANY($3)
		  AND ($4::text[] IS NULL OR c.status = ANY($4))
		ORDER BY c.reported_at DESC, c.id DESC LIMIT 1`,
		norm, string(incident.Impersonation), []string{string(incident.VerdictFalse), string(incident.VerdictMisleading)},
		statusTexts(statuses)).Scan(&number)
	if errors.Is(err, pgx.ErrNoRows) {
		return incident.AccountCheck{Result: incident.AccountUnknown}, nil
	}
	if err != nil {
		return incident.AccountCheck{}, fmt.Errorf("check account %s: %w", norm, err)
	}
	return incident.AccountCheck{Result: incident.AccountKnownImpersonator, CaseNumber: number}, nil
}

func validStatus(s incident.Status) bool {
	for _, x := range incident.Statuses {
		if x == s {
			return true
		}
	}
	return false
}

func validKind(k incident.Kind) bool {
	for _, x := range incident.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

func validSeverity(s incident.Severity) bool {
	for _, x := range incident.Severities {
		if x == s {
			return true
		}
	}
	return false
}

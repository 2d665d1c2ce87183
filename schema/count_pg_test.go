package schema_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/parser"
	"github.com/graphql-go/graphql/language/source"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/api"
	"casetrail/eventstore"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
	"casetrail/schema"
	"casetrail/web"
)

// countLog is a pgx tracer that counts the exact and the capped counts of
// case lists sent to PostgreSQL.
type countLog struct {
	mu            sync.Mutex
	exact, capped int
}

func (l *countLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case strings.HasPrefix(d.SQL, "SELECT count(*) FROM cases c WHERE"):
		l.exact++
	case strings.HasPrefix(d.SQL, "SELECT count(*) FROM (SELECT 1 FROM cases c WHERE"):
		l.capped++
	}
	return ctx
}

func (l *countLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (l *countLog) take() (exact, capped int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	exact, capped = l.exact, l.capped
	l.exact, l.capped = 0, 0
	return exact, capped
}

// TestCountUpToOnPostgres: on the real read model, countUpTo agrees with
// totalCount below its limit and stops at it above; a cases query that
// does not select totalCount sends no exact count to PostgreSQL (the
// queries the reader sends are traced), one that selects it does.
func TestCountUpToOnPostgres(t *testing.T) {
	e := newPGEnv(t)
	ctx := e.ctx
	store := eventstore.New(e.pool)
	report := func(unit, title string) {
		t.Helper()
		id := uuid.NewString()
		at := time.Now()
		pays, err := incident.Decide(incident.Case{}, incident.Report{CaseID: id, Number: "VV-2026-" + id[:6], ClientRequestID: uuid.NewString(),
			Kind: incident.Impersonation, Unit: unit, Title: title,
			Subjects: []incident.SubjectInput{{Platform: incident.Facebook, URL: "https://www.facebook.com/" + id}}}, at, incident.DefaultPolicy())
		if err != nil {
			t.Fatal(err)
		}
		evs := make([]eventstore.EventData, len(pays))
		for i, p := range pays {
			data, err := incident.EncodePayload(p)
			if err != nil {
				t.Fatal(err)
			}
			evs[i] = eventstore.EventData{ID: uuid.NewString(), Type: p.EventType(), Data: data, Metadata: eventstore.Metadata{Actor: "reporter1"}, OccurredAt: at}
		}
		if _, err := store.Append(ctx, incident.StreamOf(id), 0, evs...); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		report("lai-chau/tan-uyen", fmt.Sprintf("Trang giả mạo UBND số %d", i))
	}
	report("lai-chau/tan-uyen/xa-phuc-khoa", "Tài khoản bị chiếm quyền")
	report("lai-chau/than-uyen", "Trang giả mạo Than Uyên") // not handler1's
	if _, err := readmodel.NewProjector(store).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}

	cfg, err := pgxpool.ParseConfig(e.pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	log := &countLog{}
	cfg.ConnConfig.Tracer = log
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	reader := readmodel.NewReader(pool)
	s, err := schema.New(schema.Deps{Auth: e.authz, Commands: noCommands{}, Cases: reader, Streams: reader, Registry: e.reg,
		Progress: readmodel.NewProjector(store), Blobs: store, Registrar: e.reg,
		Admin: readmodel.NewAdmin(e.reg, e.authz, web.NewUserAdmin(e.pool))})
	if err != nil {
		t.Fatal(err)
	}
	run := func(query string, vars map[string]any) map[string]any {
		t.Helper()
		res := schema.Execute(schema.WithSubject(ctx, "handler1"), s, query, "", vars)
		if len(res.Errors) > 0 {
			t.Fatalf("%s: %v", query, res.Errors)
		}
		b, _ := json.Marshal(res.Data)
		var out map[string]any
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }

	for _, tc := range []struct {
		name          string
		query         string
		filter        map[string]any
		want          string
		exact, capped int
	}{
		{"capped, below the limit", `query($f: CaseFilter) { cases(filter: $f, first: 2) { countUpTo(limit: 10) { count more } edges { node { number } } } }`,
			map[string]any{"text": "gia mao"}, `{"count":5,"more":false}`, 0, 1},
		{"capped, above the limit", `query($f: CaseFilter) { cases(filter: $f, first: 2) { countUpTo(limit: 3) { count more } edges { node { number } } } }`,
			map[string]any{"text": "gia mao"}, `{"count":3,"more":true}`, 0, 1},
		{"capped, at the limit", `query($f: CaseFilter) { cases(filter: $f) { countUpTo(limit: 6) { count more } } }`,
			nil, `{"count":6,"more":false}`, 0, 1},
		{"no count", `query($f: CaseFilter) { cases(filter: $f) { edges { node { number } } } }`, nil, ``, 0, 0},
		{"the exact total", `query($f: CaseFilter) { cases(filter: $f) { totalCount countUpTo(limit: 3) { count more } } }`,
			map[string]any{"text": "gia mao"}, `{"count":3,"more":true}`, 1, 0},
		// The worklist and the watch list count the same way (orderedList).
		{"the worklist, capped", `query($f: CaseFilter) { worklist(filter: $f) { countUpTo(limit: 3) { count more } } }`,
			map[string]any{"text": "gia mao"}, `{"count":3,"more":true}`, 0, 1},
		{"the worklist's total", `query($f: CaseFilter) { worklist(filter: $f) { totalCount countUpTo(limit: 3) { count more } } }`,
			map[string]any{"text": "gia mao"}, `{"count":3,"more":true}`, 1, 0},
		{"the worklist, two limits", `query($f: CaseFilter) { worklist(filter: $f) { a: countUpTo(limit: 2) { count more } b: countUpTo(limit: 10) { count more } } }`,
			map[string]any{"text": "gia mao"}, `{"a":{"count":2,"more":true},"b":{"count":5,"more":false}}`, 0, 2},
		{"the watch list, capped", `query($f: CaseFilter) { watchlist(filter: $f) { countUpTo { count more } } }`,
			nil, `{"count":0,"more":false}`, 0, 1},
		// Counted again for another limit, the watch list still counts only
		// the cases with a missed deadline (none here, of 6 visible).
		{"the watch list, two limits", `query($f: CaseFilter) { watchlist(filter: $f) { a: countUpTo(limit: 2) { count } b: countUpTo(limit: 10) { count } } }`,
			nil, `{"a":{"count":0},"b":{"count":0}}`, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log.take()
			data := run(tc.query, map[string]any{"f": tc.filter})
			exact, capped := log.take()
			var list map[string]any
			for _, field := range []string{"cases", "worklist", "watchlist"} {
				if l, ok := data[field].(map[string]any); ok {
					list = l
				}
			}
			if tc.want != "" {
				got := js(list)
				if c, ok := list["countUpTo"]; ok {
					got = js(c)
				}
				if got != tc.want {
					t.Errorf("countUpTo %s, want %s", got, tc.want)
				}
			}
			if exact != tc.exact || capped != tc.capped {
				t.Errorf("%d exact and %d capped counts sent, want %d and %d", exact, capped, tc.exact, tc.capped)
			}
		})
	}
	// Below the limit, countUpTo is totalCount for each filter.
	for _, f := range []map[string]any{nil, {"text": "gia mao"}, {"text": "chiem"}, {"unit": "lai-chau/than-uyen"}, {"text": "khong co"}} {
		data := run(`query($f: CaseFilter) { cases(filter: $f) { totalCount countUpTo { count more } } }`, map[string]any{"f": f})
		capped := run(`query($f: CaseFilter) { cases(filter: $f) { countUpTo { count more } } }`, map[string]any{"f": f})
		c := data["cases"].(map[string]any)
		if js(capped["cases"].(map[string]any)["countUpTo"]) != js(c["countUpTo"]) ||
			js(c["countUpTo"]) != fmt.Sprintf(`{"count":%v,"more":false}`, c["totalCount"]) {
			t.Errorf("filter %v: totalCount %v, countUpTo %s beside it and %s alone", f, c["totalCount"],
				js(c["countUpTo"]), js(capped["cases"].(map[string]any)["countUpTo"]))
		}
	}
}

// TestCountUpToCost: the HTTP layer prices countUpTo as a field with its
// selection, whatever its limit (schema.CountLimits; it is not a list):
// each of countUpTo, count and more costs what totalCount costs (the
// selection of cases counts once per item of the page).
func TestCountUpToCost(t *testing.T) {
	cost := func(q string) int {
		t.Helper()
		doc, err := parser.Parse(parser.ParseParams{Source: source.NewSource(&source.Source{Body: []byte(q)})})
		if err != nil {
			t.Fatal(err)
		}
		op, _ := doc.Definitions[0].(*ast.OperationDefinition)
		return api.OperationCost(doc, op, nil).Units
	}
	bare := cost(`{ cases { __typename } }`)
	total := cost(`{ cases { __typename totalCount } }`)
	if total <= bare {
		t.Fatalf("totalCount costs nothing: %d and %d", total, bare)
	}
	for _, limit := range []int{1, 1000, 10000} {
		if capped := cost(fmt.Sprintf(`{ cases { __typename countUpTo(limit: %d) { count more } } }`, limit)); capped-bare > 3*(total-bare) {
			t.Errorf("countUpTo(limit: %d) { count more } costs %d, cases { totalCount } %d", limit, capped, total)
		}
	}
}

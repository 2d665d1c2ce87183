package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestCanonicalJSON(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{}`, `{}`},
		{` { "b" : 1 , "a" : [ 1 , 2 ] } `, `{"a":[1,2],"b":1}`},
		{`{"é":1,"z":2,"A":3,"aa":4,"a":5}`, `{"A":3,"a":5,"aa":4,"z":2,"é":1}`},
		{`{"s":"\u00e9\n\t\"\\\/\u001f\u2028<>&"}`, "{\"s\":\"é\\n\\t\\\"\\\\/\\u001f\u2028<>&\"}"},
		{`{"s":"\ud83d\ude00"}`, `{"s":"😀"}`},
		{`{"n":[0,-0,1.50e1,1e2,0.001e-2,-0.0,12.3400e-1,1E+2,-12,3.0,100e-2,5e0]}`,
			`{"n":[0,0,15.0,100,0.00001,0.0,1.23400,100,-12,3.0,1.00,5]}`},
		{`{"l":[true,false,null,{},[]]}`, `{"l":[true,false,null,{},[]]}`},
		{`{"nested":{"y":{"b":null,"a":1},"x":[{"d":1,"c":2}]}}`, `{"nested":{"x":[{"c":2,"d":1}],"y":{"a":1,"b":null}}}`},
	}
	for _, c := range cases {
		got, err := canonicalJSON([]byte(c.in))
		if err != nil {
			t.Errorf("canonicalJSON(%s): %v", c.in, err)
			continue
		}
		if string(got) != c.want {
			t.Errorf("canonicalJSON(%s)\n got %s\nwant %s", c.in, got, c.want)
		}
		again, err := canonicalJSON(got)
		if err != nil || string(again) != string(got) {
			t.Errorf("canonical form of %s is not stable: %s (%v)", c.in, again, err)
		}
	}
}

func TestCanonicalJSONRejects(t *testing.T) {
	bad := []string{
		``, ` `, `{`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `[1,]`, `{"a":1}x`, `{"a":1}{}`,
		`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":-}`, `{"a":+1}`, `{"a":NaN}`,
		`{"a":tru}`, `{"a":"x}`, "{\"a\":\"\x01\"}", "{\"a\":\"\xff\"}", `{"a":"\u0000"}`,
		`{"a":"\ud800"}`, `{"a":"\udc00"}`, `{"a":"\ud800\u0041"}`, `{"a":"\x"}`, `{"a":"\u12"}`,
		`{"a":1,"a":2}`, `{"a":1e100000}`, `{"a":1e1001}`, `{"a":1e-1001}`,
		strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1),
	}
	for _, in := range bad {
		if got, err := canonicalJSON([]byte(in)); err == nil {
			t.Errorf("canonicalJSON(%q) = %s, want an error", in, got)
		} else if !errors.Is(err, errJSON) {
			t.Errorf("canonicalJSON(%q): error %v is not errJSON", in, err)
		}
	}
	if _, err := canonicalJSON([]byte(strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth))); err != nil {
		t.Errorf("nesting at the limit: %v", err)
	}
}

// TestEventHashGolden pins the canonical encoding: changing it would make
// every stored chain fail verification.
func TestEventHashGolden(t *testing.T) {
	e := RecordedEvent{
		ID: "0190c0de-0000-7000-8000-000000000001", Stream: "case-1", Version: 2, Type: "CaseTriaged", SchemaVersion: 1,
		Data:       json.RawMessage(`{"severity":"HIGH","title":"Trang giả mạo"}`),
		Metadata:   Metadata{Actor: "handler1", CorrelationID: "corr", CausationID: "cause", Reason: "lý do"},
		OccurredAt: time.Date(2025, 7, 1, 8, 30, 0, 123456000, time.FixedZone("ICT", 7*3600)),
		RecordedAt: time.Date(2025, 7, 1, 1, 30, 1, 0, time.UTC),
	}
	got, err := eventHash(strings.Repeat("ab", 32), &e)
	if err != nil {
		t.Fatal(err)
	}
	const want = "113ab348d4de1f20d5470e230a691ae03e7fe03c55c2b09e2afe9664c914953b"
	if got != want {
		t.Errorf("eventHash = %s, want %s", got, want)
	}
	e.Metadata.Reason = "other"
	if h, _ := eventHash(strings.Repeat("ab", 32), &e); h == got {
		t.Error("hash does not cover metadata")
	}
	if _, err := eventHash("xyz", &e); err == nil {
		t.Error("bad prevHash accepted")
	}
}

func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,2.50,-0e3,{"b":"\u00e9"}]}`, `[1e-3,"x\ny"]`, `"s"`, `12.5E+3`, `{"z":{"y":null}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := canonicalJSON(in)
		if err != nil {
			return
		}
		if !json.Valid(c) {
			t.Fatalf("canonical form %q of %q is not valid JSON", c, in)
		}
		if !json.Valid(in) {
			t.Fatalf("accepted invalid JSON %q", in)
		}
		again, err := canonicalJSON(c)
		if err != nil || string(again) != string(c) {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", in, c, again, err)
		}
	})
}

// TestCanonicalMatchesJSONB checks the property the hash chain relies on:
// the canonical form of a document equals the canonical form of what
// PostgreSQL's jsonb gives back for it.
func TestCanonicalMatchesJSONB(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	inputs := []string{
		`{"b":1.50e1,"a":-0.0,"c":1e2,"d":0.001e-2,"e":-0,"f":1E+2,"g":12.3400e-1,"big":123456789012345678901234567890.000100}`,
		`{"h":"\u00e9\n\u001f/<>\"\\","aa":[1,{"z":null,"y":true}],"":"empty key","😀":"\ud83d\ude00"}`,
		`{"tiny":1e-999,"huge":9e999,"neg":-1.000e-5}`,
	}
	for range 300 {
		inputs = append(inputs, randomJSON(r, 0))
	}
	for _, in := range inputs {
		want, err := canonicalJSON([]byte(in))
		if err != nil {
			t.Fatalf("canonicalJSON(%s): %v", in, err)
		}
		var back []byte
		if err := s.pool.QueryRow(ctx, `SELECT $1::text::jsonb`, in).Scan(&back); err != nil {
			t.Fatalf("jsonb(%s): %v", in, err)
		}
		got, err := canonicalJSON(back)
		if err != nil {
			t.Fatalf("canonicalJSON(jsonb %s): %v", back, err)
		}
		if string(got) != string(want) {
			t.Fatalf("input %s\njsonb %s\ncanonical(input) %s\ncanonical(jsonb) %s", in, back, want, got)
		}
	}
}

// randomJSON builds a random object with awkward keys, strings and numbers.
func randomJSON(r *rand.Rand, depth int) string {
	var b strings.Builder
	b.WriteString("{")
	n := r.IntN(5)
	for i := range n {
		if i > 0 {
			b.WriteString(" ,")
		}
		fmt.Fprintf(&b, "%q : %s", randomKey(r, i), randomValue(r, depth+1))
	}
	b.WriteString("}")
	return b.String()
}

func randomKey(r *rand.Rand, i int) string {
	keys := []string{"a", "b", "aa", "B", "é", "Đ", "x y", "😀", "", "ab\n"}
	return keys[r.IntN(len(keys))] + fmt.Sprint(i)
}

func randomValue(r *rand.Rand, depth int) string {
	switch k := r.IntN(8); {
	case k == 0 && depth < 4:
		return randomJSON(r, depth)
	case k == 1 && depth < 4:
		return "[" + randomValue(r, depth+1) + ", " + randomValue(r, depth+1) + "]"
	case k == 2:
		strs := []string{`"plain"`, `"\u00e9\u0110"`, `"tab\tnl\n"`, `"\ud83d\ude00"`, `"\/slash"`, `"Phúc Khoa"`, `"\u001f"`}
		return strs[r.IntN(len(strs))]
	case k == 3:
		return []string{"true", "false", "null"}[r.IntN(3)]
	default:
		sign := []string{"", "-"}[r.IntN(2)]
		num := fmt.Sprint(r.IntN(100000))
		if r.IntN(2) == 0 {
			num += "." + strings.Repeat("0", r.IntN(3)) + fmt.Sprint(r.IntN(1000))
		}
		if r.IntN(3) == 0 {
			num += []string{"e", "E"}[r.IntN(2)] + []string{"", "+", "-"}[r.IntN(3)] + fmt.Sprint(r.IntN(30))
		}
		return sign + num
	}
}

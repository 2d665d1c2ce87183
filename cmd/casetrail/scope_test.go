//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReparentedUnitSeenAlike (issue 12, finding 9): after a reorganisation
// moves a commune under another unit (the seed changed, serve restarted),
// the authorizer, the case lists and the statistics agree on who sees its
// case: the new parent's handler everywhere, the old parent's nowhere.
func TestReparentedUnitSeenAlike(t *testing.T) {
	s := newServer(t, serverOptions{})
	demo, err := os.ReadFile(seedFile(t))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.report(t, "reporter1", reportInput{
		ClientRequestID: "e2e-reparent", Kind: "FALSE_INFORMATION", Unit: "lai-chau/tan-uyen/xa-phuc-khoa",
		Title: "Tin sai về sáp nhập xã", Description: "Kiểm tra phạm vi sau khi đổi đơn vị cấp trên.",
		Subjects: []subjectInput{{Platform: "FACEBOOK", URL: "https://www.facebook.com/tin.sai.sap.nhap"}},
	})
	sees := func(sub string) (read, listed bool, counted int) {
		t.Helper()
		r := s.gql(t, sub, `query($id: ID!) { case(id: $id) { id } }`, map[string]any{"id": c.ID})
		switch r.code() {
		case "":
			read = string(r.Data) != `{"case":null}`
		case "FORBIDDEN":
		default:
			t.Fatalf("as %s, case: %+v", sub, r.Errors)
		}
		var d struct {
			Cases struct {
				Edges []struct{ Node struct{ ID string } }
			}
			Stats struct{ Total int }
		}
		s.must(t, sub, `{ cases(first: 200) { edges { node { id } } } stats { total } }`, nil, &d)
		for _, e := range d.Cases.Edges {
			listed = listed || e.Node.ID == c.ID
		}
		return read, listed, d.Stats.Total
	}
	if r, l, n := sees("handler1"); !r || !l || n != 1 {
		t.Fatalf("before the move, handler1 of tan-uyen: read %v listed %v counted %d", r, l, n)
	}
	if r, l, n := sees("handler2"); r || l || n != 0 {
		t.Fatalf("before the move, handler2 of phuong-tan-phong: read %v listed %v counted %d", r, l, n)
	}

	// The commune now reports to the ward: same id, another parent.
	moved := strings.Replace(string(demo),
		`{id: lai-chau/tan-uyen/xa-phuc-khoa, name: "UBND xã Phúc Khoa", parent: lai-chau/tan-uyen, symbol: "UBND"}`,
		`{id: lai-chau/tan-uyen/xa-phuc-khoa, name: "UBND xã Phúc Khoa", parent: lai-chau/phuong-tan-phong, symbol: "UBND"}`, 1)
	if moved == string(demo) {
		t.Fatal("the demo seed no longer has the line this test moves")
	}
	// reporter1's grant is on the commune itself: it moves with it.
	s.seed = filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(s.seed, []byte(moved), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.stop(15 * time.Second); err != nil {
		t.Fatal(err)
	}
	s.start()
	if r, l, n := sees("handler1"); r || l || n != 0 {
		t.Errorf("after the move, handler1 of tan-uyen: read %v listed %v counted %d, want nothing", r, l, n)
	}
	if r, l, n := sees("handler2"); !r || !l || n != 1 {
		t.Errorf("after the move, handler2 of phuong-tan-phong: read %v listed %v counted %d, want all", r, l, n)
	}
}

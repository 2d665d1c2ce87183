package incident_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

func TestDispatchNumber(t *testing.T) {
	for n, want := range map[int]string{1: "01/UBND-VHTT", 5: "05/UBND-VHTT", 9: "09/UBND-VHTT", 10: "10/UBND-VHTT", 123: "123/UBND-VHTT"} {
		if got := incident.DispatchNumber(n, "UBND-VHTT"); got != want {
			t.Errorf("DispatchNumber(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestDispatchSymbol: the issuer's abbreviation and the drafting unit's;
// a symbol with a hyphen already holds both.
func TestDispatchSymbol(t *testing.T) {
	for _, tc := range []struct {
		u                      incident.Unit
		wantSymbol, wantDrafts string
	}{
		{incident.Unit{ID: "lai-chau/tan-uyen", Symbol: "UBND-VHTT"}, "UBND-VHTT", "VHTT"},
		{incident.Unit{ID: "lai-chau/tan-uyen", Symbol: "UBND-VHTT", Drafting: "VP"}, "UBND-VHTT", "VHTT"},
		{incident.Unit{ID: "lai-chau/xa-sin-ho", Symbol: "UBND", Drafting: "VP"}, "UBND-VP", "VP"},
		{incident.Unit{ID: "lai-chau/xa-sin-ho", Symbol: " UBND "}, "UBND", ""},
		{incident.Unit{ID: "lai-chau/so-vhttdl"}, "SO-VHTTDL", "VHTTDL"},
		{incident.Unit{ID: "x"}, "X", ""},
	} {
		s, d := incident.DispatchSymbol(tc.u)
		if s != tc.wantSymbol || d != tc.wantDrafts {
			t.Errorf("DispatchSymbol(%+v) = %q, %q; want %q, %q", tc.u, s, d, tc.wantSymbol, tc.wantDrafts)
		}
	}
}

func TestCleanSigner(t *testing.T) {
	s, err := incident.CleanSigner("signer", incident.Signer{Prefix: " kt ", Authority: "Chủ tịch", Title: " Phó Chủ tịch", Name: "Lê Văn Thành "})
	if err != nil || s != (incident.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Lê Văn Thành"}) {
		t.Errorf("cleaned %+v %v", s, err)
	}
	for _, tc := range []struct {
		s     incident.Signer
		field string
	}{
		{incident.Signer{Title: "Chủ tịch"}, "signer.name"},
		{incident.Signer{Prefix: "KT.", Name: "A"}, "signer.title"},
		{incident.Signer{Prefix: "XYZ", Title: "T", Name: "A"}, "signer.prefix"},
		{incident.Signer{Name: strings.Repeat("a", incident.MaxShortText+1)}, "signer.name"},
	} {
		if _, err := incident.CleanSigner("signer", tc.s); fieldOf(err) != tc.field {
			t.Errorf("%+v: %v, want BAD_USER_INPUT on %s", tc.s, err, tc.field)
		}
	}
}

// TestCleanUnitOffice: a unit's letter settings are checked with it.
func TestCleanUnitOffice(t *testing.T) {
	u, err := incident.CleanUnit(incident.Unit{ID: "a", Name: "A", Symbol: "UBND", Drafting: " VP ", Numbering: " Manual ",
		Signer: incident.Signer{Prefix: "tm", Authority: "Ủy ban nhân dân", Title: "Chủ tịch", Name: "B"}})
	if err != nil || u.Drafting != "VP" || u.Numbering != incident.NumberingManual || !u.ManualNumbering() || u.Signer.Prefix != "TM." {
		t.Errorf("cleaned %+v %v", u, err)
	}
	for _, tc := range []struct {
		u     incident.Unit
		field string
	}{
		{incident.Unit{ID: "a", Name: "A", Numbering: "sometimes"}, "numbering"},
		{incident.Unit{ID: "a", Name: "A", Drafting: "V P"}, "drafting"},
		{incident.Unit{ID: "a", Name: "A", Drafting: "UBND-VP"}, "drafting"},
		{incident.Unit{ID: "a", Name: "A", Signer: incident.Signer{Title: "Chủ tịch"}}, "signer.name"},
	} {
		if _, err := incident.CleanUnit(tc.u); fieldOf(err) != tc.field {
			t.Errorf("%+v: %v, want BAD_USER_INPUT on %s", tc.u, err, tc.field)
		}
	}
}

// TestEscalationLetterEvents: the approval records its signer and typed
// number; EscalationSent records the letter, the dispatch number being the
// letter's; the fold gives them to the case's escalation; old events
// decode with the new fields empty.
func TestEscalationLetterEvents(t *testing.T) {
	h := fixture(t, fxEscPending)
	signer := &incident.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Lê Văn Thành"}
	if _, err := incident.Decide(h.c, incident.ApproveEscalation{Signer: &incident.Signer{Prefix: "KT.", Name: "A"}}, at(6), h.p); fieldOf(err) != "signer.title" {
		t.Errorf("signer without title: %v", err)
	}
	if _, err := incident.Decide(h.c, incident.ApproveEscalation{RegisterNumber: -1}, at(6), h.p); fieldOf(err) != "registerNumber" {
		t.Errorf("negative register number: %v", err)
	}
	ps := h.do(leader, incident.ApproveEscalation{Note: "Đồng ý", Signer: signer, RegisterNumber: 7}, at(6))
	if a, ok := ps[0].(incident.EscalationApproved); !ok || *a.Signer != *signer || a.RegisterNumber != 7 {
		t.Errorf("approved %+v", ps[0])
	}
	if e := h.c.Escalation; *e.Signer != *signer || e.RegisterNumber != 7 {
		t.Errorf("folded approval %+v", e)
	}
	sum := strings.Repeat("ab", 32)
	issued := time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC)
	letter := incident.Letter{Number: 7, Symbol: "UBND-VHTT", Issuer: "lai-chau/tan-uyen", IssuedAt: issued, Manual: true, Signer: *signer, SHA256: sum}
	bad := letter
	bad.SHA256 = "nope"
	if _, err := incident.Decide(h.c, incident.SendEscalation{Letter: &bad}, at(7), h.p); fieldOf(err) != "letter.sha256" {
		t.Errorf("letter without a hash: %v", err)
	}
	ps = h.do(incident.SystemActor, incident.SendEscalation{DispatchNumber: "ignored", Letter: &letter}, at(7))
	sent, ok := ps[0].(incident.EscalationSent)
	if !ok || sent.DispatchNumber != "07/UBND-VHTT" || sent.Number != 7 || sent.Symbol != "UBND-VHTT" || !sent.IssuedAt.Equal(issued) ||
		*sent.Signer != *signer || sent.SHA256 != sum || !sent.Manual || sent.Issuer != "lai-chau/tan-uyen" {
		t.Errorf("sent %+v", ps[0])
	}
	e := h.c.Escalation
	if e.DispatchNumber != "07/UBND-VHTT" || e.Letter == nil || *e.Letter != letter {
		t.Errorf("folded letter %+v", e.Letter)
	}
	clone := h.c.Clone()
	clone.Escalation.Letter.Number, clone.Escalation.Signer.Name = 99, "x"
	if h.c.Escalation.Letter.Number != 7 || h.c.Escalation.Signer.Name != signer.Name {
		t.Error("Clone shares the letter or the signer")
	}

	// An EscalationSent recorded before letters: the dispatch number only.
	old, err := incident.DecodePayload(incident.TypeEscalationSent, json.RawMessage(`{"dispatchNumber":"1/SVHTTDL","to":"lai-chau/so-vhttdl"}`))
	if err != nil {
		t.Fatal(err)
	}
	if s := old.(incident.EscalationSent); s.Letter() != nil || s.Number != 0 || s.Signer != nil {
		t.Errorf("old event %+v", s)
	}
	b, _ := incident.EncodePayload(incident.EscalationSent{DispatchNumber: "1/SVHTTDL", To: "lai-chau/so-vhttdl"})
	if string(b) != `{"dispatchNumber":"1/SVHTTDL","to":"lai-chau/so-vhttdl"}` {
		t.Errorf("an event without a letter encodes as %s", b)
	}
}

// TestIssuingUnit: a unit with a letterhead issues its own letters; one
// without writes through its nearest ancestor that has one.
func TestIssuingUnit(t *testing.T) {
	tree := incident.NewUnitTree([]incident.Unit{
		{ID: "p", Name: "Tỉnh", IssuingBody: "Ủy ban nhân dân\ntỉnh"},
		{ID: "p/d", Name: "Huyện", Parent: "p", IssuingBody: "Ủy ban nhân dân\nhuyện"},
		{ID: "p/d/c", Name: "Xã", Parent: "p/d"},
		{ID: "p/d/o", Name: "Xã có văn phòng", Parent: "p/d", IssuingBody: "Ủy ban nhân dân\nxã"},
		{ID: "q", Name: "Tỉnh khác"},
		{ID: "q/c", Name: "Xã khác", Parent: "q"},
	})
	for id, want := range map[string]string{"p/d/c": "p/d", "p/d/o": "p/d/o", "p/d": "p/d", "q/c": "q/c", "nowhere": "nowhere"} {
		if got := incident.IssuingUnit(tree, id); got.ID != want {
			t.Errorf("IssuingUnit(%s) = %s, want %s", id, got.ID, want)
		}
	}
}

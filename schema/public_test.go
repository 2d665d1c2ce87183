package schema

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"casetrail/incident"
)

// fakeContacts are the contacts of package public, by case.
type fakeContacts struct {
	byCase map[string][]incident.PublicReporter
	asked  []string
}

func (f *fakeContacts) Reporters(_ context.Context, caseID string) ([]incident.PublicReporter, error) {
	f.asked = append(f.asked, caseID)
	return f.byCase[caseID], nil
}

// TestPublicReporters: a case opened through the citizens' form says so;
// the contacts left with it are the handlers' and leaders' of its units,
// FORBIDDEN to the others who read the case (its reporter, the auditor)
// and to those who do not; a past state has none.
func TestPublicReporters(t *testing.T) {
	_, e := newTestSchema(t)
	contacts := &fakeContacts{byCase: map[string][]incident.PublicReporter{}}
	s, err := New(Deps{Auth: e.auth, Commands: e.w, Reads: e.w, Public: contacts, Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e.s = s
	rep := incident.Report{ClientRequestID: "p-1", Kind: incident.FalseInformation, Unit: unitCommune, Title: "Phản ánh của người dân: facebook.com/x",
		Subjects: []incident.SubjectInput{{Platform: incident.Facebook, URL: "https://facebook.com/x"}}, Channel: incident.ChannelPublic}
	c, err := e.w.Report(context.Background(), "case-p", incident.PublicSubject, "seed", rep)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	contacts.byCase[c.ID] = []incident.PublicReporter{{Name: "Lò Văn A", Phone: "0912345678", ConsentAt: at, ReportedAt: at}, {Phone: "0987654321", ConsentAt: at, ReportedAt: at}}
	plain := e.seed(t, "reporter1", unitCommune, "r-1", "https://facebook.com/y")

	q := `query($id: ID!) { case(id: $id) { publicReports publicReporters { name phone consentAt reportedAt } } }`
	for _, who := range []string{"handler1", "leader1"} {
		got := e.ok(t, who, q, map[string]any{"id": c.ID})
		want := `{"case":{"publicReporters":[{"consentAt":"2026-06-01T15:00:00+07:00","name":"Lò Văn A","phone":"0912345678","reportedAt":"2026-06-01T15:00:00+07:00"},` +
			`{"consentAt":"2026-06-01T15:00:00+07:00","name":null,"phone":"0987654321","reportedAt":"2026-06-01T15:00:00+07:00"}],"publicReports":1}}`
		if compact(got) != want {
			t.Errorf("as %s: %s", who, toJSON(got))
		}
	}
	for _, who := range []string{"reporter1", "auditor1", "outsider"} {
		if r := e.run(t, who, q, map[string]any{"id": c.ID}); r.code() != incident.CodeForbidden {
			t.Errorf("as %s: %s %s", who, toJSON(r.Errors), toJSON(r.Data))
		}
	}
	// The count alone is every reader's.
	if got := e.ok(t, "auditor1", `query($id: ID!) { case(id: $id) { publicReports } }`, map[string]any{"id": c.ID}); compact(got) != `{"case":{"publicReports":1}}` {
		t.Errorf("auditor's count: %s", toJSON(got))
	}
	// A case without public reports does not ask package public.
	contacts.asked = nil
	if got := e.ok(t, "handler1", q, map[string]any{"id": plain.ID}); compact(got) != `{"case":{"publicReporters":[],"publicReports":0}}` {
		t.Errorf("plain case: %s", toJSON(got))
	}
	if len(contacts.asked) != 0 {
		t.Errorf("asked for %v", contacts.asked)
	}
	if got := e.ok(t, "handler1", `query($id: ID!) { caseAsOf(id: $id, version: 1) { publicReporters { name } } }`, map[string]any{"id": c.ID}); compact(got) != `{"caseAsOf":{"publicReporters":null}}` {
		t.Errorf("past state: %s", toJSON(got))
	}
}

package intake_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"casetrail/incident"
)

// TestPublicReportJoinsWithoutReading: the citizens' report form's subject
// may report and join (ActionJoinCase) but read nothing: its report about
// the subject of an open case is merged into that case, and the right to
// read is never what decides it.
func TestPublicReportJoinsWithoutReading(t *testing.T) {
	e := newEnv(t)
	e.auth.grant(incident.PublicSubject, unit, incident.CmdReportIncident, incident.ActionJoinCase)
	e.existing("c-1", "handler1", "h-1", unit, "https://facebook.com/fake-ubnd")
	rep := report("p-1", unit, "https://facebook.com/fake-ubnd")
	rep.Channel = incident.ChannelPublic
	res, err := e.svc.Report(context.Background(), incident.PublicSubject, rep)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Merged || res.Case.ID != "c-1" || len(e.cmds.calls) != 1 || e.cmds.calls[0].name != incident.CmdMergeReport {
		t.Fatalf("public report beside an open case: %+v, calls %+v", res, e.cmds.calls)
	}
	if got := e.cmds.calls[0].report.Channel; got != incident.ChannelPublic {
		t.Errorf("merged report's channel %q, want %s", got, incident.ChannelPublic)
	}
	if slices.Contains(e.auth.asked, incident.PublicSubject+"/"+incident.ActionReadCase+"/"+unit) {
		t.Errorf("the right to read was asked: %v", e.auth.asked)
	}

	// Without the right to join, the same report opens a case of its own.
	e = newEnv(t)
	e.auth.grant(incident.PublicSubject, unit, incident.CmdReportIncident)
	e.existing("c-1", "handler1", "h-1", unit, "https://facebook.com/fake-ubnd")
	res, err = e.svc.Report(context.Background(), incident.PublicSubject, rep)
	if err != nil {
		t.Fatal(err)
	}
	if res.Merged || res.Case.ID == "c-1" || len(e.cmds.calls) != 1 || e.cmds.calls[0].name != incident.CmdReportIncident {
		t.Fatalf("public report without joinCase: %+v, calls %+v", res, e.cmds.calls)
	}
}

// TestReportChannel: a report names no channel, or the public one.
func TestReportChannel(t *testing.T) {
	e := newEnv(t)
	rep := report("r-9", unit, "https://facebook.com/x")
	rep.Channel = "EMAIL"
	_, err := e.svc.Report(context.Background(), reporter, rep)
	if de := (*incident.Error)(nil); !errors.As(err, &de) || de.Code != incident.CodeBadUserInput || de.Field != "channel" {
		t.Fatalf("unknown channel: %v", err)
	}
	if len(e.cmds.calls) != 0 {
		t.Errorf("commands ran: %+v", e.cmds.calls)
	}
}

package benchdata

import (
	"context"
	"fmt"
	"time"

	"casetrail/eventstore"
	"casetrail/incident"
)

// LongCase writes case id with about events events — report, triage,
// analysis, then comments, evidence, assignments and takedowns with their
// responses — each decided and folded by the domain as the workflow would.
// Replay and verification benchmarks use it. It does nothing when the stream
// already exists.
func LongCase(ctx context.Context, store *eventstore.Store, id string, events int) error {
	if v, err := store.StreamVersion(ctx, incident.StreamOf(id)); err != nil || v > 0 {
		return err
	}
	p := incident.DefaultPolicy()
	var c incident.Case
	var pending []eventstore.EventData
	at := time.Now().UTC().Add(-30 * 24 * time.Hour).Truncate(time.Second)
	do := func(actor string, cmd incident.Command) error {
		at = at.Add(time.Minute)
		pays, err := incident.Decide(c, cmd, at, p)
		if err != nil {
			return fmt.Errorf("long case: %s: %w", cmd.Name(), err)
		}
		for _, pay := range pays {
			data, err := incident.EncodePayload(pay)
			if err != nil {
				return err
			}
			if err := incident.Apply(&c, incident.Event{Type: pay.EventType(), Actor: actor, At: at, Data: pay}); err != nil {
				return err
			}
			pending = append(pending, eventstore.EventData{Type: pay.EventType(), Data: data, OccurredAt: at, Metadata: eventstore.Metadata{Actor: actor}})
		}
		return nil
	}
	steps := []struct {
		actor string
		cmd   incident.Command
	}{
		{"reporter1", incident.Report{CaseID: id, Number: "VV-2026-999999", ClientRequestID: "bench-long", Kind: incident.Impersonation,
			Unit: "lai-chau/tan-uyen", Title: "Trang giả mạo UBND huyện Tân Uyên kéo dài", Description: "Vụ việc có rất nhiều sự kiện.",
			Subjects: []incident.SubjectInput{{Platform: incident.Facebook, URL: "https://www.facebook.com/ubnd.tanuyen.gia"}}}},
		{"handler1", incident.Triage{Severity: incident.High, Assignee: "handler1"}},
		{"handler1", incident.StartAnalysis{}},
		{"handler1", incident.RecordAnalysis{Findings: "Giả mạo", Verdict: incident.VerdictFalse}},
	}
	for _, s := range steps {
		if err := do(s.actor, s.cmd); err != nil {
			return err
		}
	}
	for i := 0; len(pending) < events; i++ {
		var cmd incident.Command
		switch i % 5 {
		case 0:
			cmd = incident.Comment{Text: fmt.Sprintf("Cập nhật lần %d: nền tảng chưa phản hồi.", i)}
		case 1:
			cmd = incident.AddEvidence{Description: fmt.Sprintf("Ảnh chụp %d", i), MediaType: "image/png",
				SHA256: fmt.Sprintf("%064x", i), SizeBytes: int64(1000 + i)}
		case 2:
			cmd = incident.Assign{Assignee: fmt.Sprintf("handler%d", i%7)}
		case 3:
			cmd = incident.RequestTakedown{Platform: incident.Facebook, TargetURL: fmt.Sprintf("https://facebook.com/fake-%d", i), Reason: "Giả mạo"}
		case 4:
			cmd = incident.RecordTakedownResponse{TakedownID: c.Takedowns[len(c.Takedowns)-1].ID, Outcome: incident.OutcomeRemoved}
		}
		if err := do("handler1", cmd); err != nil {
			return err
		}
	}
	var version int64
	for len(pending) > 0 {
		k := min(len(pending), eventstore.MaxBatch)
		if _, err := store.Append(ctx, incident.StreamOf(id), version, pending[:k]...); err != nil {
			return err
		}
		version += int64(k)
		pending = pending[k:]
	}
	return nil
}

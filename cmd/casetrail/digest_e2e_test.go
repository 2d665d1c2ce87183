//go:build linux

package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"casetrail/activities"
	"casetrail/inbox"
	"casetrail/incident"
	"casetrail/worker"
	"casetrail/workflows"
)

// embeddedTemporal dials the embedded Temporal server of s (the address its
// log gave at its last start, whatever its store) with the client
// certificate and the payload key in its data dir.
func embeddedTemporal(t *testing.T, s *server) client.Client {
	t.Helper()
	lines := s.logLines("embedded temporal server started")
	if len(lines) == 0 {
		t.Fatal("serve logged no embedded temporal server")
	}
	var rec struct{ Address, Namespace string }
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rec); err != nil {
		t.Fatal(err)
	}
	creds, err := worker.LoadCredentials(filepath.Join(s.dataDir, "temporal"))
	if err != nil {
		t.Fatal(err)
	}
	tlsConf, err := creds.TLSConfig("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	dc, _, err := payloadConverter(Config{DataDir: s.dataDir})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(client.Options{HostPort: rec.Address, Namespace: rec.Namespace, DataConverter: dc,
		ConnectionOptions: client.ConnectionOptions{TLS: tlsConf}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// TestDigestScheduleOnEmbeddedServer (issue 18): serve creates the leaders'
// digest Schedule on its embedded Temporal server — 07:30 every day in
// Asia/Ho_Chi_Minh, DailyDigest on the case task queue —; triggered, it
// runs the digest once, and leader1 hears of the case whose triage was
// missed in the commune under their district (the in-app inbox has it).
// Restarted with CASETRAIL_DIGEST_AT=06:15, serve updates the schedule.
func TestDigestScheduleOnEmbeddedServer(t *testing.T) {
	s := newServer(t, serverOptions{Env: []string{"CASETRAIL_BASE_URL=https://casetrail.example"}, Policy: `
triage: 2s
reminders: []
`})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tc := embeddedTemporal(t, s)
	h := tc.ScheduleClient().GetHandle(ctx, workflows.DigestScheduleID)

	d, err := h.Describe(ctx)
	if err != nil {
		t.Fatalf("the digest schedule on the embedded server: %v", err)
	}
	spec := d.Schedule.Spec
	if spec.TimeZoneName != "Asia/Ho_Chi_Minh" || len(spec.Calendars) != 1 || !workflows.CalendarAt(spec.Calendars[0], 7, 30) {
		t.Fatalf("spec %+v; want 07:30 every day in Asia/Ho_Chi_Minh", spec)
	}
	if act, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction); !ok || act.Workflow != workflows.DigestWorkflowName || act.TaskQueue != workflows.TaskQueue {
		t.Fatalf("action %+v", d.Schedule.Action)
	}
	if next := d.Info.NextActionTimes; len(next) == 0 || next[0].UTC().Format("15:04:05") != "00:30:00" {
		t.Errorf("next action times %v; want 00:30 UTC", next)
	}
	if len(s.logLines("daily digest schedule created")) != 1 {
		t.Errorf("serve did not log the schedule's creation:\n%s", s.logTail(30))
	}

	// A case in leader1's district (a commune below it) misses its triage.
	c, _ := s.report(t, "reporter1", reportInput{
		ClientRequestID: "e2e-digest", Kind: "FALSE_INFORMATION", Unit: "lai-chau/tan-uyen/xa-phuc-khoa",
		Title: "Tin sai về giá điện", Description: "Bài đăng sai sự thật.",
		Subjects: []subjectInput{{Platform: "FACEBOOK", URL: "https://www.facebook.com/tin.gia.dien"}},
	})
	var triageDue time.Time
	eventually(t, time.Minute, "TRIAGE missed in the read model", func() error {
		d := s.readCase(t, "leader1", c.ID).deadline("TRIAGE")
		if d == nil || d.State != "MISSED" {
			return errMissing
		}
		var err error
		triageDue, err = time.Parse(time.RFC3339Nano, d.DueAt)
		return err
	})

	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	var runID string
	eventually(t, 30*time.Second, "the triggered digest started", func() error {
		d, err := h.Describe(ctx)
		if err != nil {
			return err
		}
		if len(d.Info.RecentActions) == 0 {
			return errMissing
		}
		runID = d.Info.RecentActions[0].StartWorkflowResult.WorkflowID
		return nil
	})
	var res workflows.DigestResult
	if err := tc.GetWorkflow(ctx, runID, "").Get(ctx, &res); err != nil {
		t.Fatalf("DailyDigest %s: %v", runID, err)
	}
	if !slices.Contains(res.Sent, "leader1") || len(res.Failed) != 0 {
		t.Fatalf("digest result %+v; want leader1 told", res)
	}
	if d, _ := h.Describe(ctx); len(d.Info.RecentActions) != 1 || d.Info.NumActions != 1 {
		t.Errorf("schedule ran %d actions; want the one triggered", d.Info.NumActions)
	}

	// One digest record for leader1 naming the case, and one message in
	// the inbox (the channel every notification reaches).
	var records []map[string]any
	for _, l := range s.logLines(`"msg":"digest"`) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err == nil && rec["leader"] == "leader1" {
			records = append(records, rec)
		}
	}
	if len(records) != 1 {
		t.Fatalf("%d digest records for leader1; want 1:\n%s", len(records), s.logTail(40))
	}
	if b, _ := json.Marshal(records[0]["cases"]); !strings.Contains(string(b), c.Number) || records[0]["missed"] != float64(1) {
		t.Errorf("digest record %v; want case %s, one missed", records[0], c.Number)
	}
	if subj, _ := records[0]["subject"].(string); !strings.HasPrefix(subj, "Tổng hợp hằng ngày ") || !strings.Contains(subj, "1 quá hạn") {
		t.Errorf("subject %q", subj)
	}
	var logged int
	for _, l := range s.logLines(`"msg":"notification"`) {
		if strings.Contains(l, `"event":"Digest"`) && strings.Contains(l, "leader1") {
			logged++
		}
	}
	if logged != 1 {
		t.Errorf("%d notification log records of the digest for leader1; want 1", logged)
	}
	pool, err := pgxpool.New(ctx, s.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	list, _, err := inbox.New(pool).List(ctx, "leader1", 1)
	if err != nil {
		t.Fatal(err)
	}
	var digests []inbox.Notification
	for _, n := range list {
		if n.Event == "Digest" {
			digests = append(digests, n)
		}
	}
	if len(digests) != 1 || !strings.Contains(digests[0].Text, c.Number) || !strings.Contains(digests[0].Text, "https://casetrail.example/cases/"+c.ID) ||
		!strings.Contains(digests[0].Text, "Hạn phân loại: hạn "+triageDue.In(incident.VietnamTime).Format(activities.NotifyTimeLayout)) {
		t.Errorf("leader1's inbox has %d digests; want one naming %s with its link: %+v", len(digests), c.Number, digests)
	}

	// A restart with another time updates the schedule.
	if err := s.stop(15 * time.Second); err != nil {
		t.Fatalf("stop: %v", err)
	}
	s.env = append(s.env, "CASETRAIL_DIGEST_AT=06:15")
	s.start()
	tc = embeddedTemporal(t, s)
	d, err = tc.ScheduleClient().GetHandle(ctx, workflows.DigestScheduleID).Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !workflows.CalendarAt(d.Schedule.Spec.Calendars[0], 6, 15) || len(s.logLines("daily digest schedule updated")) != 1 {
		t.Errorf("after the restart: spec %+v; want 06:15, and the update logged", d.Schedule.Spec)
	}
}

// Package integration runs case workflows end to end: the real embedded
// Temporal test server, the real activities and PostgreSQL. It also records
// the histories the replay test of package workflows replays.
package integration

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/temporal"
	"go.temporal.io/server/temporaltest"
	"google.golang.org/protobuf/encoding/protojson"

	"casetrail/activities"
	"casetrail/eventstore"
	"casetrail/eventstore/pgtest"
	"casetrail/incident"
	casetrailworker "casetrail/worker"
	"casetrail/workflows"
	"casetrail/workflows/internal/fixture"
)

var recordHistory = flag.Bool("record-history", false, "rewrite ../testdata/*.history.json, the histories TestReplay replays")

// integration is a real Temporal test server, a real PostgreSQL event store
// and the real activities.
type integration struct {
	t      testing.TB
	ctx    context.Context
	client client.Client
	store  *eventstore.Store
	ns     string

	mu       sync.Mutex
	notified []activities.Notification
}

// newIntegration starts the server, the store and a worker; the worker has
// the options given (temporaltest's own worker fails a workflow on a panic,
// so a test that needs a panic to fail only the workflow task brings its own).
func newIntegration(t testing.TB, opts ...worker.Options) *integration {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: needs the Temporal test server and PostgreSQL")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	it := &integration{t: t, ctx: ctx}

	store, err := eventstore.Open(ctx, pgtest.NewDatabase(t)+"&pool_max_conns=4")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	if err := activities.EnsureSchema(ctx, store.Pool()); err != nil {
		t.Fatal(err)
	}
	it.store = store

	const secret = "integration-secret"
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if activities.VerifySignature(secret, r.Header, body, time.Now()) != nil {
			t.Errorf("notification with a bad signature")
		}
		var n activities.Notification
		if err := json.Unmarshal(body, &n); err != nil {
			t.Errorf("notification body: %v", err)
		}
		it.mu.Lock()
		it.notified = append(it.notified, n)
		it.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(hook.Close)

	var ts *temporaltest.TestServer
	if tt, ok := t.(*testing.T); ok {
		ts = temporaltest.NewServer(temporaltest.WithT(tt), dynamicConfig())
	} else {
		ts = temporaltest.NewServer(dynamicConfig())
		t.Cleanup(ts.Stop)
	}
	it.client, it.ns = ts.GetDefaultClient(), ts.GetDefaultNamespace()
	// The attributes production registers (worker.CaseSearchAttributes).
	if _, err := it.client.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: it.ns, SearchAttributes: casetrailworker.CaseSearchAttributes,
	}); err != nil {
		t.Fatal(err)
	}
	acts := &activities.Activities{
		Store:         store,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		NotifyWebhook: activities.Webhook{URL: hook.URL, Secret: secret},
		Leaders: func(_ context.Context, unit string) ([]string, error) {
			return []string{"leader1"}, nil
		},
		Units: func(context.Context) ([]incident.Unit, error) { return units, nil },
	}
	register := func(r worker.Registry) {
		workflows.Register(r)
		activities.Register(r, acts)
	}
	if len(opts) == 0 {
		ts.NewWorker(workflows.TaskQueue, register)
		return it
	}
	w := worker.New(it.client, workflows.TaskQueue, opts[0])
	register(w)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return it
}

// dynamicConfig gives the test server what CaseTrail asks of every server
// (worker.ClusterDynamicConfig), beside temporaltest's own setting.
func dynamicConfig() temporaltest.TestServerOption {
	dc := casetrailworker.DynamicConfig()
	dc[dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key()] = true
	return temporaltest.WithBaseServerOptions(temporal.WithDynamicConfigClient(dc))
}

// events returns the types of the stored events of caseID.
func (it *integration) events(caseID string) []eventstore.RecordedEvent {
	it.t.Helper()
	recs, err := it.store.ReadStream(it.ctx, incident.StreamOf(caseID), 1, 0)
	if err != nil {
		it.t.Fatal(err)
	}
	return recs
}

// caseEvents drops the delivery records (NotificationSent,
// NotificationFailed) of recs: the workflow appends them in the background
// once a notification's delivery ended, so where they fall among the
// commands' events depends on timing.
func caseEvents(recs []eventstore.RecordedEvent) []eventstore.RecordedEvent {
	out := make([]eventstore.RecordedEvent, 0, len(recs))
	for _, r := range recs {
		if !incident.IsDeliveryRecord(r.Type) {
			out = append(out, r)
		}
	}
	return out
}

// deliveryRecord returns the delivery record of the notification caused
// by an event of type cause in recs, if there is one.
func deliveryRecord(recs []eventstore.RecordedEvent, cause string) (incident.NotificationSent, bool) {
	for _, r := range recs {
		if !incident.IsDeliveryRecord(r.Type) {
			continue
		}
		var n incident.NotificationSent
		if err := json.Unmarshal(r.Data, &n); err == nil && n.Cause == cause {
			return n, true
		}
	}
	return incident.NotificationSent{}, false
}

func recordedTypes(recs []eventstore.RecordedEvent) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Type
	}
	return out
}

// cmd sends a command and fails the test on error.
func cmd[C incident.Command](it *integration, caseID, actor string, c C) incident.Case {
	it.t.Helper()
	got, err := workflows.Execute(it.ctx, it.client, caseID, workflows.Request[C]{Actor: actor, Command: c})
	if err != nil {
		it.t.Fatalf("%s: %v", c.Name(), err)
	}
	return got
}

// finish cancels the case workflow, waits for it and, with -record-history
// and a name, saves its history as workflows/testdata/name.history.json for
// TestReplay.
func (it *integration) finish(caseID, name string) {
	it.t.Helper()
	id := workflows.WorkflowID(caseID)
	if err := it.client.CancelWorkflow(it.ctx, id, ""); err != nil {
		it.t.Fatal(err)
	}
	if err := it.client.GetWorkflow(it.ctx, id, "").Get(it.ctx, nil); err == nil {
		it.t.Fatal("the cancelled workflow ended without an error")
	}
	if !*recordHistory || name == "" {
		return
	}
	var history historypb.History
	iter := it.client.GetWorkflowHistory(it.ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			it.t.Fatal(err)
		}
		history.Events = append(history.Events, e)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&history)
	if err != nil {
		it.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "testdata", name+".history.json"), b, 0o644); err != nil {
		it.t.Fatal(err)
	}
}

// TestIntegration walks cases through the real embedded Temporal test server,
// the real activities and PostgreSQL: a case from report to close, the
// contract's errors, a missed deadline with a short policy, and a
// continue-as-new that keeps its timer.
func TestIntegration(t *testing.T) {
	it := newIntegration(t)
	t.Run("report to close", it.reportToClose)
	t.Run("missed deadline", it.missedDeadline)
	t.Run("continue as new", it.continueAsNew)
	t.Run("escalation letter", it.escalationLetter)
	t.Run("notifications", it.notifications)
}

// notifications: an assignment, a person's escalation request, the
// dispatch and the resolution each tell people once, and each delivery
// ends in one record in the case's history (testdata/notified, the replay
// of notifyVersion).
func (it *integration) notifications(t *testing.T) {
	it.t = t
	caseID := uuid.NewString()
	rep := reportCmd()
	rep.ClientRequestID = "it-" + caseID
	if _, err := workflows.Report(it.ctx, it.client, caseID, workflows.Request[incident.Report]{Actor: "reporter1", RequestID: "report-" + caseID, Command: rep}, incident.DefaultPolicy()); err != nil {
		t.Fatal(err)
	}
	cmd(it, caseID, handler, incident.Triage{Severity: incident.Medium, Assignee: "handler2"})
	cmd(it, caseID, "handler2", incident.StartAnalysis{})
	cmd(it, caseID, "handler2", analysisCmd())
	cmd(it, caseID, "handler2", incident.RequestEscalation{Reason: "Nền tảng không phản hồi"})
	cmd(it, caseID, leader, incident.ApproveEscalation{Note: "Đồng ý"})
	cmd(it, caseID, "handler2", incident.Resolve{Resolution: "Trang đã bị gỡ"})
	causes := []string{incident.TypeCaseTriaged, incident.TypeEscalationRequested, incident.TypeEscalationSent, incident.TypeCaseResolved}
	it.eventually(20*time.Second, "the four deliveries recorded", func() bool {
		recs := it.events(caseID)
		for _, c := range causes {
			if _, ok := deliveryRecord(recs, c); !ok {
				return false
			}
		}
		return true
	})
	recs := it.events(caseID)
	var records int
	for _, r := range recs {
		if incident.IsDeliveryRecord(r.Type) {
			records++
			if r.Type != incident.TypeNotificationSent || r.Metadata.Actor != incident.SystemActor {
				t.Errorf("record %s by %s", r.Type, r.Metadata.Actor)
			}
		}
	}
	if records != len(causes) {
		t.Errorf("%d delivery records, want %d: %v", records, len(causes), recordedTypes(recs))
	}
	wantTo := map[string][]string{
		incident.TypeCaseTriaged: {"handler2"}, incident.TypeEscalationRequested: {"leader1"},
		incident.TypeEscalationSent: {"leader1"}, incident.TypeCaseResolved: {"reporter1"},
	}
	for _, c := range causes {
		n, _ := deliveryRecord(recs, c)
		if !slices.Equal(n.Recipients, wantTo[c]) || n.Subject == "" {
			t.Errorf("%s: recorded %+v, want recipients %v", c, n, wantTo[c])
		}
	}
	it.mu.Lock()
	posted := map[string]int{}
	for _, n := range it.notified {
		if n.CaseID == caseID {
			posted[n.Event]++
		}
	}
	it.mu.Unlock()
	for _, c := range causes {
		if posted[c] != 1 {
			t.Errorf("the webhook got %d notifications of %s, want 1", posted[c], c)
		}
	}
	it.finish(caseID, "notified")
}

// units is the registry the integration's letters are issued from.
var units = []incident.Unit{
	{ID: "lai-chau", Name: "Tỉnh Lai Châu", Symbol: "UBND"},
	{ID: "lai-chau/so-vhttdl", Name: "Sở Văn hóa, Thể thao và Du lịch", Parent: "lai-chau", Symbol: "SVHTTDL"},
	{ID: "lai-chau/tan-uyen", Name: "Tân Uyên", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl", Symbol: "UBND-VHTT",
		IssuingBody: "Ủy ban nhân dân\nhuyện Tân Uyên", Place: "Tân Uyên",
		Signer: incident.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Trần Thị Lan"}},
}

// escalationLetter: the approval of an escalation issues its letter —
// numbered in the register of Tân Uyên, rendered, its PDF in the blob
// store — and EscalationSent records it.
func (it *integration) escalationLetter(t *testing.T) {
	it.t = t
	caseID := uuid.NewString()
	rep := reportCmd()
	rep.ClientRequestID = "it-" + caseID
	if _, err := workflows.Report(it.ctx, it.client, caseID, workflows.Request[incident.Report]{Actor: "reporter1", RequestID: "report-" + caseID, Command: rep}, incident.DefaultPolicy()); err != nil {
		t.Fatal(err)
	}
	cmd(it, caseID, handler, triageCmd())
	cmd(it, caseID, handler, incident.StartAnalysis{})
	cmd(it, caseID, handler, analysisCmd())
	cmd(it, caseID, handler, incident.RequestEscalation{Reason: "Nền tảng không phản hồi"})
	c := cmd(it, caseID, leader, incident.ApproveEscalation{Note: "Đồng ý"})
	l := c.Escalation.Letter
	if c.Escalation.Status != incident.EscSent || l == nil || l.Issuer != "lai-chau/tan-uyen" || l.Symbol != "UBND-VHTT" || l.Number < 1 ||
		l.Signer.Name != "Trần Thị Lan" || c.Escalation.DispatchNumber != l.DispatchNumber() {
		t.Fatalf("escalation %+v letter %+v", c.Escalation, l)
	}
	if mt, pdf, err := it.store.GetBlob(it.ctx, l.SHA256); err != nil || mt != "application/pdf" || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Errorf("the letter's PDF in the blob store: %s %d bytes %v", mt, len(pdf), err)
	}
	recs := caseEvents(it.events(caseID))
	last := recs[len(recs)-2] // EscalationSent, then the ESCALATION_RESPONSE deadline
	var sent incident.EscalationSent
	if err := json.Unmarshal(last.Data, &sent); err != nil || last.Type != incident.TypeEscalationSent || sent.SHA256 != l.SHA256 ||
		sent.Signer == nil || sent.Signer.Name != "Trần Thị Lan" || sent.Number != l.Number {
		t.Errorf("stored %s %s (%v)", last.Type, last.Data, err)
	}
	cmd(it, caseID, handler, incident.RecordEscalationResponse{Response: "Sở đã tiếp nhận", Resolved: true})
	it.finish(caseID, "escalation")
}

func (it *integration) reportToClose(t *testing.T) {
	it.t = t
	caseID := uuid.NewString()
	rep := reportCmd()
	rep.ClientRequestID = "it-" + caseID
	req := workflows.Request[incident.Report]{Actor: "reporter1", RequestID: "report-" + caseID, Command: rep}
	c, err := workflows.Report(it.ctx, it.client, caseID, req, incident.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	year := time.Now().In(time.FixedZone("ICT", 7*3600)).Year()
	if c.Status != incident.StatusReported || c.Number != fmt.Sprintf("VV-%d-000001", year) || c.ID != caseID {
		t.Fatalf("reported %s %s %s", c.ID, c.Number, c.Status)
	}
	// The same report again — same request id, or a new one with the same
	// client request id — answers the same case.
	for _, id := range []string{req.RequestID, "report-retry-" + caseID} {
		req.RequestID = id
		again, err := workflows.Report(it.ctx, it.client, caseID, req, incident.DefaultPolicy())
		if err != nil || again.Number != c.Number || !again.AtVersion(c.Version) {
			t.Errorf("report repeated (%s): %s v%d, %v", id, again.Number, again.Version, err)
		}
	}

	c = cmd(it, caseID, handler, triageCmd())
	// Contract errors come back as *incident.Error.
	stale := c.Version - 1
	_, err = workflows.Execute(it.ctx, it.client, caseID, workflows.Request[incident.Comment]{Actor: handler, ExpectedVersion: &stale, Command: incident.Comment{Text: "x"}})
	wantCode(t, err, incident.CodeConflict, "")
	_, err = workflows.Execute(it.ctx, it.client, caseID, workflows.Request[incident.Close]{Actor: leader, Command: incident.Close{}})
	wantCode(t, err, incident.CodeInvalidTransition, "")
	_, err = workflows.Execute(it.ctx, it.client, caseID, workflows.Request[incident.Assign]{Actor: leader, Command: incident.Assign{}})
	wantCode(t, err, incident.CodeBadUserInput, "assignee")
	_, err = workflows.Execute(it.ctx, it.client, uuid.NewString(), workflows.Request[incident.Triage]{Actor: handler, Command: triageCmd()})
	wantCode(t, err, incident.CodeNotFound, "")
	_, err = queryCase(it.ctx, it.client, uuid.NewString())
	wantCode(t, err, incident.CodeNotFound, "")

	// The GraphQL layer sends commands as the interface incident.Command.
	var started incident.Command = incident.StartAnalysis{}
	if c, err = workflows.Execute(it.ctx, it.client, caseID, workflows.Request[incident.Command]{Actor: handler, Command: started}); err != nil || c.Status != incident.StatusAnalysis {
		t.Fatalf("startAnalysis as an incident.Command: %s %v", c.Status, err)
	}
	_, err = workflows.Execute(it.ctx, it.client, caseID, workflows.Request[incident.Command]{Actor: handler})
	wantCode(t, err, incident.CodeBadUserInput, "command")
	cmd(it, caseID, handler, analysisCmd())
	c = cmd(it, caseID, handler, takedownCmd())
	if c.Status != incident.StatusAction {
		t.Errorf("after the takedown request: %s", c.Status)
	}
	cmd(it, caseID, handler, responseCmd(incident.OutcomeRemoved))
	cmd(it, caseID, handler, incident.Resolve{Resolution: "Bài viết đã bị gỡ, đã đăng tin đính chính"})
	c = cmd(it, caseID, leader, incident.Close{Note: "Đã xác nhận"})
	if c.Status != incident.StatusClosed {
		t.Fatalf("closed case is %s", c.Status)
	}
	got, err := queryCase(it.ctx, it.client, caseID)
	// The reporter's notification of the resolution may be recorded by
	// now: the case is at the close's version but for delivery records.
	if err != nil || !got.AtVersion(c.Version) || got.Status != incident.StatusClosed {
		t.Errorf("queryCase: v%d %s %v (the close answered v%d)", got.Version, got.Status, err, c.Version)
	}

	recs := caseEvents(it.events(caseID))
	want := []string{
		incident.TypeCaseReported, incident.TypeDeadlineSet,
		incident.TypeCaseTriaged, incident.TypeDeadlineMet, incident.TypeDeadlineSet, incident.TypeDeadlineSet,
		incident.TypeAnalysisStarted,
		incident.TypeAnalysisRecorded, incident.TypeDeadlineMet,
		incident.TypeTakedownRequested, incident.TypeDeadlineSet,
		incident.TypeTakedownResponded, incident.TypeDeadlineMet,
		incident.TypeCaseResolved, incident.TypeDeadlineMet, // RESOLUTION; nothing left to cancel
		incident.TypeCaseClosed,
	}
	if got := recordedTypes(recs); !slices.Equal(got, want) {
		t.Errorf("stored events:\n got %v\nwant %v", got, want)
	}
	if recs[0].Metadata.Actor != "reporter1" || recs[len(recs)-1].Metadata.Actor != leader || c.Position != recs[len(recs)-1].GlobalPosition {
		t.Errorf("actors %q..%q, position %d vs %d", recs[0].Metadata.Actor, recs[len(recs)-1].Metadata.Actor, c.Position, recs[len(recs)-1].GlobalPosition)
	}
	evs := make([]incident.Event, len(recs))
	for i, r := range recs {
		p, err := incident.DecodePayload(r.Type, r.Data)
		if err != nil {
			t.Fatal(err)
		}
		evs[i] = incident.Event{ID: r.ID, Type: r.Type, Actor: r.Metadata.Actor, At: r.OccurredAt, Data: p, Version: r.Version, GlobalPosition: r.GlobalPosition}
	}
	if folded, err := incident.Fold(evs); err != nil || folded.Status != c.Status || folded.Version != c.Version || folded.Number != c.Number {
		t.Errorf("the stream folds to %s v%d %s (%v), the workflow says %s v%d %s", folded.Status, folded.Version, folded.Number, err, c.Status, c.Version, c.Number)
	}
	if rep, err := it.store.Verify(it.ctx, incident.StreamOf(caseID)); err != nil || !rep.OK {
		t.Errorf("hash chain: %+v %v", rep, err)
	}

	// Temporal's visibility lists the case by its search attributes.
	query := fmt.Sprintf("CaseStatus = 'CLOSED' AND CaseAssignee = '%s' AND WorkflowId = '%s'", handler, workflows.WorkflowID(caseID))
	it.eventually(10*time.Second, "the case listed by its search attributes", func() bool {
		resp, err := it.client.ListWorkflow(it.ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: it.ns, Query: query})
		return err == nil && len(resp.GetExecutions()) == 1
	})
	it.finish(caseID, "lifecycle")
}

func (it *integration) missedDeadline(t *testing.T) {
	it.t = t
	policy := incident.DefaultPolicy()
	// The reminder at 1.5 s leaves 3.5 s before the miss: a reminder the
	// clock gets to only after its deadline is not sent (a loaded machine).
	policy.Triage = 5 * time.Second
	policy.Reminders = []float64{0.3}
	caseID := uuid.NewString()
	rep := reportCmd()
	rep.ClientRequestID = "it-" + caseID
	c, err := workflows.Report(it.ctx, it.client, caseID, workflows.Request[incident.Report]{Actor: "reporter1", Command: rep}, policy)
	if err != nil {
		t.Fatal(err)
	}
	due := c.Deadlines[0].DueAt
	it.eventually(20*time.Second, "the TRIAGE deadline missed", func() bool {
		return slices.Contains(recordedTypes(it.events(caseID)), incident.TypeDeadlineMissed)
	})
	recs := caseEvents(it.events(caseID))
	want := []string{incident.TypeCaseReported, incident.TypeDeadlineSet, incident.TypeDeadlineReminder, incident.TypeDeadlineMissed}
	if got := recordedTypes(recs); !slices.Equal(got, want) {
		t.Fatalf("stored events %v, want %v", got, want)
	}
	for _, r := range recs[2:] {
		if r.Metadata.Actor != incident.SystemActor {
			t.Errorf("%s by %q", r.Type, r.Metadata.Actor)
		}
	}
	if missedAt := recs[3].OccurredAt; missedAt.Before(due) || missedAt.After(due.Add(5*time.Second)) {
		t.Errorf("missed at %v, due %v", missedAt, due)
	}
	c, err = queryCase(it.ctx, it.client, caseID)
	if err != nil || c.Deadlines[0].State != incident.StateMissed || c.Deadlines[0].SettledAt == nil {
		t.Errorf("case after the miss: %+v %v", c.Deadlines, err)
	}
	it.eventually(10*time.Second, "the miss notified to the leaders", func() bool {
		it.mu.Lock()
		defer it.mu.Unlock()
		return slices.ContainsFunc(it.notified, func(n activities.Notification) bool {
			return n.CaseID == caseID && n.Event == incident.TypeDeadlineMissed && slices.Contains(n.Recipients, "leader1")
		})
	})
	// …and its delivery is recorded in the case's history: log and webhook.
	it.eventually(10*time.Second, "the miss's delivery recorded", func() bool {
		_, ok := deliveryRecord(it.events(caseID), incident.TypeDeadlineMissed)
		return ok
	})
	if n, _ := deliveryRecord(it.events(caseID), incident.TypeDeadlineMissed); !slices.Contains(n.Recipients, "leader1") ||
		len(n.Channels) != 2 || n.Channels[0].Channel != "log" || !n.Channels[0].OK || n.Channels[1].Channel != "webhook" || !n.Channels[1].OK {
		t.Errorf("the miss's delivery record %+v", n)
	}
	// The case goes on after the miss.
	if c = cmd(it, caseID, handler, triageCmd()); c.Status != incident.StatusTriaged {
		t.Errorf("triage after the miss: %s", c.Status)
	}
	it.finish(caseID, "missed-deadline")
}

func (it *integration) continueAsNew(t *testing.T) {
	it.t = t
	policy := incident.DefaultPolicy()
	policy.Triage = 6 * time.Second
	policy.Reminders = nil
	caseID := uuid.NewString()
	id := workflows.WorkflowID(caseID)
	run, err := it.client.ExecuteWorkflow(it.ctx, client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueue},
		workflows.WorkflowName, workflows.Input{CaseID: caseID, Policy: policy, ContinueAfter: 20})
	if err != nil {
		t.Fatal(err)
	}
	rep := reportCmd()
	rep.ClientRequestID = "it-" + caseID
	c := cmd(it, caseID, "reporter1", rep)
	due := c.Deadlines[0].DueAt
	for i := range 3 {
		cmd(it, caseID, handler, incident.Comment{Text: fmt.Sprintf("ghi chú %d", i)})
	}
	it.eventually(10*time.Second, "a continued run", func() bool {
		d, err := it.client.DescribeWorkflowExecution(it.ctx, id, "")
		return err == nil && d.GetWorkflowExecutionInfo().GetExecution().GetRunId() != run.GetRunID()
	})
	it.eventually(20*time.Second, "the deadline missed after the hand-over, and its delivery recorded", func() bool {
		_, ok := deliveryRecord(it.events(caseID), incident.TypeDeadlineMissed)
		return ok
	})
	all := it.events(caseID)
	recs := caseEvents(all)
	last := recs[len(recs)-1]
	if last.Type != incident.TypeDeadlineMissed || last.OccurredAt.Before(due) || last.OccurredAt.After(due.Add(5*time.Second)) {
		t.Errorf("last event %s at %v, due %v", last.Type, last.OccurredAt, due)
	}
	if n := len(recs); n != 2+3+1 {
		t.Errorf("%d events: %v", n, recordedTypes(recs))
	}
	c, err = queryCase(it.ctx, it.client, caseID)
	if err != nil || c.Comments != 3 || c.Version != int64(len(all)) {
		t.Errorf("continued case: comments %d v%d %v", c.Comments, c.Version, err)
	}
	it.finish(caseID, "continued")
}

func (it *integration) eventually(limit time.Duration, what string, cond func() bool) {
	it.t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			it.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func wantCode(t *testing.T, err error, code, field string) {
	t.Helper()
	var de *incident.Error
	if !errors.As(err, &de) || de.Code != code || de.Field != field {
		t.Errorf("error %v, want %s %q", err, code, field)
	}
}

const (
	handler = "handler1"
	leader  = "leader1"
)

var (
	reportCmd   = fixture.Report
	triageCmd   = fixture.Triage
	analysisCmd = fixture.Analysis
	takedownCmd = fixture.Takedown
	responseCmd = fixture.Response
)

// queryCase returns the current state of case caseID from its workflow (the
// query workflows.QueryCase); NOT_FOUND when there is no such case.
func queryCase(ctx context.Context, c client.Client, caseID string) (incident.Case, error) {
	v, err := c.QueryWorkflow(ctx, workflows.WorkflowID(caseID), "", workflows.QueryCase)
	if err != nil {
		return incident.Case{}, workflows.DomainError(err)
	}
	var out incident.Case
	if err := v.Get(&out); err != nil {
		return incident.Case{}, workflows.DomainError(err)
	}
	if out.Version == 0 {
		return incident.Case{}, incident.Errorf(incident.CodeNotFound, "case not found")
	}
	return out, nil
}

//go:build linux

package main

// End-to-end tests of commands under concurrency and failure (issue 11):
// many commands on one case at once through `casetrail serve`; two workers
// and two API processes against one external Temporal with a worker killed
// mid-load; and a database outage during intake, made with a TCP proxy
// between serve and PostgreSQL (the machine's PostgreSQL is shared and never
// stopped).

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/temporaltest"

	"casetrail/eventstore/pgtest"
	"casetrail/workflows"
)

// --- a GraphQL client that reports transport errors instead of failing ---

// attempt is the outcome of one HTTP request: a decoded answer, or the
// transport error that kept it from arriving.
type attempt struct {
	resp gqlResponse
	err  error
}

// failure describes what went wrong ("" when the answer carries data and no
// error).
func (a attempt) failure() string {
	switch {
	case a.err != nil:
		return "transport: " + a.err.Error()
	case a.resp.Status != http.StatusOK && len(a.resp.Errors) == 0:
		return fmt.Sprintf("HTTP %d: %.300s", a.resp.Status, a.resp.Body)
	case len(a.resp.Errors) > 0:
		var parts []string
		for _, e := range a.resp.Errors {
			parts = append(parts, fmt.Sprintf("%s %q", e.Extensions.Code, e.Message))
		}
		return fmt.Sprintf("HTTP %d: %s", a.resp.Status, strings.Join(parts, "; "))
	}
	return ""
}

// retryable reports whether a client is told to retry this answer with the
// same Idempotency-Key: a transport error, a 5xx without a GraphQL answer,
// or INTERNAL.
func (a attempt) retryable() bool {
	if a.err != nil {
		return true
	}
	if len(a.resp.Errors) == 0 {
		return a.resp.Status >= 500
	}
	return a.resp.code() == "INTERNAL"
}

// loadClient is an HTTP client for many concurrent requests (no limit of
// idle connections per host that would serialise them).
func loadClient(timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 128
	return &http.Client{Timeout: timeout, Transport: tr}
}

// tryPost sends body to addr's /graphql with the headers given (KEY, VALUE
// pairs). A 429 is retried after a pause; anything else is returned. It never
// fails the test, so it may run in any goroutine.
func tryPost(c *http.Client, addr string, body []byte, header ...string) attempt {
	for tries := 0; ; tries++ {
		req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", bytes.NewReader(body))
		if err != nil {
			return attempt{err: err}
		}
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := c.Do(req)
		if err != nil {
			return attempt{err: err}
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return attempt{err: fmt.Errorf("read response: %w", err)}
		}
		if resp.StatusCode == http.StatusTooManyRequests && tries < 100 {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		r := gqlResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			if err := json.Unmarshal(b, &r); err != nil {
				return attempt{resp: r, err: fmt.Errorf("response is not JSON: %v: %.300s", err, b)}
			}
		}
		return attempt{resp: r}
	}
}

// gqlBody encodes a GraphQL request.
func gqlBody(t testing.TB, query string, vars map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const (
	commentMutation  = `mutation($id: ID!, $text: String!) { addComment(id: $id, text: $text) { id version } }`
	evidenceMutation = `mutation($id: ID!, $in: EvidenceInput!) { addEvidence(id: $id, input: $in) { id version } }`
	assignMutation   = `mutation($id: ID!, $a: String!) { assignCase(id: $id, assignee: $a) { id version assignee } }`
	verifyCaseQuery  = `query($id: ID!) { verifyCase(id: $id) { ok eventsChecked } }`
)

// verifyCase runs verifyCase as auditor1.
func (s *server) verifyCase(t testing.TB, id string) (ok bool, checked int) {
	t.Helper()
	var v struct {
		VerifyCase struct {
			OK            bool
			EventsChecked int
		}
	}
	s.must(t, "auditor1", verifyCaseQuery, map[string]any{"id": id}, &v)
	return v.VerifyCase.OK, v.VerifyCase.EventsChecked
}

// command is one mutation of a load, with its idempotency key.
type command struct {
	kind    string // CommentAdded, EvidenceAdded or CaseAssigned: the event it must write
	sub     string
	key     string
	body    []byte
	text    string // the comment text, evidence description or assignee
	outcome attempt
	tries   int
}

// TestConcurrentCommandsOnOneCase sends 50 commands of mixed kinds from three
// subjects to one case at the same instant (issue 11): every one is answered
// without error and stored exactly once; the stream is gap-free, chained and
// verifies; the case agrees with its stream. A retry with the same
// Idempotency-Key writes nothing; the same key with another body is
// BAD_USER_INPUT.
func TestConcurrentCommandsOnOneCase(t *testing.T) {
	s := newServer(t, serverOptions{})
	logProblems(t, s, "serve")
	c, _ := s.report(t, "reporter1", reportInput{
		ClientRequestID: "e2e-concurrent-1", Kind: "IMPERSONATION", Unit: "lai-chau/tan-uyen/xa-phuc-khoa",
		Title: "Trang giả mạo UBND xã Phúc Khoa", Description: "Trang xin số căn cước của người dân.",
		Subjects: []subjectInput{{Platform: "FACEBOOK", URL: "https://www.facebook.com/ubnd.xaphuckhoa.fake"}},
	})
	id := c.ID
	triaged := s.mutate(t, "handler1", `triageCase(id: $id, severity: HIGH, assignee: "handler1")`, `($id: ID!)`, map[string]any{"id": id})
	if triaged.Status != "TRIAGED" {
		t.Fatalf("triage: status %s", triaged.Status)
	}
	before := s.history(t, "auditor1", id)
	if len(before) != triaged.Version {
		t.Fatalf("after triage: %d events, case at version %d", len(before), triaged.Version)
	}

	// 50 commands: comments from all three subjects, evidence from the
	// reporter and the handler, assignments by the handler and the leader.
	const n = 50
	commenters := []string{"reporter1", "handler1", "leader1"}
	evidencers := []string{"reporter1", "handler1"}
	assigners := []string{"handler1", "leader1"}
	assignees := []string{"leader1", "handler1"}
	cmds := make([]*command, n)
	for i := range cmds {
		key := fmt.Sprintf("e2e-concurrent-%02d", i)
		j := i / 3
		switch i % 3 {
		case 0:
			text := fmt.Sprintf("Bình luận số %02d: đã kiểm tra trang", i)
			cmds[i] = &command{kind: "CommentAdded", sub: commenters[j%3], key: key, text: text,
				body: gqlBody(t, commentMutation, map[string]any{"id": id, "text": text})}
		case 1:
			desc := fmt.Sprintf("Ảnh chụp màn hình số %02d", i)
			content := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("<html>bằng chứng %02d</html>", i)))
			cmds[i] = &command{kind: "EvidenceAdded", sub: evidencers[j%2], key: key, text: desc,
				body: gqlBody(t, evidenceMutation, map[string]any{"id": id, "in": map[string]any{
					"description": desc, "mediaType": "text/html", "contentBase64": content}})}
		case 2:
			a := assignees[j%2]
			cmds[i] = &command{kind: "CaseAssigned", sub: assigners[j%2], key: key, text: a,
				body: gqlBody(t, assignMutation, map[string]any{"id": id, "a": a})}
		}
	}
	for _, sub := range append(commenters, "auditor1") {
		s.token(t, sub) // minted before the burst, not during it
	}

	client := loadClient(90 * time.Second)
	var ready, done sync.WaitGroup
	release := make(chan struct{})
	for _, cmd := range cmds {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			tok, _ := s.tokens.Load(cmd.sub)
			ready.Done()
			<-release
			cmd.outcome = tryPost(client, s.addr, cmd.body, "Authorization", "Bearer "+tok.(string), "Idempotency-Key", cmd.key)
		}()
	}
	ready.Wait()
	began := time.Now()
	close(release)
	done.Wait()
	t.Logf("%d concurrent commands answered in %s", n, time.Since(began).Round(time.Millisecond))

	// Exactly one event per command, and nothing else but the records of
	// the assignments' notifications (issue 18), once they are all in.
	events := s.quietHistory(t, "auditor1", id)
	own := caseEventsOnly(events)
	stored := map[string]int{} // kind, text -> events
	for _, e := range own[min(len(before), len(own)):] {
		stored[e.Type+"\x00"+e.field("text")+e.field("description")]++
	}
	var failed []string
	codes := map[string]int{}
	for i, cmd := range cmds {
		if f := cmd.outcome.failure(); f != "" {
			was := "stored ? times" // assignments are told apart by count only
			if cmd.kind != "CaseAssigned" {
				was = fmt.Sprintf("stored %d time(s)", stored[cmd.kind+"\x00"+cmd.text])
			}
			failed = append(failed, fmt.Sprintf("  #%02d %s by %s (key %s; %s): %s", i, cmd.kind, cmd.sub, cmd.key, was, f))
			code := cmd.outcome.resp.code()
			if cmd.outcome.err != nil {
				code = "transport"
			}
			codes[code]++
		}
	}
	if len(failed) > 0 {
		t.Errorf("%d of %d concurrent commands answered an error (by code: %v); want 0:\n%s", len(failed), n, codes, strings.Join(failed, "\n"))
	}

	if len(events) < len(before) || !reflect.DeepEqual(events[:len(before)], before) {
		t.Fatalf("the events before the burst changed:\nbefore %+v\n after %+v", before, events[:min(len(before), len(events))])
	}
	if len(own) != len(before)+n {
		t.Errorf("history holds %d events besides delivery records after %d commands on %d events; want %d", len(own), n, len(before), len(before)+n)
	}
	checkStoredOnce(t, cmds, own[len(before):])
	checkChain(t, events)
	if ok, checked := s.verifyCase(t, id); !ok || checked != len(events) {
		t.Errorf("verifyCase: ok=%v eventsChecked=%d; want ok over %d events", ok, checked, len(events))
	}
	var lastAssignee string
	streamEvidence := 0
	for _, e := range events {
		switch e.Type {
		case "CaseAssigned", "CaseTriaged":
			lastAssignee = e.field("assignee")
		case "EvidenceAdded":
			streamEvidence++
		}
	}
	wantEvidence := 0
	for _, cmd := range cmds {
		if cmd.kind == "EvidenceAdded" {
			wantEvidence++
		}
	}
	var cv caseView
	if err := waitFor(30*time.Second, func() error {
		cv = s.readCase(t, "auditor1", id)
		assignee := ""
		if cv.Assignee != nil {
			assignee = *cv.Assignee
		}
		if cv.Version != len(events) || len(cv.Evidence) != streamEvidence || assignee != lastAssignee {
			return fmt.Errorf("case at version %d with %d evidence, assignee %q; the stream has %d events, %d EvidenceAdded, last assignee %q",
				cv.Version, len(cv.Evidence), assignee, len(events), streamEvidence, lastAssignee)
		}
		return nil
	}); err != nil {
		t.Errorf("the case does not agree with its stream after 30s: %v", err)
	}
	if len(cv.Evidence) != wantEvidence {
		t.Errorf("the case holds %d evidence; %d addEvidence commands were sent", len(cv.Evidence), wantEvidence)
	}

	// A client's retry is not a second command: the first comment that was
	// answered, sent again.
	var first *command
	for _, cmd := range cmds {
		if cmd.kind == "CommentAdded" && cmd.outcome.failure() == "" {
			first = cmd
			break
		}
	}
	if first == nil {
		t.Fatal("no comment was answered without error; nothing to retry")
	}
	events = s.history(t, "auditor1", id)
	tok := "Bearer " + s.token(t, first.sub)
	again := tryPost(client, s.addr, first.body, "Authorization", tok, "Idempotency-Key", first.key)
	if f := again.failure(); f != "" {
		t.Errorf("the same comment again with the same Idempotency-Key: %s; want the first outcome, no error", f)
	}
	if after := s.history(t, "auditor1", id); len(after) != len(events) {
		t.Errorf("a retry with the same Idempotency-Key wrote %d event(s): %v", len(after)-len(events), eventTypes(after[len(events):]))
	}
	other := gqlBody(t, commentMutation, map[string]any{"id": id, "text": first.text + " (sửa lại)"})
	changed := tryPost(client, s.addr, other, "Authorization", tok, "Idempotency-Key", first.key)
	if changed.err != nil || changed.resp.code() != "BAD_USER_INPUT" {
		t.Errorf("the same Idempotency-Key with another body: %s (data %s); want BAD_USER_INPUT", changed.failure(), changed.resp.Data)
	}
	if after := s.history(t, "auditor1", id); len(after) != len(events) {
		t.Errorf("the same Idempotency-Key with another body wrote %d event(s): %v", len(after)-len(events), eventTypes(after[len(events):]))
	}
}

// logProblems logs, when the test has failed, a summary of the process's
// WARN and ERROR log lines: each distinct message and error once, with a
// count (the log tail alone often misses the first of them).
func logProblems(t *testing.T, s *server, name string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		count := map[string]int{}
		var order []string
		for _, level := range []string{`"level":"ERROR"`, `"level":"WARN"`} {
			for _, line := range s.logLines(level) {
				var m map[string]any
				key := line
				if json.Unmarshal([]byte(line), &m) == nil {
					key = fmt.Sprintf("%v %v", m["level"], m["msg"])
					for _, f := range []string{"err", "error"} {
						if v, ok := m[f]; ok {
							key += fmt.Sprintf(": %v", v)
						}
					}
				}
				if len(key) > 300 {
					key = key[:300] + "…"
				}
				if count[key] == 0 {
					order = append(order, key)
				}
				count[key]++
			}
		}
		if len(order) == 0 {
			return
		}
		var out []string
		for i, k := range order {
			if i == 25 {
				out = append(out, fmt.Sprintf("… and %d more distinct", len(order)-25))
				break
			}
			out = append(out, fmt.Sprintf("%4d× %s", count[k], k))
		}
		t.Logf("%s: distinct warnings and errors:\n%s", name, strings.Join(out, "\n"))
	})
}

// waitFor calls check until it returns nil or limit passes, and returns
// check's last error then (eventually, without failing the test).
func waitFor(limit time.Duration, check func() error) error {
	deadline := time.Now().Add(limit)
	for {
		err := check()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkStoredOnce checks that events (the events the commands wrote) hold
// exactly one event per command: per kind, each comment text and evidence
// description once, and each assignee as many times as it was asked for.
func checkStoredOnce(t testing.TB, cmds []*command, events []eventView) {
	t.Helper()
	want := map[string]int{} // kind -> count
	wantText := map[string]int{}
	for _, c := range cmds {
		want[c.kind]++
		wantText[c.kind+"\x00"+c.text]++
	}
	got := map[string]int{}
	gotText := map[string]int{}
	for _, e := range events {
		got[e.Type]++
		switch e.Type {
		case "CommentAdded":
			gotText[e.Type+"\x00"+e.field("text")]++
		case "EvidenceAdded":
			gotText[e.Type+"\x00"+e.field("description")]++
		case "CaseAssigned":
			gotText[e.Type+"\x00"+e.field("assignee")]++
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events by type %v; want %v (one per command, nothing else)", got, want)
	}
	var wrong []string
	for k, w := range wantText {
		if g := gotText[k]; g != w {
			kind, text, _ := strings.Cut(k, "\x00")
			wrong = append(wrong, fmt.Sprintf("  %s %q: stored %d time(s), want %d", kind, text, g, w))
		}
	}
	for k, g := range gotText {
		if _, ok := wantText[k]; !ok {
			kind, text, _ := strings.Cut(k, "\x00")
			wrong = append(wrong, fmt.Sprintf("  %s %q: stored %d time(s), never sent", kind, text, g))
		}
	}
	sort.Strings(wrong)
	if len(wrong) > 0 {
		t.Errorf("commands not stored exactly once:\n%s", strings.Join(wrong, "\n"))
	}
}

// --- scale-out: worker and api processes against one external Temporal ---

// newProcess returns a server (not started) sharing dbURL, with its own data
// directory and log, and env added to its environment.
func newProcess(t *testing.T, name, dbURL string, env []string) *server {
	t.Helper()
	s := &server{
		t:       t,
		role:    strings.TrimRight(name, "0123456789"),
		bin:     binary(t),
		dbURL:   dbURL,
		dataDir: t.TempDir(),
		policy:  defaultPolicy(t),
		env:     env,
		client:  &http.Client{Timeout: 60 * time.Second},
	}
	s.logPath = filepath.Join(t.TempDir(), name+".log")
	t.Cleanup(func() {
		s.stop(15 * time.Second)
		if t.Failed() {
			t.Logf("%s log (last lines):\n%s", name, s.logTail(40))
		}
	})
	logProblems(t, s, name)
	return s
}

// TestScaleOutWorkerKilled runs two `casetrail worker` and two `casetrail api`
// processes against one external Temporal, sends 40 concurrent comments to
// one case through both APIs, and SIGKILLs the worker running the case's
// workflow after a third of them were sent. Clients retry a transport error
// or INTERNAL with the same Idempotency-Key and body. Every comment must be
// acknowledged in the end and stored exactly once.
func TestScaleOutWorkerKilled(t *testing.T) {
	binary(t)
	dbURL := pgtest.NewDatabase(t)
	ts := temporaltest.NewServer(temporaltest.WithT(t)) // stopped at cleanup, after the processes
	hostPort, ns := ts.GetFrontendHostPort(), ts.GetDefaultNamespace()
	t.Logf("external temporal at %s, namespace %s", hostPort, ns)
	env := []string{
		"TEMPORAL_ADDRESS=" + hostPort,
		"TEMPORAL_NAMESPACE=" + ns,
		"CASETRAIL_JWT_SECRET=scale-out-test-secret-of-at-least-32-bytes",
		// One payload key for all processes (made by the first to start).
		"CASETRAIL_PAYLOAD_KEY_FILE=" + filepath.Join(t.TempDir(), "payload.key"),
	}
	// Every process applies the migrations and the seed at start; they are
	// started one after another.
	workers := []*server{newProcess(t, "worker1", dbURL, env), newProcess(t, "worker2", dbURL, env)}
	apis := []*server{newProcess(t, "api1", dbURL, env), newProcess(t, "api2", dbURL, env)}
	for i, w := range workers {
		t.Logf("worker%d ready in %s (pid %d)", i+1, w.start().Round(time.Millisecond), w.cmd.Process.Pid)
	}
	for i, a := range apis {
		t.Logf("api%d ready in %s", i+1, a.start().Round(time.Millisecond))
	}
	// A token minted with the shared secret is good at both APIs.
	api1, api2 := apis[0], apis[1]
	for _, sub := range []string{"reporter1", "handler1", "leader1", "auditor1"} {
		api2.tokens.Store(sub, api1.token(t, sub))
	}

	c, _ := api1.report(t, "reporter1", reportInput{
		ClientRequestID: "e2e-scale-out-1", Kind: "FALSE_INFORMATION", Unit: "lai-chau/tan-uyen/xa-phuc-khoa",
		Title: "Tin sai về sạt lở ở xã Phúc Khoa", Description: "Video cũ được đăng lại như mới.",
		Subjects: []subjectInput{{Platform: "TIKTOK", URL: "https://www.tiktok.com/@tinnong/video/7400000000000000001"}},
	})
	id := c.ID
	api2.mutate(t, "handler1", `triageCase(id: $id, severity: HIGH, assignee: "handler1")`, `($id: ID!)`, map[string]any{"id": id})
	before := api1.history(t, "auditor1", id)

	const n = 40
	const maxTries = 5
	subs := []string{"handler1", "leader1"}
	cmds := make([]*command, n)
	for i := range cmds {
		text := fmt.Sprintf("Ghi chú song song %02d", i)
		cmds[i] = &command{kind: "CommentAdded", sub: subs[i%2], key: fmt.Sprintf("e2e-scale-out-%02d", i), text: text,
			body: gqlBody(t, commentMutation, map[string]any{"id": id, "text": text})}
	}

	// The commands are released together and sent 10 ms apart; when the
	// 14th is sent, the worker that last ran the case's workflow is killed.
	client := loadClient(45 * time.Second)
	var sent atomic.Int32
	killNow := make(chan struct{})
	var killOnce sync.Once
	var wg sync.WaitGroup
	release := make(chan struct{})
	var mu sync.Mutex
	var retries []string
	for i, cmd := range cmds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-release
			time.Sleep(time.Duration(i) * 10 * time.Millisecond)
			if sent.Add(1) == n/3+1 {
				killOnce.Do(func() { close(killNow) })
			}
			tok, _ := api1.tokens.Load(cmd.sub)
			for cmd.tries < maxTries {
				a := apis[(i+cmd.tries)%2] // a retry may reach the other API
				cmd.tries++
				cmd.outcome = tryPost(client, a.addr, cmd.body, "Authorization", "Bearer "+tok.(string), "Idempotency-Key", cmd.key)
				if !cmd.outcome.retryable() {
					return
				}
				mu.Lock()
				retries = append(retries, fmt.Sprintf("  #%02d try %d at %s: %s", i, cmd.tries, a.addr, cmd.outcome.failure()))
				mu.Unlock()
				time.Sleep(time.Second)
			}
		}()
	}
	began := time.Now()
	close(release)
	select {
	case <-killNow:
	case <-time.After(time.Minute):
		t.Fatal("the load never reached a third of its commands")
	}
	victim := workerOf(t, ts, id, workers)
	victim.kill()
	t.Logf("SIGKILLed worker pid %d after %d of %d commands were sent (%s into the load): %v",
		victim.cmd.Process.Pid, sent.Load(), n, time.Since(began).Round(time.Millisecond), victim.wait)

	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(6 * time.Minute):
		t.Fatal("the load's clients did not finish within 6 minutes")
	}
	t.Logf("%d commands answered in %s", n, time.Since(began).Round(time.Millisecond))
	if len(retries) > 0 {
		t.Logf("%d retried answer(s):\n%s", len(retries), strings.Join(retries, "\n"))
	}

	// Every acknowledged comment once; no comment twice.
	events := api1.history(t, "auditor1", id)
	if len(events) < len(before) || !reflect.DeepEqual(events[:len(before)], before) {
		t.Fatalf("the events before the load changed")
	}
	stored := map[string]int{}
	var unexpected []string
	for _, e := range events[len(before):] {
		if e.Type != "CommentAdded" {
			unexpected = append(unexpected, e.Type)
			continue
		}
		stored[e.field("text")]++
	}
	if len(unexpected) > 0 {
		t.Errorf("events other than comments were written during the load: %v", unexpected)
	}
	var failed []string
	var acked []*command
	for i, cmd := range cmds {
		if f := cmd.outcome.failure(); f != "" {
			failed = append(failed, fmt.Sprintf("  #%02d by %s after %d tries (stored %d time(s)): %s", i, cmd.sub, cmd.tries, stored[cmd.text], f))
		} else {
			acked = append(acked, cmd)
		}
	}
	if len(failed) > 0 {
		t.Errorf("%d of %d comments not acknowledged after up to %d tries:\n%s", len(failed), n, maxTries, strings.Join(failed, "\n"))
	}
	var wrong []string
	for _, cmd := range acked {
		if stored[cmd.text] != 1 {
			wrong = append(wrong, fmt.Sprintf("  acknowledged %q (%d tries) stored %d time(s)", cmd.text, cmd.tries, stored[cmd.text]))
		}
	}
	for text, k := range stored {
		if k > 1 {
			wrong = append(wrong, fmt.Sprintf("  %q stored %d times", text, k))
		}
	}
	sort.Strings(wrong)
	if len(wrong) > 0 {
		t.Errorf("comments not stored exactly once:\n%s", strings.Join(wrong, "\n"))
	}
	checkChain(t, events)
	if ok, checked := api2.verifyCase(t, id); !ok || checked != len(events) {
		t.Errorf("verifyCase: ok=%v eventsChecked=%d; want ok over %d events", ok, checked, len(events))
	}
	eventually(t, time.Minute, "the case's version equals its stream's length", func() error {
		if v := api2.readCase(t, "auditor1", id).Version; v != len(events) {
			return fmt.Errorf("case at version %d, %d events", v, len(events))
		}
		return nil
	})
	// The surviving worker takes commands at once.
	if cv := api2.mutate(t, "handler1", `addComment(id: $id, text: "sau khi worker bị dừng")`, `($id: ID!)`, map[string]any{"id": id}); cv.Version != len(events)+1 {
		t.Errorf("a comment after the load: version %d; want %d", cv.Version, len(events)+1)
	}
}

// workerOf returns the worker process that last worked on the case's
// workflow: the identity ("pid@host@") of the last workflow task started or
// completed, or activity started, in its history; the first worker when none
// can be told.
func workerOf(t *testing.T, ts *temporaltest.TestServer, caseID string, workers []*server) *server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	identity, from, seen := "", "", 0
	iter := ts.GetDefaultClient().GetWorkflowHistory(ctx, workflows.WorkflowID(caseID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Logf("history of the case's workflow: %v; killing worker1", err)
			return workers[0]
		}
		seen++
		id := ""
		switch {
		case e.GetWorkflowTaskStartedEventAttributes() != nil:
			id = e.GetWorkflowTaskStartedEventAttributes().GetIdentity()
		case e.GetWorkflowTaskCompletedEventAttributes() != nil:
			id = e.GetWorkflowTaskCompletedEventAttributes().GetIdentity()
		case e.GetActivityTaskStartedEventAttributes() != nil:
			id = e.GetActivityTaskStartedEventAttributes().GetIdentity()
		}
		if id != "" {
			identity, from = id, e.GetEventType().String()
		}
	}
	pid, _, _ := strings.Cut(identity, "@")
	for i, w := range workers {
		if strconv.Itoa(w.cmd.Process.Pid) == pid {
			t.Logf("worker%d (%s) last worked on the case (%s, %d history events)", i+1, identity, from, seen)
			return w
		}
	}
	t.Logf("the workflow's last identity %q (%s, %d history events) matches no worker; killing worker1", identity, from, seen)
	return workers[0]
}

// --- a database outage, made with a TCP proxy ---

// tcpProxy forwards connections to target until cut: then it closes every
// open connection and every new one at once, until restored.
type tcpProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

func newTCPProxy(t testing.TB, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go p.forward(c)
	}
}

// track adds c to the open connections; it refuses while cut.
func (p *tcpProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *tcpProxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		delete(p.conns, c)
		c.Close()
	}
}

func (p *tcpProxy) forward(client net.Conn) {
	defer p.wg.Done()
	if !p.track(client) {
		client.Close()
		return
	}
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		p.untrack(client)
		return
	}
	if !p.track(server) {
		p.untrack(client, server)
		return
	}
	var both sync.WaitGroup
	both.Add(2)
	pipe := func(dst, src net.Conn) {
		defer both.Done()
		_, _ = io.Copy(dst, src)
		// One direction ended: end both, as a dropped network would.
		dst.Close()
		src.Close()
	}
	go pipe(server, client)
	go pipe(client, server)
	both.Wait()
	p.untrack(client, server)
}

// cutOff closes every open connection and refuses new ones; it returns how
// many were open.
func (p *tcpProxy) cutOff() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	n := len(p.conns)
	for c := range p.conns {
		c.Close()
	}
	return n
}

func (p *tcpProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = false
}

func (p *tcpProxy) close() {
	p.ln.Close()
	p.cutOff()
	p.wg.Wait()
}

// readyz returns /readyz's status and body.
func (s *server) readyz() (int, string, error) {
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(s.url("/readyz"))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// TestDatabaseOutageDuringIntake cuts serve off from PostgreSQL for 10 s (a
// TCP proxy in between; the shared PostgreSQL keeps running): /readyz says
// the database is not there, a report answers INTERNAL saying so, and after
// the restore the server is ready again by itself and the same report is
// stored exactly once.
func TestDatabaseOutageDuringIntake(t *testing.T) {
	bin := binary(t)
	direct := pgtest.NewDatabase(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.addr()
	s := &server{
		t:       t,
		bin:     bin,
		dbURL:   u.String(),
		dataDir: t.TempDir(),
		policy:  defaultPolicy(t),
		client:  &http.Client{Timeout: 60 * time.Second},
	}
	s.logPath = filepath.Join(t.TempDir(), "serve.log")
	t.Cleanup(func() { // after the proxy's cleanup is registered: runs before it
		s.stop(15 * time.Second)
		if t.Failed() {
			t.Logf("serve log (last lines):\n%s", s.logTail(60))
		}
	})
	logProblems(t, s, "serve")
	t.Logf("serve ready in %s, database through the proxy at %s", s.start().Round(time.Millisecond), proxy.addr())
	for _, sub := range []string{"reporter1", "handler1", "auditor1"} {
		s.token(t, sub)
	}

	first, _ := s.report(t, "reporter1", reportInput{
		ClientRequestID: "e2e-outage-before", Kind: "ACCOUNT_COMPROMISED", Unit: "lai-chau/tan-uyen/xa-phuc-khoa",
		Title: "Zalo OA của xã bị chiếm quyền", Description: "Tài khoản đăng tin lạ từ sáng nay.",
		Subjects: []subjectInput{{Platform: "ZALO", URL: "https://zalo.me/ubndxaphuckhoa"}},
	})

	in := reportInput{
		ClientRequestID: "e2e-outage-during", Kind: "FALSE_INFORMATION", Unit: "lai-chau/tan-uyen/xa-phuc-khoa",
		Title: "Tin sai về giá điện ở xã Phúc Khoa", Description: "Bài viết lan truyền trong nhóm Zalo của thôn.",
		Subjects: []subjectInput{{Platform: "FACEBOOK", URL: "https://www.facebook.com/groups/thonphuckhoa/posts/42"}},
	}
	body := gqlBody(t, reportMutation, map[string]any{"in": in})
	auth := "Bearer " + s.token(t, "reporter1")

	// The outage: 10 s from the cut to the restore, whatever the test is
	// doing meanwhile.
	cutAt := time.Now()
	t.Logf("cut: %d connection(s) closed", proxy.cutOff())
	restored := make(chan struct{})
	timer := time.AfterFunc(10*time.Second, func() { proxy.restore(); close(restored) })
	defer timer.Stop()

	eventually(t, 9*time.Second, "/readyz reports the database during the outage", func() error {
		if !s.running() {
			t.Fatalf("serve exited during the outage: %v", s.wait)
		}
		status, body, err := s.readyz()
		if err != nil {
			return err
		}
		if status == http.StatusOK || !strings.Contains(strings.ToLower(body), "database") {
			return fmt.Errorf("HTTP %d %s", status, body)
		}
		t.Logf("/readyz %s after the cut: HTTP %d %s", time.Since(cutAt).Round(time.Millisecond), status, strings.TrimSpace(body))
		return nil
	})
	select {
	case <-restored:
		t.Fatal("the database was restored before a report could be tried during the outage")
	default:
	}
	sentAt := time.Now()
	during := tryPost(loadClient(60*time.Second), s.addr, body, "Authorization", auth)
	answeredAt := time.Now()
	inOutage := answeredAt.Before(cutAt.Add(10 * time.Second))
	t.Logf("report during the outage answered in %s (%s after the cut; before the restore: %v): %s",
		answeredAt.Sub(sentAt).Round(time.Millisecond), answeredAt.Sub(cutAt).Round(time.Millisecond), inOutage, during.failure())
	switch {
	case during.err != nil:
		t.Errorf("report during the outage: %v; want an INTERNAL answer", during.err)
	case during.resp.code() != "INTERNAL":
		t.Errorf("report during the outage: %s (data %s); want code INTERNAL", during.failure(), during.resp.Data)
	case !strings.Contains(strings.ToLower(during.resp.Errors[0].Message), "database"):
		t.Errorf("report during the outage: message %q does not say that the database is unavailable", during.resp.Errors[0].Message)
	}
	if !inOutage {
		t.Errorf("the report sent during the outage was only answered after the database was back (%s after the cut)", answeredAt.Sub(cutAt).Round(time.Millisecond))
	}

	select {
	case <-restored:
	case <-time.After(30 * time.Second):
		t.Fatal("the proxy was not restored")
	}
	eventually(t, time.Minute, "/readyz is 200 again after the restore", func() error {
		if !s.running() {
			t.Fatalf("serve exited after the outage: %v", s.wait)
		}
		status, body, err := s.readyz()
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return fmt.Errorf("HTTP %d %s", status, body)
		}
		return nil
	})
	t.Logf("ready again %s after the restore", time.Since(cutAt.Add(10*time.Second)).Round(time.Millisecond))

	// The same report (same clientRequestId) succeeds, once.
	reported, merged := s.report(t, "reporter1", in)
	if merged || reported.ID == first.ID || reported.Title != in.Title {
		t.Fatalf("report after the outage: merged=%v id=%s title %q; want a new case", merged, reported.ID, reported.Title)
	}
	again, _ := s.report(t, "reporter1", in)
	if again.ID != reported.ID {
		t.Errorf("the same report once more: case %s; want %s", again.ID, reported.ID)
	}
	events := s.history(t, "auditor1", reported.ID)
	if r := findEvents(events, "CaseReported", ""); len(r) != 1 {
		t.Errorf("case %s holds %d CaseReported events; want 1: %v", reported.ID, len(r), eventTypes(events))
	}
	checkChain(t, events)
	if ok, checked := s.verifyCase(t, reported.ID); !ok || checked != len(events) {
		t.Errorf("verifyCase: ok=%v eventsChecked=%d; want ok over %d events", ok, checked, len(events))
	}
	eventually(t, 30*time.Second, "two cases in the read model", func() error {
		var d struct {
			Cases struct{ TotalCount int }
		}
		s.must(t, "auditor1", `{ cases { totalCount } }`, nil, &d)
		if d.Cases.TotalCount != 2 {
			return fmt.Errorf("%d cases; want 2 (one before the outage, one during it)", d.Cases.TotalCount)
		}
		return nil
	})
	if c := s.readCase(t, "auditor1", reported.ID); c.Version != len(events) {
		t.Errorf("case at version %d with %d events", c.Version, len(events))
	}
}

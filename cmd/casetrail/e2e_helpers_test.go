//go:build linux

package main

// The end-to-end harness: the casetrail binary built once, run as a
// subprocess (`serve` with the demo seed, embedded Temporal, a fresh
// database and data directory) on a free port, and a small GraphQL client.

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"casetrail/eventstore/pgtest"
)

// build is the casetrail binary, compiled at most once per test run by the
// first end-to-end test that needs it; TestMain removes it.
var build struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// binary returns the path of the casetrail binary built from this package.
// End-to-end tests are skipped with -short.
func binary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test of the casetrail binary; skipped with -short")
	}
	build.once.Do(func() {
		dir, err := os.MkdirTemp("", "casetrail-e2e-")
		if err != nil {
			build.err = err
			return
		}
		build.dir = dir
		goTool, err := exec.LookPath("go") // go test puts GOROOT/bin first in PATH
		if err != nil {
			build.err = err
			return
		}
		bin := filepath.Join(dir, "casetrail")
		began := time.Now()
		cmd := exec.Command(goTool, "build", "-o", bin, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		t.Logf("built casetrail in %s", time.Since(began).Round(time.Millisecond))
		build.bin = bin
	})
	if build.err != nil {
		t.Fatalf("build casetrail: %v", build.err)
	}
	return build.bin
}

// seedFile is the demo seed shipped with the repository.
func seedFile(t testing.TB) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "config", "demo-seed.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// defaultPolicy returns the shipped policy file: spans of hours, so no
// deadline fires while a test runs.
func defaultPolicy(t testing.TB) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "config", "deadlines.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// server is one `casetrail serve` process (or another role: worker, api)
// and the database and data directory it owns. Start and Kill may be called
// again on the same data.
type server struct {
	t       testing.TB
	role    string // the subcommand start runs; "" is serve
	bin     string
	dbURL   string
	dataDir string
	policy  string
	seed    string   // seed file; "" is the demo seed
	env     []string // extra environment, KEY=VALUE
	logPath string

	addr string
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	wait error         // cmd.Wait's result, once done is closed

	tokens sync.Map // subject -> token
	client *http.Client

	// startups holds the time from exec to ready of every start.
	startups []time.Duration
}

// serverOptions configure newServer.
type serverOptions struct {
	// Policy is the content of the deadline policy file (YAML); empty means
	// the shipped config/deadlines.yaml.
	Policy string
	// Env is extra environment for the process, KEY=VALUE.
	Env []string
}

// newServer creates a fresh database and data directory and starts serve
// on them. The process is stopped, and the database dropped, at cleanup.
func newServer(t *testing.T, o serverOptions) *server {
	t.Helper()
	bin := binary(t)
	s := &server{
		t:       t,
		bin:     bin,
		dbURL:   pgtest.NewDatabase(t),
		dataDir: t.TempDir(),
		env:     o.Env,
		client:  &http.Client{Timeout: 60 * time.Second},
	}
	s.logPath = filepath.Join(t.TempDir(), "serve.log")
	s.policy = defaultPolicy(t)
	if o.Policy != "" {
		s.policy = filepath.Join(t.TempDir(), "deadlines.yaml")
		if err := os.WriteFile(s.policy, []byte(o.Policy), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Registered after the database: cleanups run last-in first-out, so the
	// process is gone before its database is dropped.
	t.Cleanup(func() {
		s.stop(15 * time.Second)
		if t.Failed() {
			t.Logf("serve log (last lines):\n%s", s.logTail(60))
		}
	})
	d := s.start()
	t.Logf("serve ready in %s (fresh database and data directory)", d.Round(time.Millisecond))
	return s
}

// environ is the process environment: the test's own, without any
// CaseTrail, database or Temporal setting, plus the server's.
func (s *server) environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "DATABASE_URL" || strings.HasPrefix(k, "TEMPORAL_") || strings.HasPrefix(k, "CASETRAIL_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"DATABASE_URL="+s.dbURL,
		"CASETRAIL_DATA_DIR="+s.dataDir,
		"CASETRAIL_LISTEN="+s.addr,
		"CASETRAIL_UI_LISTEN=off",
	)
	return append(env, s.env...)
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// start runs serve (or s.role) and waits until /readyz answers 200; it
// returns the time from exec to ready. A port taken between picking and
// binding is retried.
func (s *server) start() time.Duration {
	t := s.t
	t.Helper()
	role := cmp.Or(s.role, "serve")
	if s.running() {
		t.Fatalf("start: %s is already running", role)
	}
	for attempt := 1; ; attempt++ {
		s.addr = freeAddr(t)
		logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(logf, "=== start %s %d on %s\n", role, attempt, s.addr)
		seed := s.seed
		if seed == "" {
			seed = seedFile(t)
		}
		cmd := exec.Command(s.bin, role, "--seed", seed, "--deadlines", s.policy)
		cmd.Env = s.environ()
		cmd.Stdout, cmd.Stderr = logf, logf
		// The server dies with the test binary even if cleanups never run
		// (a -timeout panic).
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		began := time.Now()
		if err := cmd.Start(); err != nil {
			logf.Close()
			t.Fatalf("start %s: %v", role, err)
		}
		done := make(chan struct{})
		s.cmd, s.done = cmd, done
		go func() {
			s.wait = cmd.Wait()
			logf.Close()
			close(done)
		}()
		err = s.waitReady(2 * time.Minute)
		if err == nil {
			d := time.Since(began)
			s.startups = append(s.startups, d)
			return d
		}
		if attempt < 3 && !s.running() && strings.Contains(s.logTail(20), "address already in use") {
			continue
		}
		s.stop(5 * time.Second)
		t.Fatalf("%s did not become ready: %v\n%s", role, err, s.logTail(60))
	}
}

// waitReady polls /readyz until it answers 200, the process exits or
// limit passes.
func (s *server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	c := &http.Client{Timeout: 5 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("serve exited: %v", s.wait)
		default:
		}
		resp, err := c.Get(s.url("/readyz"))
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %s", limit)
}

func (s *server) running() bool {
	if s.done == nil {
		return false
	}
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// stop sends SIGTERM, waits up to grace, then kills. It returns the
// process's exit error (nil for a clean exit 0).
func (s *server) stop(grace time.Duration) error {
	if !s.running() {
		if s.done == nil {
			return nil
		}
		return s.wait
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return s.wait
	case <-time.After(grace):
		s.kill()
		return fmt.Errorf("serve did not stop within %s of SIGTERM", grace)
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	if !s.running() {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// logTail returns the last n lines the process wrote.
func (s *server) logTail(n int) string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// logLines returns the lines of the process's log that contain substr.
func (s *server) logLines(substr string) []string {
	f, err := os.Open(s.logPath)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if strings.Contains(sc.Text(), substr) {
			out = append(out, sc.Text())
		}
	}
	return out
}

func (s *server) url(path string) string { return "http://" + s.addr + path }

// run runs a casetrail subcommand with the server's environment and returns
// its combined output and exit error.
func (s *server) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Env = s.environ()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// token returns a bearer token for sub minted by `casetrail token`.
func (s *server) token(t testing.TB, sub string) string {
	t.Helper()
	if tok, ok := s.tokens.Load(sub); ok {
		return tok.(string)
	}
	out, logs, err := s.runSplit("token", "--sub", sub)
	if err != nil {
		t.Fatalf("casetrail token --sub %s: %v\n%s%s", sub, err, out, logs)
	}
	tok := strings.TrimSpace(out)
	if strings.Count(tok, ".") != 2 {
		t.Fatalf("casetrail token printed %q, not a JWT", tok)
	}
	s.tokens.Store(sub, tok)
	return tok
}

// gqlError is one error of a GraphQL response.
type gqlError struct {
	Message    string `json:"message"`
	Path       []any  `json:"path"`
	Extensions struct {
		Code  string `json:"code"`
		Field string `json:"field"`
	} `json:"extensions"`
}

// gqlResponse is a GraphQL response as received.
type gqlResponse struct {
	Status int
	Header http.Header
	Body   []byte
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// code returns the code of the first error ("" when there is none).
func (r gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Extensions.Code
}

// post sends body to /graphql with the headers given (KEY, VALUE pairs) and
// decodes the answer; a 429 is retried after a pause.
func (s *server) post(t testing.TB, body []byte, header ...string) gqlResponse {
	t.Helper()
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequest(http.MethodPost, s.url("/graphql"), bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		r := s.send(t, req)
		if r.Status == http.StatusTooManyRequests && attempt < 100 {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		return r
	}
}

// send does req and decodes a GraphQL answer (the body is kept as is when
// it is not JSON).
func (s *server) send(t testing.TB, req *http.Request) gqlResponse {
	t.Helper()
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	r := gqlResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("response is not JSON: %v\n%.500s", err, b)
		}
	}
	return r
}

// gql runs query with vars as sub.
func (s *server) gql(t testing.TB, sub, query string, vars map[string]any) gqlResponse {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	return s.post(t, body, "Authorization", "Bearer "+s.token(t, sub))
}

// must runs query as sub, fails the test on any error and decodes data
// into out (when not nil).
func (s *server) must(t testing.TB, sub, query string, vars map[string]any, out any) {
	t.Helper()
	r := s.gql(t, sub, query, vars)
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("as %s: HTTP %d, errors %+v\nquery: %s", sub, r.Status, r.Errors, oneLine(query))
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			t.Fatalf("decode data: %v\n%s", err, r.Data)
		}
	}
}

// refused runs query as sub and fails the test unless the answer's first
// error has code; it returns that error.
func (s *server) refused(t testing.TB, sub, query string, vars map[string]any, code string) gqlError {
	t.Helper()
	r := s.gql(t, sub, query, vars)
	if r.code() != code {
		t.Fatalf("as %s: want %s, got HTTP %d errors %+v data %s\nquery: %s", sub, code, r.Status, r.Errors, r.Data, oneLine(query))
	}
	return r.Errors[0]
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// eventually calls check until it returns nil or limit passes, and fails
// the test with check's last error then. It bounds waits for work the
// server does on its own (timers); it is never an assertion about speed.
func eventually(t testing.TB, limit time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not true after %s: %v", what, limit, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// caseFields selects every field of Case the tests read.
const caseFields = `
fragment C on Case {
  id number kind status severity title description unit { id } reportedBy reportedAt
  assignee updatedAt version mergedReports resolution
  subjects { platform url normalizedUrl displayName }
  evidence { id description url sha256 mediaType sizeBytes addedBy addedAt }
  analysis { findings verdict legalBasis similarity recordedBy recordedAt impersonatedAccount { url displayName unit { id } } }
  takedowns { id platform targetUrl reason legalBasis status platformReference requestedBy requestedAt respondedAt dueAt }
  escalation { status reason to { id } requestedBy requestedAt approvedBy approvedAt dispatchNumber sentAt response respondedAt
    letter { number symbol dispatchNumber issuedAt manual sha256 docxSha256 pdfUrl issuer { id } signer { prefix authority title name } } }
  deadlines { kind dueAt state settledAt ref }
}`

type unitRef struct {
	ID string `json:"id"`
}

// caseView is Case as selected by caseFields.
type caseView struct {
	ID            string
	Number        string
	Kind          string
	Status        string
	Severity      *string
	Title         string
	Description   string
	Unit          unitRef
	ReportedBy    string
	ReportedAt    string
	Assignee      *string
	UpdatedAt     string
	Version       int
	MergedReports int
	Resolution    *string
	Subjects      []struct {
		Platform, URL, NormalizedURL string
		DisplayName                  *string
	}
	Evidence []struct {
		ID, Description, Sha256, MediaType, AddedBy, AddedAt string
		URL                                                  *string
		SizeBytes                                            int
	}
	Analysis *struct {
		Findings            string
		Verdict, LegalBasis *string
		Similarity          *float64
		RecordedBy          string
		RecordedAt          string
		ImpersonatedAccount *struct {
			URL, DisplayName string
			Unit             unitRef
		}
	}
	Takedowns []struct {
		ID, Platform, TargetURL, Reason, Status, RequestedBy, RequestedAt, DueAt string
		LegalBasis, PlatformReference, RespondedAt                               *string
	}
	Escalation *struct {
		Status, Reason, RequestedBy, RequestedAt                              string
		To                                                                    unitRef
		ApprovedBy, ApprovedAt, DispatchNumber, SentAt, Response, RespondedAt *string
		// The công văn it went out with (issue 16).
		Letter *struct {
			Number                                   int
			Symbol, DispatchNumber, IssuedAt, Sha256 string
			DocxSha256, PdfURL                       *string
			Manual                                   bool
			Issuer                                   unitRef
			Signer                                   struct{ Prefix, Authority, Title, Name string }
		}
	}
	Deadlines []deadlineView
}

type deadlineView struct {
	Kind, DueAt, State string
	SettledAt, Ref     *string
}

// deadline returns the deadline of kind (the last one when there are several).
func (c caseView) deadline(kind string) *deadlineView {
	var d *deadlineView
	for i := range c.Deadlines {
		if c.Deadlines[i].Kind == kind {
			d = &c.Deadlines[i]
		}
	}
	return d
}

// eventView is CaseEvent.
type eventView struct {
	Version        int
	GlobalPosition string
	Type           string
	Actor          string
	OccurredAt     string
	Data           string
	Hash           string
	PrevHash       string
}

const historyQuery = `query($id: ID!) { case(id: $id) { version history { version globalPosition type actor occurredAt data hash prevHash } } }`

// history returns the case's event stream as read by sub.
func (s *server) history(t testing.TB, sub, id string) []eventView {
	t.Helper()
	var d struct {
		Case *struct {
			Version int
			History []eventView
		}
	}
	s.must(t, sub, historyQuery, map[string]any{"id": id}, &d)
	if d.Case == nil {
		t.Fatalf("case %s not found", id)
	}
	return d.Case.History
}

// readCase returns case id as read by sub.
func (s *server) readCase(t testing.TB, sub, id string) caseView {
	t.Helper()
	var d struct{ Case *caseView }
	s.must(t, sub, `query($id: ID!) { case(id: $id) { ...C } }`+caseFields, map[string]any{"id": id}, &d)
	if d.Case == nil {
		t.Fatalf("case %s not found", id)
	}
	return *d.Case
}

// mutate runs a mutation returning Case (field name op) as sub and returns the case.
func (s *server) mutate(t testing.TB, sub, op, args string, vars map[string]any) caseView {
	t.Helper()
	var d map[string]caseView
	s.must(t, sub, "mutation"+args+" { "+op+" { ...C } }"+caseFields, vars, &d)
	c, ok := d[strings.SplitN(op, "(", 2)[0]]
	if !ok {
		t.Fatalf("mutation %s returned no case", op)
	}
	return c
}

// reportInput is ReportIncidentInput.
type reportInput struct {
	ClientRequestID string         `json:"clientRequestId"`
	Kind            string         `json:"kind"`
	Unit            string         `json:"unit"`
	Title           string         `json:"title"`
	Description     string         `json:"description"`
	Subjects        []subjectInput `json:"subjects"`
}

type subjectInput struct {
	Platform    string `json:"platform"`
	URL         string `json:"url"`
	DisplayName string `json:"displayName,omitempty"`
}

const reportMutation = `mutation($in: ReportIncidentInput!) { reportIncident(input: $in) { merged case { ...C } } }` + caseFields

// report runs reportIncident as sub and returns the case and merged.
func (s *server) report(t testing.TB, sub string, in reportInput) (caseView, bool) {
	t.Helper()
	var d struct {
		ReportIncident struct {
			Merged bool
			Case   caseView
		}
	}
	s.must(t, sub, reportMutation, map[string]any{"in": in}, &d)
	return d.ReportIncident.Case, d.ReportIncident.Merged
}

// eventTypes returns the types of events, in order.
func eventTypes(events []eventView) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Type
	}
	return out
}

// field returns the top-level field key of the event's data as text ("" when
// absent).
func (e eventView) field(key string) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(e.Data), &m); err != nil {
		return ""
	}
	if v, ok := m[key]; ok && v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

// findEvents returns the events of typ whose data field "kind" is kind (any
// kind when kind is "").
func findEvents(events []eventView, typ, kind string) []eventView {
	var out []eventView
	for _, e := range events {
		if e.Type == typ && (kind == "" || e.field("kind") == kind) {
			out = append(out, e)
		}
	}
	return out
}

// errMissing is the error eventually's checks return while they wait.
var errMissing = errors.New("not there yet")

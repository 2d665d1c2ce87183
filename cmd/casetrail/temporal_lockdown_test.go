package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"google.golang.org/protobuf/proto"

	"casetrail/incident"
	"casetrail/worker"
	"casetrail/workflows"
)

// embeddedFrontend is the address of s's embedded Temporal frontend, from
// its log.
func embeddedFrontend(t *testing.T, s *server) string {
	t.Helper()
	for _, line := range s.logLines("embedded temporal server started") {
		var m struct{ Address string }
		if json.Unmarshal([]byte(line), &m) == nil && m.Address != "" {
			return m.Address
		}
	}
	t.Fatalf("no frontend address in the log:\n%s", s.logTail(40))
	return ""
}

// forgeComment dials hostPort with tlsConf and sends the update a local
// intruder would: a comment under another subject's name.
func forgeComment(hostPort string, tlsConf *tls.Config, caseID string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{HostPort: hostPort, Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
		ConnectionOptions: client.ConnectionOptions{TLS: tlsConf}})
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = workflows.Execute(ctx, c, caseID, workflows.Request[incident.Comment]{
		Actor: "leader1", RequestID: "forged-1", Command: incident.Comment{Text: "forged by a local process"},
	})
	return err
}

// TestTemporalLockdown (issue 12, finding 2): `serve`'s embedded Temporal
// frontend refuses a process without the client certificate (the temporal
// CLI or an SDK client pointed at it, which could otherwise send an Update
// under any actor); the history it keeps has the case's text encrypted; the
// Web UI reaches the frontend but is read-only.
func TestTemporalLockdown(t *testing.T) {
	ui := freeAddr(t)
	s := newServer(t, serverOptions{Env: []string{"CASETRAIL_UI_LISTEN=" + ui}})
	const title, description = "Tin sai về lũ quét ở bản Nậm Cuổi", "Ảnh cũ từ năm 2018 được đăng lại."
	c, _ := s.report(t, "reporter1", reportInput{
		ClientRequestID: "e2e-lockdown-1", Kind: "FALSE_INFORMATION", Unit: "lai-chau/tan-uyen/xa-phuc-khoa",
		Title: title, Description: description,
		Subjects: []subjectInput{{Platform: "FACEBOOK", URL: "https://www.facebook.com/tinnong/posts/123456789"}},
	})
	if c.Title != title {
		t.Fatalf("report: %+v", c)
	}
	hostPort := embeddedFrontend(t, s)

	creds, err := worker.LoadCredentials(filepath.Join(s.dataDir, "temporal"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(creds.CA)
	for name, tlsConf := range map[string]*tls.Config{
		"plaintext":          nil,
		"tls without a cert": {RootCAs: pool, ServerName: "127.0.0.1"},
	} {
		err := forgeComment(hostPort, tlsConf, c.ID)
		if err == nil {
			t.Errorf("%s: a forged comment was accepted", name)
		} else {
			t.Logf("%s: refused: %v", name, err)
		}
	}
	for _, e := range s.history(t, "auditor1", c.ID) {
		if e.Type == "CommentAdded" {
			t.Errorf("the log holds a comment no API call made: %+v", e)
		}
	}

	// The credentials in the data dir are served; the history they read
	// shows the case's text only encrypted.
	tlsConf, err := creds.TLSConfig("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	raw, err := client.DialContext(ctx, client.Options{HostPort: hostPort, Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
		ConnectionOptions: client.ConnectionOptions{TLS: tlsConf}})
	if err != nil {
		t.Fatalf("dial with the data dir's certificate: %v", err)
	}
	defer raw.Close()
	events := 0
	iter := raw.GetWorkflowHistory(ctx, workflows.WorkflowID(c.ID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		events++
		b, _ := proto.Marshal(ev)
		for _, secret := range []string{"Nậm Cuổi", "năm 2018", "facebook.com/tinnong"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("history event %d (%v) shows %q", ev.GetEventId(), ev.GetEventType(), secret)
			}
		}
	}
	if events < 3 {
		t.Fatalf("the case's workflow history has %d events", events)
	}

	// The Web UI reads through the frontend, and refuses to write.
	base := "http://" + ui + "/api/v1/namespaces/default/workflows"
	resp, err := http.Get(base)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), workflows.WorkflowID(c.ID)) {
		t.Errorf("web ui lists workflows: %s %.300s", resp.Status, body)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/"+workflows.WorkflowID(c.ID)+"/terminate", strings.NewReader(`{"reason":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer x") // past the UI's CSRF check
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("terminate through the web ui: %s, want 405", resp.Status)
	}
	if cv := s.readCase(t, "auditor1", c.ID); cv.Status == "" || cv.Title != title {
		t.Errorf("case after the attempts: %+v", cv)
	}
}

// TestTemporalLockdownProduction: production serves no Web UI unless asked
// for, and its frontend refuses a plain client as well.
func TestTemporalLockdownProduction(t *testing.T) {
	s := newProductionServer(t, freeAddr(t), "CASETRAIL_UI_LISTEN=") // unset: production's default
	s.start()
	if lines := s.logLines("temporal web ui"); len(lines) != 0 {
		t.Errorf("production serves the Temporal Web UI without being asked:\n%s", strings.Join(lines, "\n"))
	}
	if err := forgeComment(embeddedFrontend(t, s), nil, "00000000-0000-0000-0000-000000000000"); err == nil ||
		!strings.Contains(err.Error(), "failed reaching server") {
		t.Errorf("a plain client to the production frontend: %v, want a refused connection", err)
	}
}

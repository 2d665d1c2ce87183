package webui

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"casetrail/worker"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestWebUIReadOnlyOverMutualTLS: the UI reaches the mutual-TLS frontend
// with the embedded server's credentials, reads, and refuses write actions;
// a non-loopback address is refused.
func TestWebUIReadOnlyOverMutualTLS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e, err := worker.StartEmbedded(ctx, worker.EmbeddedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = e.Stop() }()
	creds := e.Credentials()
	opts := Options{TemporalAddr: e.HostPort(), ServerName: e.ServerName(), Namespace: e.Namespace(), CA: creds.CA, Cert: creds.Cert, Key: creds.Key}

	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:8233", "[::]:8233"} {
		o := opts
		o.Addr = addr
		if stop, err := Start(o); err == nil {
			stop()
			t.Errorf("Start on %s: served", addr)
		}
	}

	opts.Addr = freeAddr(t)
	stop, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	base := "http://" + opts.Addr + "/api/v1/namespaces/" + e.Namespace()
	c := &http.Client{Timeout: 10 * time.Second}
	var status int
	var body string
	for range 100 { // the UI server starts in the background
		resp, err := c.Get(base + "/workflows")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			status, body = resp.StatusCode, string(b)
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if status != http.StatusOK {
		t.Fatalf("list workflows through the UI: %d %s", status, body)
	}

	req, _ := http.NewRequest(http.MethodPost, base+"/workflows/case-x/terminate", strings.NewReader(`{"reason":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer x") // past the CSRF check, as a script would
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("terminate through the UI: %d, want %d", resp.StatusCode, http.StatusMethodNotAllowed)
	}
	resp, err = c.Get("http://" + opts.Addr + "/api/v1/settings")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"DisableWriteActions":true`) {
		t.Errorf("settings do not disable write actions: %s", b)
	}
}

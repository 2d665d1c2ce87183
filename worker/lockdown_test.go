package worker

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/proto"

	"casetrail/payload"
)

// TestEmbeddedRefusesClientsWithoutCertificate: the frontend serves only
// clients holding the client certificate; a plaintext client (the temporal
// CLI's default) and a TLS client without a certificate are refused.
func TestEmbeddedRefusesClientsWithoutCertificate(t *testing.T) {
	e := embStart(t, EmbeddedOptions{})

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(e.Credentials().CA)
	for name, tlsConf := range map[string]*tls.Config{
		"plaintext":              nil,
		"tls without a cert":     {RootCAs: pool, ServerName: e.ServerName()},
		"cert of another server": otherClientTLS(t, e.ServerName()),
	} {
		t.Run(name, func(t *testing.T) {
			ctx := embCtx(t, 10*time.Second)
			c, err := client.DialContext(ctx, client.Options{HostPort: e.HostPort(), Namespace: e.Namespace(), Logger: embQuiet,
				ConnectionOptions: client.ConnectionOptions{TLS: tlsConf}})
			if err == nil {
				// Dial may connect lazily; a call must still be refused.
				_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: e.Namespace()})
				c.Close()
			}
			if err == nil {
				t.Fatal("served a client without the certificate")
			}
			t.Logf("refused: %v", err)
		})
	}

	c, err := client.DialContext(embCtx(t, 10*time.Second), client.Options{HostPort: e.HostPort(), Namespace: e.Namespace(), Logger: embQuiet,
		ConnectionOptions: client.ConnectionOptions{TLS: e.TLSConfig()}})
	if err != nil {
		t.Fatalf("with the certificate: %v", err)
	}
	defer c.Close()
	if _, err := c.WorkflowService().DescribeNamespace(embCtx(t, 10*time.Second), &workflowservice.DescribeNamespaceRequest{Namespace: e.Namespace()}); err != nil {
		t.Fatalf("with the certificate: %v", err)
	}
}

// otherClientTLS is a client certificate of a CA that is not the server's,
// trusting the server's certificate without verification.
func otherClientTLS(t *testing.T, serverName string) *tls.Config {
	a, err := newAuthority(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(a.client.Cert, a.client.Key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, ServerName: serverName, InsecureSkipVerify: true}
}

// TestEmbeddedListensOnLoopbackOnly: every socket the server listens on
// (frontend, history, matching, worker) is bound to a loopback address.
func TestEmbeddedListensOnLoopbackOnly(t *testing.T) {
	before := listeningSockets(t)
	e := embStart(t, EmbeddedOptions{})
	var added []net.IP
	for inode, ip := range listeningSockets(t) {
		if _, ok := before[inode]; !ok {
			added = append(added, ip)
		}
	}
	if len(added) < 4 {
		t.Fatalf("found %d new listening sockets, want at least 4 (frontend, history, matching, worker)", len(added))
	}
	for _, ip := range added {
		if !ip.IsLoopback() {
			t.Errorf("listening on %v", ip)
		}
	}
	if host, _, _ := net.SplitHostPort(e.HostPort()); host != "127.0.0.1" {
		t.Errorf("frontend at %s", e.HostPort())
	}
}

// listeningSockets maps the inodes of this process's listening TCP sockets
// to their local addresses (from /proc).
func listeningSockets(t *testing.T) map[string]net.IP {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	mine := map[string]bool{}
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(link, "socket:[") {
			mine[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = true
		}
	}
	out := map[string]net.IP{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" || !mine[f[9]] { // 0A: LISTEN
				continue
			}
			hexIP, _, _ := strings.Cut(f[1], ":")
			out[f[9]] = procIP(t, hexIP)
		}
	}
	return out
}

// procIP decodes an address of /proc/net/tcp*: 32-bit words in host (little
// endian) order.
func procIP(t *testing.T, h string) net.IP {
	ip := make(net.IP, len(h)/2)
	for i := 0; i < len(h)/8; i++ {
		w, err := strconv.ParseUint(h[i*8:i*8+8], 16, 32)
		if err != nil {
			t.Fatalf("address %q: %v", h, err)
		}
		ip[i*4], ip[i*4+1], ip[i*4+2], ip[i*4+3] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24)
	}
	return ip
}

// TestEmbeddedCredentialsKeptInDataDir: the CA and client certificate are
// made once in DataDir/tls (keys 0600), reused on restart, readable with
// LoadCredentials, and made anew when about to expire.
func TestEmbeddedCredentialsKeptInDataDir(t *testing.T) {
	dir := t.TempDir()
	e := embStart(t, EmbeddedOptions{DataDir: dir})
	first := e.Credentials()
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{tlsCAKeyFile, tlsClientKeyFile} {
		fi, err := os.Stat(filepath.Join(dir, EmbeddedTLSDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
	loaded, err := LoadCredentials(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(loaded.Cert, first.Cert) || !bytes.Equal(loaded.CA, first.CA) {
		t.Error("LoadCredentials read other credentials than the server's")
	}

	e = embStart(t, EmbeddedOptions{DataDir: dir})
	if !bytes.Equal(e.Credentials().Cert, first.Cert) {
		t.Error("restart made a new client certificate")
	}
	tlsConf, err := loaded.TLSConfig("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.DialContext(embCtx(t, 10*time.Second), client.Options{HostPort: e.HostPort(), Logger: embQuiet,
		ConnectionOptions: client.ConnectionOptions{TLS: tlsConf}})
	if err != nil {
		t.Fatalf("dial with the files' credentials: %v", err)
	}
	c.Close()
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}

	later, err := loadOrCreateAuthority(filepath.Join(dir, EmbeddedTLSDir), time.Now().Add(tlsLongValidity-tlsRenewBefore/2))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(later.client.Cert, first.Cert) {
		t.Error("credentials about to expire were not made anew")
	}
}

// TestEmbeddedHistoryPayloadsEncrypted: with the payload codec the history
// keeps no readable input or result; a client with the codec reads them.
func TestEmbeddedHistoryPayloadsEncrypted(t *testing.T) {
	const title = "Tin sai về sạt lở ở xã Phúc Khoa"
	e := embStart(t, EmbeddedOptions{})
	codec, err := payload.NewCodec(bytes.Repeat([]byte{7}, payload.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(client.Options{HostPort: e.HostPort(), Namespace: e.Namespace(), Logger: embQuiet,
		ConnectionOptions: client.ConnectionOptions{TLS: e.TLSConfig()}, DataConverter: payload.DataConverter(codec)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w := sdkworker.New(c, embTaskQueue, sdkworker.Options{})
	w.RegisterWorkflow(embEchoWorkflow)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	ctx := embCtx(t, 30*time.Second)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "case-encrypted", TaskQueue: embTaskQueue}, embEchoWorkflow, title)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := run.Get(ctx, &got); err != nil || got != "echo "+title {
		t.Fatalf("result through the codec: %q, %v", got, err)
	}

	raw, err := client.Dial(client.Options{HostPort: e.HostPort(), Namespace: e.Namespace(), Logger: embQuiet,
		ConnectionOptions: client.ConnectionOptions{TLS: e.TLSConfig()}})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	events := 0
	iter := raw.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		events++
		b, err := proto.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(title)) || bytes.Contains(b, []byte("Phúc Khoa")) {
			t.Errorf("history event %d (%v) shows the title", ev.GetEventId(), ev.GetEventType())
		}
	}
	if events < 5 {
		t.Fatalf("history has %d events", events)
	}
}

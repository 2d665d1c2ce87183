// Package webui serves the Temporal Web UI (github.com/temporalio/ui-server)
// beside an embedded Temporal server, the way the Temporal CLI's dev server
// does. It is its own package so that only the binary carries the UI's
// embedded assets.
package webui

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strconv"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// Options configure Start.
type Options struct {
	// Addr is where the UI listens (host:port); the host must be a loopback
	// address or "localhost": the UI has no login of its own.
	Addr string
	// TemporalAddr is the frontend's host:port, ServerName the name its
	// certificate is verified against.
	TemporalAddr, ServerName string
	// Namespace the UI opens on.
	Namespace string
	// CA, Cert and Key (PEM) are the credentials of mutual TLS with the
	// frontend (worker.Embedded.Credentials).
	CA, Cert, Key []byte
}

// Start serves the Web UI, read-only: it shows namespaces, workflows and
// their histories (payloads as stored: encrypted by CaseTrail's codec) and
// answers queries, but every write action (start, signal, update, cancel,
// terminate, reset, batch, activity commands) is refused. It returns a
// function that stops it.
func Start(o Options) (stop func(), err error) {
	addr := o.Addr
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("web ui address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port <= 0 {
		return nil, fmt.Errorf("web ui address %q: needs a port", addr)
	}
	if !loopback(host) {
		return nil, fmt.Errorf("web ui address %q: only a loopback address is allowed (the UI has no login; reach it through an SSH tunnel or an authenticating proxy on this host)", addr)
	}
	if len(o.CA) == 0 || len(o.Cert) == 0 || len(o.Key) == 0 {
		return nil, errors.New("web ui: no credentials for the Temporal frontend")
	}
	// The UI server exits the process when it cannot listen; find out first.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("web ui: %w", err)
	}
	_ = ln.Close()
	b64 := base64.StdEncoding.EncodeToString
	s := uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
		Host:                host,
		Port:                port,
		TemporalGRPCAddress: o.TemporalAddr,
		TLS: uiconfig.TLS{
			CaData:                 b64(o.CA),
			CertData:               b64(o.Cert),
			KeyData:                b64(o.Key),
			ServerName:             o.ServerName,
			EnableHostVerification: true,
		},
		EnableUI:                  true,
		DefaultNamespace:          o.Namespace,
		HideLogs:                  true,
		CORS:                      uiconfig.CORS{CookieInsecure: true},
		DisableWriteActions:       true,
		WorkflowTerminateDisabled: true,
		WorkflowCancelDisabled:    true,
		WorkflowSignalDisabled:    true,
		WorkflowUpdateDisabled:    true,
		WorkflowResetDisabled:     true,
		BatchActionsDisabled:      true,
		StartWorkflowDisabled:     true,
		ActivityCommandsDisabled:  true,
	}))
	errc := make(chan error, 1)
	go func() { errc <- s.Start() }()
	select {
	case err := <-errc:
		if err == nil {
			err = errors.New("stopped at once")
		}
		return nil, fmt.Errorf("web ui: %w", err)
	default:
	}
	return s.Stop, nil
}

// loopback reports whether host names only this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

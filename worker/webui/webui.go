// Package webui serves the Temporal Web UI (github.com/temporalio/ui-server)
// beside an embedded Temporal server, the way the Temporal CLI's dev server
// does. It is its own package so that only the binary carries the UI's
// embedded assets.
package webui

import (
	"errors"
	"fmt"
	"net"
	"strconv"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// Start serves the Web UI at addr (host:port) for the Temporal frontend at
// temporalAddr, opening on namespace. It returns a function that stops it.
func Start(addr, temporalAddr, namespace string) (stop func(), err error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("web ui address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port <= 0 {
		return nil, fmt.Errorf("web ui address %q: needs a port", addr)
	}
	// The UI server exits the process when it cannot listen; find out first.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("web ui: %w", err)
	}
	_ = ln.Close()
	s := uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
		Host:                host,
		Port:                port,
		TemporalGRPCAddress: temporalAddr,
		EnableUI:            true,
		DefaultNamespace:    namespace,
		HideLogs:            true,
		CORS:                uiconfig.CORS{CookieInsecure: true},
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

package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"

	"casetrail/payload"
	"casetrail/worker"
	"casetrail/worker/webui"
)

// payloadKeyFile is the default name of the payload key in the data dir.
const payloadKeyFile = "payload.key"

// payloadKeyPath is CASETRAIL_PAYLOAD_KEY_FILE, or payload.key in the data
// directory. Every process of a deployment (serve, or all worker and api
// processes against one Temporal) must read the same file.
func payloadKeyPath(cfg Config) string {
	return env("CASETRAIL_PAYLOAD_KEY_FILE", filepath.Join(cfg.DataDir, payloadKeyFile))
}

// payloadConverter is the data converter of every Temporal client of ours:
// payloads encrypted with the key at payloadKeyPath (created on first use).
func payloadConverter(cfg Config) (converter.DataConverter, string, error) {
	path := payloadKeyPath(cfg)
	keys, err := payload.LoadOrCreateKeyFile(path)
	if err != nil {
		return nil, "", err
	}
	codec, err := payload.NewCodec(keys...)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return payload.DataConverter(codec), codec.CurrentKeyID(), nil
}

// externalTemporalTLS is the TLS of a connection to TEMPORAL_ADDRESS, from
// TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (a client certificate, PEM files),
// TEMPORAL_TLS_CA (the CA of the server's certificate; the system's when
// unset) and TEMPORAL_TLS_SERVER_NAME; nil (plaintext) when none is set.
func externalTemporalTLS() (*tls.Config, error) {
	cert, key := env("TEMPORAL_TLS_CERT", ""), env("TEMPORAL_TLS_KEY", "")
	ca, name := env("TEMPORAL_TLS_CA", ""), env("TEMPORAL_TLS_SERVER_NAME", "")
	if cert == "" && key == "" && ca == "" && name == "" {
		return nil, nil
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: name}
	if (cert == "") != (key == "") {
		return nil, errors.New("set both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY, or neither")
	}
	if cert != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("temporal client certificate: %w", err)
		}
		conf.Certificates = []tls.Certificate{pair}
	}
	if ca != "" {
		b, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("TEMPORAL_TLS_CA %s holds no PEM certificate", ca)
		}
		conf.RootCAs = pool
	}
	return conf, nil
}

// temporalClientOptions are the options of the process's Temporal client:
// mutual TLS with the embedded server (or TEMPORAL_TLS_* for a cluster) and
// the payload codec.
func (a *app) temporalClientOptions(hostPort, ns string) (client.Options, error) {
	dc, keyID, err := payloadConverter(a.cfg)
	if err != nil {
		return client.Options{}, err
	}
	var tlsConf *tls.Config
	if a.embedded != nil {
		tlsConf = a.embedded.TLSConfig()
	} else if tlsConf, err = externalTemporalTLS(); err != nil {
		return client.Options{}, err
	}
	a.log.Info("temporal payloads encrypted", "key_file", payloadKeyPath(a.cfg), "key_id", keyID, "tls", tlsConf != nil)
	if a.embedded == nil && env("CASETRAIL_PAYLOAD_KEY_FILE", "") == "" {
		a.log.Warn("the Temporal payload key is the one in this process's data dir; every worker and api process of the deployment must use the same key: set CASETRAIL_PAYLOAD_KEY_FILE to a shared file",
			"key_file", payloadKeyPath(a.cfg), "key_id", keyID)
	}
	return client.Options{
		HostPort:       hostPort,
		Namespace:      ns,
		Logger:         sdklog.NewStructuredLogger(a.log.With("component", "temporal-client")),
		MetricsHandler: worker.MetricsHandler(a.metrics.Registry),
		DataConverter:  dc,
		// No gzip on the gRPC messages (the SDK's default): every payload
		// is AES-GCM ciphertext (package payload), which does not compress,
		// and gzip on both ends was 4 % of the process's CPU in a deadline
		// storm on the embedded server (README, issue 19).
		ConnectionOptions: client.ConnectionOptions{TLS: tlsConf, GrpcCompression: &client.GrpcCompressionNone{}},
	}, nil
}

// startWebUI serves the read-only Temporal Web UI beside the embedded
// server at a.cfg.UIListen (loopback only), unless it is "" or "off".
func (a *app) startWebUI(emb *worker.Embedded) {
	addr := a.cfg.UIListen
	if addr == "" || addr == "off" {
		return
	}
	creds := emb.Credentials()
	stop, err := webui.Start(webui.Options{
		Addr: addr, TemporalAddr: emb.HostPort(), ServerName: emb.ServerName(), Namespace: emb.Namespace(),
		CA: creds.CA, Cert: creds.Cert, Key: creds.Key,
	})
	if err != nil {
		a.log.Warn("temporal web ui not served", "err", err)
		return
	}
	a.closers = append(a.closers, stop)
	a.log.Warn("temporal web ui served read-only WITHOUT A LOGIN to anyone who can reach "+addr+
		" (payloads are shown encrypted; CASETRAIL_UI_LISTEN=off turns it off)", "url", "http://"+addr)
}

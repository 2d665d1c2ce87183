package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestExternalTemporalTLS: TEMPORAL_TLS_* configure the connection to a
// cluster; none means plaintext, and half a key pair or a CA file without a
// certificate is refused.
func TestExternalTemporalTLS(t *testing.T) {
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "t"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cert := write("cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	keyFile := write("key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
	junk := write("junk.pem", []byte("not a certificate"))

	for _, tt := range []struct {
		name            string
		env             map[string]string
		wantTLS, wantOK bool
	}{
		{"none", nil, false, true},
		{"client certificate and CA", map[string]string{"TEMPORAL_TLS_CERT": cert, "TEMPORAL_TLS_KEY": keyFile, "TEMPORAL_TLS_CA": cert}, true, true},
		{"server name only", map[string]string{"TEMPORAL_TLS_SERVER_NAME": "temporal.example"}, true, true},
		{"cert without key", map[string]string{"TEMPORAL_TLS_CERT": cert}, false, false},
		{"CA without a certificate", map[string]string{"TEMPORAL_TLS_CA": junk}, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"TEMPORAL_TLS_CERT", "TEMPORAL_TLS_KEY", "TEMPORAL_TLS_CA", "TEMPORAL_TLS_SERVER_NAME"} {
				t.Setenv(k, tt.env[k])
			}
			conf, err := externalTemporalTLS()
			if (err == nil) != tt.wantOK || (conf != nil) != tt.wantTLS {
				t.Fatalf("externalTemporalTLS() = %v, %v", conf, err)
			}
			if conf != nil && tt.env["TEMPORAL_TLS_CERT"] != "" && (len(conf.Certificates) != 1 || conf.RootCAs == nil) {
				t.Errorf("certificates %d, root CAs %v", len(conf.Certificates), conf.RootCAs)
			}
		})
	}
}

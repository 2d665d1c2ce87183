package worker

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// The embedded frontend requires a client certificate signed by a CA of its
// own (mutual TLS); only holders of the client certificate may call it. The
// CA and the client certificate are kept in EmbeddedTLSDir under the data
// directory (keys 0600) so that an operator with access to the data
// directory may point the temporal CLI at the server; the server certificate
// is issued afresh at every start for the addresses the frontend serves.
const (
	// EmbeddedTLSDir is the directory, under EmbeddedOptions.DataDir, that
	// holds the CA and the client certificate of the embedded frontend.
	EmbeddedTLSDir = "tls"

	tlsCAFile         = "ca.pem"
	tlsCAKeyFile      = "ca-key.pem"
	tlsClientFile     = "client.pem"
	tlsClientKeyFile  = "client-key.pem"
	tlsLongValidity   = 10 * 365 * 24 * time.Hour
	tlsServerValidity = 365 * 24 * time.Hour
	// tlsRenewBefore: certificates expiring sooner are made anew at start.
	tlsRenewBefore = 30 * 24 * time.Hour
)

// Credentials are the PEM-encoded credentials of a client of the embedded
// frontend: the CA that signed the server's certificate and the client's
// certificate and private key.
type Credentials struct {
	CA, Cert, Key []byte
}

// TLSConfig is the client side of mutual TLS with the embedded frontend,
// verifying the server certificate as issued for serverName (an IP address or
// "localhost").
func (c Credentials) TLSConfig(serverName string) (*tls.Config, error) {
	pair, err := tls.X509KeyPair(c.Cert, c.Key)
	if err != nil {
		return nil, fmt.Errorf("client certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(c.CA) {
		return nil, errors.New("client credentials: no CA certificate")
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{pair},
		RootCAs:      pool,
		ServerName:   serverName,
	}, nil
}

// authority is the embedded frontend's CA with the client certificate it
// issued.
type authority struct {
	ca     *x509.Certificate
	caKey  *ecdsa.PrivateKey
	client Credentials
}

// loadOrCreateAuthority reads the CA and client certificate from dir, or
// makes new ones (written to dir) when any is missing, unreadable or expires
// within tlsRenewBefore. dir "" keeps them in memory only.
func loadOrCreateAuthority(dir string, now time.Time) (*authority, error) {
	if dir != "" {
		a, err := loadAuthority(dir, now)
		if err == nil {
			return a, nil
		}
		if !errors.Is(err, errRenew) {
			return nil, err
		}
	}
	a, err := newAuthority(now)
	if err != nil {
		return nil, err
	}
	if dir == "" {
		return a, nil
	}
	if err := a.save(dir); err != nil {
		return nil, err
	}
	return a, nil
}

// errRenew marks credentials that are missing, unreadable or about to
// expire: they are made anew.
var errRenew = errors.New("renew")

func loadAuthority(dir string, now time.Time) (*authority, error) {
	read := func(name string) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			return nil, errRenew
		}
		return b, err
	}
	var files [4][]byte
	for i, name := range []string{tlsCAFile, tlsCAKeyFile, tlsClientFile, tlsClientKeyFile} {
		b, err := read(name)
		if err != nil {
			if errors.Is(err, errRenew) {
				return nil, err
			}
			return nil, fmt.Errorf("temporal tls: %w", err)
		}
		files[i] = b
	}
	ca, err := parseCert(files[0])
	if err != nil {
		return nil, errRenew
	}
	caKey, err := parseKey(files[1])
	if err != nil || !caKey.PublicKey.Equal(ca.PublicKey) {
		return nil, errRenew
	}
	client, err := parseCert(files[2])
	if err != nil || client.CheckSignatureFrom(ca) != nil {
		return nil, errRenew
	}
	if _, err := tls.X509KeyPair(files[2], files[3]); err != nil {
		return nil, errRenew
	}
	limit := now.Add(tlsRenewBefore)
	if ca.NotAfter.Before(limit) || client.NotAfter.Before(limit) {
		return nil, errRenew
	}
	return &authority{ca: ca, caKey: caKey, client: Credentials{CA: files[0], Cert: files[2], Key: files[3]}}, nil
}

func newAuthority(now time.Time) (*authority, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("temporal tls: %w", err)
	}
	caTmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "CaseTrail embedded Temporal CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(tlsLongValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caPEM, ca, err := issue(caTmpl, &caKey.PublicKey, nil, caKey)
	if err != nil {
		return nil, err
	}
	a := &authority{ca: ca, caKey: caKey}
	certPEM, keyPEM, err := a.issueLeaf(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "casetrail"},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    now.Add(tlsLongValidity),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return nil, err
	}
	a.client = Credentials{CA: caPEM, Cert: certPEM, Key: keyPEM}
	return a, nil
}

// serverCertificate issues the frontend's certificate for hosts (IP
// addresses or names).
func (a *authority) serverCertificate(hosts []string, now time.Time) (tls.Certificate, error) {
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "casetrail-temporal-frontend"},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    now.Add(tlsServerValidity),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	certPEM, keyPEM, err := a.issueLeaf(tmpl)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}

// serverTLS is the frontend's side of mutual TLS: a client certificate
// signed by the authority is required.
func (a *authority) serverTLS(hosts []string, now time.Time) (*tls.Config, error) {
	cert, err := a.serverCertificate(hosts, now)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(a.ca)
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
	}, nil
}

func (a *authority) issueLeaf(tmpl *x509.Certificate) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("temporal tls: %w", err)
	}
	certPEM, _, err = issue(tmpl, &key.PublicKey, a.ca, a.caKey)
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("temporal tls: %w", err)
	}
	return certPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// issue signs tmpl (self-signed when parent is nil).
func issue(tmpl *x509.Certificate, pub *ecdsa.PublicKey, parent *x509.Certificate, signer *ecdsa.PrivateKey) ([]byte, *x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("temporal tls: %w", err)
	}
	tmpl.SerialNumber = serial
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, nil, fmt.Errorf("temporal tls: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("temporal tls: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), cert, nil
}

// save writes the CA and the client credentials to dir, keys 0600. Each file
// is written whole under a temporary name and renamed into place.
func (a *authority) save(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("temporal tls: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(a.caKey)
	if err != nil {
		return fmt.Errorf("temporal tls: %w", err)
	}
	files := []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{tlsCAKeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600},
		{tlsClientKeyFile, a.client.Key, 0o600},
		{tlsCAFile, a.client.CA, 0o644},
		{tlsClientFile, a.client.Cert, 0o644},
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, f.data, f.mode); err != nil {
			return fmt.Errorf("temporal tls: %w", err)
		}
		if err := os.Chmod(tmp, f.mode); err != nil {
			return fmt.Errorf("temporal tls: %w", err)
		}
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("temporal tls: %w", err)
		}
	}
	return syncFile(dir)
}

func parseCert(b []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("not a PEM certificate")
	}
	return x509.ParseCertificate(block.Bytes)
}

func parseKey(b []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("not a PEM key")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an ECDSA key")
	}
	return ek, nil
}

// LoadCredentials reads the client credentials an embedded server with
// EmbeddedOptions.DataDir dataDir keeps in dataDir/tls, for a client in
// another process (the temporal CLI takes the same files:
// --tls-ca-path ca.pem --tls-cert-path client.pem --tls-key-path client-key.pem).
func LoadCredentials(dataDir string) (Credentials, error) {
	dir := filepath.Join(dataDir, EmbeddedTLSDir)
	var c Credentials
	for _, f := range []struct {
		name string
		to   *[]byte
	}{{tlsCAFile, &c.CA}, {tlsClientFile, &c.Cert}, {tlsClientKeyFile, &c.Key}} {
		b, err := os.ReadFile(filepath.Join(dir, f.name))
		if err != nil {
			return Credentials{}, fmt.Errorf("temporal credentials: %w", err)
		}
		*f.to = b
	}
	return c, nil
}

// Package api is CaseTrail's HTTP edge: JWT authentication, Casbin
// authorization over the unit hierarchy, and the hardening graphql-go lacks
// (query limits, body caps, timeouts, strict request parsing).
package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Token claims every CaseTrail token carries and every verification requires.
const (
	TokenIssuer   = "casetrail"
	TokenAudience = "casetrail-api"
)

// MinSecretBytes is the shortest accepted HMAC key: RFC 7518 §3.2 requires a
// key at least as long as the hash output (256 bits for HS256).
const MinSecretBytes = 32

// SecretFileName is the file in the data directory that holds the generated
// signing key (hex encoded, mode 0600).
const SecretFileName = "jwt.secret"

// maxTokenBytes bounds the work done on a presented token before any parsing.
const maxTokenBytes = 4096

// clockSkew is the tolerance for exp/iat between the machine that minted a
// token and the one verifying it.
const clockSkew = 30 * time.Second

// DefaultMaxTokenLifetime is the longest token lifetime (exp - iat) minted or
// accepted unless configured otherwise: a working day and a half for people.
const DefaultMaxTokenLifetime = 12 * time.Hour

// Errors returned by Verify; callers answer all of them with UNAUTHENTICATED.
var (
	ErrTokenExpired = errors.New("token expired")
	ErrTokenInvalid = errors.New("invalid token")
	ErrTokenRevoked = fmt.Errorf("%w: revoked", ErrTokenInvalid)
	ErrWeakSecret   = fmt.Errorf("signing secret shorter than %d bytes", MinSecretBytes)
	// ErrTokenLifetime is returned by Mint for a ttl beyond the maximum.
	ErrTokenLifetime = errors.New("token lifetime beyond the maximum")
)

// Authenticator mints and verifies CaseTrail access tokens: HS256 JWTs with
// iss=casetrail, aud=casetrail-api, sub, a random jti, iat and exp, whose
// lifetime (exp - iat) is at most the maximum. It is safe for concurrent use.
type Authenticator struct {
	secret      []byte
	now         func() time.Time
	parser      *jwt.Parser
	maxLifetime time.Duration
	revocations *Revocations
}

// AuthOption configures an Authenticator.
type AuthOption func(*Authenticator)

// WithMaxLifetime sets the longest token lifetime Mint issues and Verify
// accepts (DefaultMaxTokenLifetime when not given or not positive).
func WithMaxLifetime(d time.Duration) AuthOption {
	return func(a *Authenticator) {
		if d > 0 {
			a.maxLifetime = d
		}
	}
}

// WithRevocations makes Verify refuse the tokens r says are revoked.
func WithRevocations(r *Revocations) AuthOption {
	return func(a *Authenticator) { a.revocations = r }
}

// NewAuthenticator returns an Authenticator for secret (copied). A secret
// shorter than MinSecretBytes makes Mint and Verify fail with ErrWeakSecret.
func NewAuthenticator(secret []byte, opts ...AuthOption) *Authenticator {
	a := &Authenticator{secret: append([]byte(nil), secret...), now: time.Now, maxLifetime: DefaultMaxTokenLifetime}
	for _, o := range opts {
		o(a)
	}
	a.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(TokenIssuer),
		jwt.WithAudience(TokenAudience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(clockSkew),
		jwt.WithTimeFunc(func() time.Time { return a.now() }),
	)
	return a
}

// MaxLifetime returns the longest token lifetime minted or accepted.
func (a *Authenticator) MaxLifetime() time.Duration { return a.maxLifetime }

// Minted is a token and the claims worth recording about it.
type Minted struct {
	Token     string
	ID        string // jti
	Subject   string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// Mint returns a signed token for subject sub that expires after ttl.
func (a *Authenticator) Mint(sub string, ttl time.Duration) (string, error) {
	m, err := a.MintToken(sub, ttl)
	return m.Token, err
}

// MintToken returns a signed token for subject sub that expires after ttl
// (at most the maximum lifetime, else ErrTokenLifetime), with a random jti.
func (a *Authenticator) MintToken(sub string, ttl time.Duration) (Minted, error) {
	if len(a.secret) < MinSecretBytes {
		return Minted{}, ErrWeakSecret
	}
	if strings.TrimSpace(sub) == "" {
		return Minted{}, errors.New("mint token: empty subject")
	}
	if ttl <= 0 {
		return Minted{}, fmt.Errorf("mint token: ttl %v is not positive", ttl)
	}
	if ttl > a.maxLifetime {
		return Minted{}, fmt.Errorf("mint token: ttl %v: %w (%v)", ttl, ErrTokenLifetime, a.maxLifetime)
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return Minted{}, fmt.Errorf("mint token: %w", err)
	}
	// Whole seconds, as the claims carry them, so exp - iat is exactly ttl.
	now := a.now().Truncate(time.Second)
	m := Minted{ID: hex.EncodeToString(id), Subject: sub, IssuedAt: now, ExpiresAt: now.Add(ttl)}
	claims := jwt.RegisteredClaims{
		Issuer:    TokenIssuer,
		Subject:   sub,
		Audience:  jwt.ClaimStrings{TokenAudience},
		ID:        m.ID,
		IssuedAt:  jwt.NewNumericDate(m.IssuedAt),
		ExpiresAt: jwt.NewNumericDate(m.ExpiresAt),
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(a.secret)
	if err != nil {
		return Minted{}, fmt.Errorf("mint token: %w", err)
	}
	m.Token = s
	return m, nil
}

// Verify checks token (signature with the pinned HS256 algorithm, issuer,
// audience, expiry, a jti and an iat, a lifetime exp - iat within the
// maximum, not revoked) and returns its subject. Every failure is
// ErrTokenExpired or ErrTokenInvalid (possibly wrapped), or ErrWeakSecret.
func (a *Authenticator) Verify(token string) (subject string, err error) {
	if len(a.secret) < MinSecretBytes {
		return "", ErrWeakSecret
	}
	if token == "" || len(token) > maxTokenBytes {
		return "", ErrTokenInvalid
	}
	var claims jwt.RegisteredClaims
	_, err = a.parser.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		if t.Method != jwt.SigningMethodHS256 {
			return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
		}
		return a.secret, nil
	})
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "", ErrTokenExpired
	case err != nil:
		return "", fmt.Errorf("%w: %v", ErrTokenInvalid, err)
	case strings.TrimSpace(claims.Subject) == "":
		return "", fmt.Errorf("%w: no subject", ErrTokenInvalid)
	case strings.TrimSpace(claims.ID) == "":
		return "", fmt.Errorf("%w: no jti", ErrTokenInvalid)
	case claims.IssuedAt == nil:
		return "", fmt.Errorf("%w: no iat", ErrTokenInvalid)
	case claims.ExpiresAt.Sub(claims.IssuedAt.Time) > a.maxLifetime:
		return "", fmt.Errorf("%w: lifetime %v beyond the maximum %v", ErrTokenInvalid,
			claims.ExpiresAt.Sub(claims.IssuedAt.Time), a.maxLifetime)
	case a.revocations != nil && a.revocations.Revoked(claims.Subject, claims.ID, claims.IssuedAt.Time):
		return "", ErrTokenRevoked
	}
	return claims.Subject, nil
}

// LoadOrCreateSecret returns the token signing secret: fromEnv when it is set
// (it must be at least MinSecretBytes long), otherwise the key stored in
// dataDir/jwt.secret, which is created once with 32 random bytes (mode 0600)
// and reused by every later call, including concurrent ones in other
// processes.
func LoadOrCreateSecret(dataDir string, fromEnv string) ([]byte, error) {
	if fromEnv != "" {
		if len(fromEnv) < MinSecretBytes {
			return nil, fmt.Errorf("jwt secret from environment: %w", ErrWeakSecret)
		}
		return []byte(fromEnv), nil
	}
	if dataDir == "" {
		return nil, errors.New("jwt secret: no data directory")
	}
	path := filepath.Join(dataDir, SecretFileName)
	if key, err := readSecretFile(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	key := make([]byte, MinSecretBytes)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	// Write a temporary file completely, then link it into place: a reader
	// never sees a half-written key, and if another process won the race
	// the link fails and its key is used.
	tmp, err := os.CreateTemp(dataDir, SecretFileName+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	if _, err := tmp.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readSecretFile(path)
		}
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	return key, nil
}

func readSecretFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < MinSecretBytes {
		return nil, fmt.Errorf("jwt secret: %s is not a hex key of at least %d bytes", path, MinSecretBytes)
	}
	return key, nil
}

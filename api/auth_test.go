package api

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// sign builds a token with arbitrary claims and method, as an attacker or a
// foreign issuer would.
func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validClaims() jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss": TokenIssuer,
		"aud": TokenAudience,
		"sub": "handler1",
		"jti": "0123456789abcdef0123456789abcdef",
		"iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(),
	}
}

func TestMintVerify(t *testing.T) {
	a := NewAuthenticator(testSecret)
	tok, err := a.Mint("handler1", 8*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := a.Verify(tok)
	if err != nil || sub != "handler1" {
		t.Fatalf("Verify = %q, %v; want handler1", sub, err)
	}
	// The claims the contract promises are in the token.
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(tok, claims); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"iss": TokenIssuer, "sub": "handler1"} {
		if claims[k] != want {
			t.Errorf("claim %s = %v, want %v", k, claims[k], want)
		}
	}
	if aud, _ := claims.GetAudience(); len(aud) != 1 || aud[0] != TokenAudience {
		t.Errorf("aud = %v", aud)
	}
	exp, _ := claims.GetExpirationTime()
	iat, _ := claims.GetIssuedAt()
	if exp == nil || iat == nil || exp.Sub(iat.Time) != 8*time.Hour {
		t.Errorf("exp %v iat %v: want 8h apart", exp, iat)
	}
	// The secret is copied: changing the caller's slice changes nothing.
	secret := bytes.Clone(testSecret)
	b := NewAuthenticator(secret)
	secret[0] ^= 0xff
	if _, err := b.Verify(tok); err != nil {
		t.Errorf("Verify after caller changed its slice: %v", err)
	}
}

func TestVerifyRejects(t *testing.T) {
	a := NewAuthenticator(testSecret)
	with := func(k string, v any) jwt.MapClaims {
		c := validClaims()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	past := time.Now().Add(-time.Hour)
	type tcase struct {
		name    string
		token   string
		expired bool
	}
	cases := []tcase{
		{"expired", sign(t, jwt.SigningMethodHS256, testSecret, with("exp", past.Unix())), true},
		{"no exp", sign(t, jwt.SigningMethodHS256, testSecret, with("exp", nil)), false},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, validClaims()), false},
		{"alg HS512", sign(t, jwt.SigningMethodHS512, testSecret, validClaims()), false},
		{"alg HS384", sign(t, jwt.SigningMethodHS384, testSecret, validClaims()), false},
		{"wrong secret", sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx"), validClaims()), false},
		{"wrong iss", sign(t, jwt.SigningMethodHS256, testSecret, with("iss", "evil")), false},
		{"no iss", sign(t, jwt.SigningMethodHS256, testSecret, with("iss", nil)), false},
		{"wrong aud", sign(t, jwt.SigningMethodHS256, testSecret, with("aud", "other-api")), false},
		{"no aud", sign(t, jwt.SigningMethodHS256, testSecret, with("aud", nil)), false},
		{"no sub", sign(t, jwt.SigningMethodHS256, testSecret, with("sub", nil)), false},
		{"blank sub", sign(t, jwt.SigningMethodHS256, testSecret, with("sub", "  ")), false},
		{"issued in the future", sign(t, jwt.SigningMethodHS256, testSecret, with("iat", time.Now().Add(time.Hour).Unix())), false},
		{"not yet valid", sign(t, jwt.SigningMethodHS256, testSecret, with("nbf", time.Now().Add(time.Hour).Unix())), false},
		// Issue 12, finding 7: a lifetime beyond the maximum, no jti, no iat.
		{"100-year lifetime", sign(t, jwt.SigningMethodHS256, testSecret, with("exp", time.Now().AddDate(100, 0, 0).Unix())), false},
		{"lifetime 1s beyond the maximum", sign(t, jwt.SigningMethodHS256, testSecret,
			with("exp", time.Now().Add(DefaultMaxTokenLifetime+time.Second).Unix())), false},
		{"no jti", sign(t, jwt.SigningMethodHS256, testSecret, with("jti", nil)), false},
		{"blank jti", sign(t, jwt.SigningMethodHS256, testSecret, with("jti", " ")), false},
		{"no iat", sign(t, jwt.SigningMethodHS256, testSecret, with("iat", nil)), false},
		{"garbage", "not.a.token", false},
		{"empty", "", false},
		{"huge", strings.Repeat("a", 100000), false},
	}
	// A token whose signature was cut off, and one with a tampered payload.
	good, _ := a.Mint("handler1", time.Hour)
	parts := strings.Split(good, ".")
	other := strings.Split(sign(t, jwt.SigningMethodHS256, []byte("x"), with("sub", "admin1")), ".")
	cases = append(cases,
		tcase{"unsigned", parts[0] + "." + parts[1] + ".", false},
		tcase{"tampered payload", parts[0] + "." + other[1] + "." + parts[2], false},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sub, err := a.Verify(tc.token)
			if err == nil {
				t.Fatalf("Verify accepted the token (sub %q)", sub)
			}
			if tc.expired != errors.Is(err, ErrTokenExpired) || (!tc.expired && !errors.Is(err, ErrTokenInvalid)) {
				t.Fatalf("Verify error = %v; want expired=%v", err, tc.expired)
			}
		})
	}
}

func TestMintedTokenExpires(t *testing.T) {
	a := NewAuthenticator(testSecret)
	start := time.Now()
	a.now = func() time.Time { return start }
	tok, err := a.Mint("leader1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	a.now = func() time.Time { return start.Add(59 * time.Minute) }
	if _, err := a.Verify(tok); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	a.now = func() time.Time { return start.Add(time.Hour + clockSkew + time.Second) }
	if _, err := a.Verify(tok); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("after expiry: %v, want ErrTokenExpired", err)
	}
}

func TestMintRejects(t *testing.T) {
	a := NewAuthenticator(testSecret)
	if _, err := a.Mint("", time.Hour); err == nil {
		t.Error("empty subject accepted")
	}
	if _, err := a.Mint("x", 0); err == nil {
		t.Error("zero ttl accepted")
	}
	weak := NewAuthenticator([]byte("short"))
	if _, err := weak.Mint("x", time.Hour); !errors.Is(err, ErrWeakSecret) {
		t.Errorf("Mint with weak secret: %v", err)
	}
	tok, _ := a.Mint("x", time.Hour)
	if _, err := weak.Verify(tok); !errors.Is(err, ErrWeakSecret) {
		t.Errorf("Verify with weak secret: %v", err)
	}
	if _, err := NewAuthenticator(nil).Verify(tok); !errors.Is(err, ErrWeakSecret) {
		t.Errorf("Verify with no secret: %v", err)
	}
}

func TestLoadOrCreateSecret(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")

	env := strings.Repeat("e", MinSecretBytes)
	key, err := LoadOrCreateSecret(dir, env)
	if err != nil || string(key) != env {
		t.Fatalf("env secret: %q, %v", key, err)
	}
	if _, err := os.Stat(filepath.Join(dir, SecretFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("env secret must not create a file: %v", err)
	}
	if _, err := LoadOrCreateSecret(dir, "short"); !errors.Is(err, ErrWeakSecret) {
		t.Fatalf("short env secret: %v", err)
	}

	// Concurrent first starts (serve and token) agree on one key.
	var wg sync.WaitGroup
	keys := make([][]byte, 8)
	errs := make([]error, 8)
	for i := range keys {
		wg.Go(func() { keys[i], errs[i] = LoadOrCreateSecret(dir, "") })
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if len(keys[i]) != 32 || !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("key %d = %x, key 0 = %x", i, keys[i], keys[0])
		}
	}
	st, err := os.Stat(filepath.Join(dir, SecretFileName))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %v, want 0600", st.Mode().Perm())
	}
	again, err := LoadOrCreateSecret(dir, "")
	if err != nil || !bytes.Equal(again, keys[0]) {
		t.Fatalf("reuse: %x, %v", again, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("data dir holds %d entries, want only %s", len(entries), SecretFileName)
	}
	// Tokens minted with the stored key verify with a key loaded later.
	tok, _ := NewAuthenticator(keys[0]).Mint("auditor1", time.Hour)
	if sub, err := NewAuthenticator(again).Verify(tok); err != nil || sub != "auditor1" {
		t.Fatalf("verify with reloaded key: %q, %v", sub, err)
	}

	// A damaged file is an error, never silently replaced.
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, SecretFileName), []byte("zz"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateSecret(bad, ""); err == nil {
		t.Fatal("damaged secret file accepted")
	}
	if _, err := LoadOrCreateSecret("", ""); err == nil {
		t.Fatal("no data dir and no env accepted")
	}
}

func BenchmarkVerify(b *testing.B) {
	a := NewAuthenticator(testSecret)
	tok, err := a.Mint("handler1", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := a.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}

package api

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/eventstore/pgtest"
)

// Issue 12, finding 7: tokens have a maximum lifetime, a jti and an iat.
func TestTokenLifetime(t *testing.T) {
	a := NewAuthenticator(testSecret)
	if a.MaxLifetime() != 12*time.Hour {
		t.Fatalf("default maximum lifetime %v, want 12h", a.MaxLifetime())
	}
	tok, err := a.Mint("handler1", DefaultMaxTokenLifetime)
	if err != nil {
		t.Fatalf("mint at the maximum: %v", err)
	}
	if _, err := a.Verify(tok); err != nil {
		t.Fatalf("a token of the maximum lifetime is refused: %v", err)
	}
	for _, ttl := range []time.Duration{DefaultMaxTokenLifetime + time.Second, 100 * 365 * 24 * time.Hour} {
		if _, err := a.Mint("handler1", ttl); !errors.Is(err, ErrTokenLifetime) {
			t.Errorf("mint with ttl %v: %v, want ErrTokenLifetime", ttl, err)
		}
	}

	short := NewAuthenticator(testSecret, WithMaxLifetime(time.Hour))
	if _, err := short.Mint("handler1", 2*time.Hour); !errors.Is(err, ErrTokenLifetime) {
		t.Errorf("mint 2h with a 1h maximum: %v", err)
	}
	long, _ := a.Mint("handler1", 8*time.Hour)
	if _, err := short.Verify(long); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("an 8h token with a 1h maximum: %v, want ErrTokenInvalid", err)
	}
	// A 100-year token signed with the right key (as `--ttl 876000h` once
	// minted) is refused.
	century := validClaims()
	century["exp"] = time.Now().AddDate(100, 0, 0).Unix()
	if _, err := a.Verify(sign(t, jwt.SigningMethodHS256, testSecret, century)); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("100-year token: %v, want ErrTokenInvalid", err)
	}
}

func TestMintedTokenID(t *testing.T) {
	a := NewAuthenticator(testSecret)
	seen := map[string]bool{}
	for range 20 {
		m, err := a.MintToken("handler1", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		claims := jwt.RegisteredClaims{}
		if _, _, err := jwt.NewParser().ParseUnverified(m.Token, &claims); err != nil {
			t.Fatal(err)
		}
		if claims.ID != m.ID || len(m.ID) != 32 || seen[m.ID] {
			t.Fatalf("jti %q (minted %q): want 32 hex characters, unique", claims.ID, m.ID)
		}
		seen[m.ID] = true
		if claims.IssuedAt == nil || !claims.IssuedAt.Equal(m.IssuedAt) || !claims.ExpiresAt.Equal(m.ExpiresAt) {
			t.Fatalf("iat %v exp %v; minted %v %v", claims.IssuedAt, claims.ExpiresAt, m.IssuedAt, m.ExpiresAt)
		}
	}
}

// eventually polls check until it passes or limit runs out (revocations
// travel by NOTIFY; no fixed delay is assumed).
func eventually(t *testing.T, limit time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still %v after %v", what, err, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRevocations: a revoked jti and the tokens of a revoked subject issued
// before the revocation are refused by an Authenticator of another process
// (its own pool) within seconds; other tokens keep working.
func TestRevocations(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	for range 2 { // idempotent
		if err := EnsureSchema(ctx, pool); err != nil {
			t.Fatal(err)
		}
	}
	// The revoking side (casetrail token --revoke) has a pool of its own.
	admin, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(admin.Close)

	rev, err := NewRevocations(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rev.Close)
	a := NewAuthenticator(testSecret, WithRevocations(rev))
	start := time.Now()
	a.now = func() time.Time { return start }

	mint := func(sub string) Minted {
		t.Helper()
		m, err := a.MintToken(sub, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Verify(m.Token); err != nil {
			t.Fatalf("fresh token of %s refused: %v", sub, err)
		}
		return m
	}
	refused := func(m Minted) func() error {
		return func() error {
			if _, err := a.Verify(m.Token); !errors.Is(err, ErrTokenRevoked) {
				return fmt.Errorf("Verify = %v, want ErrTokenRevoked", err)
			}
			return nil
		}
	}

	t1, t2 := mint("handler1"), mint("handler1")
	if err := RevokeToken(ctx, admin, t1.ID, t1.ExpiresAt, "test", "lost laptop"); err != nil {
		t.Fatal(err)
	}
	if err := RevokeToken(ctx, admin, t1.ID, t1.ExpiresAt, "test", "again"); err != nil {
		t.Fatalf("revoking twice: %v", err)
	}
	eventually(t, 5*time.Second, "revoked jti", refused(t1))
	if _, err := a.Verify(t2.Token); err != nil {
		t.Errorf("another token of the same subject refused: %v", err)
	}

	old := mint("leader1")
	other := mint("auditor1")
	nb, err := RevokeSubject(ctx, admin, "leader1", "test", "left the office")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "token issued before the subject's revocation", refused(old))
	if _, err := a.Verify(other.Token); err != nil {
		t.Errorf("another subject's token refused: %v", err)
	}
	// A token minted after the revocation (iat has whole seconds, so one
	// second later) is accepted.
	a.now = func() time.Time { return nb.Add(time.Second) }
	if _, err := a.Verify(mint("leader1").Token); err != nil {
		t.Errorf("a token minted after the revocation is refused: %v", err)
	}
	// A later revocation never moves "not before" back.
	if _, err := admin.Exec(ctx, `UPDATE token_subject_revocations SET not_before = not_before - interval '1 day'`); err != nil {
		t.Fatal(err)
	}
	if nb2, err := RevokeSubject(ctx, admin, "leader1", "test", ""); err != nil || nb2.Before(nb) {
		t.Errorf("second revocation: not before %v (first %v), %v", nb2, nb, err)
	}

	// A new instance starts with what is stored.
	rev2, err := NewRevocations(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	defer rev2.Close()
	if !rev2.Revoked("handler1", t1.ID, t1.IssuedAt) || rev2.Revoked("handler1", t2.ID, t2.IssuedAt) ||
		!rev2.Revoked("leader1", old.ID, old.IssuedAt) {
		t.Error("a new instance does not see the stored revocations")
	}
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"casetrail/api"
)

// runSplit runs a casetrail subcommand with the server's environment plus
// extra (KEY=VALUE, later ones win) and returns its stdout and stderr apart.
func (s *server) runSplit(args ...string) (stdout, stderr string, err error) {
	return s.runEnv(nil, args...)
}

func (s *server) runEnv(extra []string, args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Env = append(s.environ(), extra...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// tokenClaims returns the claims of a token without checking it.
func tokenClaims(t *testing.T, tok string) jwt.RegisteredClaims {
	t.Helper()
	var c jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(strings.TrimSpace(tok), &c); err != nil {
		t.Fatalf("parse %q: %v", tok, err)
	}
	return c
}

// logRecord returns the first JSON log line of stderr whose msg is msg.
func logRecord(t *testing.T, stderr, msg string) map[string]any {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(stderr))
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == msg {
			return rec
		}
	}
	t.Fatalf("no log record %q in:\n%s", msg, stderr)
	return nil
}

// TestTokens (issue 12, finding 7) through the real binary: a maximum
// lifetime, a jti on every token, revocation of one token and of a
// subject, minting logged, and the secret never on the command line.
func TestTokens(t *testing.T) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	secret := hex.EncodeToString(key)
	s := newServer(t, serverOptions{Env: []string{"CASETRAIL_JWT_SECRET=" + secret}})

	me := func(tok string) gqlResponse {
		return s.post(t, []byte(`{"query":"{ me { subject } }"}`), "Authorization", "Bearer "+strings.TrimSpace(tok))
	}
	check := func(tok string, want bool) error {
		r := me(tok)
		ok := r.Status == http.StatusOK && len(r.Errors) == 0
		switch {
		case want && !ok:
			return fmt.Errorf("refused: HTTP %d %s", r.Status, r.Body)
		case !want && (r.Status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED"):
			return fmt.Errorf("HTTP %d %s; want 401 UNAUTHENTICATED", r.Status, r.Body)
		}
		return nil
	}
	forge := func(change func(jwt.MapClaims)) string {
		now := time.Now()
		c := jwt.MapClaims{"iss": api.TokenIssuer, "aud": api.TokenAudience, "sub": "handler1",
			"jti": "forged-" + fmt.Sprint(now.UnixNano()), "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		change(c)
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(secret))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	mint := func(t *testing.T, args ...string) (tok, logs string) {
		t.Helper()
		out, logs, err := s.runSplit(append([]string{"token"}, args...)...)
		if err != nil {
			t.Fatalf("casetrail token %v: %v\n%s%s", args, err, out, logs)
		}
		return out, logs
	}

	t.Run("lifetime", func(t *testing.T) {
		if err := check(forge(func(c jwt.MapClaims) {}), true); err != nil {
			t.Fatalf("a well-formed 1h token: %v", err)
		}
		if err := check(forge(func(c jwt.MapClaims) { c["exp"] = time.Now().AddDate(100, 0, 0).Unix() }), false); err != nil {
			t.Errorf("a 100-year token: %v", err)
		}
		if err := check(forge(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(13 * time.Hour).Unix() }), false); err != nil {
			t.Errorf("a 13h token (maximum 12h): %v", err)
		}
		for _, ttl := range []string{"13h", "876000h"} {
			out, logs, err := s.runSplit("token", "--sub", "handler1", "--ttl", ttl)
			if err == nil || strings.Count(out, ".") == 2 || !strings.Contains(logs, "maximum") {
				t.Errorf("token --ttl %s: err %v, stdout %q, stderr %q; want refused", ttl, err, out, logs)
			}
		}
		tok, _ := mint(t, "--sub", "handler1", "--ttl", "12h")
		if err := check(tok, true); err != nil {
			t.Errorf("a 12h token: %v", err)
		}
		// The maximum is configurable.
		out, logs, err := s.runEnv([]string{"CASETRAIL_TOKEN_MAX_TTL=1h"}, "token", "--sub", "handler1", "--ttl", "2h")
		if err == nil {
			t.Errorf("--ttl 2h with CASETRAIL_TOKEN_MAX_TTL=1h accepted: %q %q", out, logs)
		}
	})

	t.Run("jti required", func(t *testing.T) {
		if err := check(forge(func(c jwt.MapClaims) { delete(c, "jti") }), false); err != nil {
			t.Errorf("a token without jti: %v", err)
		}
		if err := check(forge(func(c jwt.MapClaims) { delete(c, "iat") }), false); err != nil {
			t.Errorf("a token without iat: %v", err)
		}
	})

	t.Run("contract and log", func(t *testing.T) {
		out, logs := mint(t, "--sub", "handler1", "--ttl", "8h")
		tok := strings.TrimSuffix(out, "\n")
		if strings.Count(tok, ".") != 2 || strings.ContainsAny(tok, " \n") {
			t.Fatalf("stdout %q is not one JWT line", out)
		}
		parsed, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return []byte(secret), nil },
			jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer("casetrail"), jwt.WithAudience("casetrail-api"))
		if err != nil || !parsed.Valid {
			t.Fatalf("token does not follow the token contract (HS256, iss, aud): %v", err)
		}
		c := tokenClaims(t, tok)
		if c.Subject != "handler1" || len(c.ID) < 16 || c.IssuedAt == nil || c.ExpiresAt.Sub(c.IssuedAt.Time) != 8*time.Hour {
			t.Fatalf("claims %+v", c)
		}
		rec := logRecord(t, logs, "token minted")
		exp, _ := time.Parse(time.RFC3339, fmt.Sprint(rec["expires"]))
		if rec["subject"] != "handler1" || rec["jti"] != c.ID || !exp.Equal(c.ExpiresAt.Time) || fmt.Sprint(rec["os_user"]) == "" {
			t.Errorf("log record %v; want subject handler1, jti %s, expires %v and the OS user", rec, c.ID, c.ExpiresAt)
		}
		if strings.Contains(logs, tok) || strings.Contains(logs, secret) {
			t.Error("the log shows the token or the secret")
		}
	})

	t.Run("secret never a flag", func(t *testing.T) {
		out, logs, err := s.runSplit("token", "--sub", "handler1", "--jwt-secret", secret)
		if err == nil || !strings.Contains(logs, "flag provided but not defined: -jwt-secret") {
			t.Errorf("--jwt-secret: err %v, stdout %q, stderr %q; want an unknown flag", err, out, logs)
		}
		help, _ := s.run("help")
		if strings.Contains(help, "--jwt-secret ") {
			t.Errorf("help mentions --jwt-secret:\n%s", help)
		}
		// The secret from a file works like the environment variable.
		file := filepath.Join(t.TempDir(), "jwt.secret")
		if err := os.WriteFile(file, []byte(secret+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		out, logs, err = s.runEnv([]string{"CASETRAIL_JWT_SECRET=", "CASETRAIL_JWT_SECRET_FILE=" + file}, "token", "--sub", "handler1")
		if err != nil {
			t.Fatalf("CASETRAIL_JWT_SECRET_FILE: %v %s", err, logs)
		}
		if err := check(out, true); err != nil {
			t.Errorf("token signed with the secret from the file: %v", err)
		}
		if _, _, err := s.runEnv([]string{"CASETRAIL_JWT_SECRET_FILE=" + file}, "token", "--sub", "handler1"); err == nil {
			t.Error("both CASETRAIL_JWT_SECRET and CASETRAIL_JWT_SECRET_FILE accepted")
		}
	})

	t.Run("revoke jti", func(t *testing.T) {
		t1, _ := mint(t, "--sub", "handler1")
		t2, _ := mint(t, "--sub", "handler1")
		for _, tok := range []string{t1, t2} {
			if err := check(tok, true); err != nil {
				t.Fatalf("before revocation: %v", err)
			}
		}
		jti := tokenClaims(t, t1).ID
		out, logs, err := s.runSplit("token", "--revoke", jti, "--reason", "lost laptop")
		if err != nil {
			t.Fatalf("token --revoke: %v\n%s%s", err, out, logs)
		}
		if rec := logRecord(t, logs, "token revoked"); rec["jti"] != jti || fmt.Sprint(rec["os_user"]) == "" {
			t.Errorf("revocation log %v", rec)
		}
		eventually(t, 5*time.Second, "revoked token refused", func() error { return check(t1, false) })
		if err := check(t2, true); err != nil {
			t.Errorf("another token of the same subject: %v", err)
		}
	})

	t.Run("revoke subject", func(t *testing.T) {
		old, _ := mint(t, "--sub", "leader1")
		other, _ := mint(t, "--sub", "auditor1")
		if err := check(old, true); err != nil {
			t.Fatalf("before revocation: %v", err)
		}
		if out, logs, err := s.runSplit("token", "--revoke-subject", "leader1"); err != nil {
			t.Fatalf("token --revoke-subject: %v\n%s%s", err, out, logs)
		} else if rec := logRecord(t, logs, "tokens of subject revoked"); rec["subject"] != "leader1" {
			t.Errorf("revocation log %v", rec)
		}
		eventually(t, 5*time.Second, "older token of the revoked subject refused", func() error { return check(old, false) })
		if err := check(other, true); err != nil {
			t.Errorf("another subject's token: %v", err)
		}
		// Tokens minted after the revocation work (iat has whole seconds:
		// one minted in the same second is refused too, so retry).
		eventually(t, 10*time.Second, "token minted after the revocation", func() error {
			tok, _ := mint(t, "--sub", "leader1")
			return check(tok, true)
		})
		if _, _, err := s.runSplit("token", "--revoke", "x", "--sub", "leader1"); err == nil {
			t.Error("--revoke with --sub accepted")
		}
	})
}

// TestMintNeedsNoServer: `casetrail token` mints from the data dir's key
// without a database (as the README's quick start does before serve).
func TestMintNeedsNoServer(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "token", "--sub", "handler1")
	cmd.Env = append(os.Environ(), "CASETRAIL_DATA_DIR="+dir, "DATABASE_URL=postgres://nobody@127.0.0.1:1/none", "CASETRAIL_JWT_SECRET=")
	var out, logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &logs
	if err := cmd.Run(); err != nil {
		t.Fatalf("token without a database: %v\n%s", err, logs.String())
	}
	if c := tokenClaims(t, out.String()); c.Subject != "handler1" || c.ID == "" {
		t.Errorf("claims %+v", c)
	}
}

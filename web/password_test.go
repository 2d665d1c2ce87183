package web

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestPasswords(t *testing.T) {
	h, err := HashPassword("mật khẩu rất dài")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q", h)
	}
	if err := CheckPasswordHash(h); err != nil {
		t.Error(err)
	}
	if !verifyPassword("mật khẩu rất dài", h) || verifyPassword("mat khau rat dai", h) {
		t.Error("argon2id verification")
	}
	b, err := bcrypt.GenerateFromPassword([]byte("seed-password-1"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckPasswordHash(string(b)); err != nil {
		t.Error(err)
	}
	if !verifyPassword("seed-password-1", string(b)) || verifyPassword("seed-password-2", string(b)) {
		t.Error("bcrypt verification")
	}
	for _, bad := range []string{"", "plain", "$argon2id$v=19$broken", "$2b$99$x"} {
		if verifyPassword("", bad) || verifyPassword("plain", bad) {
			t.Errorf("%q matched", bad)
		}
		if CheckPasswordHash(bad) == nil {
			t.Errorf("CheckPasswordHash(%q) accepted", bad)
		}
	}
	if credential(h) == credential(string(b)) || len(credential(h)) != 24 {
		t.Error("credential fingerprints")
	}

	otp := OneTimePassword()
	if !regexp.MustCompile(`^[a-z2-9]{5}-[a-z2-9]{5}-[a-z2-9]{5}$`).MatchString(otp) || strings.ContainsAny(otp, "01lo") {
		t.Errorf("one-time password %q", otp)
	}
	if OneTimePassword() == otp {
		t.Error("two equal one-time passwords")
	}
	if err := ValidatePassword("handler1", otp); err != nil {
		t.Errorf("a one-time password breaks the rules: %v", err)
	}
	for pw, rule := range map[string]string{
		"short":                   "at least 10",
		strings.Repeat("x", 257):  "at most 256",
		"            ":            "spaces",
		string([]byte{0xff, 'a'}): "invalid",
		"handler1-is-long-enough": "",
		"Nguyễn Văn Hùng 2026":    "",
		strings.Repeat("ạ", 10):   "",
		strings.Repeat("ạ", 256):  "",
	} {
		err := ValidatePassword("handler1", pw)
		switch {
		case rule == "" && err != nil:
			t.Errorf("%q refused: %v", pw, err)
		case rule != "" && (err == nil || !strings.Contains(err.Error(), rule)):
			t.Errorf("%q: %v, want %q", pw, err, rule)
		}
	}
	if err := ValidatePassword("longusername", "LongUserName"); err == nil || !strings.Contains(err.Error(), "username") {
		t.Errorf("the username as password: %v", err)
	}
}

package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"golang.org/x/crypto/bcrypt"
)

// hashParams are the argon2id parameters of new password hashes: OWASP's
// recommended minimum (19 MiB, two passes, one lane), about 30 ms here.
// Stored hashes carry their own parameters, so changing these later only
// affects new hashes.
var hashParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Password rules: long enough to resist guessing, short enough to bound
// the hashing work an attacker can ask for.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 256
)

// hashSlots bounds the argon2id computations running at once (each takes
// hashParams.Memory), so a burst of logins cannot exhaust memory.
var hashSlots = make(chan struct{}, max(2, runtime.NumCPU()))

// dummyHash is a hash of a random password with hashParams: an unknown user
// (or one without a password) is checked against it, so that answering
// takes as long as for a wrong password.
var dummyHash = func() string {
	h, err := argon2id.CreateHash(rand.Text(), hashParams)
	if err != nil {
		panic(fmt.Sprintf("web: dummy password hash: %v", err))
	}
	return h
}()

// HashPassword returns the argon2id hash of password (with a fresh salt).
func HashPassword(password string) (string, error) {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	h, err := argon2id.CreateHash(password, hashParams)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// CheckPasswordHash reports whether hash is a password hash this package
// can verify: argon2id ($argon2id$...) or bcrypt ($2a$, $2b$, $2y$).
func CheckPasswordHash(hash string) error {
	switch {
	case strings.HasPrefix(hash, "$argon2id$"):
		if _, _, _, err := argon2id.DecodeHash(hash); err != nil {
			return fmt.Errorf("argon2id hash: %w", err)
		}
		return nil
	case isBcrypt(hash):
		if _, err := bcrypt.Cost([]byte(hash)); err != nil {
			return fmt.Errorf("bcrypt hash: %w", err)
		}
		return nil
	}
	return errors.New("not an argon2id ($argon2id$...) or bcrypt ($2b$...) hash")
}

func isBcrypt(hash string) bool {
	return strings.HasPrefix(hash, "$2a$") || strings.HasPrefix(hash, "$2b$") || strings.HasPrefix(hash, "$2y$")
}

// verifyPassword reports whether password matches hash. An empty or
// unreadable hash never matches, but costs the same time as one that
// does not (it is checked against dummyHash).
func verifyPassword(password, hash string) bool {
	if len(password) > MaxPasswordLength*utf8.UTFMax {
		password = password[:MaxPasswordLength*utf8.UTFMax] // bounded work; such a password matches nothing stored
	}
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	if isBcrypt(hash) {
		return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
	}
	real := strings.HasPrefix(hash, "$argon2id$")
	if !real {
		hash = dummyHash
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return real && err == nil && ok
}

// credential is a fingerprint of a user's password hash, kept in the
// session: when the password changes (or is reset), sessions opened with
// the old one no longer match and end.
func credential(hash string) string {
	sum := sha256.Sum256([]byte("casetrail-session/" + hash))
	return hex.EncodeToString(sum[:12])
}

// passwordProblem returns the catalog key (and its argument) of the rule
// password breaks for username, or "" when it is acceptable.
func passwordProblem(username, password string) (string, []any) {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return "password.rule.invalid", nil
	case n < MinPasswordLength:
		return "password.rule.short", []any{MinPasswordLength}
	case n > MaxPasswordLength:
		return "password.rule.long", []any{MaxPasswordLength}
	case strings.TrimFunc(password, unicode.IsSpace) == "":
		return "password.rule.blank", nil
	case strings.EqualFold(strings.TrimSpace(password), username):
		return "password.rule.username", nil
	}
	return "", nil
}

// ValidatePassword returns an error naming the rule password breaks for
// username (in English, for the command line), or nil.
func ValidatePassword(username, password string) error {
	if k, args := passwordProblem(username, password); k != "" {
		return errors.New(NewPrinter(English).T(k, args...))
	}
	return nil
}

// otpAlphabet has no look-alike characters (0/O, 1/l/I).
const otpAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// OneTimePassword returns a fresh random password to hand to a user once
// (three groups of five characters of otpAlphabet, about 74 bits).
func OneTimePassword() string {
	const n = 15
	limit := byte(256 - 256%len(otpAlphabet)) // unbiased: bytes at or above it are drawn again
	var b strings.Builder
	buf := make([]byte, 1)
	for i := 0; i < n; {
		if _, err := rand.Read(buf); err != nil {
			panic(fmt.Sprintf("web: random password: %v", err)) // crypto/rand does not fail on supported systems
		}
		if buf[0] >= limit {
			continue
		}
		if i > 0 && i%5 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(otpAlphabet[int(buf[0])%len(otpAlphabet)])
		i++
	}
	return b.String()
}

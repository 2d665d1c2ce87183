package eventstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The canonical JSON form and the event encoding are specified in the
// package documentation (store.go), section "Hash chain".

const (
	maxJSONDepth    = 128
	maxNumberDigits = 1000
)

// errJSON marks input that is not acceptable JSON; callers wrap it with ErrInvalid.
var errJSON = errors.New("invalid JSON")

// canonicalJSON parses src (exactly one JSON value, surrounding whitespace
// allowed) and returns its canonical form.
func canonicalJSON(src []byte) ([]byte, error) {
	p := jsonParser{src: src}
	p.skipSpace()
	out, err := p.value(make([]byte, 0, len(src)), 0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.src) {
		return nil, p.fail("unexpected data after the value")
	}
	return out, nil
}

type jsonParser struct {
	src []byte
	pos int
}

func (p *jsonParser) fail(msg string) error {
	return fmt.Errorf("%w at offset %d: %s", errJSON, p.pos, msg)
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value(out []byte, depth int) ([]byte, error) {
	if p.pos >= len(p.src) {
		return nil, p.fail("unexpected end of input")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object(out, depth+1)
	case c == '[':
		return p.array(out, depth+1)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return appendJSONString(out, s), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number(out)
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if strings.HasPrefix(string(p.src[p.pos:min(len(p.src), p.pos+len(lit))]), lit) {
				p.pos += len(lit)
				return append(out, lit...), nil
			}
		}
		return nil, p.fail(fmt.Sprintf("unexpected character %q", c))
	}
}

type member struct {
	key   string
	value []byte
}

func (p *jsonParser) object(out []byte, depth int) ([]byte, error) {
	if depth > maxJSONDepth {
		return nil, p.fail("nested too deeply")
	}
	p.pos++ // '{'
	var members []member
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		return append(out, "{}"...), nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return nil, p.fail("expected an object key")
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, p.fail("expected ':'")
		}
		p.pos++
		p.skipSpace()
		v, err := p.value(nil, depth)
		if err != nil {
			return nil, err
		}
		members = append(members, member{key: key, value: v})
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.fail("unterminated object")
		}
		if p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.src[p.pos] != '}' {
			return nil, p.fail("expected ',' or '}'")
		}
		p.pos++
		break
	}
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.key, b.key) })
	out = append(out, '{')
	for i, m := range members {
		if i > 0 {
			if members[i-1].key == m.key {
				return nil, fmt.Errorf("%w: duplicate object key %q", errJSON, m.key)
			}
			out = append(out, ',')
		}
		out = appendJSONString(out, m.key)
		out = append(out, ':')
		out = append(out, m.value...)
	}
	return append(out, '}'), nil
}

func (p *jsonParser) array(out []byte, depth int) ([]byte, error) {
	if depth > maxJSONDepth {
		return nil, p.fail("nested too deeply")
	}
	p.pos++ // '['
	out = append(out, '[')
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		return append(out, ']'), nil
	}
	for first := true; ; first = false {
		if !first {
			out = append(out, ',')
		}
		p.skipSpace()
		var err error
		if out, err = p.value(out, depth); err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.fail("unterminated array")
		}
		if p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.src[p.pos] != ']' {
			return nil, p.fail("expected ',' or ']'")
		}
		p.pos++
		return append(out, ']'), nil
	}
}

// str decodes the string starting at p.pos (on the opening quote).
func (p *jsonParser) str() (string, error) {
	p.pos++ // opening quote
	var b strings.Builder
	for {
		if p.pos >= len(p.src) {
			return "", p.fail("unterminated string")
		}
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c == '\\':
			if err := p.escape(&b); err != nil {
				return "", err
			}
		case c < 0x20:
			return "", p.fail("control character in string")
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.src[p.pos:])
			if r == utf8.RuneError && size <= 1 {
				return "", p.fail("invalid UTF-8")
			}
			b.Write(p.src[p.pos : p.pos+size])
			p.pos += size
		}
	}
}

func (p *jsonParser) escape(b *strings.Builder) error {
	if p.pos+1 >= len(p.src) {
		return p.fail("unterminated escape")
	}
	c := p.src[p.pos+1]
	p.pos += 2
	switch c {
	case '"', '\\', '/':
		b.WriteByte(c)
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'u':
		r, err := p.hex4()
		if err != nil {
			return err
		}
		switch {
		case r == 0:
			return p.fail(`\u0000 is not allowed`)
		case r >= 0xDC00 && r <= 0xDFFF:
			return p.fail("lone low surrogate")
		case r >= 0xD800 && r <= 0xDBFF:
			if p.pos+1 >= len(p.src) || p.src[p.pos] != '\\' || p.src[p.pos+1] != 'u' {
				return p.fail("lone high surrogate")
			}
			p.pos += 2
			lo, err := p.hex4()
			if err != nil {
				return err
			}
			if lo < 0xDC00 || lo > 0xDFFF {
				return p.fail("high surrogate not followed by a low surrogate")
			}
			r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
		}
		b.WriteRune(r)
	default:
		return p.fail(fmt.Sprintf("invalid escape \\%c", c))
	}
	return nil
}

func (p *jsonParser) hex4() (rune, error) {
	if p.pos+4 > len(p.src) {
		return 0, p.fail("short \\u escape")
	}
	var r rune
	for _, c := range p.src[p.pos : p.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, p.fail("bad hex digit in \\u escape")
		}
	}
	p.pos += 4
	return r, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *jsonParser) digits() []byte {
	start := p.pos
	for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

// number parses a JSON number and appends it the way PostgreSQL's numeric
// type prints it.
func (p *jsonParser) number(out []byte) ([]byte, error) {
	neg := false
	if p.src[p.pos] == '-' {
		neg = true
		p.pos++
	}
	intPart := p.digits()
	if len(intPart) == 0 {
		return nil, p.fail("number without digits")
	}
	if len(intPart) > 1 && intPart[0] == '0' {
		return nil, p.fail("number with a leading zero")
	}
	var frac []byte
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		if frac = p.digits(); len(frac) == 0 {
			return nil, p.fail("no digits after the decimal point")
		}
	}
	exp := 0
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		expNeg := false
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			expNeg = p.src[p.pos] == '-'
			p.pos++
		}
		ed := p.digits()
		if len(ed) == 0 {
			return nil, p.fail("no digits in the exponent")
		}
		for _, c := range ed {
			exp = exp*10 + int(c-'0')
			if exp > 10*maxNumberDigits {
				return nil, p.fail("number out of range")
			}
		}
		if expNeg {
			exp = -exp
		}
	}
	// value = digits * 10^-(scale), scale = len(frac) - exp, as in numeric's input.
	all := make([]byte, 0, len(intPart)+len(frac))
	all = append(all, intPart...)
	all = append(all, frac...)
	scale := len(frac) - exp
	var ip, fp []byte
	switch {
	case scale <= 0:
		ip = append(all, make([]byte, -scale)...)
		for i := len(all); i < len(ip); i++ {
			ip[i] = '0'
		}
	case scale >= len(all):
		fp = make([]byte, scale-len(all), scale)
		for i := range fp {
			fp[i] = '0'
		}
		fp = append(fp, all...)
	default:
		ip, fp = all[:len(all)-scale], all[len(all)-scale:]
	}
	for len(ip) > 0 && ip[0] == '0' {
		ip = ip[1:]
	}
	if len(ip) == 0 {
		ip = []byte{'0'}
	}
	if len(ip) > maxNumberDigits || len(fp) > maxNumberDigits {
		return nil, p.fail("number out of range")
	}
	zero := true
	for _, c := range all {
		if c != '0' {
			zero = false
			break
		}
	}
	if neg && !zero {
		out = append(out, '-')
	}
	out = append(out, ip...)
	if len(fp) > 0 {
		out = append(out, '.')
		out = append(out, fp...)
	}
	return out, nil
}

const hexDigits = "0123456789abcdef"

func appendJSONString(out []byte, s string) []byte {
	out = append(out, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			out = append(out, '\\', c)
		case c == '\b':
			out = append(out, '\\', 'b')
		case c == '\f':
			out = append(out, '\\', 'f')
		case c == '\n':
			out = append(out, '\\', 'n')
		case c == '\r':
			out = append(out, '\\', 'r')
		case c == '\t':
			out = append(out, '\\', 't')
		case c < 0x20:
			out = append(out, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		default:
			out = append(out, c)
		}
	}
	return append(out, '"')
}

// hashDomain starts every event encoding (see the package documentation).
const hashDomain = "casetrail/event/v1"

// zeroHash is the prevHash of the first event of every stream.
var zeroHash = strings.Repeat("0", 64)

// formatTime renders t the way it is hashed.
func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// eventHash computes the hash of e, which must hold canonical data and
// microsecond UTC times, on top of prevHash (hex).
func eventHash(prevHash string, e *RecordedEvent) (string, error) {
	prev, err := hex.DecodeString(prevHash)
	if err != nil || len(prev) != sha256.Size {
		return "", fmt.Errorf("bad previous hash %q", prevHash)
	}
	h := sha256.New()
	h.Write(prev)
	var buf []byte
	lp := func(s string) {
		buf = binary.BigEndian.AppendUint32(buf[:0], uint32(len(s)))
		buf = append(buf, s...)
		h.Write(buf)
	}
	u64 := func(n uint64) {
		buf = binary.BigEndian.AppendUint64(buf[:0], n)
		h.Write(buf)
	}
	lp(hashDomain)
	lp(e.ID)
	lp(e.Stream)
	u64(uint64(e.Version))
	lp(e.Type)
	u64(uint64(e.SchemaVersion))
	lp(formatTime(e.OccurredAt))
	lp(formatTime(e.RecordedAt))
	buf = binary.BigEndian.AppendUint32(buf[:0], uint32(len(e.Data)))
	h.Write(buf)
	h.Write(e.Data)
	lp(e.Metadata.Actor)
	lp(e.Metadata.CorrelationID)
	lp(e.Metadata.CausationID)
	lp(e.Metadata.Reason)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// decodeMetadata decodes stored metadata: an object whose known members are
// strings. It does what json.Unmarshal into Metadata does (unknown members
// are skipped, null leaves a field empty, names match regardless of case)
// for a fraction of the cost, which counts when a whole log is read; unlike
// json.Unmarshal it refuses invalid UTF-8, which PostgreSQL never returns.
func decodeMetadata(src []byte) (Metadata, error) {
	var m Metadata
	p := jsonParser{src: src}
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '{' {
		return m, p.fail("metadata is not an object")
	}
	p.pos++
	for first := true; ; first = false {
		p.skipSpace()
		if p.pos < len(p.src) && p.src[p.pos] == '}' && first {
			p.pos++
			break
		}
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return m, p.fail("expected a member name")
		}
		key, err := p.str()
		if err != nil {
			return m, err
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return m, p.fail("expected ':'")
		}
		p.pos++
		p.skipSpace()
		var field *string
		switch { // encoding/json also matches names regardless of case
		case strings.EqualFold(key, "actor"):
			field = &m.Actor
		case strings.EqualFold(key, "correlationId"):
			field = &m.CorrelationID
		case strings.EqualFold(key, "causationId"):
			field = &m.CausationID
		case strings.EqualFold(key, "reason"):
			field = &m.Reason
		}
		switch {
		case field != nil && p.pos < len(p.src) && p.src[p.pos] == '"':
			if *field, err = p.str(); err != nil {
				return m, err
			}
		case field != nil && !bytes.HasPrefix(p.src[p.pos:], []byte("null")):
			return m, p.fail("metadata member " + key + " is not a string")
		default:
			if _, err := p.value(nil, 0); err != nil {
				return m, err
			}
		}
		p.skipSpace()
		if p.pos >= len(p.src) {
			return m, p.fail("unterminated object")
		}
		if c := p.src[p.pos]; c == '}' {
			p.pos++
			break
		} else if c != ',' {
			return m, p.fail("expected ',' or '}'")
		}
		p.pos++
	}
	p.skipSpace()
	if p.pos != len(p.src) {
		return m, p.fail("unexpected data after the value")
	}
	return m, nil
}

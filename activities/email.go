package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"go.temporal.io/sdk/temporal"
)

// ChannelEmail is the Channel of Email.
const ChannelEmail = "email"

// SMTP transport security (SMTPConfig.TLS).
const (
	// SMTPStartTLS upgrades the connection with STARTTLS and refuses a
	// server without it (the default on port 587).
	SMTPStartTLS = "starttls"
	// SMTPImplicitTLS speaks TLS from the start (smtps://, port 465).
	SMTPImplicitTLS = "tls"
	// SMTPOpportunistic uses STARTTLS when the server offers it (the
	// default of smtp:// on other ports than 587).
	SMTPOpportunistic = "opportunistic"
	// SMTPNoTLS never encrypts (a relay on the same host).
	SMTPNoTLS = "none"
)

// SMTPConfig is how to reach the mail server.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	// From is the sender: an address, with a display name or not
	// ("CaseTrail <noreply@example.gov.vn>").
	From string
	// TLS is SMTPStartTLS, SMTPImplicitTLS, SMTPOpportunistic or SMTPNoTLS.
	TLS string
	// Auth is the SMTP AUTH mechanism ("plain", "login", "cram-md5",
	// "scram-sha-256", …); "" with a user name discovers the best the
	// server offers, without one there is no AUTH.
	Auth string
	// Timeout bounds the connection and each command (30 s when zero).
	Timeout time.Duration
}

// ParseSMTPURL reads CASETRAIL_SMTP_URL:
//
//	smtp://user:pass@host:587?from=noreply@example.gov.vn
//	smtps://user:pass@host?from=CaseTrail%20%3Cnoreply@example.gov.vn%3E
//
// smtp:// defaults to port 587 with STARTTLS required; smtp:// on another
// port uses STARTTLS when the server offers it; smtps:// is TLS from the
// start (port 465). Query parameters: from (the sender, else from),
// tls=starttls|tls|opportunistic|none, auth (an SMTP AUTH mechanism),
// timeout (a Go duration). The user name and password are URL-encoded.
func ParseSMTPURL(raw, from string) (SMTPConfig, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return SMTPConfig{}, fmt.Errorf("SMTP URL: %w", redactURLError(err))
	}
	var c SMTPConfig
	switch u.Scheme {
	case "smtp":
		c.Port, c.TLS = 587, SMTPStartTLS
	case "smtps":
		c.Port, c.TLS = 465, SMTPImplicitTLS
	default:
		return SMTPConfig{}, fmt.Errorf("SMTP URL: scheme %q, want smtp:// or smtps://", u.Scheme)
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return SMTPConfig{}, errors.New("SMTP URL: no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPConfig{}, fmt.Errorf("SMTP URL: port %q", p)
		}
		c.Port = n
		if u.Scheme == "smtp" && n != 587 {
			c.TLS = SMTPOpportunistic
		}
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	q := u.Query()
	c.From = from
	if f := q.Get("from"); f != "" {
		c.From = f
	}
	if t := q.Get("tls"); t != "" {
		c.TLS = strings.ToLower(t)
	}
	c.Auth = strings.ToLower(q.Get("auth"))
	if t := q.Get("timeout"); t != "" {
		d, err := time.ParseDuration(t)
		if err != nil || d <= 0 {
			return SMTPConfig{}, fmt.Errorf("SMTP URL: timeout %q is not a positive Go duration", t)
		}
		c.Timeout = d
	}
	for k := range q {
		switch k {
		case "from", "tls", "auth", "timeout":
		default:
			return SMTPConfig{}, fmt.Errorf("SMTP URL: unknown parameter %q (from, tls, auth, timeout)", k)
		}
	}
	return c, c.Validate()
}

// redactURLError drops the URL (and so the password) from a parse error.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Validate reports a configuration that cannot send.
func (c SMTPConfig) Validate() error {
	var errs []error
	if c.Host == "" || c.Port < 1 {
		errs = append(errs, errors.New("SMTP: no host or port"))
	}
	if c.From == "" {
		errs = append(errs, errors.New("SMTP: no sender address (from= in CASETRAIL_SMTP_URL, or CASETRAIL_SMTP_FROM)"))
	} else if _, err := mail.ParseAddress(c.From); err != nil {
		errs = append(errs, fmt.Errorf("SMTP: sender %q: %v", c.From, err))
	}
	switch c.TLS {
	case SMTPStartTLS, SMTPImplicitTLS, SMTPOpportunistic, SMTPNoTLS:
	default:
		errs = append(errs, fmt.Errorf("SMTP: tls=%q, want starttls, tls, opportunistic or none", c.TLS))
	}
	if c.Auth != "" {
		var t gomail.SMTPAuthType
		if err := t.UnmarshalString(c.Auth); err != nil {
			errs = append(errs, fmt.Errorf("SMTP: auth=%q: %v", c.Auth, err))
		}
	}
	return errors.Join(errs...)
}

// Email is the e-mail channel: one message per recipient with an address
// (so no one sees the others' addresses), multipart plain text and HTML,
// UTF-8 subject, sent over one SMTP connection per notification. A 5xx
// reply is final; anything else (no connection, 4xx) is retried by the
// activity. Recipients without an address are not reached.
type Email struct {
	cfg  SMTPConfig
	opts []gomail.Option
}

// NewEmail returns the e-mail channel for cfg.
func NewEmail(cfg SMTPConfig) (*Email, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(timeout)}
	switch cfg.TLS {
	case SMTPStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case SMTPImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case SMTPOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case SMTPNoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if cfg.Username != "" {
		auth := gomail.SMTPAuthAutoDiscover
		if cfg.Auth != "" {
			if err := auth.UnmarshalString(cfg.Auth); err != nil {
				return nil, err
			}
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	return &Email{cfg: cfg, opts: opts}, nil
}

// Channel names the channel: "email".
func (*Email) Channel() string { return ChannelEmail }

// Reaches reports whether r has an address.
func (*Email) Reaches(r Recipient) bool { return r.Email != "" }

// Send sends m to each of its recipients with an address, one message
// each. It returns *RecipientErrors naming those who did not get theirs.
func (e *Email) Send(ctx context.Context, m Message) error {
	var msgs []*gomail.Msg
	var to []Recipient
	for _, r := range m.Recipients {
		if r.Email == "" {
			continue
		}
		msg, err := e.message(m, r)
		if err != nil {
			// A bad address will not heal.
			return &RecipientErrors{Errors: map[string]error{r.Subject: temporal.NewNonRetryableApplicationError(err.Error(), "EMAIL_INVALID", err)}}
		}
		msgs, to = append(msgs, msg), append(to, r)
	}
	if len(msgs) == 0 {
		return nil
	}
	client, err := gomail.NewClient(e.cfg.Host, e.opts...)
	if err != nil {
		return temporal.NewNonRetryableApplicationError("smtp client: "+err.Error(), "SMTP_CONFIG", err)
	}
	sendErr := client.DialAndSendWithContext(ctx, msgs...)
	failed := map[string]error{}
	for i, msg := range msgs {
		if msg.IsDelivered() {
			continue
		}
		err := msg.SendError()
		if err == nil {
			err = sendErr // no connection: no message was tried
		}
		if err == nil {
			err = errors.New("not delivered")
		}
		failed[to[i].Subject] = smtpError(err)
	}
	if len(failed) > 0 {
		return &RecipientErrors{Errors: failed}
	}
	return nil
}

// message builds the e-mail of m for r.
func (e *Email) message(m Message, r Recipient) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	if err := msg.From(e.cfg.From); err != nil {
		return nil, fmt.Errorf("sender %q: %w", e.cfg.From, err)
	}
	if err := msg.AddToFormat(r.Name, r.Email); err != nil {
		return nil, fmt.Errorf("address of %s: %w", r.Subject, err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageIDWithValue(messageID(m.Key, r.Subject, e.cfg.From))
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(gomail.Header("X-CaseTrail-Notification"), m.Key)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// messageID is the Message-ID of the notification key's e-mail to subject:
// the same on every retry, so a receiving system can drop a repeat.
func messageID(key, subject, from string) string {
	sum := sha256.Sum256([]byte(key + "\x00" + subject))
	domain := "casetrail.invalid"
	if a, err := mail.ParseAddress(from); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok && d != "" {
			domain = d
		}
	}
	return hex.EncodeToString(sum[:16]) + "@" + domain
}

// smtpError makes err non-retryable when the server refused for good (a
// 5xx reply); anything else stays retryable.
func smtpError(err error) error {
	if code := smtpCode(err); code >= 500 && code < 600 {
		return temporal.NewNonRetryableApplicationError(err.Error(), "SMTP_REFUSED", err)
	}
	return err
}

// smtpCode is the SMTP reply code of err (0 without one).
func smtpCode(err error) int {
	var se *gomail.SendError
	if errors.As(err, &se) && se.ErrorCode() != 0 {
		return se.ErrorCode()
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

// String describes the channel for the log: the server, its security and
// the sender, never the password.
func (e *Email) String() string {
	user := ""
	if e.cfg.Username != "" {
		user = e.cfg.Username + "@"
	}
	return fmt.Sprintf("smtp %s%s:%d tls=%s from=%s", user, e.cfg.Host, e.cfg.Port, e.cfg.TLS, e.cfg.From)
}

package activities_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	smtp "github.com/emersion/go-smtp"
)

// sink is an SMTP server in the test process that keeps every message it
// accepts. It can refuse recipients for good (550) or for now (451), and go
// down (its listener closed: connection refused) and come back on the same
// address.
type sink struct {
	t    *testing.T
	addr string

	mu       sync.Mutex
	srv      *smtp.Server
	l        net.Listener
	mails    []sunkMail
	refuse   map[string]int // recipient address -> reply code
	sessions int
}

// sunkMail is one message as the sink received it, decoded.
type sunkMail struct {
	From    string
	To      []string // envelope recipients
	Header  mail.Header
	Subject string // decoded
	Text    string // the text/plain part, decoded
	HTML    string // the text/html part, decoded
	Raw     []byte
}

func newSink(t *testing.T) *sink {
	t.Helper()
	s := &sink{t: t, refuse: map[string]int{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	s.serve(l)
	t.Cleanup(func() { s.down() })
	return s
}

func (s *sink) serve(l net.Listener) {
	srv := smtp.NewServer(s)
	srv.Domain = "sink.test"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.mu.Lock()
	s.srv, s.l = srv, l
	s.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
}

// url is the CASETRAIL_SMTP_URL of the sink (plain SMTP: it has no TLS).
func (s *sink) url() string {
	return "smtp://" + s.addr + "?from=CaseTrail%20%3Cnoreply@tanuyen.laichau.gov.vn%3E"
}

// down closes the listener: connections are refused until up.
func (s *sink) down() {
	s.mu.Lock()
	srv, l := s.srv, s.l
	s.srv, s.l = nil, nil
	s.mu.Unlock()
	if l != nil {
		_ = l.Close() // Serve may not have registered it yet
	}
	if srv != nil {
		_ = srv.Close()
	}
}

// up listens again on the same address.
func (s *sink) up() {
	s.t.Helper()
	var l net.Listener
	var err error
	for range 50 { // the port may take a moment to be free again
		if l, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatal(err)
	}
	s.serve(l)
}

// refuseRcpt makes the sink answer RCPT TO:<addr> with code (550: for
// good, 451: for now); 0 accepts again.
func (s *sink) refuseRcpt(addr string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		delete(s.refuse, addr)
		return
	}
	s.refuse[addr] = code
}

// received returns the messages accepted so far.
func (s *sink) received() []sunkMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sunkMail(nil), s.mails...)
}

// to returns the messages whose envelope goes to addr.
func (s *sink) to(addr string) []sunkMail {
	var out []sunkMail
	for _, m := range s.received() {
		for _, r := range m.To {
			if r == addr {
				out = append(out, m)
			}
		}
	}
	return out
}

// NewSession implements smtp.Backend.
func (s *sink) NewSession(*smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	s.sessions++
	s.mu.Unlock()
	return &sinkSession{s: s}, nil
}

type sinkSession struct {
	s    *sink
	from string
	to   []string
}

func (x *sinkSession) Reset()        { x.from, x.to = "", nil }
func (x *sinkSession) Logout() error { return nil }
func (x *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	code := x.s.refuse[to]
	x.s.mu.Unlock()
	switch {
	case code >= 500:
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}
	case code >= 400:
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{4, 2, 0}, Message: "try again later"}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := sunkMail{From: x.from, To: append([]string(nil), x.to...), Raw: raw}
	if err := decodeMail(&m); err != nil {
		x.s.t.Errorf("undecodable mail: %v\n%s", err, raw)
	}
	x.s.mu.Lock()
	x.s.mails = append(x.s.mails, m)
	x.s.mu.Unlock()
	return nil
}

// decodeMail fills the header, subject and bodies of m from m.Raw.
func decodeMail(m *sunkMail) error {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		return err
	}
	m.Header = msg.Header
	dec := new(mime.WordDecoder)
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return err
	}
	return decodePart(m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
}

func decodePart(m *sunkMail, contentType, encoding string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := decodePart(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	if strings.EqualFold(encoding, "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	switch mt {
	case "text/plain":
		m.Text = string(b)
	case "text/html":
		m.HTML = string(b)
	}
	return nil
}

package activities_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"casetrail/activities"
	"casetrail/incident"
	"casetrail/workflows"
)

// The people of the notification tests: who they are and their addresses
// (leader2 has none).
var people = map[string]activities.Recipient{
	"handler1":  {Subject: "handler1", Name: "Nguyễn Văn An", Email: "an.nv@tanuyen.laichau.gov.vn"},
	"handler2":  {Subject: "handler2", Name: "Phạm Thu Hà", Email: "ha.pt@tanuyen.laichau.gov.vn"},
	"leader1":   {Subject: "leader1", Name: "Trần Thị Bình", Email: "binh.tt@tanuyen.laichau.gov.vn"},
	"leader2":   {Subject: "leader2", Name: "Hoàng Văn Dũng"},
	"reporter1": {Subject: "reporter1", Name: "Lò Văn Cường", Email: "cuong.lv@phuckhoa.laichau.gov.vn"},
	"leaderso":  {Subject: "leaderso", Name: "Vũ Minh Châu", Email: "chau.vm@svhttdl.laichau.gov.vn"},
}

// directory is People over the people above.
func directory(_ context.Context, subjects []string) ([]activities.Recipient, error) {
	out := make([]activities.Recipient, 0, len(subjects))
	for _, s := range subjects {
		if p, ok := people[s]; ok {
			out = append(out, p)
		} else {
			out = append(out, activities.Recipient{Subject: s})
		}
	}
	return out, nil
}

var notifyUnits = []incident.Unit{
	{ID: "lai-chau/so-vhttdl", Name: "Sở Văn hóa, Thể thao và Du lịch"},
	{ID: "lai-chau/tan-uyen", Name: "UBND huyện Tân Uyên"},
}

// countingNotifier counts the sends of the channel it wraps.
type countingNotifier struct {
	activities.Notifier
	sends int
}

func (c *countingNotifier) Send(ctx context.Context, m activities.Message) error {
	c.sends++
	return c.Notifier.Send(ctx, m)
}

func (c *countingNotifier) Reaches(r activities.Recipient) bool {
	return c.Notifier.(activities.Reacher).Reaches(r)
}

// mailActivities are Activities whose notifications go out by e-mail to
// the sink s (and to the log).
func mailActivities(t *testing.T, s *sink) (*activities.Activities, *countingNotifier) {
	t.Helper()
	cfg, err := activities.ParseSMTPURL(s.url(), "")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Timeout = 3 * time.Second
	email, err := activities.NewEmail(cfg)
	if err != nil {
		t.Fatal(err)
	}
	counted := &countingNotifier{Notifier: email}
	return &activities.Activities{
		Store:  store,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Leaders: func(_ context.Context, unit string) ([]string, error) {
			switch unit {
			case "lai-chau/tan-uyen":
				return []string{"leader1", "leader2"}, nil
			case "lai-chau/so-vhttdl":
				return []string{"leaderso"}, nil
			}
			return nil, nil
		},
		People:    directory,
		Units:     func(context.Context) ([]incident.Unit, error) { return notifyUnits, nil },
		BaseURL:   "https://casetrail.tanuyen.laichau.gov.vn/",
		Notifiers: []activities.Notifier{counted},
	}, counted
}

// at is 09:30 on 2 December 2026 in Vietnam.
var notifyAt = time.Date(2026, 12, 2, 2, 30, 0, 0, time.UTC)

// notice returns a notification about case caseID caused by event.
func notice(caseID, key, event string) activities.NotifyInput {
	return activities.NotifyInput{
		CaseID: caseID, Number: "VV-2026-000042", Title: "Trang giả mạo UBND huyện Tân Uyên", Unit: "lai-chau/tan-uyen",
		Event: event, Key: key, At: notifyAt, Actor: incident.SystemActor,
	}
}

// The four notifications the issue names.
func reminderNotice(caseID string) activities.NotifyInput {
	n := notice(caseID, caseID+"/reminder", workflows.NotifyReminder)
	n.DeadlineKind, n.Fraction, n.DueAt, n.Recipients = incident.DeadlineTriage, 0.5, notifyAt.Add(2*time.Hour+15*time.Minute), []string{"handler1"}
	n.Message = "Hồ sơ VV-2026-000042: đã dùng 50% thời hạn TRIAGE"
	return n
}

func missedNotice(caseID string) activities.NotifyInput {
	n := notice(caseID, caseID+"/missed", workflows.NotifyMissed)
	n.DeadlineKind, n.DueAt, n.Recipients, n.NotifyLeaders = incident.DeadlineTriage, notifyAt.Add(-time.Hour), []string{"handler1"}, true
	return n
}

func approvalNotice(caseID string) activities.NotifyInput {
	n := notice(caseID, caseID+"/approval", workflows.NotifyEscalation)
	n.NotifyLeaders, n.Actor, n.To, n.Reason = true, "handler1", "lai-chau/so-vhttdl", "Nền tảng không phản hồi sau 24 giờ"
	return n
}

func resolvedNotice(caseID string) activities.NotifyInput {
	n := notice(caseID, caseID+"/resolved", workflows.NotifyResolved)
	n.Recipients, n.Actor, n.Reason = []string{"reporter1"}, "handler1", "Trang giả mạo đã bị gỡ bỏ"
	return n
}

// TestNotifyByEmail: a reminder, a miss, an approval request and a
// resolution each arrive once, one e-mail per recipient with an address,
// in Vietnamese (UTF-8 subject, plain text and HTML, times in +07:00, the
// case's link); sending them again (a retried activity) sends nothing.
func TestNotifyByEmail(t *testing.T) {
	ctx := context.Background()
	s := newSink(t)
	a, counted := mailActivities(t, s)
	caseID := uuid.NewString()
	link := "https://casetrail.tanuyen.laichau.gov.vn/cases/" + caseID

	type want struct {
		in         activities.NotifyInput
		recipients []string // told
		mailed     []string // by e-mail
		subject    []string
		text       []string
	}
	wants := []want{
		{reminderNotice(caseID), []string{"handler1"}, []string{"handler1"},
			[]string{"Nhắc hạn", "Hạn phân loại", "VV-2026-000042", "còn 2 giờ 15 phút"},
			[]string{"đã dùng 50% thời gian", "Hạn chót: 11:45 02/12/2026", "UBND huyện Tân Uyên"}},
		{missedNotice(caseID), []string{"handler1", "leader1", "leader2"}, []string{"handler1", "leader1"},
			[]string{"Quá hạn", "Hạn phân loại", "VV-2026-000042"},
			[]string{"đã quá hạn", "hạn chót 08:30 02/12/2026"}},
		{approvalNotice(caseID), []string{"leader1", "leader2"}, []string{"leader1"},
			[]string{"Chờ lãnh đạo duyệt", "VV-2026-000042"},
			[]string{"Nguyễn Văn An đề nghị chuyển vụ việc VV-2026-000042 lên Sở Văn hóa, Thể thao và Du lịch", "Lý do: Nền tảng không phản hồi sau 24 giờ", "Duyệt hoặc Không duyệt"}},
		{resolvedNotice(caseID), []string{"reporter1"}, []string{"reporter1"},
			[]string{"Phản ánh của bạn đã được giải quyết", "VV-2026-000042"},
			[]string{"đã được giải quyết", "Kết quả: Trang giả mạo đã bị gỡ bỏ"}},
	}
	for _, w := range wants {
		before := len(s.received())
		res, err := a.Notify(ctx, w.in)
		if err != nil {
			t.Fatalf("%s: %v", w.in.Event, err)
		}
		if res.Key != w.in.Key || res.Event != w.in.Event || !slices.Equal(res.Recipients, w.recipients) || res.Subject == "" {
			t.Errorf("%s: result %+v, want recipients %v", w.in.Event, res, w.recipients)
		}
		if len(res.Channels) != 2 || res.Channels[0].Channel != "log" || !res.Channels[0].OK || res.Channels[0].To != nil ||
			res.Channels[1].Channel != "email" || !res.Channels[1].OK || !slices.Equal(res.Channels[1].To, w.mailed) {
			t.Errorf("%s: channels %+v, want log and e-mail to %v", w.in.Event, res.Channels, w.mailed)
		}
		got := s.received()[before:]
		if len(got) != len(w.mailed) {
			t.Fatalf("%s: %d e-mails, want %d", w.in.Event, len(got), len(w.mailed))
		}
		for _, subject := range w.mailed {
			addr := people[subject].Email
			ms := s.to(addr)
			var m sunkMail
			for _, x := range ms {
				if strings.Contains(x.Subject, w.subject[0]) {
					m = x
				}
			}
			if m.Raw == nil {
				t.Errorf("%s: no e-mail to %s", w.in.Event, addr)
				continue
			}
			// One recipient per message: nobody sees the others' addresses.
			if len(m.To) != 1 || !strings.Contains(m.Header.Get("To"), addr) || strings.Contains(m.Header.Get("To"), ",") || m.Header.Get("Cc") != "" {
				t.Errorf("%s: envelope %v, To %q", w.in.Event, m.To, m.Header.Get("To"))
			}
			if m.From != "noreply@tanuyen.laichau.gov.vn" || !strings.Contains(m.Header.Get("From"), "CaseTrail") {
				t.Errorf("%s: from %q / %q", w.in.Event, m.From, m.Header.Get("From"))
			}
			if raw := m.Header.Get("Subject"); !strings.HasPrefix(strings.ToUpper(raw), "=?UTF-8?") {
				t.Errorf("%s: subject header %q is not UTF-8 encoded", w.in.Event, raw)
			}
			if ct := m.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
				t.Errorf("%s: content type %q", w.in.Event, ct)
			}
			for _, s := range w.subject {
				if !strings.Contains(m.Subject, s) {
					t.Errorf("%s: subject %q lacks %q", w.in.Event, m.Subject, s)
				}
			}
			for _, s := range append(w.text, "VV-2026-000042 — Trang giả mạo UBND huyện Tân Uyên", "Xem vụ việc: "+link, "lúc 09:30 02/12/2026") {
				if !strings.Contains(m.Text, s) {
					t.Errorf("%s: text lacks %q:\n%s", w.in.Event, s, m.Text)
				}
			}
			if !strings.Contains(m.HTML, `<a href="`+link+`">Xem vụ việc</a>`) || !strings.Contains(m.HTML, `lang="vi"`) ||
				!strings.Contains(m.HTML, "VV-2026-000042") {
				t.Errorf("%s: HTML\n%s", w.in.Event, m.HTML)
			}
			if m.Header.Get("Message-Id") == "" || m.Header.Get("Auto-Submitted") != "auto-generated" {
				t.Errorf("%s: headers %v", w.in.Event, m.Header)
			}
		}
	}
	// The HTML escapes what people typed.
	evil := resolvedNotice(caseID)
	evil.Key, evil.Reason = caseID+"/evil", `<script>alert(1)</script>`
	if _, err := a.Notify(ctx, evil); err != nil {
		t.Fatal(err)
	}
	last := s.received()[len(s.received())-1]
	if strings.Contains(last.HTML, "<script>") || !strings.Contains(last.HTML, "&lt;script&gt;") {
		t.Errorf("HTML not escaped:\n%s", last.HTML)
	}

	// A retried activity (the same keys) sends nothing again.
	total, sends := len(s.received()), counted.sends
	for _, w := range wants {
		res, err := a.Notify(ctx, w.in)
		if err != nil || len(res.Channels) != 2 || !res.Channels[1].OK {
			t.Errorf("%s again: %+v %v", w.in.Event, res, err)
		}
	}
	if len(s.received()) != total || counted.sends != sends {
		t.Errorf("a repeat sent %d more e-mails (%d more sends)", len(s.received())-total, counted.sends-sends)
	}
}

// TestNotifyEmailRefusals: a recipient the server refuses for good (550)
// is reported failed without a retry; one refused for now (451) makes the
// activity retry, and the retry sends only to them.
func TestNotifyEmailRefusals(t *testing.T) {
	ctx := context.Background()
	s := newSink(t)
	a, _ := mailActivities(t, s)
	caseID := uuid.NewString()
	leader1 := people["leader1"].Email
	handler1 := people["handler1"].Email

	s.refuseRcpt(leader1, 550)
	in := missedNotice(caseID)
	res, err := a.Notify(ctx, in)
	if err != nil {
		t.Fatalf("a permanent refusal must not be retried: %v", err)
	}
	mail := res.Channels[1]
	if mail.OK || !slices.Equal(mail.Failed, []string{"leader1"}) || !strings.Contains(mail.Error, "550") {
		t.Errorf("e-mail channel %+v", mail)
	}
	if len(s.to(handler1)) != 1 || len(s.to(leader1)) != 0 {
		t.Errorf("delivered to handler1 %d, leader1 %d", len(s.to(handler1)), len(s.to(leader1)))
	}

	s.refuseRcpt(leader1, 451)
	in.Key = caseID + "/missed-again"
	res, err = a.Notify(ctx, in)
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.NonRetryable() || app.Type() != workflows.ErrTypeNotifyFailed {
		t.Fatalf("a temporary refusal must be retried: %v", err)
	}
	var details workflows.NotifyResult
	if err := app.Details(&details); err != nil || details.Key != in.Key || len(details.Channels) != 2 ||
		!details.Channels[0].OK || details.Channels[1].OK || !slices.Equal(details.Channels[1].Failed, []string{"leader1"}) {
		t.Errorf("details %+v (%v), result %+v", details, err, res)
	}
	if len(s.to(handler1)) != 2 {
		t.Errorf("handler1 got %d e-mails, want 2", len(s.to(handler1)))
	}
	s.refuseRcpt(leader1, 0)
	res, err = a.Notify(ctx, in) // the retry
	if err != nil || !res.Channels[1].OK {
		t.Fatalf("retry: %+v %v", res, err)
	}
	if len(s.to(handler1)) != 2 || len(s.to(leader1)) != 1 {
		t.Errorf("after the retry: handler1 %d e-mails (want 2), leader1 %d (want 1)", len(s.to(handler1)), len(s.to(leader1)))
	}
}

// TestNotifyEmailOutage: with the mail server down the activity fails
// retryably (the log has delivered and is not written again), and once it
// is back the retry delivers each e-mail once.
func TestNotifyEmailOutage(t *testing.T) {
	ctx := context.Background()
	s := newSink(t)
	a, counted := mailActivities(t, s)
	caseID := uuid.NewString()
	in := approvalNotice(caseID)
	s.down()
	for range 2 {
		_, err := a.Notify(ctx, in)
		var app *temporal.ApplicationError
		if !errors.As(err, &app) || app.NonRetryable() {
			t.Fatalf("an outage must be retried: %v", err)
		}
		var details workflows.NotifyResult
		if err := app.Details(&details); err != nil || details.Channels[1].OK || details.Channels[1].Error == "" || !details.Channels[0].OK {
			t.Errorf("details %+v %v", details, err)
		}
	}
	if counted.sends != 2 {
		t.Errorf("%d sends, want 2", counted.sends)
	}
	s.up()
	res, err := a.Notify(ctx, in)
	if err != nil || !res.Channels[1].OK {
		t.Fatalf("after the outage: %+v %v", res, err)
	}
	if got := s.to(people["leader1"].Email); len(got) != 1 {
		t.Errorf("leader1 got %d e-mails", len(got))
	}
	if len(s.received()) != 1 {
		t.Errorf("%d e-mails in all, want 1", len(s.received()))
	}
}

// TestNotifyWithoutAddresses: without People and without SMTP the log is
// the notification, as before.
func TestNotifyWithoutAddresses(t *testing.T) {
	var logs strings.Builder
	a := &activities.Activities{Store: store, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	in := reminderNotice(uuid.NewString())
	res, err := a.Notify(context.Background(), in)
	if err != nil || len(res.Channels) != 1 || res.Channels[0].Channel != "log" || !res.Channels[0].OK {
		t.Fatalf("%+v %v", res, err)
	}
	if !strings.Contains(logs.String(), `"subject":"[CaseTrail] Nhắc hạn: Hạn phân loại vụ việc VV-2026-000042 (còn 2 giờ 15 phút)"`) ||
		!strings.Contains(logs.String(), `"recipients":["handler1"]`) {
		t.Errorf("log %s", logs.String())
	}
}

func TestParseSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		url, from string
		want      activities.SMTPConfig
		err       string
	}{
		{url: "smtp://mailer:p%40ss@mail.example.gov.vn:587?from=noreply@example.gov.vn",
			want: activities.SMTPConfig{Host: "mail.example.gov.vn", Port: 587, Username: "mailer", Password: "p@ss", From: "noreply@example.gov.vn", TLS: activities.SMTPStartTLS}},
		{url: "smtp://mail.example.gov.vn", from: "CaseTrail <noreply@example.gov.vn>",
			want: activities.SMTPConfig{Host: "mail.example.gov.vn", Port: 587, From: "CaseTrail <noreply@example.gov.vn>", TLS: activities.SMTPStartTLS}},
		{url: "smtp://relay.local:25?from=a@b.vn",
			want: activities.SMTPConfig{Host: "relay.local", Port: 25, From: "a@b.vn", TLS: activities.SMTPOpportunistic}},
		{url: "smtps://u:p@mail.example.gov.vn?from=a@b.vn&auth=login&timeout=10s",
			want: activities.SMTPConfig{Host: "mail.example.gov.vn", Port: 465, Username: "u", Password: "p", From: "a@b.vn", TLS: activities.SMTPImplicitTLS, Auth: "login", Timeout: 10 * time.Second}},
		{url: "smtp://relay.local:2525?from=a@b.vn&tls=none",
			want: activities.SMTPConfig{Host: "relay.local", Port: 2525, From: "a@b.vn", TLS: activities.SMTPNoTLS}},
		{url: "smtp://mail.example.gov.vn", err: "no sender"},
		{url: "http://mail.example.gov.vn?from=a@b.vn", err: "scheme"},
		{url: "smtp://mail.example.gov.vn?from=a@b.vn&tls=maybe", err: "tls="},
		{url: "smtp://mail.example.gov.vn?from=a@b.vn&pasword=x", err: "unknown parameter"},
		{url: "smtp://mail.example.gov.vn:99999?from=a@b.vn", err: "port"},
		{url: "smtp://mail.example.gov.vn?from=not-an-address", err: "sender"},
	} {
		got, err := activities.ParseSMTPURL(tc.url, tc.from)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.url, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s:\n got %+v %v\nwant %+v", tc.url, got, err, tc.want)
		}
	}
	// A password never shows in an error.
	if _, err := activities.ParseSMTPURL("smtp://u:secret-pass@mail example:25", ""); err == nil || strings.Contains(err.Error(), "secret-pass") {
		t.Errorf("error %v", err)
	}
}

// TestEmailStartTLSRequired: on port 587 (the default) a server without
// STARTTLS is not written to in clear; the failure is retried.
func TestEmailStartTLSRequired(t *testing.T) {
	s := newSink(t)
	cfg, err := activities.ParseSMTPURL("smtp://"+s.addr+"?from=a@b.vn&tls=starttls", "")
	if err != nil {
		t.Fatal(err)
	}
	e, err := activities.NewEmail(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = e.Send(context.Background(), activities.Message{Key: "k", Subject: "Thử", Text: "Thử",
		Recipients: []activities.Recipient{people["handler1"]}})
	var re *activities.RecipientErrors
	if !errors.As(err, &re) || re.Permanent() || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("error %v", err)
	}
	if len(s.received()) != 0 {
		t.Error("sent in clear")
	}
}

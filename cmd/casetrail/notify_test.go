package main

import (
	"strings"
	"testing"
)

// TestNotifyConfig: CASETRAIL_BASE_URL and CASETRAIL_SMTP_URL are checked
// at start; a bad value is refused without showing the password.
func TestNotifyConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		base string
		mail bool
		err  string
	}{
		{cfg: Config{}, base: "", mail: false},
		{cfg: Config{BaseURL: "https://casetrail.tanuyen.laichau.gov.vn/"}, base: "https://casetrail.tanuyen.laichau.gov.vn"},
		{cfg: Config{BaseURL: "casetrail.example"}, err: "CASETRAIL_BASE_URL"},
		{cfg: Config{BaseURL: "ftp://x"}, err: "CASETRAIL_BASE_URL"},
		{cfg: Config{SMTPURL: "smtp://mailer:s3cret@mail.example.gov.vn:587", SMTPFrom: "noreply@example.gov.vn"}, mail: true},
		{cfg: Config{SMTPURL: "smtps://mail.example.gov.vn?from=noreply@example.gov.vn"}, mail: true},
		{cfg: Config{SMTPURL: "smtp://mailer:s3cret@mail.example.gov.vn:587"}, err: "no sender"},
		{cfg: Config{SMTPURL: "smtp://mailer:s3cret@mail.example.gov.vn:587?from=x&tls=sometimes"}, err: "CASETRAIL_SMTP_URL"},
		{cfg: Config{SMTPFrom: "noreply@example.gov.vn"}, err: "CASETRAIL_SMTP_URL is not"},
	} {
		err := tc.cfg.checkNotify()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("%+v: error %v, want %q", tc.cfg, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%+v: %v", tc.cfg, err)
			continue
		}
		base, _ := tc.cfg.baseURL()
		mail, _ := tc.cfg.emailNotifier()
		if base != tc.base || (mail != nil) != tc.mail {
			t.Errorf("%+v: base %q mail %v", tc.cfg, base, mail)
		}
		if mail != nil && strings.Contains(mail.String(), "s3cret") {
			t.Errorf("the log line shows the password: %s", mail)
		}
	}
}

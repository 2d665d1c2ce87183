package main

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"casetrail/activities"
)

// Notifications by e-mail (issue 18): CASETRAIL_SMTP_URL names the mail
// server (activities.ParseSMTPURL), CASETRAIL_SMTP_FROM the sender when
// the URL has no from parameter, CASETRAIL_BASE_URL the web interface the
// messages link to. Without SMTP, notifications go to the log, the
// webhook and the inbox as before.

// baseURL returns CASETRAIL_BASE_URL without a trailing slash ("" when
// unset); anything but an absolute http(s) URL is refused.
func (c Config) baseURL() (string, error) {
	s := strings.TrimRight(strings.TrimSpace(c.BaseURL), "/")
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("CASETRAIL_BASE_URL %q is not the address of the web interface (https://host[/path])", c.BaseURL)
	}
	return s, nil
}

// emailNotifier returns the e-mail channel CASETRAIL_SMTP_URL configures
// (nil without one).
func (c Config) emailNotifier() (*activities.Email, error) {
	if strings.TrimSpace(c.SMTPURL) == "" {
		if c.SMTPFrom != "" {
			return nil, errors.New("CASETRAIL_SMTP_FROM is set but CASETRAIL_SMTP_URL is not: no e-mail would be sent")
		}
		return nil, nil
	}
	cfg, err := activities.ParseSMTPURL(c.SMTPURL, c.SMTPFrom)
	if err != nil {
		return nil, fmt.Errorf("CASETRAIL_SMTP_URL: %w", err)
	}
	return activities.NewEmail(cfg)
}

// checkNotify refuses a bad notification configuration before anything starts.
func (c Config) checkNotify() error {
	if _, err := c.baseURL(); err != nil {
		return err
	}
	_, err := c.emailNotifier()
	return err
}

// notifyChannels gives acts the link base and, with CASETRAIL_SMTP_URL,
// the e-mail channel.
func (a *app) notifyChannels(acts *activities.Activities) error {
	base, err := a.cfg.baseURL()
	if err != nil {
		return err
	}
	acts.BaseURL = base
	email, err := a.cfg.emailNotifier()
	if err != nil {
		return err
	}
	if email == nil {
		a.log.Info("notifications: no CASETRAIL_SMTP_URL, so no e-mail (log, webhook and inbox only)")
		return nil
	}
	acts.Notifiers = append(acts.Notifiers, email)
	a.log.Info("notifications by e-mail", "smtp", email.String())
	return nil
}

package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"casetrail/inbox"
)

// Thông báo (issue 18): the in-app notifications the inbox channel stores
// (package inbox), each user's own. The header of every page shows the
// unread count; /notifications lists them, newest first, inbox.PageSize a
// page; opening one (/notifications/{id}/open) marks it read and goes to
// its case; "Đánh dấu tất cả đã đọc" marks every one read. Every read and
// write names the logged-in user: another person's notification is not
// found.

// maxUnread is the largest unread count the header shows ("99+" beyond).
const maxUnread = 99

// maxNoteText is how much of a notification's text the list shows.
const maxNoteText = 400

// countUnread sets the header's unread count of u's page.
func (h *Handler) countUnread(ctx context.Context, u *User, pg *page) {
	if h.o.Inbox == nil {
		return
	}
	pg.Inbox = true
	n, err := h.o.Inbox.Unread(ctx, u.Username, maxUnread+1)
	if err != nil {
		h.log.Error("unread notifications", "user", u.Username, "err", err)
		return
	}
	pg.Unread = n
}

// UnreadText is the header's unread count: "99+" beyond maxUnread.
func (p *page) UnreadText() string {
	if p.Unread > maxUnread {
		return strconv.Itoa(maxUnread) + "+"
	}
	return strconv.Itoa(p.Unread)
}

// noteRow is a notification of the list, in words.
type noteRow struct {
	ID               int64
	Headline, Number string
	Title, Text      string
	When             string
	Read             bool
	OpenURL          string
}

// notesData is the list's own data.
type notesData struct {
	Rows  []noteRow
	Count string
	// Unread is the number of unread ones (the mark-all form shows when
	// there are any).
	Unread           int
	PrevURL, NextURL string
	PageText         string
}

// notificationsShow is Thông báo: GET /notifications[?page=N].
func (h *Handler) notificationsShow(w http.ResponseWriter, r *http.Request, u *User) {
	if h.o.Inbox == nil {
		h.notFound(w, r)
		return
	}
	pg := h.frame(r, u, "notifications", "notify.title")
	p := pg.P
	pageNo := max(1, atoiOr(r.URL.Query().Get("page"), 1))
	list, total, err := h.o.Inbox.List(r.Context(), u.Username, pageNo)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := notesData{Count: p.T("notify.count", p.Number(total)), Unread: pg.Unread}
	for _, n := range list {
		text := n.Text
		if utf8.RuneCountInString(text) > maxNoteText {
			text = string([]rune(text)[:maxNoteText-1]) + "…"
		}
		d.Rows = append(d.Rows, noteRow{ID: n.ID, Headline: n.Headline, Number: n.Number, Title: n.Title, Text: text,
			When: p.Time(n.At), Read: n.Read(), OpenURL: "/notifications/" + strconv.FormatInt(n.ID, 10) + "/open"})
	}
	pages := (total + inbox.PageSize - 1) / inbox.PageSize
	if pageNo > 1 {
		d.PrevURL = "/notifications?page=" + strconv.Itoa(pageNo-1)
	}
	if pageNo < pages {
		d.NextURL = "/notifications?page=" + strconv.Itoa(pageNo+1)
	}
	if pages > 1 {
		d.PageText = p.T("notify.page", p.Number(pageNo), p.Number(pages))
	}
	pg.Data = d
	h.render(w, r, http.StatusOK, "notifications", pg)
}

// notificationOpen opens one of the user's notifications: marks it read
// and goes to its case (else to its link's page on this site, else back to
// the list). Another person's notification, or none, is 404.
func (h *Handler) notificationOpen(w http.ResponseWriter, r *http.Request, u *User) {
	if h.o.Inbox == nil {
		h.notFound(w, r)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.renderError(w, r, http.StatusNotFound, "notify.notFound")
		return
	}
	n, err := h.o.Inbox.Open(r.Context(), u.Username, id)
	if errors.Is(err, inbox.ErrNotFound) {
		h.log.Info("notification not found", "user", u.Username, "id", id)
		h.renderError(w, r, http.StatusNotFound, "notify.notFound")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, noteTarget(n), http.StatusSeeOther)
}

// noteTarget is where opening n goes: its case's page, else the path of
// its link on this site, else the list. It never leaves the site.
func noteTarget(n inbox.Notification) string {
	if n.CaseID != "" {
		return "/cases/" + url.PathEscape(n.CaseID)
	}
	if l, err := url.Parse(n.Link); err == nil && n.Link != "" && strings.HasPrefix(l.Path, "/") {
		l.Scheme, l.Host, l.User, l.Fragment = "", "", nil, ""
		if p := localPath(l.RequestURI()); p != "/" || l.Path == "/" {
			return p
		}
	}
	return "/notifications"
}

// notificationsRead is "Đánh dấu tất cả đã đọc": POST /notifications/read.
func (h *Handler) notificationsRead(w http.ResponseWriter, r *http.Request, u *User) {
	if h.o.Inbox == nil {
		h.notFound(w, r)
		return
	}
	if _, err := h.o.Inbox.MarkAllRead(r.Context(), u.Username); err != nil {
		h.fail(w, r, err)
		return
	}
	h.sessions.Put(r.Context(), keyFlash, "notify.allReadDone")
	http.Redirect(w, r, "/notifications", http.StatusSeeOther)
}

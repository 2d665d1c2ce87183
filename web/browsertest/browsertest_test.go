package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestLocal(t *testing.T) {
	for raw, want := range map[string]bool{
		"http://127.0.0.1:8080/login":       true,
		"http://localhost:3000/":            true,
		"http://[::1]:8080/":                true,
		"ws://127.0.0.1:9/socket":           true,
		"data:image/svg+xml,<svg/>":         true,
		"about:blank":                       true,
		"blob:http://127.0.0.1/abc":         true,
		"https://fonts.googleapis.com/css":  false,
		"http://10.0.0.5/":                  false,
		"https://www.facebook.com/x":        false,
		"http://127.0.0.1.evil.example/":    false,
		"wss://cdn.example/socket":          false,
		"chrome-extension://abc/script.js":  false,
		"http://192.168.1.10:8080/static/x": false,
	} {
		if got := Local(raw); got != want {
			t.Errorf("Local(%q) = %t, want %t", raw, got, want)
		}
	}
}

// A second window keeps cookies of its own: a person logged in in one
// window is not in the other.
func TestWindowCookies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "who", Value: "admin1", Path: "/"})
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		who := "nobody"
		if c, err := r.Cookie("who"); err == nil {
			who = c.Value
		}
		fmt.Fprintf(w, "<!doctype html><title>t</title><p id=who>%s</p>", who)
	}))
	defer srv.Close()
	b := New(t, Options{})
	w := b.Window(390, 844)
	b.Navigate(srv.URL + "/set")
	if got := b.Text("#who"); got != "admin1" {
		t.Fatalf("first window: %q", got)
	}
	w.Navigate(srv.URL + "/")
	if got := w.Text("#who"); got != "nobody" {
		t.Errorf("the second window shares the first's cookies: %q", got)
	}
	b.Navigate(srv.URL + "/")
	if got := b.Text("#who"); got != "admin1" {
		t.Errorf("the first window lost its cookie: %q", got)
	}
	width, err := chromedp.Run(w.Context(), chromedp.Evaluate[int]("window.innerWidth"))
	if err != nil || width != 390 {
		t.Errorf("the second window is %d wide (%v), want 390", width, err)
	}
}

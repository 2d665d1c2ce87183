package browsertest

import "testing"

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

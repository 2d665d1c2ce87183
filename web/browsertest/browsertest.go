// Package browsertest drives a real browser, Debian's Chromium through
// chromedp, for the web interface's tests: the login test of package web
// and the journeys of issue 14 (a reporter files a report, a handler
// triages, a leader approves on a phone, ...).
//
// New starts a headless Chromium with a fresh profile and the flags it
// needs on a closed network, and fails the test, naming the package to
// install, when Chromium is missing: browser tests never skip. Every
// request the page makes is watched, and the test fails if one leaves the
// loopback address (the interface must work with no Internet). Screenshot
// saves what the user sees, one PNG per page, into CASETRAIL_SCREENSHOTS
// (a directory per test) or a temporary directory.
package browsertest

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian's chromium package installs the browser.
const ChromiumPath = "/usr/bin/chromium"

// ScreenshotsEnv names a directory to keep the screenshots in (a
// subdirectory per test); without it they go to the test's temporary
// directory and vanish with it.
const ScreenshotsEnv = "CASETRAIL_SCREENSHOTS"

// Options configure a Browser; zero values take the defaults.
type Options struct {
	// Width and Height are the viewport in CSS pixels (1280×900 by
	// default; 390 wide is a phone).
	Width, Height int
	// AcceptLanguage is sent with every request ("vi-VN,vi" by default:
	// the interface's users are Vietnamese offices).
	AcceptLanguage string
	// Timeout bounds the whole browser session (2 minutes by default).
	Timeout time.Duration
}

// Browser is one headless Chromium with one tab, for one test.
type Browser struct {
	t    testing.TB
	ctx  context.Context
	dir  string
	lang string // Accept-Language

	mu       sync.Mutex
	external []string
	shots    int
}

// chromium returns the browser's path, or fails t saying how to install it.
func chromium(t testing.TB) string {
	t.Helper()
	if st, err := os.Stat(ChromiumPath); err == nil && !st.IsDir() {
		return ChromiumPath
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Fatalf("browser tests need Chromium, which is not installed: apt-get install -y chromium (.ci/run installs it)")
	return ""
}

// Flags are the Chromium switches of every browser test, besides chromedp's
// defaults: without them Chromium waits on the closed network (QUIC,
// component updates, background fetches) or on a sandbox and a GPU the
// machine does not have.
func Flags(userDataDir string) []chromedp.ExecAllocatorOption {
	opts := append([]chromedp.ExecAllocatorOption{}, chromedp.DefaultExecAllocatorOptions[:]...)
	return append(opts,
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.UserDataDir(userDataDir),
	)
}

// New starts Chromium for t; it is stopped, and the requests it made
// checked, when t ends.
func New(t testing.TB, o Options) *Browser {
	t.Helper()
	if o.Width == 0 {
		o.Width, o.Height = 1280, 900
	}
	if o.AcceptLanguage == "" {
		o.AcceptLanguage = "vi-VN,vi"
	}
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Minute
	}
	path := chromium(t)
	opts := append(Flags(t.TempDir()), chromedp.ExecPath(path), chromedp.WindowSize(o.Width, o.Height))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	ctx, cancelTimeout := context.WithTimeout(ctx, o.Timeout)
	b := &Browser{t: t, ctx: ctx, dir: screenshotDir(t), lang: o.AcceptLanguage}
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
		if ext := b.ExternalRequests(); len(ext) > 0 {
			t.Errorf("the browser made requests beyond 127.0.0.1 (the interface must work offline):\n  %s", strings.Join(ext, "\n  "))
		}
	})
	began := time.Now()
	// Listen starts the browser and the tab; every request from then on
	// is checked.
	if err := chromedp.Listen(ctx, b.watch); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": o.AcceptLanguage},
	}); err != nil {
		t.Fatalf("set Accept-Language: %v", err)
	}
	b.Viewport(o.Width, o.Height)
	t.Logf("Chromium started in %s; screenshots in %s", time.Since(began).Round(time.Millisecond), b.dir)
	return b
}

// Window opens another window of the same browser with cookies and
// storage of its own (a new browser context: another person at another
// computer), width×height CSS pixels, so that a test has two users act in
// turn, each staying logged in. Its requests are watched as the first
// window's are; its screenshots go to the same directory. It closes when
// the test ends.
func (b *Browser) Window(width, height int) *Browser {
	t := b.t
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	w := &Browser{t: t, ctx: ctx, dir: b.dir, lang: b.lang}
	t.Cleanup(func() {
		cancel()
		if ext := w.ExternalRequests(); len(ext) > 0 {
			t.Errorf("the second window made requests beyond 127.0.0.1:\n  %s", strings.Join(ext, "\n  "))
		}
	})
	if err := chromedp.Listen(ctx, w.watch); err != nil {
		t.Fatalf("open a window: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": w.lang},
	}); err != nil {
		t.Fatalf("set Accept-Language: %v", err)
	}
	w.Viewport(width, height)
	return w
}

func screenshotDir(t testing.TB) string {
	root := os.Getenv(ScreenshotsEnv)
	if root == "" {
		return t.TempDir()
	}
	name := regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(t.Name(), "_")
	dir := filepath.Join(root, name)
	_ = os.RemoveAll(dir) // the screenshots of an earlier run
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshots: %v", err)
	}
	return dir
}

// watch records every request that leaves the loopback address. It runs in
// the tab's reading goroutine, so it only appends under a lock.
func (b *Browser) watch(ev any) {
	var raw string
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		raw = e.Request.URL
	case *network.EventWebSocketCreated:
		raw = e.URL
	default:
		return
	}
	if Local(raw) {
		return
	}
	b.mu.Lock()
	b.external = append(b.external, raw)
	b.mu.Unlock()
}

// Local reports whether a request to raw stays on this machine: a URL of
// 127.0.0.1, ::1 or localhost, or one that makes no network request
// (data:, blob:, about:).
func Local(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "data", "blob", "about":
		return true
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ExternalRequests returns the URLs requested beyond the loopback address.
func (b *Browser) ExternalRequests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.external...)
}

// Context is the tab's chromedp context, for actions the helpers lack.
func (b *Browser) Context() context.Context { return b.ctx }

// Do runs steps in order and fails the test at the first error.
func (b *Browser) Do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// Viewport sets the viewport to width×height CSS pixels (390 wide for a
// phone).
func (b *Browser) Viewport(width, height int) {
	b.t.Helper()
	b.Do(chromedp.EmulateViewport(int64(width), int64(height), func(p *emulation.SetDeviceMetricsOverrideParams, _ *emulation.SetTouchEmulationEnabledParams) {
		p.DeviceScaleFactor = 1
	}))
}

// Navigate loads url and returns the response of its document (after
// redirects).
func (b *Browser) Navigate(url string) *network.Response {
	b.t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(url))
	if err != nil {
		b.t.Fatalf("browser: navigate to %s: %v", url, err)
	}
	return resp
}

// Fill types value into the input the CSS selector sel names, replacing
// what it held.
func (b *Browser) Fill(sel, value string) {
	b.t.Helper()
	b.Do(chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), value))
}

// Submit clicks the element sel (a submit button) and waits for the page
// it leads to, whose response it returns.
func (b *Browser) Submit(sel string) *network.Response {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("browser: submit %s: %v", sel, err)
	}
	return resp
}

// Text returns the visible text of the first element sel selects.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("browser: text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// Exists reports whether sel selects an element now (without waiting).
func (b *Browser) Exists(sel string) bool {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](fmt.Sprintf("document.querySelector(%q) !== null", sel)))
	if err != nil {
		b.t.Fatalf("browser: query %s: %v", sel, err)
	}
	return n
}

// ScrollWidth returns the width of the page's content in CSS pixels: wider
// than the viewport means the user must scroll sideways.
func (b *Browser) ScrollWidth() int {
	b.t.Helper()
	w, err := chromedp.Run(b.ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
	if err != nil {
		b.t.Fatalf("browser: scroll width: %v", err)
	}
	return w
}

// Location returns the URL of the page.
func (b *Browser) Location() string {
	b.t.Helper()
	u, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("browser: location: %v", err)
	}
	return u
}

// Screenshot saves the viewport as NN-name.png in the screenshot directory
// and returns its path.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("browser: screenshot %s: %v", name, err)
	}
	b.mu.Lock()
	b.shots++
	n := b.shots
	b.mu.Unlock()
	path := filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", n, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("browser: save screenshot: %v", err)
	}
	b.t.Logf("screenshot %s", path)
	return path
}

package main

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
	"casetrail/public"
)

// TestSeedPublicGrants: the seed grants PUBLIC to the subject public alone,
// which holds no other role; the demo seed lets citizens report to
// communes.
func TestSeedPublicGrants(t *testing.T) {
	const units = "units:\n  - {id: a, name: A}\ngrants:\n"
	for _, bad := range []string{
		"  - {subject: handler1, role: PUBLIC, unit: a}\n",
		"  - {subject: public, role: REPORTER, unit: a}\n",
	} {
		_, err := ParseSeed("seed.yaml", []byte(units+bad))
		if err == nil || !strings.Contains(err.Error(), `line 4: grant: the role PUBLIC goes to the subject "public" alone`) {
			t.Errorf("%s: %v", bad, err)
		}
	}
	s, err := ParseSeed("seed.yaml", []byte(units+"  - {subject: public, role: PUBLIC, unit: a}\n"))
	if err != nil || len(s.Grants) != 1 {
		t.Fatalf("the public grant: %v", err)
	}
	demo, err := loadSeed("../../config/demo-seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var granted []string
	for _, g := range demo.Grants {
		if g.Subject == incident.PublicSubject {
			granted = append(granted, g.Unit)
		}
	}
	if !slices.Equal(granted, []string{"lai-chau/tan-uyen", "lai-chau/phuong-tan-phong", "lai-chau/xa-sin-ho"}) {
		t.Errorf("the demo seed's public grants: %v", granted)
	}
}

// TestPublicSettings: trusted proxies as addresses or prefixes, the
// contacts' retention as a positive duration; anything else refused with
// the variable's name.
func TestPublicSettings(t *testing.T) {
	c := Config{TrustedProxies: " 10.0.0.0/8, 127.0.0.1 ,::1,192.168.1.7/24", PublicRetention: "720h"}
	proxies, retention, err := c.publicSettings()
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32"),
		netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("192.168.1.0/24")}
	if err != nil || !slices.Equal(proxies, want) || retention != 720*time.Hour {
		t.Errorf("%v %v %v", proxies, retention, err)
	}
	if proxies, retention, err := (Config{PublicRetention: public.DefaultRetention.String()}).publicSettings(); err != nil || len(proxies) != 0 || retention != public.DefaultRetention {
		t.Errorf("defaults: %v %v %v", proxies, retention, err)
	}
	for _, bad := range []Config{
		{TrustedProxies: "proxy.local", PublicRetention: "1h"},
		{TrustedProxies: "10.0.0.0/33", PublicRetention: "1h"},
		{PublicRetention: "180 days"},
		{PublicRetention: "-1h"},
	} {
		if _, _, err := bad.publicSettings(); err == nil || !strings.Contains(err.Error(), "CASETRAIL_") {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

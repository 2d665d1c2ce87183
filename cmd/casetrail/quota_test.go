package main

import "testing"

func TestEvidenceQuotaSetting(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "off": -1, "1048576": 1 << 20, "200MiB": 200 << 20, "512 KiB": 512 << 10, "1GiB": 1 << 30} {
		if got, err := evidenceQuota(in); err != nil || got != want {
			t.Errorf("evidenceQuota(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"0", "-5", "lots", "5TB", "99999999999GiB"} {
		if _, err := evidenceQuota(in); err == nil {
			t.Errorf("evidenceQuota(%q) accepted", in)
		}
	}
}

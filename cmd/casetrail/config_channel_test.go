package main

import (
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// TestPolicyTakedownChannels reads takedownResponseByChannel: durations and
// working days per channel, a channel left out keeping takedownResponse,
// and the file's mistakes refused with their line.
func TestPolicyTakedownChannels(t *testing.T) {
	friday := time.Date(2026, 12, 4, 16, 0, 0, 0, incident.VietnamTime)
	for _, tc := range []struct {
		name           string
		yaml           string
		platform, auth time.Time // due times of a request at friday
	}{
		{"absent: takedownResponse for both", "takedownResponse: 36h\n", friday.Add(36 * time.Hour), friday.Add(36 * time.Hour)},
		{"both channels", "takedownResponseByChannel: {PLATFORM_REPORT: 72h, AUTHORITY_REQUEST: 24h}\n",
			friday.Add(72 * time.Hour), friday.Add(24 * time.Hour)},
		{"one channel, the other keeps takedownResponse", "takedownResponse: 48h\ntakedownResponseByChannel:\n  AUTHORITY_REQUEST: 24h\n",
			friday.Add(48 * time.Hour), friday.Add(24 * time.Hour)},
		{"working days for platform reports", "takedownResponseByChannel: {PLATFORM_REPORT: 1wd, AUTHORITY_REQUEST: 24h}\n",
			time.Date(2026, 12, 7, 16, 0, 0, 0, incident.VietnamTime), friday.Add(24 * time.Hour)},
		{"takedownResponse in working days, authority by the clock", "takedownResponse: 2wd\ntakedownResponseByChannel: {AUTHORITY_REQUEST: 24h}\n",
			time.Date(2026, 12, 8, 16, 0, 0, 0, incident.VietnamTime), friday.Add(24 * time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePolicy("p.yaml", []byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			for ch, want := range map[incident.TakedownChannel]time.Time{incident.TakedownPlatformReport: tc.platform, incident.TakedownAuthorityRequest: tc.auth} {
				if got := p.ForChannel(ch).Due(incident.DeadlineTakedownResponse, incident.High, friday); !got.Equal(want) {
					t.Errorf("%s due %s, want %s", ch, got.In(incident.VietnamTime), want.In(incident.VietnamTime))
				}
			}
		})
	}
	p, err := ParsePolicy("p.yaml", []byte("takedownResponse: 24h\n"))
	if err != nil || p.TakedownResponseByChannel != nil {
		t.Fatalf("a file without the key sets per-channel spans: %v %+v", err, p.TakedownResponseByChannel)
	}

	for _, b := range []struct{ yaml, want string }{
		{"takedownResponseByChannel: {EMAIL: 24h}\n", `line 1: "EMAIL" is not a takedown channel`},
		{"takedownResponseByChannel: {PLATFORM_REPORT: soon}\n", `PLATFORM_REPORT: line 1: "soon" is not a positive Go duration`},
		{"takedownResponseByChannel: {PLATFORM_REPORT: 0wd}\n", "not a number of working days"},
		{"takedownResponseByChannel: 24h\n", "expected a map of takedown channels"},
		{"takedownResponseByChannel:\n  AUTHORITY_REQUEST: {HIGH: 1h}\n", "line 2: AUTHORITY_REQUEST: expected one duration"},
	} {
		_, err := ParsePolicy("p.yaml", []byte(b.yaml))
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("ParsePolicy(%q) = %v, want error containing %q", b.yaml, err, b.want)
		}
	}
}

package incident_test

import (
	"reflect"
	"testing"

	"casetrail/incident"
)

// TestDeliveryRecords: a delivery record takes a version of the stream and
// changes nothing else of the case; a command sent with the version before
// it still applies, one sent with an older version does not.
func TestDeliveryRecords(t *testing.T) {
	h := fixture(t, fxTriaged)
	before := h.c.Clone()
	sent := incident.NotificationSent{
		Key: "ev-3", Cause: incident.TypeCaseTriaged, Recipients: []string{handler}, Subject: "Giao xử lý",
		Channels: []incident.NotificationChannel{{Channel: "log", OK: true}, {Channel: "email", OK: true, To: []string{handler}}},
	}
	h.record(incident.SystemActor, at(1.5), []incident.Payload{incident.NotificationRecord(sent)})
	failed := sent
	failed.Channels = []incident.NotificationChannel{{Channel: "log", OK: true}, {Channel: "email", Error: "550 mailbox unavailable", Failed: []string{handler}}}
	rec := incident.NotificationRecord(failed)
	if _, ok := rec.(incident.NotificationFailed); !ok {
		t.Fatalf("a failed channel gives %T, want NotificationFailed", rec)
	}
	if _, ok := incident.NotificationRecord(sent).(incident.NotificationSent); !ok {
		t.Fatal("all channels delivered: want NotificationSent")
	}
	h.record(incident.SystemActor, at(1.6), []incident.Payload{rec})

	after := h.c.Clone()
	if after.Version != before.Version+2 || after.ChangedVersion != before.Version {
		t.Errorf("version %d changed %d, want %d and %d", after.Version, after.ChangedVersion, before.Version+2, before.Version)
	}
	if !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("a delivery record moved updatedAt to %v", after.UpdatedAt)
	}
	after.Version, after.ChangedVersion = before.Version, before.ChangedVersion
	if !reflect.DeepEqual(after, before) {
		t.Errorf("a delivery record changed the case:\n got %+v\nwant %+v", after, before)
	}

	for v, want := range map[int64]bool{
		before.Version - 1: false, before.Version: true, before.Version + 1: true, before.Version + 2: true, before.Version + 3: false,
	} {
		if got := h.c.AtVersion(v); got != want {
			t.Errorf("AtVersion(%d) = %v on a case at %d changed at %d", v, got, h.c.Version, h.c.ChangedVersion)
		}
	}
	// The next real change moves ChangedVersion: the old version is stale.
	h.do(handler, incident.StartAnalysis{}, at(2))
	if h.c.ChangedVersion != h.c.Version || h.c.AtVersion(before.Version) {
		t.Errorf("after a change: version %d changed %d", h.c.Version, h.c.ChangedVersion)
	}

	// Stored and read back, the records decode as they were written.
	for _, p := range []incident.Payload{sent, rec} {
		raw, err := incident.EncodePayload(p)
		if err != nil {
			t.Fatal(err)
		}
		back, err := incident.DecodePayload(p.EventType(), raw)
		if err != nil || !reflect.DeepEqual(back, p) {
			t.Errorf("%s round trip: %+v, %v", p.EventType(), back, err)
		}
	}
}

// TestAtVersionBeforeDeliveryRecords: a state folded before delivery
// records existed (ChangedVersion 0) accepts only its own version.
func TestAtVersionBeforeDeliveryRecords(t *testing.T) {
	c := incident.Case{Version: 7}
	if !c.AtVersion(7) || c.AtVersion(6) || c.AtVersion(0) {
		t.Errorf("AtVersion on a case without ChangedVersion")
	}
}

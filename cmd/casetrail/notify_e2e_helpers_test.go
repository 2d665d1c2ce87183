package main

import (
	"testing"
	"time"

	"casetrail/incident"
)

// Delivery records (NotificationSent, NotificationFailed; issue 18) are
// appended by the case's workflow in the background once a notification's
// delivery ended, so where they fall among the commands' events depends on
// timing. The end-to-end tests count the commands' events without them and
// wait for the history to be quiet before comparing versions.

// caseEventsOnly returns events without the delivery records.
func caseEventsOnly(events []eventView) []eventView {
	out := make([]eventView, 0, len(events))
	for _, e := range events {
		if !incident.IsDeliveryRecord(e.Type) {
			out = append(out, e)
		}
	}
	return out
}

// quietHistory returns the history of case id once it has not grown for
// two seconds (the notifications under way are recorded; with the log and
// the inbox as channels they end within a second).
func (s *server) quietHistory(t testing.TB, sub, id string) []eventView {
	t.Helper()
	events := s.history(t, sub, id)
	stable := time.Now()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
		now := s.history(t, sub, id)
		if len(now) != len(events) {
			events, stable = now, time.Now()
			continue
		}
		if time.Since(stable) >= 2*time.Second {
			return events
		}
	}
	t.Fatalf("the history of case %s kept growing for a minute", id)
	return nil
}

// deliveryOf returns the delivery records of notifications caused by
// events of type cause.
func deliveryOf(events []eventView, cause string) []eventView {
	var out []eventView
	for _, e := range events {
		if incident.IsDeliveryRecord(e.Type) && e.field("cause") == cause {
			out = append(out, e)
		}
	}
	return out
}

package controllers

import (
	"strings"
	"testing"
	"unicode/utf8"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// TestEventRecorderRateLimits shows that a flapping object fills its
// events with at most eventBurst of one reason, while another reason and
// another object have buckets of their own.
func TestEventRecorderRateLimits(t *testing.T) {
	fake := events.NewFakeRecorder(100)
	r := newEventRecorder(fake)
	portal := &ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Name: "detmold", Namespace: "krz", UID: "u1"}}
	other := &ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Name: "lemgo", Namespace: "krz", UID: "u2"}}
	for range 3 * eventBurst {
		r.normal(portal, ozgv1.EventPublished, "Publish", "online at %s", "https://detmold.example.de")
	}
	r.normal(portal, ozgv1.EventUnpublished, "Unpublish", "offline")
	r.warning(other, ozgv1.EventHostnameConflict, "ClaimHostname", "taken")
	if got, want := len(fake.Events), eventBurst+2; got != want {
		t.Fatalf("recorded %d events, want %d", got, want)
	}
	r.forget(portal.UID)
	r.normal(portal, ozgv1.EventPublished, "Publish", "online again")
	if got, want := len(fake.Events), eventBurst+3; got != want {
		t.Fatalf("after forget: recorded %d events, want %d", got, want)
	}
	var none *eventRecorder
	none.normal(portal, ozgv1.EventPublished, "Publish", "no recorder") // must not panic
}

func TestEventNoteFitsAnEvent(t *testing.T) {
	long := strings.Repeat("ä", eventNoteLimit) // two bytes each
	note := eventNote(long)
	if len(note) > eventNoteLimit || !utf8.ValidString(note) || !strings.HasSuffix(note, "...") {
		t.Errorf("note of %d bytes, valid UTF-8 %v: %q", len(note), utf8.ValidString(note), note[len(note)-10:])
	}
	if eventNote("short") != "short" {
		t.Error("a short note changed")
	}
}

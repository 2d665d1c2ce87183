package eventstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"testing"
)

func headOf(stream string, version int64) StreamHead {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d", stream, version))
	return StreamHead{Stream: stream, Version: version, Hash: hex.EncodeToString(sum[:])}
}

// TestStreamProof: for trees of 1 to 17 leaves (odd levels carry their
// last node up), the proof of every stream gives StreamRoot's root, and a
// proof gives another root, or fails, for another head, another index,
// and a path with a hash changed, missing or added. (A leaf count the
// shape of whose tree is the same up to the leaf gives the same root: the
// verifier compares Leaves with the checkpoint's signed Streams.)
func TestStreamProof(t *testing.T) {
	for n := 1; n <= 17; n++ {
		var heads []StreamHead
		for i := range n {
			heads = append(heads, headOf(fmt.Sprintf("case-%02d", n-1-i), int64(i+1))) // not in order
		}
		root, err := StreamRoot(heads)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range heads {
			got, p, proofRoot, err := ProveStream(heads, h.Stream)
			if err != nil {
				t.Fatalf("%d leaves, %s: %v", n, h.Stream, err)
			}
			if got != h || proofRoot != root || p.Leaves != int64(n) {
				t.Fatalf("%d leaves, %s: head %+v, root %s, leaves %d; want %+v, %s, %d", n, h.Stream, got, proofRoot, p.Leaves, h, root, n)
			}
			if r, err := p.RootOf(h); err != nil || r != root {
				t.Fatalf("%d leaves, %s: RootOf = %s, %v; want %s", n, h.Stream, r, err, root)
			}
			other := h
			other.Version++
			if r, _ := p.RootOf(other); r == root {
				t.Errorf("%d leaves, %s: another version gives the root", n, h.Stream)
			}
			other = headOf(h.Stream, h.Version+100)
			other.Version = h.Version
			if r, _ := p.RootOf(other); r == root {
				t.Errorf("%d leaves, %s: another hash gives the root", n, h.Stream)
			}
			if n == 1 {
				continue
			}
			for _, bad := range []StreamProof{
				{Index: (p.Index + 1) % p.Leaves, Leaves: p.Leaves, Path: p.Path},
				{Index: p.Index, Leaves: p.Leaves, Path: append(slices.Clone(p.Path), p.Path[0])},
				{Index: p.Index, Leaves: p.Leaves, Path: p.Path[1:]},
				{Index: p.Index, Leaves: p.Leaves, Path: append([]string{hex.EncodeToString(make([]byte, 32))}, p.Path[1:]...)},
			} {
				if r, err := bad.RootOf(h); err == nil && r == root {
					t.Errorf("%d leaves, %s: the altered proof %+v gives the root", n, h.Stream, bad)
				}
			}
		}
	}
	if _, _, _, err := ProveStream([]StreamHead{headOf("a", 1)}, "b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a stream without a head: %v; want ErrNotFound", err)
	}
	if _, err := (StreamProof{Index: 0, Leaves: 0}).RootOf(headOf("a", 1)); err == nil {
		t.Error("a proof of no leaves verifies")
	}
}

// TestStreamHeadsAtCheckpoint: the heads StreamHeadsAt reads at a signed
// checkpoint's position give the root it signed, also once more events
// were appended after it, and the proof of one stream checks against it.
func TestStreamHeadsAtCheckpoint(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	ctx := context.Background()
	for i := range 5 {
		mustAppend(t, s, fmt.Sprintf("case-%d", i), 0, ev("E", `{"n":1}`), ev("E", `{"n":2}`))
	}
	c, err := s.SignCheckpoint(ctx, testKey(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, s, "case-2", 2, ev("E", `{"n":3}`))
	mustAppend(t, s, "case-9", 0, ev("E", `{"n":1}`))
	heads, err := s.StreamHeadsAt(ctx, c.Position)
	if err != nil {
		t.Fatal(err)
	}
	root, err := StreamRoot(heads)
	if err != nil || root != c.StreamRoot || int64(len(heads)) != c.Streams {
		t.Fatalf("heads at %d give %s (%d streams), %v; the checkpoint signed %s (%d)", c.Position, root, len(heads), err, c.StreamRoot, c.Streams)
	}
	h, p, _, err := ProveStream(heads, "case-2")
	if err != nil {
		t.Fatal(err)
	}
	if r, err := p.RootOf(h); err != nil || r != c.StreamRoot || h.Version != 2 || p.Leaves != c.Streams {
		t.Errorf("case-2 at the checkpoint: head %+v, root %s, %v; want version 2 under %s", h, r, err, c.StreamRoot)
	}
}

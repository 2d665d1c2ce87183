package eventstore

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Proving one stream to a signed checkpoint. A checkpoint signs the Merkle
// root of every stream's head at its position (StreamRoot), not the heads
// themselves; whoever holds the heads at that position can show that one
// stream's head is among them with the sibling hashes on the way up, and
// anyone holding the checkpoint's public key can check it without the rest
// of the log (a case file does, casefile/).

// StreamProof proves that one stream head is among the heads whose
// StreamRoot a checkpoint signed.
type StreamProof struct {
	// Index is the head's place among the heads in byte order of stream
	// ids, from 0.
	Index int64 `json:"index"`
	// Leaves is the number of heads: the checkpoint's Streams.
	Leaves int64 `json:"leaves"`
	// Path holds the sibling hashes (hex) from the leaf up, one per level
	// where the node has a sibling (an odd last node is carried up as it
	// is and has none).
	Path []string `json:"path"`
}

// streamLeaf is the Merkle leaf of h (see StreamRoot).
func streamLeaf(h StreamHead) ([sha256.Size]byte, error) {
	raw, err := hex.DecodeString(h.Hash)
	if err != nil || len(raw) != sha256.Size {
		return [sha256.Size]byte{}, fmt.Errorf("stream %q: bad head hash %q", h.Stream, h.Hash)
	}
	buf := make([]byte, 0, 1+4+len(h.Stream)+8+sha256.Size)
	buf = append(buf, 0)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(h.Stream)))
	buf = append(buf, h.Stream...)
	buf = binary.BigEndian.AppendUint64(buf, uint64(h.Version))
	buf = append(buf, raw...)
	return sha256.Sum256(buf), nil
}

// streamNode is the Merkle node over left and right (see StreamRoot).
func streamNode(left, right [sha256.Size]byte) [sha256.Size]byte {
	var buf [1 + 2*sha256.Size]byte
	buf[0] = 1
	copy(buf[1:], left[:])
	copy(buf[1+sha256.Size:], right[:])
	return sha256.Sum256(buf[:])
}

// streamTree returns the levels of the Merkle tree over heads, leaves
// first, and the heads in leaf order; no levels for no heads.
func streamTree(heads []StreamHead) ([][][sha256.Size]byte, []StreamHead, error) {
	sorted := slices.Clone(heads)
	slices.SortFunc(sorted, func(a, b StreamHead) int { return strings.Compare(a.Stream, b.Stream) })
	if len(sorted) == 0 {
		return nil, sorted, nil
	}
	level := make([][sha256.Size]byte, len(sorted))
	for i, h := range sorted {
		if i > 0 && sorted[i-1].Stream == h.Stream {
			return nil, nil, fmt.Errorf("stream %q appears twice", h.Stream)
		}
		var err error
		if level[i], err = streamLeaf(h); err != nil {
			return nil, nil, err
		}
	}
	levels := [][][sha256.Size]byte{level}
	for len(level) > 1 {
		next := make([][sha256.Size]byte, 0, (len(level)+1)/2)
		for i := 0; i < len(level); i += 2 {
			if i+1 == len(level) {
				next = append(next, level[i])
				continue
			}
			next = append(next, streamNode(level[i], level[i+1]))
		}
		levels = append(levels, next)
		level = next
	}
	return levels, sorted, nil
}

// ProveStream returns the head of stream among heads (the heads of every
// stream at some position), the proof that it is among them and the root
// they give (StreamRoot). A stream without a head there is ErrNotFound.
func ProveStream(heads []StreamHead, stream string) (StreamHead, StreamProof, string, error) {
	levels, sorted, err := streamTree(heads)
	if err != nil {
		return StreamHead{}, StreamProof{}, "", err
	}
	i, found := slices.BinarySearchFunc(sorted, stream, func(h StreamHead, s string) int { return strings.Compare(h.Stream, s) })
	if !found {
		return StreamHead{}, StreamProof{}, "", fmt.Errorf("eventstore: prove stream %q: %w", stream, ErrNotFound)
	}
	p := StreamProof{Index: int64(i), Leaves: int64(len(sorted)), Path: []string{}}
	for _, level := range levels[:len(levels)-1] {
		if sib := i ^ 1; sib < len(level) {
			p.Path = append(p.Path, hex.EncodeToString(level[sib][:]))
		}
		i /= 2
	}
	top := levels[len(levels)-1][0]
	return sorted[p.Index], p, hex.EncodeToString(top[:]), nil
}

// RootOf returns the Merkle root that p gives for head: the StreamRoot
// signed by a checkpoint with Leaves streams if head is among their heads
// at its position. The path must have exactly the siblings the shape of a
// tree of Leaves leaves gives leaf Index.
func (p StreamProof) RootOf(head StreamHead) (string, error) {
	if p.Leaves < 1 || p.Index < 0 || p.Index >= p.Leaves {
		return "", fmt.Errorf("leaf %d of %d: not a leaf of the tree", p.Index, p.Leaves)
	}
	node, err := streamLeaf(head)
	if err != nil {
		return "", err
	}
	i, n, used := p.Index, p.Leaves, 0
	for n > 1 {
		if sib := i ^ 1; sib < n {
			if used == len(p.Path) {
				return "", fmt.Errorf("the path has %d hashes, fewer than leaf %d of %d needs", len(p.Path), p.Index, p.Leaves)
			}
			raw, err := hex.DecodeString(p.Path[used])
			if err != nil || len(raw) != sha256.Size {
				return "", fmt.Errorf("path hash %d: %q is not a hex SHA-256", used+1, p.Path[used])
			}
			var s [sha256.Size]byte
			copy(s[:], raw)
			if i%2 == 0 {
				node = streamNode(node, s)
			} else {
				node = streamNode(s, node)
			}
			used++
		}
		i, n = i/2, (n+1)/2
	}
	if used != len(p.Path) {
		return "", fmt.Errorf("the path has %d hashes, more than the %d leaf %d of %d needs", len(p.Path), used, p.Index, p.Leaves)
	}
	return hex.EncodeToString(node[:]), nil
}

// StreamHeadsAt returns the head of every stream that has an event at or
// before global position pos: what a checkpoint at pos signed the root of.
func (s *Store) StreamHeadsAt(ctx context.Context, pos int64) ([]StreamHead, error) {
	op := fmt.Sprintf("stream heads at %d", pos)
	if err := s.check(ctx, op); err != nil {
		return nil, err
	}
	heads, err := streamHeadsAt(ctx, s.pool, pos)
	if err != nil {
		return nil, classify(op, err)
	}
	return heads, nil
}

func streamHeadsAt(ctx context.Context, q querier, pos int64) ([]StreamHead, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT ON (stream) stream, version, hash FROM events
WHERE global_position <= $1 ORDER BY stream, version DESC`, pos)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (StreamHead, error) {
		var h StreamHead
		err := r.Scan(&h.Stream, &h.Version, &h.Hash)
		return h, err
	})
}

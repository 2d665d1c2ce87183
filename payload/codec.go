// Package payload encrypts what CaseTrail puts into Temporal: workflow and
// activity inputs and results, update and query arguments, memos. Temporal
// keeps these payloads in its history, where anyone who can read the store
// or call the frontend would otherwise read titles, descriptions and
// actors. The search attributes (status, kind, unit, severity, assignee)
// are not payloads and stay readable: visibility queries need them.
//
// Every client and worker of CaseTrail uses DataConverter with the same key
// (processes of a scale-out share one key file). Payloads written without
// encryption (histories from before) are read as they are.
package payload

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

const (
	// Encoding is the metadata "encoding" of an encrypted payload.
	Encoding = "binary/encrypted"
	// MetadataKeyID names the metadata entry holding the id of the key a
	// payload was encrypted with (KeyID).
	MetadataKeyID = "encryption-key-id"
	// KeySize is the length of a key in bytes (AES-256).
	KeySize = 32
)

// Codec is a converter.PayloadCodec that encrypts every payload with
// AES-256-GCM under its current key and decrypts with any of its keys.
type Codec struct {
	current string
	aeads   map[string]cipher.AEAD
}

var _ converter.PayloadCodec = (*Codec)(nil)

// NewCodec returns a codec that encrypts with keys[0] and decrypts payloads
// of any of keys (older keys kept for histories written before a rotation).
// Every key is KeySize bytes.
func NewCodec(keys ...[]byte) (*Codec, error) {
	if len(keys) == 0 {
		return nil, errors.New("payload codec: no key")
	}
	c := &Codec{aeads: map[string]cipher.AEAD{}}
	for i, k := range keys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("payload codec: key %d has %d bytes, want %d", i+1, len(k), KeySize)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("payload codec: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("payload codec: %w", err)
		}
		id := KeyID(k)
		if i == 0 {
			c.current = id
		}
		c.aeads[id] = aead
	}
	return c, nil
}

// KeyID names a key without revealing it: the first 8 bytes of its SHA-256,
// in hex.
func KeyID(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:8])
}

// CurrentKeyID is the id of the key new payloads are encrypted with.
func (c *Codec) CurrentKeyID() string { return c.current }

// Encode encrypts each payload whole (data and metadata), bound to the key id.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	aead := c.aeads[c.current]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("payload codec: %w", err)
		}
		nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("payload codec: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(Encoding),
				MetadataKeyID:              []byte(c.current),
			},
			Data: aead.Seal(nonce, nonce, plain, []byte(c.current)),
		}
	}
	return out, nil
}

// Decode decrypts encrypted payloads and passes any other payload through
// unchanged. A payload encrypted under a key the codec does not hold is an
// error naming the key id.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != Encoding {
			out[i] = p
			continue
		}
		id := string(p.GetMetadata()[MetadataKeyID])
		aead, ok := c.aeads[id]
		if !ok {
			return nil, fmt.Errorf("payload codec: payload encrypted with key %q, this process holds %s (every process must use the same CASETRAIL_PAYLOAD_KEY_FILE)", id, c.keyList())
		}
		data := p.GetData()
		if len(data) < aead.NonceSize() {
			return nil, errors.New("payload codec: encrypted payload too short")
		}
		plain, err := aead.Open(nil, data[:aead.NonceSize()], data[aead.NonceSize():], []byte(id))
		if err != nil {
			return nil, fmt.Errorf("payload codec: decrypt with key %s: %w", id, err)
		}
		var orig commonpb.Payload
		if err := proto.Unmarshal(plain, &orig); err != nil {
			return nil, fmt.Errorf("payload codec: %w", err)
		}
		out[i] = &orig
	}
	return out, nil
}

func (c *Codec) keyList() string {
	s := c.current
	for id := range c.aeads {
		if id != c.current {
			s += ", " + id
		}
	}
	return s
}

// DataConverter is the SDK's default data converter with payloads passed
// through codec: set it as client.Options.DataConverter of every client
// (workers inherit their client's).
func DataConverter(codec *Codec) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), codec)
}

// encodeKey is a key as written in a key file.
func encodeKey(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

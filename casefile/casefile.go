// Package casefile makes and checks the case file (hồ sơ vụ việc) of issue
// 16: one ZIP that an auditor keeps and checks offline, without the
// database.
//
// A case file holds
//
//	summary.pdf                 the case summary (documents.CaseSummary)
//	history.jsonl               every event of the case's stream, one JSON object per
//	                            line, with the fields its hash covers and the stored hashes
//	evidence/<sha256>-<name>    every evidence file, once per content
//	letters/cong-van-<n>.pdf    the letters the case went out with (PDF and DOCX)
//	letters/cong-van-<n>.docx
//	manifest.json               last: the SHA-256 and size of every other file, the
//	                            stream's head, and the latest signed checkpoint with
//	                            the Merkle path from the stream's head to its root
//
// Verify checks one offline and names each thing that does not match. What
// it checks and what only the database can show are written in every
// manifest (Manifest.Offline, Manifest.OnlineOnly) and in
// docs/ARCHITECTURE.md; in short: the files against the manifest, the
// history's hash chain recomputed with the event store's own code
// (eventstore.ChainHash), every evidence file and letter against the
// SHA-256 its event records, and the checkpoint's Ed25519 signature and the
// path from the stream's head at its position to the stream root it signed.
// The manifest itself is not signed; what binds the bundle is the chain
// from the signed checkpoint through the history to the files.
package casefile

import (
	"encoding/json"
	"time"

	"casetrail/eventstore"
)

// Names of the files of a case file.
const (
	ManifestName = "manifest.json"
	SummaryName  = "summary.pdf"
	HistoryName  = "history.jsonl"
	EvidenceDir  = "evidence/"
	LettersDir   = "letters/"
)

// Format names this layout in Manifest.Format.
const Format = "casetrail/case-file/v1"

// Manifest is manifest.json.
type Manifest struct {
	Format      string    `json:"format"`
	CaseID      string    `json:"caseId"`
	Number      string    `json:"number"`
	Stream      string    `json:"stream"`
	GeneratedAt time.Time `json:"generatedAt"`
	// Head is the stream's last event as history.jsonl has it.
	Head Head `json:"head"`
	// Files lists every other file of the ZIP, in its order.
	Files []File `json:"files"`
	// Evidence maps each piece of evidence of the case to its file.
	Evidence []EvidenceFile `json:"evidence"`
	// Letters lists the letters' files.
	Letters []LetterFile `json:"letters"`
	// Checkpoint is the latest signed checkpoint at whose position the
	// stream had events; null when there is none.
	Checkpoint *Checkpoint `json:"checkpoint"`
	// Offline says what Verify checks without the database, OnlineOnly
	// what only the database can show (`casetrail verify`).
	Offline    []string `json:"offline"`
	OnlineOnly []string `json:"onlineOnly"`
}

// Head is the last event of the stream.
type Head struct {
	Version int64  `json:"version"`
	Hash    string `json:"hash"`
	// GlobalPosition is a decimal integer in a string (as the contract's).
	GlobalPosition string `json:"globalPosition"`
}

// File is one file of the ZIP.
type File struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// EvidenceFile is where a piece of evidence is.
type EvidenceFile struct {
	ID        string `json:"id"`
	SHA256    string `json:"sha256"`
	MediaType string `json:"mediaType"`
	File      string `json:"file"`
}

// LetterFile is one letter's file.
type LetterFile struct {
	DispatchNumber string `json:"dispatchNumber"`
	Format         string `json:"format"` // "pdf" or "docx"
	SHA256         string `json:"sha256"`
	File           string `json:"file"`
}

// Checkpoint is a signed checkpoint and what ties it to the case's
// history: the stream's head at its position and the Merkle path from
// that head to the signed stream root.
type Checkpoint struct {
	// Signed is the checkpoint as stored and signed (`casetrail checkpoint
	// --export` writes the same fields).
	Signed eventstore.SignedCheckpoint `json:"signed"`
	// AnchoredVersion and AnchoredHash are the stream's head at
	// Signed.Position: the history up to this version is the one the log
	// held when the checkpoint was signed.
	AnchoredVersion int64  `json:"anchoredVersion"`
	AnchoredHash    string `json:"anchoredHash"`
	// CoversHead is true when AnchoredVersion is the head: the whole
	// history is anchored.
	CoversHead bool `json:"coversHead"`
	// Proof is the Merkle path from the anchored head to
	// Signed.StreamRoot (eventstore.StreamProof; Leaves = Signed.Streams).
	Proof eventstore.StreamProof `json:"proof"`
}

// HistoryEvent is one line of history.jsonl: an event as the store holds
// it, every field its hash covers (eventstore package documentation, "Hash
// chain") with the stored hashes.
type HistoryEvent struct {
	ID      string `json:"id"`
	Stream  string `json:"stream"`
	Version int64  `json:"version"`
	// GlobalPosition is the event's place in the global log, a decimal
	// integer in a string. It is not in the event's hash.
	GlobalPosition string `json:"globalPosition"`
	Type           string `json:"type"`
	SchemaVersion  int    `json:"schemaVersion"`
	// OccurredAt and RecordedAt are RFC 3339 in UTC with the stored
	// microseconds.
	OccurredAt    string `json:"occurredAt"`
	RecordedAt    string `json:"recordedAt"`
	Actor         string `json:"actor"`
	CorrelationID string `json:"correlationId"`
	CausationID   string `json:"causationId"`
	Reason        string `json:"reason"`
	// Data is the payload in the canonical JSON the hash covers.
	Data     json.RawMessage `json:"data"`
	PrevHash string          `json:"prevHash"`
	Hash     string          `json:"hash"`
}

// What Verify checks offline and what only the database can show; every
// manifest carries them (Manifest.Offline, OnlineOnly).
var (
	offlineChecks = []string{
		"Every file's SHA-256 and size against this manifest, and no file missing or extra. The manifest is not signed: this finds damage, not an editor who rewrites the manifest too; what follows does.",
		"history.jsonl: every event's hash recomputed from its fields with the event store's code (eventstore.ChainHash over id, stream, version, type, schemaVersion, occurredAt, recordedAt, data, actor, correlationId, causationId, reason), each prevHash the hash of the event before (64 zeros for version 1), versions 1, 2, 3... without gaps, the last event the manifest's head.",
		"evidence/ and letters/: each file's content hashes to the SHA-256 that its EvidenceAdded or EscalationSent event in history.jsonl records, and every evidence and letter those events record has its file.",
		"checkpoint: the Ed25519 signature of signed with the public key given (its key id is keyId), and the Merkle path proof from the event anchoredVersion of history.jsonl (its stream, version and recomputed-chain hash) to signed.streamRoot among signed.streams stream heads: the history up to anchoredVersion is the one the log held at signed.position when the key signed it.",
	}
	onlineOnlyChecks = []string{
		"The global positions in history.jsonl and signed.globalHash: they chain the whole log (every case's events), so only `casetrail verify` against the database recomputes them; offline they are only checked to rise and to fall on the right side of signed.position.",
		"Events after anchoredVersion when coversHead is false: only the stream's own hash chain covers them, which whoever can write the database could recompute; a later checkpoint, or `casetrail verify --case ID` against the database, covers them.",
		"That the public key is the deployment's: compare it with what `casetrail checkpoint --public-key` prints, obtained from the operator by another channel.",
		"summary.pdf is a rendering of the history for reading; its text is not compared with history.jsonl.",
	}
)

-- The anchored log (see the eventstore package documentation, "Global
-- chain" and "Signed checkpoints"):
--   * events.global_hash chains every event to the one before it in the
--     global log: global_hash = SHA-256("casetrail/global/v1" || previous
--     global_hash (32 raw bytes; 32 zero bytes before position 1) ||
--     global_position (8 bytes big-endian) || hash (32 raw bytes)).
--     casetrail_append computes it under its advisory lock, so it follows
--     commit order; existing rows are backfilled here.
--   * checkpoints holds signed checkpoints (Ed25519, signed outside the
--     database): append-only like events.

ALTER TABLE events ADD COLUMN global_hash text;

-- Backfill, as the owner: the append-only guard is disabled around the
-- UPDATE and enabled again in the same transaction.
ALTER TABLE events DISABLE TRIGGER events_append_only;
DO $$
DECLARE
    tag  bytea := convert_to('casetrail/global/v1', 'UTF8');
    prev bytea := decode(repeat('0', 64), 'hex');
    r    record;
    poss bigint[] := '{}';
    ghs  text[] := '{}';
BEGIN
    FOR r IN SELECT global_position, hash FROM events ORDER BY global_position LOOP
        prev := sha256(tag || prev || int8send(r.global_position) || decode(r.hash, 'hex'));
        poss := poss || r.global_position;
        ghs := ghs || encode(prev, 'hex');
    END LOOP;
    UPDATE events e SET global_hash = u.gh
    FROM unnest(poss, ghs) AS u(pos, gh)
    WHERE e.global_position = u.pos;
END
$$;
ALTER TABLE events ENABLE TRIGGER events_append_only;

ALTER TABLE events ALTER COLUMN global_hash SET NOT NULL;
ALTER TABLE events ADD CONSTRAINT events_global_hash_check CHECK (char_length(global_hash) = 64);

-- casetrail_append, as in 001, now also writing global_hash. Same
-- signature, so grants on it are kept.
CREATE OR REPLACE FUNCTION casetrail_append(
    bounds          integer[],
    streams         text[],
    ids             text[],
    versions        bigint[],
    types           text[],
    schema_versions integer[],
    datas           text[],
    metas           text[],
    occurred        timestamptz[],
    recorded        timestamptz[],
    prev_hashes     text[],
    hashes          text[])
RETURNS TABLE (append_no integer, first_position bigint, error_code text, error_message text)
LANGUAGE plpgsql AS $$
DECLARE
    tag   bytea := convert_to('casetrail/global/v1', 'UTF8');
    start bigint;
    base  bigint;
    lo    integer;
    hi    integer;
    prev  bytea;  -- global hash of the event at position base
    gh    bytea;
    ghs   text[];
BEGIN
    PERFORM pg_advisory_xact_lock(7395112201563402811);
    SELECT e.global_position, decode(e.global_hash, 'hex') INTO start, prev
    FROM events e ORDER BY e.global_position DESC LIMIT 1;
    IF NOT FOUND THEN
        start := 0;
        prev := decode(repeat('0', 64), 'hex');
    END IF;
    base := start;
    FOR a IN 1 .. coalesce(array_length(bounds, 1), 1) - 1 LOOP
        lo := bounds[a];
        hi := bounds[a + 1] - 1;
        append_no := a;
        first_position := NULL;
        error_code := NULL;
        error_message := NULL;
        BEGIN
            gh := prev;
            ghs := '{}';
            FOR i IN lo .. hi LOOP
                gh := sha256(tag || gh || int8send(base + (i - lo + 1)) || decode(hashes[i], 'hex'));
                ghs := ghs || encode(gh, 'hex');
            END LOOP;
            INSERT INTO events (global_position, id, stream, version, type, schema_version, data,
                                metadata, occurred_at, recorded_at, prev_hash, hash, global_hash)
            SELECT base + u.ord, u.id::uuid, u.stream, u.version, u.type, u.schema_version, u.data::jsonb,
                   u.meta::jsonb, u.occurred_at, u.recorded_at, u.prev_hash, u.hash, u.global_hash
            FROM unnest(ids[lo:hi], streams[lo:hi], versions[lo:hi], types[lo:hi], schema_versions[lo:hi],
                        datas[lo:hi], metas[lo:hi], occurred[lo:hi], recorded[lo:hi], prev_hashes[lo:hi],
                        hashes[lo:hi], ghs)
                 WITH ORDINALITY AS u(id, stream, version, type, schema_version, data, meta, occurred_at,
                                      recorded_at, prev_hash, hash, global_hash, ord);
            first_position := base + 1;
            base := base + (hi - lo + 1);
            prev := gh;
        EXCEPTION WHEN others THEN
            error_code := SQLSTATE;
            error_message := SQLERRM;
        END;
        RETURN NEXT;
    END LOOP;
    IF base > start THEN
        PERFORM pg_notify('casetrail_events', base::text);
    END IF;
END
$$;

-- checkpoints holds signed checkpoints in the order they were stored. A
-- checkpoint signs (see eventstore.SignedCheckpoint.Message) the global
-- position, the global hash at that position, the number of streams and
-- the Merkle root of their heads at that position, and when it was made.
CREATE TABLE checkpoints (
    seq         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    position    bigint      NOT NULL CHECK (position >= 0),
    global_hash text        NOT NULL CHECK (char_length(global_hash) = 64),
    streams     bigint      NOT NULL CHECK (streams >= 0),
    stream_root text        NOT NULL CHECK (char_length(stream_root) = 64),
    created_at  timestamptz NOT NULL,
    key_id      text        NOT NULL,
    signature   text        NOT NULL
);

CREATE TRIGGER checkpoints_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION casetrail_refuse_change();

GRANT SELECT, INSERT ON checkpoints TO casetrail_app;

-- The event store: an append-only log of events per stream (one stream per
-- case) whose global positions are gap-free and commit-ordered, per-consumer
-- checkpoints and content-addressed blobs. See the eventstore package
-- documentation.

-- events holds every event ever appended, in global order.
CREATE TABLE events (
    global_position bigint      PRIMARY KEY CHECK (global_position >= 1),
    id              uuid        NOT NULL,
    stream          text        NOT NULL CHECK (stream <> ''),
    version         bigint      NOT NULL CHECK (version >= 1),
    type            text        NOT NULL CHECK (type <> ''),
    schema_version  integer     NOT NULL CHECK (schema_version >= 1),
    data            jsonb       NOT NULL,
    metadata        jsonb       NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    prev_hash       text        NOT NULL CHECK (char_length(prev_hash) = 64),
    hash            text        NOT NULL CHECK (char_length(hash) = 64),
    CONSTRAINT events_id_key UNIQUE (id),
    CONSTRAINT events_stream_version_key UNIQUE (stream, version)
);

-- casetrail_append appends a group of appends in one transaction. Append a
-- has the events bounds[a] .. bounds[a+1]-1 of the arrays, in version order.
-- Each append runs in its own subtransaction: one that fails (a unique
-- violation, bad data) is rolled back alone and reported with its SQLSTATE;
-- the others get consecutive global positions.
--
-- The transaction-scoped advisory lock is taken before the highest position
-- is read and is held until COMMIT, so groups commit one after the other:
-- positions become visible in increasing order and without gaps. Every
-- insert into events must go through this function.
CREATE FUNCTION casetrail_append(
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
    start bigint;
    base  bigint;
    lo    integer;
    hi    integer;
BEGIN
    PERFORM pg_advisory_xact_lock(7395112201563402811);
    SELECT coalesce(max(e.global_position), 0) INTO start FROM events e;
    base := start;
    FOR a IN 1 .. coalesce(array_length(bounds, 1), 1) - 1 LOOP
        lo := bounds[a];
        hi := bounds[a + 1] - 1;
        append_no := a;
        first_position := NULL;
        error_code := NULL;
        error_message := NULL;
        BEGIN
            INSERT INTO events (global_position, id, stream, version, type, schema_version, data,
                                metadata, occurred_at, recorded_at, prev_hash, hash)
            SELECT base + u.ord, u.id::uuid, u.stream, u.version, u.type, u.schema_version, u.data::jsonb,
                   u.meta::jsonb, u.occurred_at, u.recorded_at, u.prev_hash, u.hash
            FROM unnest(ids[lo:hi], streams[lo:hi], versions[lo:hi], types[lo:hi], schema_versions[lo:hi],
                        datas[lo:hi], metas[lo:hi], occurred[lo:hi], recorded[lo:hi], prev_hashes[lo:hi],
                        hashes[lo:hi])
                 WITH ORDINALITY AS u(id, stream, version, type, schema_version, data, meta, occurred_at,
                                      recorded_at, prev_hash, hash, ord);
            first_position := base + 1;
            base := base + (hi - lo + 1);
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

-- The append-only guard: no UPDATE, DELETE or TRUNCATE on events or blobs.
CREATE FUNCTION casetrail_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'casetrail: % on table % is refused: the event store is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION casetrail_refuse_change();

-- subscription_checkpoints stores, per named consumer, the last global
-- position it has handled.
CREATE TABLE subscription_checkpoints (
    consumer   text        PRIMARY KEY CHECK (consumer <> ''),
    position   bigint      NOT NULL CHECK (position >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- blobs are content-addressed by the lower-case hex SHA-256 of content.
CREATE TABLE blobs (
    sha256     text        PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    media_type text        NOT NULL,
    size       integer     NOT NULL CHECK (size >= 0),
    content    bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE blobs ALTER COLUMN content SET STORAGE EXTERNAL;

CREATE TRIGGER blobs_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON blobs
    FOR EACH STATEMENT EXECUTE FUNCTION casetrail_refuse_change();

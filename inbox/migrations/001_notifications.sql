-- The in-app inbox (issue 18, package inbox): one row per notification per
-- person. The inbox channel (activities.Inbox) writes them; the web
-- interface lists them to their subject only and marks them read.
-- (key, subject) is unique, so a retried delivery stores once. Rows are
-- kept 90 days (inbox.Retention): Store.Add deletes older ones, at most
-- once an hour per process.
CREATE TABLE notifications (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject    text NOT NULL CHECK (subject <> '' AND length(subject) <= 200),
    key        text NOT NULL CHECK (key <> '' AND length(key) <= 500),
    event      text NOT NULL CHECK (length(event) <= 100),
    case_id    text NOT NULL DEFAULT '',
    number     text NOT NULL DEFAULT '',
    title      text NOT NULL DEFAULT '',
    headline   text NOT NULL CHECK (length(headline) <= 1000),
    body       text NOT NULL CHECK (length(body) <= 20000),
    link       text NOT NULL DEFAULT '' CHECK (length(link) <= 2000),
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz,
    CONSTRAINT notifications_key_subject UNIQUE (key, subject)
);
-- The header's unread count of every page: a count over this index only.
CREATE INDEX notifications_unread ON notifications (subject) WHERE read_at IS NULL;
-- The list, newest first, and the retention's delete.
CREATE INDEX notifications_list ON notifications (subject, created_at DESC, id DESC);
CREATE INDEX notifications_created ON notifications (created_at);

-- The application role (eventstore migrations), when it exists: it stores
-- notifications, marks them read and deletes the expired.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'casetrail_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON notifications TO casetrail_app;
    END IF;
END
$$;

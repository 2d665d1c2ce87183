-- What the Notify activity already delivered (issue 18): one row per
-- notification key (the id of the case event that caused it) and channel,
-- for a channel that delivered to everyone (recipient ''), or per recipient
-- subject for a channel that tells recipients apart (e-mail: one message
-- per person). A retried activity skips what is here, so a channel that
-- succeeded is not sent through twice. Rows are only added.
CREATE TABLE casetrail_notification_deliveries (
    key          text        NOT NULL,
    channel      text        NOT NULL,
    recipient    text        NOT NULL DEFAULT '',
    delivered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (key, channel, recipient)
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'casetrail_app') THEN
        GRANT SELECT, INSERT ON casetrail_notification_deliveries TO casetrail_app;
    END IF;
END
$$;

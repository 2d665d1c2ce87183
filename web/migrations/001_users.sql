-- The people of the web interface (issue 14). A user's username is the
-- Casbin subject its role grants name; roles stay grants on units.
-- password_hash is an argon2id (or bcrypt) string; '' means no usable
-- password (a seed user created in production without one: an operator
-- sets it with `casetrail user passwd`).
CREATE TABLE users (
    username             text PRIMARY KEY CHECK (username ~ '^[a-z0-9][a-z0-9._@-]{0,63}$'),
    display_name         text NOT NULL CHECK (display_name <> '' AND length(display_name) <= 200),
    password_hash        text NOT NULL,
    disabled             boolean NOT NULL DEFAULT false,
    must_change_password boolean NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Server-side sessions: the schema github.com/alexedwards/scs/pgxstore
-- documents (the token column holds the SHA-256 of the cookie's token:
-- SessionManager.HashTokenInStore).
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Failed logins per key ('user:<name>' or 'addr:<client address>'), shared
-- by every API instance: after the limit the key is locked for a while.
CREATE TABLE login_throttle (
    key          text PRIMARY KEY,
    failures     integer NOT NULL,
    last_failure timestamptz NOT NULL,
    locked_until timestamptz
);
CREATE INDEX login_throttle_last_failure_idx ON login_throttle (last_failure);

-- The application role of the event store (eventstore migrations), of
-- which the server's login role is a member, when it exists: it adds users
-- (the seed), changes passwords and flags but never deletes a user; it
-- keeps sessions and the throttle.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'casetrail_app') THEN
        GRANT SELECT, INSERT, UPDATE ON users TO casetrail_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON sessions, login_throttle TO casetrail_app;
    END IF;
END
$$;

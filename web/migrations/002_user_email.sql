-- Users' e-mail addresses (issue 18): where e-mail notifications go. NULL
-- means none (the inbox still reaches the user). The application checks
-- the form (incident.CleanEmail); the table keeps out what is plainly not
-- an address.
ALTER TABLE users ADD COLUMN email text NULL
    CONSTRAINT users_email_check CHECK (email ~ '^[^@[:space:]<>]+@[^@[:space:]<>]+$' AND length(email) <= 254);

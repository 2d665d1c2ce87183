-- Issue 16 (office documents): how a unit issues letters — its drafting
-- unit's abbreviation, its numbering mode (CaseTrail's register or the
-- clerk's), its letterhead, place and default signer — kept as one JSON
-- object (readmodel.unitOffice; incident.Unit's fields of the same names).
-- NULL for units defined before, which issue with the defaults. Idempotent.
ALTER TABLE units ADD COLUMN IF NOT EXISTS office jsonb;

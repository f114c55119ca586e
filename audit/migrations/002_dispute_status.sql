-- Append-only audit trail of dispute statuses, beside payment_status: a dispute has its own id and
-- lifecycle, and mixing its statuses into payment_status would make payment_current_status lie.

CREATE TABLE dispute_status (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The gateway's dispute id (e.g. dp_...), not a UUID.
  dispute_id  TEXT        NOT NULL CHECK (char_length(dispute_id) BETWEEN 1 AND 255),
  -- The disputed payment, when the charge was ours.
  payment_id  UUID,
  event_key   TEXT        NOT NULL CHECK (char_length(event_key) BETWEEN 1 AND 200),
  -- Mirrors shared/dispute-status.ts; adding a status there needs a new migration replacing this check.
  status      TEXT        NOT NULL CONSTRAINT dispute_status_status_check CHECK (status IN (
                'needs_response', 'evidence_gathered', 'submitted', 'submission_failed', 'won', 'lost')),
  "timestamp" TIMESTAMPTZ NOT NULL DEFAULT now(),
  metadata    JSONB       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT dispute_status_event_key_unique UNIQUE (dispute_id, event_key)
);

CREATE INDEX dispute_status_dispute_id_idx ON dispute_status (dispute_id, id);
CREATE INDEX dispute_status_payment_id_idx ON dispute_status (payment_id, id);

CREATE FUNCTION dispute_status_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'dispute_status is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'restrict_violation',
          HINT = 'Record a correction by appending a new status row.';
END;
$$;

CREATE TRIGGER dispute_status_no_update BEFORE UPDATE ON dispute_status
  FOR EACH STATEMENT EXECUTE FUNCTION dispute_status_reject_change();
CREATE TRIGGER dispute_status_no_delete BEFORE DELETE ON dispute_status
  FOR EACH STATEMENT EXECUTE FUNCTION dispute_status_reject_change();
CREATE TRIGGER dispute_status_no_truncate BEFORE TRUNCATE ON dispute_status
  FOR EACH STATEMENT EXECUTE FUNCTION dispute_status_reject_change();

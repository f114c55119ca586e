-- Append-only audit trail of payment statuses: the compliance record finance queries with SQL.

CREATE TABLE payment_status (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  payment_id  UUID        NOT NULL,
  -- Derived deterministically by the workflow (e.g. a sequence number), so a retried activity
  -- writes the same key and the unique constraint below turns the retry into a no-op.
  event_key   TEXT        NOT NULL CHECK (char_length(event_key) BETWEEN 1 AND 200),
  -- Mirrors shared/payment-status.ts; adding a status there needs a new migration replacing this check.
  status      TEXT        NOT NULL CONSTRAINT payment_status_status_check CHECK (status IN (
                'initiated', 'processing', 'requires_action', 'pending_retry', 'unknown',
                'awaiting_payment_method', 'succeeded', 'failed', 'cancelled', 'dead_lettered',
                'partially_refunded', 'refunded')),
  -- When the event happened (workflow time); recorded_at is when the row was written.
  "timestamp" TIMESTAMPTZ NOT NULL DEFAULT now(),
  metadata    JSONB       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT payment_status_event_key_unique UNIQUE (payment_id, event_key)
);

CREATE INDEX payment_status_payment_id_idx ON payment_status (payment_id, id);
CREATE INDEX payment_status_status_idx ON payment_status (status, id);
CREATE INDEX payment_status_timestamp_idx ON payment_status ("timestamp");

-- Append-only is enforced here, not by convention: every UPDATE, DELETE or TRUNCATE fails, whoever runs it.
-- Statement-level triggers fire even when no row matches, so a mistaken WHERE clause fails loudly too.
CREATE FUNCTION payment_status_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'payment_status is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'restrict_violation',
          HINT = 'Record a correction by appending a new status row.';
END;
$$;

CREATE TRIGGER payment_status_no_update BEFORE UPDATE ON payment_status
  FOR EACH STATEMENT EXECUTE FUNCTION payment_status_reject_change();
CREATE TRIGGER payment_status_no_delete BEFORE DELETE ON payment_status
  FOR EACH STATEMENT EXECUTE FUNCTION payment_status_reject_change();
CREATE TRIGGER payment_status_no_truncate BEFORE TRUNCATE ON payment_status
  FOR EACH STATEMENT EXECUTE FUNCTION payment_status_reject_change();

-- Latest row per payment. NOT EXISTS (rather than DISTINCT ON) lets a filter such as
-- status = 'dead_lettered' use the status index instead of scanning every payment's history.
CREATE VIEW payment_current_status AS
SELECT s.id, s.payment_id, s.event_key, s.status, s."timestamp", s.metadata
FROM payment_status s
WHERE NOT EXISTS (
  SELECT 1 FROM payment_status later
  WHERE later.payment_id = s.payment_id AND later.id > s.id
);

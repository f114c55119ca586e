-- Every idempotency key a payment run accepted, kept for good: Temporal forgets a closed run after the
-- namespace's retention (or `temporal workflow delete`) and the gateway forgets its keys after a day, so this
-- table is what still tells a late repeat from a new payment. Append-only like payment_status, never deleted.

CREATE TABLE idempotency_keys (
  id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The caller's key as given (the API allows 1-255 characters); the payment id is derived from it.
  idempotency_key     TEXT        NOT NULL CHECK (char_length(idempotency_key) BETWEEN 1 AND 255),
  payment_id          UUID        NOT NULL,
  -- Keyed hash of the request parameters (client/payment-id.ts): tells a repeat from a reuse with another body.
  request_fingerprint TEXT        NOT NULL CHECK (char_length(request_fingerprint) BETWEEN 1 AND 200),
  -- The run that claimed the key (its original run id, which a reset keeps): its activity retries claim again.
  run_id              TEXT        NOT NULL CHECK (char_length(run_id) BETWEEN 1 AND 200),
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT idempotency_keys_key_unique UNIQUE (idempotency_key)
);

CREATE INDEX idempotency_keys_payment_id_idx ON idempotency_keys (payment_id);

CREATE FUNCTION idempotency_keys_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'idempotency_keys is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'restrict_violation',
          HINT = 'A claimed key is kept for good; a new payment needs a new key.';
END;
$$;

CREATE TRIGGER idempotency_keys_no_update BEFORE UPDATE ON idempotency_keys
  FOR EACH STATEMENT EXECUTE FUNCTION idempotency_keys_reject_change();
CREATE TRIGGER idempotency_keys_no_delete BEFORE DELETE ON idempotency_keys
  FOR EACH STATEMENT EXECUTE FUNCTION idempotency_keys_reject_change();
CREATE TRIGGER idempotency_keys_no_truncate BEFORE TRUNCATE ON idempotency_keys
  FOR EACH STATEMENT EXECUTE FUNCTION idempotency_keys_reject_change();

-- `terminated`: a run an operator terminated (or that timed out) before it wrote its own end. The sweeper appends
-- it after asking the gateway what the payment's keys hold. Mirrors shared/payment-status.ts.
ALTER TABLE payment_status DROP CONSTRAINT payment_status_status_check;
ALTER TABLE payment_status ADD CONSTRAINT payment_status_status_check CHECK (status IN (
  'initiated', 'processing', 'requires_action', 'pending_retry', 'unknown',
  'awaiting_payment_method', 'succeeded', 'failed', 'cancelled', 'dead_lettered',
  'partially_refunded', 'refunded', 'terminated'));

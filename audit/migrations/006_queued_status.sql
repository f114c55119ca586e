-- `queued`: the degradation ladder's level 4. No gateway could take a trusted customer's payment and nothing was
-- charged; it waits for the gateway to come back. Mirrors shared/payment-status.ts.
ALTER TABLE payment_status DROP CONSTRAINT payment_status_status_check;
ALTER TABLE payment_status ADD CONSTRAINT payment_status_status_check CHECK (status IN (
  'initiated', 'processing', 'requires_action', 'pending_retry', 'unknown',
  'awaiting_payment_method', 'succeeded', 'failed', 'cancelled', 'dead_lettered',
  'partially_refunded', 'refunded', 'terminated', 'queued'));

-- The ladder's trust rule counts a customer's earlier succeeded payments: their `succeeded` rows name the customer.
CREATE INDEX payment_status_succeeded_customer_idx ON payment_status ((metadata->>'customerId'))
  WHERE status = 'succeeded';

/**
 * Refund creation with Stripe's rules: only a succeeded charge can be refunded, the amount defaults to what is
 * left, and the refunded total never exceeds the charge. Synchronous like charge creation, so the check of the
 * remainder and the refund that uses it cannot be interleaved by a concurrent request.
 */
import type { Logger } from 'pino';
import { invalidRequest, resourceMissing } from './errors';
import type { Outcome } from './idempotent-replies';
import type { Ledger } from './ledger';
import type { RefundStore } from './refund-store';
import type { CreateRefundInput } from './types';

export function createRefund(
  ledger: Ledger,
  refunds: RefundStore,
  logger: Logger,
  input: CreateRefundInput,
  idempotencyKey: string,
): Outcome {
  const charge = ledger.get(input.charge);
  // The route checked this already; a reset while the request waited out an injected latency can still remove it.
  if (!charge) return resourceMissing(`No such charge: '${input.charge}'`);
  if (charge.status !== 'succeeded') {
    const message = `Charge ${charge.id} has status ${charge.status}; only a succeeded charge can be refunded.`;
    return invalidRequest(message, 'charge_not_refundable', 'charge');
  }
  const remaining = charge.amount - charge.amount_refunded;
  if (remaining === 0) {
    return invalidRequest(`Charge ${charge.id} has already been refunded.`, 'charge_already_refunded', 'charge');
  }
  const amount = input.amount ?? remaining;
  if (amount > remaining) {
    const message =
      `Refund amount (${amount}) is greater than the unrefunded amount on charge ${charge.id} (${remaining}); ` +
      `amounts are in minor units of ${charge.currency}.`;
    return invalidRequest(message, 'amount_too_large', 'amount');
  }
  ledger.addRefunded(charge, amount);
  const refund = refunds.record({
    charge,
    amount,
    reason: input.reason ?? null,
    idempotencyKey,
    metadata: input.metadata ?? {},
  });
  logger.debug(
    { refundId: refund.id, chargeId: charge.id, amount, refunded: charge.amount_refunded },
    'refund created',
  );
  return { status: 200, body: refund };
}

/** What the refund suites share: a captured payment to refund, and the sandbox ledger's refunds of one charge. */
import type { PaymentsClient } from '../../client/payments-client';
import { addFault } from './gateway-admin';
import { uniqueKey } from './payment-harness';

export interface LedgerRefund {
  id: string;
  charge: string;
  amount: number;
  idempotency_key: string;
}

export async function refundsInLedger(gatewayUrl: string, chargeId: string): Promise<LedgerRefund[]> {
  const res = await fetch(`${gatewayUrl}/_sandbox/ledger`);
  const body = (await res.json()) as { refunds: LedgerRefund[] };
  return body.refunds.filter((r) => r.charge === chargeId);
}

/** A payment of `amount` USD on the Visa test card, once it has succeeded. */
export async function paidPayment(
  client: PaymentsClient,
  amount: number,
  label = 'refundable',
): Promise<{ paymentId: string; chargeId: string }> {
  const { paymentId } = await client.startPayment({
    idempotencyKey: uniqueKey(label),
    amount,
    currency: 'USD',
    paymentMethod: { type: 'card', number: '4242424242424242' },
  });
  const result = await client.result(paymentId);
  expect(result.status).toBe('succeeded');
  return { paymentId, chargeId: result.chargeId ?? '' };
}

/**
 * A refund of `amount` whose outcome stays unknown to the request: the gateway makes it but its answer is lost, and
 * the next 16 look-ups fail (503): the refund's three check-first retries and three janitor checks of four attempts
 * each. The request hears "unknown" (asserted); the payment asks on and finds it later.
 */
export async function refundWithUnknownOutcome(
  client: PaymentsClient,
  gatewayUrl: string,
  payment: { paymentId: string; chargeId: string },
  amount: number,
): Promise<void> {
  const match = { idempotencyKeyPrefix: `refund_${payment.chargeId}_` };
  await addFault(gatewayUrl, { kind: 'commit_then_drop', match: { ...match, method: 'POST' }, count: 1 });
  await addFault(gatewayUrl, { kind: 'status', status: 503, match: { ...match, method: 'GET' }, count: 16 });
  await expect(client.refund(payment.paymentId, { amount, requestKey: uniqueKey('unknown') })).rejects.toThrow(
    /outcome unknown/,
  );
}

/** What the refund suites share: a captured payment to refund, and the sandbox ledger's refunds of one charge. */
import type { PaymentsClient } from '../../client/payments-client';
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

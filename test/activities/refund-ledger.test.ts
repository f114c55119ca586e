/** Unit test of the pure trail reading behind loadRefundLedger: what a new refunds run starts from. */
import { refundLedger } from '../../activities/refund-ledger';
import type { AuditRow } from '../../audit/types';
import type { PaymentStatus } from '../../shared/payment-status';

let id = 0;
function row(status: PaymentStatus, metadata: Record<string, unknown>, at = '2026-12-01T10:00:00.000Z'): AuditRow {
  id += 1;
  return { id, paymentId: 'p', eventKey: `run:${id}:${status}`, status, timestamp: new Date(at), metadata };
}

const money = { amount: 1000, currency: 'USD' };
const capture = (extra: Record<string, unknown> = {}) =>
  row('succeeded', { ...money, chargeId: 'ch_1', refundableUntil: '2027-05-30T10:00:00.000Z', ...extra });

describe('refundLedger', () => {
  it('is not refundable without a capture, and says the status the trail ends in', () => {
    const trail = [row('initiated', money), row('processing', money), row('failed', money)];
    expect(refundLedger(trail)).toEqual({ refundable: false, status: 'failed' });
    expect(refundLedger([])).toEqual({ refundable: false, status: undefined });
  });

  it('reads the capture and its window from a version 4 succeeded row', () => {
    const ledger = refundLedger([row('initiated', money), capture()]);
    expect(ledger).toMatchObject({
      refundable: true,
      status: 'succeeded',
      chargeId: 'ch_1',
      amount: 1000,
      currency: 'USD',
      capturedAt: '2026-12-01T10:00:00.000Z',
      refundableUntil: '2027-05-30T10:00:00.000Z',
      amountRefunded: 0,
      refunds: [],
      history: [],
    });
  });

  it("takes the sweeper's charged terminated row as the capture, its window from the row's time", () => {
    const terminated = row('terminated', { ...money, charged: true, chargeId: 'ch_9', refundWindowMs: 60_000 });
    const ledger = refundLedger([row('processing', money), terminated]);
    expect(ledger).toMatchObject({ refundable: true, status: 'terminated', chargeId: 'ch_9' });
    expect(ledger.refundable && ledger.refundableUntil).toBe('2026-12-01T10:01:00.000Z');
    const uncharged = row('terminated', { ...money, charged: false });
    expect(refundLedger([uncharged]).refundable).toBe(false);
  });

  it('rebuilds every refund by number: made, refused (its number used up), unknown (still held back)', () => {
    const request = (n: number) => ({ requestKey: `k${n}`, refundReason: 'requested_by_customer' });
    const trail = [
      capture(),
      row('partially_refunded', {
        ...money,
        ...request(1),
        refundSeq: 1,
        refundAmount: 300,
        refundId: 're_1',
        amountRefunded: 300,
        gatewayKey: 'refund_ch_1_1',
      }),
      row('partially_refunded', {
        ...money,
        ...request(2),
        refundSeq: 2,
        refundAmount: 200,
        refundOutcome: 'refused',
        refundFailure: 'charge disputed',
        gatewayKey: 'refund_ch_1_2',
      }),
      row('partially_refunded', {
        ...money,
        ...request(3),
        refundSeq: 3,
        refundAmount: 100,
        refundOutcome: 'unknown',
        gatewayKey: 'refund_ch_1_3',
      }),
    ];
    const ledger = refundLedger(trail);
    if (!ledger.refundable) throw new Error('expected a refundable ledger');
    expect(ledger.status).toBe('partially_refunded');
    expect(ledger.amountRefunded).toBe(300);
    expect(ledger.refunds.map((r) => [r.refundNumber, r.requestKey, r.amount, r.status, r.gatewayKey])).toEqual([
      [1, 'k1', 300, 'succeeded', 'refund_ch_1_1'],
      [2, 'k2', 200, 'failed', 'refund_ch_1_2'],
      [3, 'k3', 100, 'unknown', 'refund_ch_1_3'],
    ]);
    expect(ledger.refunds[0]).toMatchObject({ refundId: 're_1', reason: 'requested_by_customer' });
    expect(ledger.refunds[1]?.failure).toBe('charge disputed');
    expect(ledger.history.map((c) => c.status)).toEqual([
      'partially_refunded',
      'partially_refunded',
      'partially_refunded',
    ]);
  });

  it('settles an unknown refund by its later row, and names rows of payment runs that carry no request key', () => {
    const trail = [
      capture(),
      row('succeeded', { ...money, refundSeq: 1, refundAmount: 400, refundOutcome: 'unknown', gatewayKey: 'g1' }),
      row('partially_refunded', { ...money, refundSeq: 1, refundAmount: 400, refundId: 're_1', amountRefunded: 400 }),
      row('partially_refunded', { ...money, refundSeq: 2, refundOutcome: 'not_refunded' }),
    ];
    const ledger = refundLedger(trail);
    if (!ledger.refundable) throw new Error('expected a refundable ledger');
    expect(ledger.refunds.map((r) => [r.refundNumber, r.requestKey, r.status, r.gatewayKey])).toEqual([
      [1, 'audit:1', 'succeeded', 'g1'],
      [2, 'audit:2', 'failed', 'refund_ch_1_2'],
    ]);
    expect(ledger.amountRefunded).toBe(400);
  });
});

import type { LedgerCharge } from '../../reconcile/ledger';
import { reconcile } from '../../reconcile/compare';
import type { AuditRow } from '../../audit/types';
import type { PaymentStatus } from '../../shared/payment-status';

const P1 = '11111111-1111-4111-8111-111111111111';
const P2 = '22222222-2222-4222-8222-222222222222';

let nextId = 1;
const row = (paymentId: string, status: PaymentStatus, metadata: Record<string, unknown> = {}): AuditRow => ({
  id: nextId++,
  paymentId,
  eventKey: String(nextId),
  status,
  timestamp: new Date('2025-01-01T00:00:00Z'),
  metadata,
});

const charge = (id: string, paymentId: string | undefined, status = 'succeeded'): LedgerCharge => ({
  id,
  idempotency_key: `key-${id}`,
  amount: 1000,
  currency: 'usd',
  status,
  card_last4: '4242',
  metadata: paymentId ? { payment_id: paymentId } : {},
  created: '2025-01-01T00:00:00Z',
});

const succeeded = (paymentId: string, chargeId?: string) => [
  row(paymentId, 'processing'),
  row(paymentId, 'succeeded', chargeId ? { chargeId } : {}),
];

describe('reconcile (pure)', () => {
  it("takes a terminated run's `charged: true` row as the recorded charge, and `charged: false` as none", () => {
    const terminated = (paymentId: string, charged: boolean, chargeId?: string) => [
      row(paymentId, 'processing'),
      row(paymentId, 'terminated', { charged, ...(chargeId ? { chargeId } : {}) }),
    ];
    expect(reconcile(terminated(P1, true, 'ch_1'), [charge('ch_1', P1)])).toEqual([]);
    expect(reconcile(terminated(P2, false), [])).toEqual([]);
    // A sweeper that said "not charged" while the ledger holds a charge is a mismatch, as for any payment.
    expect(reconcile(terminated(P2, false), [charge('ch_2', P2)])).toEqual([
      expect.objectContaining({ kind: 'charged_not_recorded', paymentId: P2, chargeIds: ['ch_2'] }),
    ]);
  });

  it('is clean when every succeeded payment has exactly its one charge', () => {
    const rows = [...succeeded(P1, 'ch_1'), ...succeeded(P2, 'ch_2'), row(P2, 'refunded')];
    const charges = [charge('ch_1', P1), charge('ch_2', P2, 'refunded'), charge('ch_x', P1, 'failed')];
    expect(reconcile(rows, charges)).toEqual([]);
  });

  it('ignores charges that are not ours and payments that never succeeded without a charge', () => {
    expect(reconcile([row(P1, 'failed'), row(P2, 'dead_lettered')], [charge('ch_other', undefined)])).toEqual([]);
  });

  it('reports charged but not recorded', () => {
    expect(reconcile([row(P1, 'unknown')], [charge('ch_1', P1)])).toEqual([
      expect.objectContaining({ kind: 'charged_not_recorded', paymentId: P1, chargeIds: ['ch_1'] }),
    ]);
  });

  it('reports recorded but not charged', () => {
    expect(reconcile(succeeded(P1, 'ch_1'), [charge('ch_1', P1, 'failed')])).toEqual([
      expect.objectContaining({ kind: 'recorded_not_charged', paymentId: P1, chargeIds: ['ch_1'] }),
    ]);
  });

  it('reports charged twice', () => {
    expect(reconcile(succeeded(P1, 'ch_1'), [charge('ch_1', P1), charge('ch_2', P1)])).toEqual([
      expect.objectContaining({ kind: 'charged_twice', paymentId: P1, chargeIds: ['ch_1', 'ch_2'] }),
    ]);
  });

  it('reports both sides when the recorded chargeId is not the ledger charge', () => {
    expect(reconcile(succeeded(P1, 'ch_1'), [charge('ch_9', P1)]).map((m) => [m.kind, m.chargeIds])).toEqual([
      ['charged_not_recorded', ['ch_9']],
      ['recorded_not_charged', ['ch_1']],
    ]);
  });

  it('matches payment ids case-insensitively and sorts the report', () => {
    const charges = [charge('ch_2', P2.toUpperCase()), charge('ch_1', P1)];
    expect(reconcile([], charges).map((m) => m.paymentId)).toEqual([P1, P2]);
  });
});

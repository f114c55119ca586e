import { BACKENDS } from './support/backends';
import { newPaymentId, useStore } from './support/fixture';
import type { PaymentStatus } from '../../shared/payment-status';

describe.each(BACKENDS)('audit store on %s: read side', (backend) => {
  const fx = useStore(backend);
  const dead = [newPaymentId(), newPaymentId(), newPaymentId()];
  const recovered = newPaymentId();
  const succeeded = newPaymentId();

  const write = async (paymentId: string, statuses: PaymentStatus[], start: Date) => {
    for (const [i, status] of statuses.entries()) {
      await fx.store.append({
        paymentId,
        eventKey: String(i),
        status,
        occurredAt: new Date(start.getTime() + i * 1000),
      });
    }
  };

  beforeAll(async () => {
    for (const id of dead)
      await write(id, ['initiated', 'processing', 'dead_lettered'], new Date('2025-01-01T00:00:00Z'));
    // Was dead-lettered once, then succeeded: only its *current* status counts.
    await write(recovered, ['initiated', 'dead_lettered', 'succeeded'], new Date('2025-02-01T00:00:00Z'));
    await write(succeeded, ['initiated', 'succeeded'], new Date('2025-03-01T00:00:00Z'));
  });

  it('gives the latest row as the current status', async () => {
    expect(await fx.store.currentStatus(recovered)).toMatchObject({ paymentId: recovered, status: 'succeeded' });
    expect(await fx.store.currentStatus(newPaymentId())).toBeUndefined();
  });

  it('lists payments by current status, oldest first', async () => {
    const rows = await fx.store.byStatus('dead_lettered');
    expect(rows.map((r) => r.paymentId)).toEqual(dead);
    expect(rows.every((r) => r.eventKey === '2')).toBe(true);
    expect((await fx.store.byStatus('succeeded')).map((r) => r.paymentId)).toEqual([recovered, succeeded]);
    expect(await fx.store.byStatus('refunded')).toEqual([]);
  });

  it('honours the limit', async () => {
    expect((await fx.store.byStatus('dead_lettered', { limit: 2 })).map((r) => r.paymentId)).toEqual(dead.slice(0, 2));
    await expect(fx.store.byStatus('dead_lettered', { limit: 0 })).rejects.toThrow(/limit/);
  });

  it('exposes the payment_current_status view to plain SQL (one row per payment)', async () => {
    const rows = await fx.db.query<{ payment_id: string; status: string }>(
      `SELECT payment_id, status FROM payment_current_status WHERE payment_id = ANY($1::uuid[]) ORDER BY id`,
      [[...dead, recovered, succeeded]],
    );
    expect(rows.map((r) => r.status)).toEqual([
      'dead_lettered',
      'dead_lettered',
      'dead_lettered',
      'succeeded',
      'succeeded',
    ]);
  });

  it('returns all rows, or those since a time, in id order', async () => {
    const all = await fx.store.allRows();
    expect(all).toHaveLength(3 * 3 + 3 + 2);
    expect(all.map((r) => r.id)).toEqual([...all.map((r) => r.id)].sort((a, b) => a - b));
    const since = await fx.store.allRows({ since: new Date('2025-02-01T00:00:01Z') });
    expect(since.map((r) => [r.paymentId, r.status])).toEqual([
      [recovered, 'dead_lettered'],
      [recovered, 'succeeded'],
      [succeeded, 'initiated'],
      [succeeded, 'succeeded'],
    ]);
  });
});

import { PAYMENT_STATUSES } from '../../shared/payment-status';
import { AuditInputError } from '../../audit/validate';
import { BACKENDS } from './support/backends';
import { countRows, newPaymentId, useStore } from './support/fixture';

describe.each(BACKENDS)('audit store on %s: writes', (backend) => {
  const fx = useStore(backend);

  it('returns a payment history in write order with metadata and timestamps intact', async () => {
    const paymentId = newPaymentId();
    const occurredAt = new Date('2025-01-02T03:04:05.678Z');
    await fx.store.append({ paymentId, eventKey: '1', status: 'initiated', occurredAt });
    await fx.store.append({ paymentId, eventKey: '2', status: 'processing', metadata: { attempt: 1 } });
    await fx.store.append({
      paymentId,
      eventKey: '3',
      status: 'succeeded',
      metadata: { chargeId: 'ch_1', gateway: 'sandbox' },
    });

    const history = await fx.store.history(paymentId);
    expect(history.map((r) => [r.eventKey, r.status])).toEqual([
      ['1', 'initiated'],
      ['2', 'processing'],
      ['3', 'succeeded'],
    ]);
    expect(history[0].timestamp).toEqual(occurredAt);
    expect(history[0].metadata).toEqual({});
    expect(history[2].metadata).toEqual({ chargeId: 'ch_1', gateway: 'sandbox' });
    expect(history.every((r) => r.paymentId === paymentId && typeof r.id === 'number')).toBe(true);
    expect(history[1].id).toBeGreaterThan(history[0].id);
  });

  it("counts a customer's other succeeded payments by their succeeded rows (the ladder's trust rule)", async () => {
    const customerId = `cus_${newPaymentId().slice(0, 8)}`;
    const [a, b, current, other] = [newPaymentId(), newPaymentId(), newPaymentId(), newPaymentId()];
    const succeeded = (paymentId: string, eventKey: string, who = customerId) =>
      fx.store.append({ paymentId, eventKey, status: 'succeeded', metadata: { customerId: who } });
    await succeeded(a, '3');
    await succeeded(a, '9'); // the same payment twice (a reset run's own row) is one payment
    await succeeded(b, '3');
    await succeeded(current, '3');
    await succeeded(other, '3', 'cus_someone_else');
    await fx.store.append({ paymentId: newPaymentId(), eventKey: '3', status: 'failed', metadata: { customerId } });
    expect(await fx.store.countSucceededByCustomer(customerId, current)).toBe(2);
    expect(await fx.store.countSucceededByCustomer('cus_nobody', current)).toBe(0);
    await expect(fx.store.countSucceededByCustomer('', current)).rejects.toBeInstanceOf(AuditInputError);
  });

  it('keeps one row when a retried activity appends the same event again', async () => {
    const paymentId = newPaymentId();
    const entry = { paymentId, eventKey: 'seq-1', status: 'processing' as const, metadata: { attempt: 1 } };
    expect(await fx.store.append(entry)).toEqual({ inserted: true });
    expect(await fx.store.append(entry)).toEqual({ inserted: false });
    expect(await countRows(fx.db, paymentId)).toBe(1);
  });

  it('keeps one row when the same event is appended concurrently', async () => {
    const paymentId = newPaymentId();
    const entry = { paymentId, eventKey: 'seq-1', status: 'initiated' as const };
    const results = await Promise.all(Array.from({ length: 8 }, () => fx.store.append(entry)));
    expect(results.filter((r) => r.inserted)).toHaveLength(1);
    expect(await countRows(fx.db, paymentId)).toBe(1);
  });

  it('treats an upper-case payment id as the same payment', async () => {
    const paymentId = newPaymentId();
    await fx.store.append({ paymentId: paymentId.toUpperCase(), eventKey: '1', status: 'initiated' });
    expect(await fx.store.append({ paymentId, eventKey: '1', status: 'initiated' })).toEqual({ inserted: false });
    expect((await fx.store.history(paymentId.toUpperCase()))[0].paymentId).toBe(paymentId);
  });

  it('refuses a second, different status under an event key already used', async () => {
    const paymentId = newPaymentId();
    await fx.store.append({ paymentId, eventKey: '7', status: 'processing' });
    const retry = fx.store.append({ paymentId, eventKey: '7', status: 'failed' });
    await expect(retry).rejects.toThrow(AuditInputError);
    await expect(retry).rejects.toThrow(/eventKey.*already recorded.*processing/);
    expect((await fx.store.history(paymentId)).map((r) => r.status)).toEqual(['processing']);
  });

  it('accepts every status in shared/payment-status.ts (the CHECK constraint has not drifted)', async () => {
    const paymentId = newPaymentId();
    for (const [i, status] of PAYMENT_STATUSES.entries()) {
      await fx.store.append({ paymentId, eventKey: String(i), status });
    }
    expect((await fx.store.history(paymentId)).map((r) => r.status)).toEqual([...PAYMENT_STATUSES]);
  });
});

/** The dispute half of the audit trail: append-only and idempotent by event key, on both backends. */
import { AuditInputError } from '../../audit/validate';
import { BACKENDS } from './support/backends';
import { newPaymentId, useStore } from './support/fixture';

describe.each(BACKENDS)('dispute audit trail on %s', (backend) => {
  const fx = useStore(backend);

  it('appends in order, ignores a retried write, and refuses UPDATE, DELETE and TRUNCATE', async () => {
    const disputeId = `dp_${newPaymentId().slice(0, 8)}`;
    const paymentId = newPaymentId();
    await fx.store.appendDispute({ disputeId, paymentId, eventKey: '1:needs_response', status: 'needs_response' });
    const retried = await fx.store.appendDispute({
      disputeId,
      paymentId,
      eventKey: '1:needs_response',
      status: 'needs_response',
    });
    expect(retried.inserted).toBe(false);
    await fx.store.appendDispute({ disputeId, eventKey: '2:lost', status: 'lost', metadata: { outcome: 'lost' } });
    const rows = await fx.store.disputeHistory(disputeId);
    expect(rows.map((r) => [r.eventKey, r.status, r.paymentId])).toEqual([
      ['1:needs_response', 'needs_response', paymentId],
      ['2:lost', 'lost', undefined],
    ]);
    for (const sql of [
      `UPDATE dispute_status SET status = 'won'`,
      'DELETE FROM dispute_status',
      'TRUNCATE dispute_status',
    ]) {
      await expect(fx.db.query(sql)).rejects.toThrow('dispute_status is append-only');
    }
    expect(await fx.store.disputeHistory(disputeId)).toHaveLength(2);
  });

  it('refuses an unknown status, a malformed id and a card-data key before touching the database', async () => {
    const base = { disputeId: 'dp_ok', eventKey: '1', status: 'won' as const };
    await expect(fx.store.appendDispute({ ...base, status: 'maybe' as never })).rejects.toBeInstanceOf(AuditInputError);
    await expect(fx.store.appendDispute({ ...base, disputeId: "dp'; drop" })).rejects.toBeInstanceOf(AuditInputError);
    await expect(fx.store.appendDispute({ ...base, metadata: { cvc: '123' } })).rejects.toBeInstanceOf(AuditInputError);
    expect(await fx.store.disputeHistory('dp_ok')).toEqual([]);
  });

  it("admits the sweeper's 'terminated' (migration 005) and the table itself still refuses an unknown status", async () => {
    const disputeId = `dp_${newPaymentId().slice(0, 8)}`;
    await fx.store.appendDispute({ disputeId, eventKey: 'run-1:terminated', status: 'terminated' });
    expect((await fx.store.disputeHistory(disputeId)).map((r) => r.status)).toEqual(['terminated']);
    // Past the store's validation, straight to SQL: the CHECK constraint is the last word.
    await expect(
      fx.db.query(`INSERT INTO dispute_status (dispute_id, event_key, status) VALUES ($1, 'x', 'maybe')`, [disputeId]),
    ).rejects.toThrow(/dispute_status_status_check/);
  });

  it('masks a card number in free text instead of refusing the row', async () => {
    const entry = { disputeId: 'dp_masked', eventKey: '1', status: 'won' as const };
    await fx.store.appendDispute({ ...entry, metadata: { note: 'customer sent 4242 4242 4242 4242' } });
    expect((await fx.store.disputeHistory('dp_masked'))[0].metadata).toEqual({ note: 'customer sent ****4242' });
  });
});

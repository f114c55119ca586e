import { BACKENDS } from './support/backends';
import { countRows, newPaymentId, useStore } from './support/fixture';

describe.each(BACKENDS)('audit store on %s: append-only', (backend) => {
  const fx = useStore(backend);
  let paymentId: string;

  beforeAll(async () => {
    paymentId = newPaymentId();
    await fx.store.append({ paymentId, eventKey: '1', status: 'processing' });
    await fx.store.append({ paymentId, eventKey: '2', status: 'succeeded', metadata: { chargeId: 'ch_1' } });
  });

  afterEach(async () => {
    // Whatever was attempted, the trail is exactly as written.
    const history = await fx.store.history(paymentId);
    expect(history.map((r) => [r.eventKey, r.status, r.metadata])).toEqual([
      ['1', 'processing', {}],
      ['2', 'succeeded', { chargeId: 'ch_1' }],
    ]);
  });

  it('refuses UPDATE', async () => {
    await expect(
      fx.db.query(`UPDATE payment_status SET status = 'failed' WHERE payment_id = $1`, [paymentId]),
    ).rejects.toThrow('payment_status is append-only: UPDATE is not allowed');
  });

  it('refuses UPDATE even when no row matches', async () => {
    await expect(fx.db.query(`UPDATE payment_status SET status = 'failed' WHERE false`)).rejects.toThrow(
      'payment_status is append-only: UPDATE is not allowed',
    );
  });

  it('refuses DELETE', async () => {
    await expect(fx.db.query('DELETE FROM payment_status WHERE payment_id = $1', [paymentId])).rejects.toThrow(
      'payment_status is append-only: DELETE is not allowed',
    );
  });

  it('refuses TRUNCATE', async () => {
    await expect(fx.db.query('TRUNCATE payment_status')).rejects.toThrow(
      'payment_status is append-only: TRUNCATE is not allowed',
    );
    expect(await countRows(fx.db)).toBeGreaterThanOrEqual(2);
  });

  it('reports the refusal as SQLSTATE 23001 (restrict_violation)', async () => {
    await expect(fx.db.query('DELETE FROM payment_status')).rejects.toMatchObject({ code: '23001' });
  });

  it('refuses an upsert that would rewrite a row', async () => {
    const upsert = `INSERT INTO payment_status (payment_id, event_key, status) VALUES ($1, '1', 'failed')
      ON CONFLICT (payment_id, event_key) DO UPDATE SET status = EXCLUDED.status`;
    await expect(fx.db.query(upsert, [paymentId])).rejects.toThrow('append-only');
  });
});

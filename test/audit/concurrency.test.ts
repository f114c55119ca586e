import { BACKENDS } from './support/backends';
import { countRows, newPaymentId, useStore } from './support/fixture';
import type { PaymentStatus } from '../../shared/payment-status';

const PAYMENTS = 20;
const EVENTS = 10;
const STATUSES: PaymentStatus[] = ['initiated', 'processing', 'pending_retry', 'processing', 'unknown'];

describe.each(BACKENDS)('audit store on %s: concurrent writers', (backend) => {
  const fx = useStore(backend);

  it(`keeps all ${PAYMENTS * EVENTS} rows and each payment's order when ${PAYMENTS} payments write at once`, async () => {
    const paymentIds = Array.from({ length: PAYMENTS }, newPaymentId);
    // Like workflows: payments run in parallel, each one's events strictly in sequence.
    const writePayment = async (paymentId: string) => {
      for (let seq = 0; seq < EVENTS; seq++) {
        const status = seq === EVENTS - 1 ? 'succeeded' : STATUSES[seq % STATUSES.length];
        await fx.store.append({ paymentId, eventKey: String(seq), status, metadata: { attempt: seq } });
      }
    };
    await Promise.all(paymentIds.map(writePayment));

    expect(await countRows(fx.db)).toBe(PAYMENTS * EVENTS);
    for (const paymentId of paymentIds) {
      const history = await fx.store.history(paymentId);
      expect(history.map((r) => r.eventKey)).toEqual(Array.from({ length: EVENTS }, (_, i) => String(i)));
      expect(history.map((r) => r.metadata.attempt)).toEqual(Array.from({ length: EVENTS }, (_, i) => i));
      expect((await fx.store.currentStatus(paymentId))?.status).toBe('succeeded');
    }
  });

  it('never duplicates when every event is also retried concurrently', async () => {
    const paymentIds = Array.from({ length: 5 }, newPaymentId);
    const writes = paymentIds.flatMap((paymentId) =>
      [0, 1, 2].flatMap((seq) => [1, 2].map(() => ({ paymentId, eventKey: `e${seq}`, status: 'processing' as const }))),
    );
    const results = await Promise.all(writes.map((w) => fx.store.append(w)));
    expect(results.filter((r) => r.inserted)).toHaveLength(paymentIds.length * 3);
    for (const paymentId of paymentIds) expect(await countRows(fx.db, paymentId)).toBe(3);
  });
});

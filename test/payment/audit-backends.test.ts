/**
 * Issue "append-only audit trail", end to end: real payments leave their full history in the table on both
 * backends, and `npm run reconcile` finds the audit trail and the gateway ledger in agreement.
 */
import pino from 'pino';
import { openAuditStore } from '../../audit/open';
import type { AuditStore } from '../../audit/types';
import { main as reconcile } from '../../scripts/reconcile';
import { createBackend, type Backend, type BackendName } from '../audit/support/backends';
import { addFault } from '../support/gateway-admin';
import { paymentIdFromKey } from '../../client/payment-id';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { waitForStatus } from '../support/wait';

const card = (number: string) => ({ type: 'card' as const, number });

describe.each<BackendName>(['postgres', 'pglite'])('audit trail on %s', (backendName) => {
  let backend: Backend;
  let store: AuditStore;
  let h: PaymentHarness;

  beforeAll(async () => {
    backend = await createBackend(backendName);
    store = await openAuditStore({ ...backend.options, logger: pino({ level: 'silent' }) });
    h = await startPaymentHarness({ audit: store });
  });
  afterAll(async () => {
    await h?.teardown();
    await backend?.dispose();
  });

  it('records every status of real payments, and reconcile is clean afterwards', async () => {
    const ok = await h.client.startPayment({
      idempotencyKey: uniqueKey('a-ok'),
      amount: 900,
      currency: 'USD',
      paymentMethod: card('4242424242424242'),
    });
    const dropKey = uniqueKey('a-drop');
    await addFault(h.gateway.url, {
      kind: 'commit_then_drop',
      count: 1,
      match: { method: 'POST', idempotencyKeyPrefix: paymentIdFromKey(dropKey) },
    });
    const dropped = await h.client.startPayment({
      idempotencyKey: dropKey,
      amount: 901,
      currency: 'USD',
      paymentMethod: card('4242424242424242'),
    });
    const expired = await h.client.startPayment({
      idempotencyKey: uniqueKey('a-exp'),
      amount: 902,
      currency: 'USD',
      paymentMethod: card('4000000000000069'),
    });
    await waitForStatus(h.client, expired.paymentId, 'awaiting_payment_method');
    await h.client.replaceCard(expired.paymentId, card('4242424242424242'));
    for (const p of [ok, dropped, expired]) expect((await h.client.result(p.paymentId)).status).toBe('succeeded');

    expect((await store.history(ok.paymentId)).map((r) => r.status)).toEqual(['initiated', 'processing', 'succeeded']);
    expect((await store.history(expired.paymentId)).map((r) => r.status)).toEqual([
      'initiated',
      'processing',
      'awaiting_payment_method',
      'processing',
      'succeeded',
    ]);
    expect((await store.currentStatus(dropped.paymentId))?.status).toBe('succeeded');

    await store.close(); // one PGlite directory, one open handle: let the script open it
    const out: string[] = [];
    const env = {
      ...backend.options,
      DATABASE_URL: backend.options.databaseUrl,
      AUDIT_DATA_DIR: backend.options.dataDir,
      GATEWAY_URL: h.gateway.url,
    };
    const code = await reconcile(['--json'], env, { out: (l) => out.push(l), err: (l) => out.push(l) });
    const report = JSON.parse(out.join('\n'));
    expect(report).toMatchObject({ clean: true, checkedPayments: 3, mismatches: [] });
    expect(code).toBe(0);
  });
});

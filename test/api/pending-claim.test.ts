/**
 * A start whose run has not claimed its idempotency key within the client's wait (here the audit database holds
 * the claim's write, as a slow database or a worker killed mid-write would) is answered "pending: retry with the
 * same key": PaymentPendingError from the client, 503 `payment_pending` over HTTP, never a 500. Nothing is lost
 * or doubled: once the write goes through, a retry with the same key gets the payment, the gateway holds one
 * charge, and another body under the key is still refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isPaymentPending, PaymentPendingError } from '../../client/errors';
import { paymentIdFromKey } from '../../client/payment-id';
import { paymentWorkflowId } from '../../shared/ids';
import { openAuditStore } from '../../audit/open';
import type { AuditStore } from '../../audit/types';
import { createLogger } from '../../logging/logger';
import { ledgerFor } from '../support/gateway-admin';
import { uniqueKey } from '../support/payment-harness';
import { eventually } from '../support/wait';
import { expectApiError, payment, startApiHarness, VISA, type ApiHarness } from './api-harness';

/** The in-process client's claim wait here (production: 15 s); the API's is bound by its read deadline (5 s). */
const CLAIM_WAIT_MS = 500;

/** The store, except that writes claiming a held payment's key wait until that payment is released. */
function holdingClaims(store: AuditStore) {
  const held = new Map<string, { released: Promise<void>; release(): void }>();
  const gate = async (paymentId: string) => held.get(paymentId)?.released;
  const gated: AuditStore = Object.assign(Object.create(store) as AuditStore, {
    claimIdempotencyKey: async (...args: Parameters<AuditStore['claimIdempotencyKey']>) => {
      await gate(args[0].paymentId);
      return store.claimIdempotencyKey(...args);
    },
    appendClaimed: async (...args: Parameters<AuditStore['appendClaimed']>) => {
      await gate(args[1].paymentId);
      return store.appendClaimed(...args);
    },
    appendClaimedRows: async (...args: Parameters<AuditStore['appendClaimedRows']>) => {
      await gate(args[1].paymentId);
      return store.appendClaimedRows(...args);
    },
  });
  const hold = (paymentId: string) => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    held.set(paymentId, { released, release });
  };
  const release = (paymentId: string) => held.get(paymentId)?.release();
  return { store: gated, hold, release, releaseAll: () => held.forEach((h) => h.release()) };
}

let api: ApiHarness;
let audit: AuditStore;
let claims: ReturnType<typeof holdingClaims>;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dp-pending-'));

beforeAll(async () => {
  audit = await openAuditStore({ dataDir, logger: createLogger({ level: 'warn', name: 'test' }) });
  claims = holdingClaims(audit);
  // The API as configured by default: its client waits 15 s for a claim, its read deadline is 5 s.
  api = await startApiHarness({}, { harness: { audit: claims.store } });
});
afterAll(async () => {
  claims?.releaseAll();
  await api?.teardown();
  await audit?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('answers a start not yet claimed as pending, and a retry with the same key gets the one payment', async () => {
  const key = uniqueKey('pending');
  const paymentId = paymentIdFromKey(key);
  claims.hold(paymentId);

  // Before the read deadline cuts the call short (that would be 503 service_unavailable, which says less).
  const first = await api.pay(key, payment());
  const error = expectApiError(first, 503, 'payment_pending');
  expect(first.headers.get('retry-after')).toBe('1');
  expect(error.message).toBe(`payment ${paymentId} has not claimed its idempotency key yet; retry with the same key`);
  // With a wait, the same once the wait is over.
  expectApiError(await api.pay(key, payment(), '?wait=1s'), 503, 'payment_pending');
  // The client says the same to a caller in process; the run is there, waiting on its first write.
  const client = api.h.clientWith({}, { keyClaimWaitMs: CLAIM_WAIT_MS });
  const refused = await client
    .startPayment({ idempotencyKey: key, amount: 1999, currency: 'USD', paymentMethod: { type: 'card', number: VISA } })
    .catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(PaymentPendingError);
  expect(isPaymentPending(refused) && refused.paymentId).toBe(paymentId);
  expect(await api.workflowExists(key)).toBe(true);
  // Nothing was sent to the gateway before the key is claimed, and nothing was written.
  expect(await ledgerFor(api.h.gateway.url, paymentId)).toEqual([]);
  expect(await audit.history(paymentId)).toEqual([]);

  claims.release(paymentId);
  const retry = await api.pay(key, payment(), '?wait=5s');
  expect(retry).toMatchObject({ status: 200, body: { paymentId, status: 'succeeded' } });
  expect(retry.headers.get('idempotent-replayed')).toBe('true');
  const charges = await ledgerFor(api.h.gateway.url, paymentId);
  expect(charges.map((c) => c.status)).toEqual(['succeeded']);
  expect((await audit.history(paymentId)).map((r) => r.status)).toEqual(['initiated', 'processing', 'succeeded']);
  // The key is this body's now: another body under it is refused, and charges nothing.
  expectApiError(await api.pay(key, payment(VISA, 2999)), 422, 'idempotency_key_reused');
  expect(await ledgerFor(api.h.gateway.url, paymentId)).toHaveLength(1);
});

it('answers a start whose run closed before it claimed (an operator terminated it) from the run, not as pending', async () => {
  const key = uniqueKey('pending-closed');
  const paymentId = paymentIdFromKey(key);
  claims.hold(paymentId);
  const client = api.h.clientWith({}, { keyClaimWaitMs: 20_000 });
  const request = { idempotencyKey: key, amount: 1999, currency: 'USD', paymentMethod: { type: 'card', number: VISA } };
  // Terminated once the client is polling for the claim: the start was accepted and found the run open.
  const queries = jest.spyOn(api.h.env.client.workflowService, 'queryWorkflow');
  const claimReads = () =>
    queries.mock.calls.filter(([req]) => req.query?.queryType === 'keyClaim' && req.execution?.workflowId === id);
  const id = paymentWorkflowId(paymentId);
  try {
    const started = client.startPayment(request as Parameters<typeof client.startPayment>[0]);
    expect(
      await eventually(
        async () => claimReads().length,
        (n) => n > 0,
      ),
    ).toBeGreaterThan(0);
    await api.h.env.client.workflow.getHandle(id).terminate('operator: test');
    const terminatedAt = Date.now();
    // Its creator learns it started the run; what became of it is the run's to say. Soon, not at the claim's bound.
    await expect(started).resolves.toMatchObject({ paymentId, created: true });
    expect(Date.now() - terminatedAt).toBeLessThan(8_000);
  } finally {
    queries.mockRestore();
  }
  expect(await ledgerFor(api.h.gateway.url, paymentId)).toEqual([]);
});

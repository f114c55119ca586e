/**
 * Reads, updates and signals interleaved with worker restarts, on seeded random timings: every payment must
 * stay readable and refundable afterwards, and every history must replay. A query that lands while a local
 * activity runs can move the rest of that workflow task into a task of its own; code whose branches depend on
 * where task boundaries fall (a `patched()` after an awaited local activity did) then breaks on the replay a
 * restart forces. The audit writes are slowed down so that reads land inside them often.
 */
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { openAuditStore } from '../../audit/open';
import type { AuditStore } from '../../audit/types';
import { paymentWorkflowId } from '../../shared/ids';
import type { PaymentStatus } from '../../shared/payment-status';
import type { PaymentMethod, PaymentState } from '../../shared/payment-types';
import { customerCompletes3DS, ledgerFor } from '../support/gateway-admin';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { replayFailures } from '../support/replay-all';
import { seededRandom } from '../support/seeded-random';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SEED = Number(process.env.RESTART_TEST_SEED ?? 20261201);
const PAYMENTS = 18;
const RESTARTS = 5;
const AUDIT_DELAY_MS = 40;

const VISA: PaymentMethod = { type: 'card', number: '4242424242424242' };
const THREE_DS: PaymentMethod = { type: 'card', number: '4000000000003220' };
const EXPIRED: PaymentMethod = { type: 'card', number: '4000000000000069' };
type Path = 'plain' | 'three-ds' | 'new-card';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let h: PaymentHarness;
let inner: AuditStore;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'dp-restarts-'));
  inner = await openAuditStore({ dataDir });
  const slowed: AuditStore = {
    ...inner,
    append: async (entry) => {
      await sleep(AUDIT_DELAY_MS);
      return inner.append(entry);
    },
  };
  h = await startPaymentHarness({ audit: slowed });
});

afterAll(async () => {
  await h?.teardown();
  await inner?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it(`keeps every payment readable and refundable across worker restarts (seed ${SEED})`, async () => {
  const random = seededRandom(SEED);
  const plan = Array.from({ length: PAYMENTS }, (_, i) => ({
    key: uniqueKey(`restart-${i}`),
    path: (['plain', 'three-ds', 'new-card'] as const)[Math.floor(random() * 3)] as Path,
    startAfterMs: Math.floor(random() * 3_000),
    pollEveryMs: 15 + Math.floor(random() * 60),
  }));
  const restartAt = Array.from({ length: RESTARTS }, () => 300 + Math.floor(random() * 900));
  let settled = 0;
  let stopRestarts = false;

  const restarts = (async () => {
    for (const gap of restartAt) {
      await sleep(gap);
      if (settled === PAYMENTS || stopRestarts) return;
      await h.restartWorker();
    }
  })();
  restarts.catch(() => undefined); // awaited below; a failed restart fails the test there

  const paymentIds = await Promise.all(
    plan.map(async (p) => {
      await sleep(p.startAfterMs);
      const { paymentId } = await h.client.startPayment({
        idempotencyKey: p.key,
        amount: 2500,
        currency: 'USD',
        paymentMethod: p.path === 'plain' ? VISA : p.path === 'three-ds' ? THREE_DS : EXPIRED,
      });
      let done = false;
      const polling = poll(paymentId, p.pollEveryMs, () => done);
      try {
        await drive(paymentId, p.path);
        expect((await h.client.result(paymentId)).status).toBe('succeeded');
      } finally {
        done = true;
        settled += 1;
        await polling;
      }
      return paymentId;
    }),
  ).finally(() => {
    stopRestarts = true;
  });
  await restarts;
  await h.restartWorker(); // one more: every read and refund below runs on a worker that replays from history

  for (const paymentId of paymentIds) {
    const state = await h.client.getPayment(paymentId);
    expect(state.status).toBe('succeeded');
    const refund = await h.client.refund(paymentId, { requestKey: `refund-${paymentId}` });
    expect(refund).toMatchObject({ status: 'succeeded', amount: 2500 });
    expect((await h.client.getPayment(paymentId)).status).toBe('refunded');
    const charged = (await ledgerFor(h.gateway.url, paymentId)).filter((c) => c.status === 'succeeded');
    expect(charged).toHaveLength(1);
    expect((await inner.currentStatus(paymentId))?.status).toBe('refunded');
  }

  const histories = await Promise.all(
    paymentIds.map(async (paymentId) => {
      const workflowId = paymentWorkflowId(paymentId);
      const history = await h.env.client.workflow.getHandle(workflowId).fetchHistory();
      return { workflowId, history: JSON.parse(historyToJSON(history)) };
    }),
  );
  expect(await replayFailures(histories)).toEqual([]);
}, 180_000);

/** The customer's part of each path; updates and signals may land while the worker restarts. */
async function drive(paymentId: string, path: Path): Promise<void> {
  if (path === 'three-ds') {
    const { chargeId } = await statusReached(paymentId, 'requires_action');
    await customerCompletes3DS(h.gateway.url, chargeId as string, 'succeeded');
    await h.client.complete3DS(paymentId, { result: 'succeeded', chargeId });
  } else if (path === 'new-card') {
    await statusReached(paymentId, 'awaiting_payment_method');
    await h.client.replaceCard(paymentId, VISA);
  }
}

/** Like waitForStatus, but a read that fails while the worker restarts is read again. */
async function statusReached(paymentId: string, status: PaymentStatus): Promise<PaymentState> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const state = await h.client.getPayment(paymentId).catch(() => undefined);
    if (state?.status === status) return state;
    await sleep(50);
  }
  throw new Error(`payment ${paymentId} did not reach ${status}`);
}

/** GET /payments/:id in a loop, as a backend does while it waits; reads during a restart may fail, later ones may not. */
async function poll(paymentId: string, everyMs: number, stop: () => boolean): Promise<void> {
  while (!stop()) {
    await Promise.race([h.client.getPayment(paymentId).catch(() => undefined), sleep(2_000)]);
    await sleep(everyMs);
  }
}

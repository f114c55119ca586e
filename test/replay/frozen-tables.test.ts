/**
 * Open payments (refund windows last 180 days) must replay the same when a later release edits the code's
 * defaults or its decline table. Every recorded history, and a fresh one whose input left a default to the code,
 * is replayed against a bundle whose defaults and decline classes were all changed.
 */
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundle } from '@temporalio/worker';
import { paymentWorkflowId } from '../../shared/ids';
import type { PaymentPolicy } from '../../shared/payment-types';
import { TEST_DATA_CONVERTER } from '../support/encryption';
import { recordedHistories, saveHistory } from '../support/histories';
import { replayFailures } from '../support/replay-all';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually } from '../support/wait';

/** The same workflows with every default and decline class changed (test/replay/altered/). */
const ALTERED_WORKFLOWS_PATH = require.resolve('./altered/workflows');

let h: PaymentHarness;
let altered: WorkflowBundle;

beforeAll(async () => {
  h = await startPaymentHarness();
  altered = await bundleWorkflowCode({
    workflowsPath: ALTERED_WORKFLOWS_PATH,
    // As production bundles today's code (worker/workflow-bundle.ts): the workflow modules shared by every run.
    preloadModules: [ALTERED_WORKFLOWS_PATH],
    logger: new DefaultLogger('WARN'),
  });
});
afterAll(async () => {
  await h?.teardown();
});

async function replayAltered(histories: { workflowId: string; history: unknown }[]): Promise<string[]> {
  return replayFailures(histories, { workflowBundle: altered, dataConverter: TEST_DATA_CONVERTER });
}

it('replays every recorded history the same after defaults and decline classes change', async () => {
  const histories = recordedHistories();
  expect(histories.length).toBeGreaterThanOrEqual(16);
  expect(await replayAltered(histories)).toEqual([]);
});

it('replays a run that left its soft-retry budget to the code default, after the default changes', async () => {
  // The caller sets everything but softRetry.maxAttempts: the default decides how often a soft decline is retried.
  const softRetry = { baseDelayMs: 20, maxDelayMs: 50 } as PaymentPolicy['softRetry'];
  const client = h.clientWith({ softRetry });
  const { paymentId } = await client.startPayment({
    idempotencyKey: uniqueKey('default-budget'),
    amount: 1200,
    currency: 'USD',
    paymentMethod: { type: 'card', number: '4000000000000002' }, // generic_decline: soft
  });
  const parked = await eventually(
    () => client.getPayment(paymentId),
    (s) => s.status === 'dead_lettered',
    60_000,
  );
  expect(parked.status).toBe('dead_lettered');
  expect(parked.attempts.length).toBeGreaterThan(2); // the altered default (2) would have parked it sooner
  await client.cancel(paymentId, 'recorded for the frozen-tables replay test');
  await saveHistory(h.env, 'soft-declines-default-budget', paymentId);
  const history = await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).fetchHistory();
  expect(await replayAltered([{ workflowId: paymentId, history: JSON.parse(historyToJSON(history)) }])).toEqual([]);
});

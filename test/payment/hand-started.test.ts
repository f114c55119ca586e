/**
 * A payment started by hand (`temporal workflow start`, the UI, another SDK) carries no input version and maybe
 * a partial policy. It must still run the current shape (refund window, audit by activities) and replay after a
 * worker restart: it records those choices in its first workflow task, where replay finds them.
 */
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { paymentIdFromKey } from '../../client/payment-id';
import { paymentWorkflowId } from '../../shared/ids';
import type { PaymentInput } from '../../shared/payment-types';
import { FAST_POLICY } from '../support/fast-policy';
import { replayFailures } from '../support/replay-all';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness();
});
afterAll(async () => {
  await h?.teardown();
});

it('runs the current shape, survives a restart and replays', async () => {
  const idempotencyKey = uniqueKey('by-hand');
  const paymentId = paymentIdFromKey(idempotencyKey);
  const { refundWindowMs, gatewayRetry, gatewayCallTimeoutMs, refundRetry } = FAST_POLICY;
  const input: PaymentInput = {
    paymentId,
    idempotencyKey,
    amount: 700,
    currency: 'EUR',
    paymentMethod: { type: 'card', number: '4242424242424242' },
    policy: { refundWindowMs, gatewayRetry, gatewayCallTimeoutMs, refundRetry }, // the rest from the frozen table
  };
  const workflowId = paymentWorkflowId(paymentId);
  await h.env.client.workflow.start('paymentWorkflow', { workflowId, taskQueue: h.taskQueue, args: [input] });
  expect((await h.client.result(paymentId)).status).toBe('succeeded');
  await h.restartWorker();
  expect((await h.client.getPayment(paymentId)).status).toBe('succeeded');
  const refund = await h.client.refund(paymentId, { requestKey: `r-${paymentId}` });
  expect(refund).toMatchObject({ status: 'succeeded', amount: 700 });

  const history = await h.env.client.workflow.getHandle(workflowId).fetchHistory();
  type Event = {
    eventId: string;
    eventType: string;
    markerRecordedEventAttributes?: { markerName: string; workflowTaskCompletedEventId: string };
  };
  const json = JSON.parse(historyToJSON(history)) as { events: Event[] };
  const markers = json.events.flatMap((e) =>
    e.markerRecordedEventAttributes ? [e.markerRecordedEventAttributes] : [],
  );
  const firstTask = json.events.find((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED');
  // Three choices, all in the first workflow task: the current shape, a Temporal cancel as an operator's cancel, and
  // a charge that counts its own attempts (refusals by the breaker or the retry budget do not use them up).
  expect(markers.map((m) => m.markerName)).toEqual(['core_patch', 'core_patch', 'core_patch']);
  expect(markers.map((m) => m.workflowTaskCompletedEventId)).toEqual([
    firstTask?.eventId,
    firstTask?.eventId,
    firstTask?.eventId,
  ]);
  expect(await replayFailures([{ workflowId, history: json }])).toEqual([]);
});

/**
 * A charge counts only the attempts that reached the gateway: a retry refused by the retry budget sends nothing
 * and leaves the payment's attempts alone, and the last attempt that did send ends the retries with its own
 * failure type. Real worker (production activities), real sandbox, real dev server; attempts read from history.
 */
import { paymentIdFromKey } from '../../client/payment-id';
import type { PaymentPolicy } from '../../shared/payment-types';
import { paymentWorkflowId } from '../../shared/ids';
import { ErrorType } from '../../shared/errors';
import { InProcessRetryBudget } from '../../resilience/retry-budget';
import { VISA } from '../support/cards';
import { addFaultsFor, gatewayRequests, ledgerFor } from '../support/gateway-admin';
import { saveHistory } from '../support/histories';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { waitForStatus } from '../support/wait';

// One retry every 5 s, no burst: a retry soon after another is refused, several times.
const budget = new InProcessRetryBudget({ ratePerSecond: 0.2, burst: 1 });
const decisions: boolean[] = [];
const budgetMetrics = { started: () => undefined, decided: (_g: string, granted: boolean) => decisions.push(granted) };
let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness({ resilience: { retryBudget: budget, budgetMetrics } });
});
afterAll(async () => {
  await h?.teardown();
});

const retry = (maximumAttempts: number): Partial<PaymentPolicy> => ({
  gatewayRetry: { initialIntervalMs: 100, maximumIntervalMs: 1_000, backoffCoefficient: 2, maximumAttempts },
});

/** The chargeCard activity's events: its last attempt number, and how it failed if it did. */
async function chargeActivity(paymentId: string) {
  const history = await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).fetchHistory();
  const events = history.events ?? [];
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'chargeCard');
  const id = scheduled?.eventId?.toString();
  const started = events.find((e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === id);
  const failed = events.find((e) => e.activityTaskFailedEventAttributes?.scheduledEventId?.toString() === id);
  return {
    lastAttempt: started?.activityTaskStartedEventAttributes?.attempt ?? 0,
    failure: failed?.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo,
  };
}

async function drain(): Promise<void> {
  while ((await budget.take()).granted);
}

it('retries refused by an empty budget do not use up the attempts: 3 allowed, more made, one charge', async () => {
  const idempotencyKey = uniqueKey('budget-refused');
  const paymentId = paymentIdFromKey(idempotencyKey);
  await addFaultsFor(h.gateway.url, paymentId, [{ kind: 'status', status: 503, count: 2 }]);
  await drain(); // the first retry finds no token
  await h.clientWith(retry(3)).startPayment({ idempotencyKey, amount: 1800, currency: 'USD', paymentMethod: VISA });
  const result = await h.client.result(paymentId);
  expect(result.status).toBe('succeeded');
  expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(1);
  // Temporal ran the activity more often than the payment's 3 attempts: the refused ones did not count.
  expect(decisions).toContain(false);
  expect((await chargeActivity(paymentId)).lastAttempt).toBeGreaterThan(3);
  // What reached the gateway: the charge (503), a check (503), then a check and the charge: three attempts.
  const sent = (await gatewayRequests(h.gateway.url)).filter((r) => r.idempotencyKey?.startsWith(paymentId));
  expect(sent.map((r) => r.method)).toEqual(['POST', 'GET', 'GET', 'POST']);
  await saveHistory(h.env, 'retry-budget-refusals-then-success', paymentId);
});

it('the second of 2 attempts that reached the gateway ends the retries with its own failure, then the janitor', async () => {
  const idempotencyKey = uniqueKey('budget-last');
  const paymentId = paymentIdFromKey(idempotencyKey);
  await addFaultsFor(h.gateway.url, paymentId, [{ kind: 'status', status: 503, count: 2 }]);
  // The degradation ladder switched off: its end (queued or failed) is in test/payment/degradation-ladder.test.ts.
  const client = h.clientWith({ ...retry(2), degradation: null });
  await client.startPayment({ idempotencyKey, amount: 1800, currency: 'USD', paymentMethod: VISA });
  const state = await waitForStatus(h.client, paymentId, 'dead_lettered', 20_000);
  expect(state.history.map((c) => c.status)).toContain('unknown');
  expect(state.reason).toBe('gateway_unavailable_not_charged'); // the janitor found no charge under the key
  // Temporal would retry it without a limit: the activity ended it, after its second attempt that sent.
  const charge = await chargeActivity(paymentId);
  expect(charge.failure).toMatchObject({ type: ErrorType.GatewayServerError, nonRetryable: true });
  const sent = (await gatewayRequests(h.gateway.url)).filter((r) => r.idempotencyKey?.startsWith(paymentId));
  expect(sent.slice(0, 2).map((r) => r.method)).toEqual(['POST', 'GET']);
  expect(await ledgerFor(h.gateway.url, paymentId)).toEqual([]);
});

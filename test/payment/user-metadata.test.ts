/**
 * What an operator sees at a glance in the Temporal UI: each payment run's user metadata (a summary in the list,
 * static details on its page) and current details kept up to date by the run, read here the way the UI reads
 * them: DescribeWorkflowExecution and the `__temporal_workflow_metadata` query.
 */
import { paymentWorkflowId } from '../../shared/ids';
import { THREE_DS, VISA } from '../support/cards';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually, waitForStatus } from '../support/wait';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness();
});
afterAll(async () => {
  await h?.teardown();
});

interface WorkflowMetadata {
  currentDetails?: string;
}

const handleOf = (paymentId: string) => h.env.client.workflow.getHandle(paymentWorkflowId(paymentId));
const currentDetails = async (paymentId: string) =>
  ((await handleOf(paymentId).query('__temporal_workflow_metadata')) as WorkflowMetadata).currentDetails ?? '';

it('a payment run carries its summary and static details, with the last four digits only', async () => {
  const { paymentId } = await h.client.startPayment({
    idempotencyKey: uniqueKey('meta-ok'),
    amount: 2500,
    currency: 'USD',
    customerId: 'cus_meta',
    paymentMethod: VISA,
  });
  const described = await handleOf(paymentId).describe();
  expect(await described.staticSummary()).toBe('Payment 25.00 USD · card ending 4242');
  const details = (await described.staticDetails()) ?? '';
  expect(details).toContain(`payment: ${paymentId}`);
  expect(details).toContain('customer: cus_meta');
  expect(details).not.toContain('4242424242424242');

  const result = await h.client.result(paymentId);
  expect(result.status).toBe('succeeded');
  const now = await eventually(
    () => currentDetails(paymentId),
    (d) => d.startsWith('**succeeded**'),
  );
  expect(now).toContain(`charge: ${result.chargeId}`);
  expect(now).toContain('attempts: 1');
  expect(now).toMatch(/refundable until: \d{4}-/);
});

it('current details follow the status: requires_action while parked on 3DS', async () => {
  const { paymentId } = await h.client.startPayment({
    idempotencyKey: uniqueKey('meta-3ds'),
    amount: 500,
    currency: 'JPY',
    paymentMethod: THREE_DS,
  });
  await waitForStatus(h.client, paymentId, 'requires_action');
  expect(await (await handleOf(paymentId).describe()).staticSummary()).toBe('Payment 500 JPY · card ending 3220');
  expect(await currentDetails(paymentId)).toMatch(/^\*\*requires_action\*\* · 500 JPY/);
});

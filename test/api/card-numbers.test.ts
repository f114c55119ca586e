/**
 * Free text never breaks a payment or leaks a card number (issue 12, item 6), over real HTTP against the real
 * worker, sandbox gateway and audit store: a reason quoting a card-like number is masked in the answer, the
 * payment's state and the audit trail, and its final audit row is written; a card-like customer id is refused.
 */
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { WorkflowCloseType } from '../../shared/errors';
import { paymentIdFromKey } from '../../client/payment-id';
import type { AuditRow } from '../../audit/types';
import { paymentWorkflowId } from '../../shared/ids';
import { uniqueKey } from '../support/payment-harness';
import { eventually, waitForStatus } from '../support/wait';
import { expectApiError, payment, startApiHarness, THREE_DS, VISA, type Answer, type ApiHarness } from './api-harness';

const REASON = 'ticket 4242424242424242 per customer';
const MASKED = 'ticket ****4242 per customer';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApiHarness();
});
afterAll(async () => {
  await api?.teardown();
});

/** A payment parked in 3DS (requires_action), so that cancel and a 3DS result are both accepted. */
async function awaitingThreeDS(label: string): Promise<{ paymentId: string; chargeId?: string }> {
  const key = uniqueKey(label);
  const paymentId = paymentIdFromKey(key);
  expect((await api.pay(key, payment(THREE_DS))).status).toBe(201);
  const { chargeId } = await waitForStatus(api.h.client, paymentId, 'requires_action');
  return { paymentId, chargeId };
}

/** The audit trail once its last row is `cancelled` (the write follows the status change in the workflow). */
async function auditedUntilCancelled(paymentId: string): Promise<AuditRow[]> {
  return eventually(
    () => api.h.audit.history(paymentId),
    (rows) => rows.at(-1)?.status === 'cancelled',
  );
}

function expectMaskedEverywhere(answer: Answer): void {
  expect(answer.body).toMatchObject({ status: 'cancelled', reason: MASKED });
  const cancelled = answer.body.history.filter((c: { status: string }) => c.status === 'cancelled');
  expect(cancelled).toEqual([expect.objectContaining({ reason: MASKED })]);
  expect(answer.text).not.toContain('4242424242424242');
}

describe('a reason that quotes a card-like number', () => {
  it('cancel: answers cancelled, shows the reason masked, and the audit trail ends with a masked cancelled row', async () => {
    const { paymentId } = await awaitingThreeDS('mask-cancel');
    const cancelled = await api.call('POST', `/payments/${paymentId}/cancel`, { body: { reason: REASON } });
    expect(cancelled.status).toBe(200);
    expectMaskedEverywhere(cancelled);

    const rows = await auditedUntilCancelled(paymentId);
    expect(rows.map((r) => r.status)).toEqual(['initiated', 'processing', 'requires_action', 'cancelled']);
    expect(rows.at(-1)?.metadata.reason).toBe(MASKED);
    expect(JSON.stringify(rows)).not.toContain('4242424242424242');

    const read = await api.call('GET', `/payments/${paymentId}?wait=5s`);
    expect(read.status).toBe(200);
    expectMaskedEverywhere(read);
    // The run closes as a customer's cancel, carrying the payment's answer: the audit write no longer fails it.
    const run = api.h.env.client.workflow.getHandle(paymentWorkflowId(paymentId));
    const closed = await run.result().then(
      () => undefined,
      (err: unknown) => (err instanceof WorkflowFailedError ? err.cause : err),
    );
    expect(closed).toBeInstanceOf(ApplicationFailure);
    expect((closed as ApplicationFailure).type).toBe(WorkflowCloseType.PaymentCancelled);
    expect((closed as ApplicationFailure).details?.[0]).toMatchObject({ paymentId, status: 'cancelled' });
  });

  it('3DS failed: the payment is cancelled with the reason masked, in the answer and the audit trail', async () => {
    const { paymentId, chargeId } = await awaitingThreeDS('mask-3ds');
    const answer = await api.call('POST', `/payments/${paymentId}/3ds?wait=5s`, {
      body: { result: 'failed', chargeId, reason: REASON },
    });
    expect(answer.status).toBe(202);
    expectMaskedEverywhere(answer);
    const rows = await auditedUntilCancelled(paymentId);
    expect(rows.at(-1)?.metadata.reason).toBe(MASKED);
  });
});

describe('a customerId that looks like a card number', () => {
  it.each([VISA, '4242-4242-4242-4242', 'user:4242424242424242'])(
    'is refused with 400 (it would be a search attribute in clear), starting and charging nothing: %p',
    async (customerId) => {
      const key = uniqueKey('card-customer');
      const before = await api.ledgerSize();
      const answer = await api.pay(key, { ...payment(), customerId });
      const error = expectApiError(answer, 400, 'validation_failed');
      expect(error.message).toBe('body.customerId: customerId must not look like a card number');
      expect(answer.text).not.toContain(customerId);
      expect(await api.workflowExists(key)).toBe(false);
      expect(await api.ledgerSize()).toBe(before);
    },
  );

  it('while UUIDs, whatever digits they hold, are accepted as customerId and in order details', async () => {
    const key = uniqueKey('plain-customer');
    const uuid = '12345678-1234-4234-9234-123456789012';
    const answer = await api.pay(key, { ...payment(), customerId: uuid, order: { deviceId: uuid } }, '?wait=5s');
    expect(answer.status).toBe(201);
    expect(answer.body.status).toBe('succeeded');
  });
});

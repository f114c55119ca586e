/**
 * Card numbers never enter Temporal (issue 15), over real HTTP against the real dev server, worker, sandbox gateway
 * and audit store: a raw test card is exchanged for a pm_ token at the sandbox before the run starts, a retry of the
 * same request answers the same payment from one run, GATEWAY=stripe refuses numbers with a 400, a card is replaced
 * by token, and card updates arrive without a waiting caller (the sandbox's card-updater webhook, a portal message)
 * through the same rules as the replaceCard Update.
 */
import type { Payload } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../../encryption/payload-codec';
import { TEST_ENCRYPTION_KEYS } from '../support/encryption';
import { paymentIdFromKey } from '../../client/payment-id';
import { isValidationError } from '../../client/errors';
import { PaymentsClient } from '../../client/payments-client';
import { paymentMethodVault } from '../../config/client-options';
import { createSandboxGateway } from '../../gateways/sandbox';
import { paymentWorkflowId } from '../../shared/ids';
import type { PaymentMethodToken, PaymentState } from '../../shared/payment-types';
import { clientExchanges, ledgerFor } from '../support/gateway-admin';
import { FAST_POLICY } from '../support/fast-policy';
import { uniqueKey } from '../support/payment-harness';
import { eventually, waitForStatus } from '../support/wait';
import { EXPIRED, expectApiError, payment, startApiHarness, THREE_DS, VISA, type ApiHarness } from './api-harness';

const TEST_CODEC = new AesGcmPayloadCodec(TEST_ENCRYPTION_KEYS);

let api: ApiHarness;
beforeAll(async () => {
  api = await startApiHarness();
});
afterAll(async () => {
  await api?.teardown();
});

/** A card stored at the sandbox by hand, as a backend using the gateway's own library would get its pm_ token. */
async function storedCard(number: string): Promise<PaymentMethodToken & { card: { last4: string } }> {
  const res = await fetch(`${api.h.gateway.url}/v1/payment_methods`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk_test_sandbox', 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'card', card: { number } }),
  });
  expect(res.status).toBe(200);
  const pm = (await res.json()) as { id: string; card: { last4: string; brand: string } };
  return { type: 'token', id: pm.id, card: pm.card };
}

async function awaitingCard(label: string): Promise<string> {
  const key = uniqueKey(label);
  expect((await api.pay(key, payment(EXPIRED))).status).toBe(201);
  const paymentId = paymentIdFromKey(key);
  await waitForStatus(api.h.client, paymentId, 'awaiting_payment_method');
  return paymentId;
}

/** A payload of the history as the worker reads it: decrypted by the test codec, then JSON. */
async function decodedText(payload: Payload | null | undefined): Promise<string> {
  const [decoded] = await TEST_CODEC.decode(payload ? [payload as Payload] : []);
  return Buffer.from(decoded?.data ?? []).toString();
}

/** The workflow's start input as the worker decodes it. */
async function startInput(paymentId: string): Promise<Record<string, unknown>> {
  const history = await api.h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return JSON.parse(await decodedText(payload as Payload)) as Record<string, unknown>;
}

describe('paying with a raw test card (sandbox)', () => {
  it('is exchanged for a pm_ token before the run starts: input and state hold the token, brand and last4, the API answer no method', async () => {
    const key = uniqueKey('exchange');
    const answer = await api.pay(key, payment(VISA), '?wait=5s');
    expect(answer.status).toBe(201);
    expect(answer.body.status).toBe('succeeded');
    const paymentId = paymentIdFromKey(key);
    // The API's answer names no payment method at all; the payment's state (the query) holds the token.
    expect(answer.text).not.toMatch(/paymentMethod/);
    const { paymentMethod } = await api.h.client.getPayment(paymentId);
    expect(paymentMethod).toEqual({
      type: 'token',
      id: expect.stringMatching(/^pm_/),
      card: { brand: 'visa', last4: '4242', expMonth: expect.any(Number), expYear: expect.any(Number) },
    });
    expect(answer.text).not.toContain(VISA);
    const input = await startInput(paymentId);
    expect(input.paymentMethod).toEqual(paymentMethod);
    expect(JSON.stringify(input)).not.toContain(VISA);
    // One charge, made with the stored card: the sandbox knew the number from the exchange alone.
    const charges = await ledgerFor(api.h.gateway.url, paymentId);
    expect(charges.map((c) => c.status)).toEqual(['succeeded']);
    const exchanges = (await clientExchanges(api.h.gateway.url)).filter((r) =>
      r.idempotencyKey?.startsWith(`pm:${paymentId}:start:`),
    );
    expect(exchanges).toHaveLength(1);
  });

  it('a retried POST with the same key and card answers the same payment (200, replayed) from one run and one card', async () => {
    const key = uniqueKey('exchange-retry');
    const first = await api.pay(key, payment(VISA), '?wait=5s');
    const again = await api.pay(key, payment(VISA), '?wait=5s');
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.paymentId).toBe(first.body.paymentId);
    // The exchange was replayed by the gateway under the same key: the same pm_, not a second stored card.
    const paymentId = paymentIdFromKey(key);
    const pmIds = (await clientExchanges(api.h.gateway.url))
      .filter((r) => r.idempotencyKey?.startsWith(`pm:${paymentId}:start:`))
      .map((r) => r.idempotencyKey);
    expect(pmIds).toHaveLength(2);
    expect(new Set(pmIds).size).toBe(1);
    expect((await api.h.client.getPayment(paymentId)).paymentMethod?.id).toMatch(/^pm_/);
    const runs = [];
    for await (const wf of api.h.env.client.workflow.list({ query: `WorkflowId = '${paymentWorkflowId(paymentId)}'` }))
      runs.push(wf.runId);
    expect(runs).toHaveLength(1);
    expect(await ledgerFor(api.h.gateway.url, paymentId)).toHaveLength(1);
    // Another card under the same key is another request: refused, nothing started.
    const other = await api.pay(key, payment('5555555555554444'));
    expectApiError(other, 422, 'idempotency_key_reused');
  });

  it('a pm_ token the caller got from the gateway is charged as it is, with no exchange', async () => {
    const pm = await storedCard('5555555555554444');
    const key = uniqueKey('pay-by-token');
    const answer = await api.pay(
      key,
      { amount: 1500, currency: 'USD', paymentMethod: { type: 'token', id: pm.id } },
      '?wait=5s',
    );
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ status: 'succeeded' });
    const paymentId = paymentIdFromKey(key);
    expect((await api.h.client.getPayment(paymentId)).paymentMethod).toEqual({ type: 'token', id: pm.id });
    expect((await clientExchanges(api.h.gateway.url)).filter((r) => r.idempotencyKey?.includes(paymentId))).toEqual([]);
  });
});

describe('GATEWAY=stripe', () => {
  it('refuses a raw card number with a clear 400 and starts nothing; a pm_ token is taken', async () => {
    const gateway = createSandboxGateway({
      baseUrl: api.h.gateway.url,
      apiKey: 'sk_test_sandbox',
      connectTimeoutMs: 1_000,
      readTimeoutMs: 2_000,
    });
    const stripeMode = new PaymentsClient(api.h.env.client, {
      taskQueue: api.h.taskQueue,
      fingerprintSecret: 'test-secret-0123456789',
      maxAmount: 100_000_000,
      policy: FAST_POLICY,
      paymentMethods: paymentMethodVault({ GATEWAY: 'stripe' }, gateway),
    });
    const stripeApi = await startApiHarness({ payments: stripeMode });
    try {
      const key = uniqueKey('stripe-refuses');
      const refused = await stripeApi.pay(key, payment(VISA));
      const error = expectApiError(refused, 400, 'validation_failed');
      expect(error.message).toMatch(/card numbers are not accepted.*Stripe\.js or Elements/);
      expect(refused.text).not.toContain(VISA);
      expect(await stripeApi.workflowExists(key)).toBe(false);
      const paymentId = paymentIdFromKey(key);
      expect((await clientExchanges(api.h.gateway.url)).filter((r) => r.idempotencyKey?.includes(paymentId))).toEqual(
        [],
      );
      // The client says the same to a backend that calls it directly.
      const direct = await stripeMode
        .startPayment({ idempotencyKey: key, ...payment(VISA), paymentMethod: { type: 'card', number: VISA } })
        .catch((err: unknown) => err);
      expect(isValidationError(direct)).toBe(true);
      // A card replacement with a number is refused the same way.
      const parked = await awaitingCard('stripe-refuses-card');
      const card = await stripeApi.call('POST', `/payments/${parked}/card`, {
        body: { paymentMethod: { type: 'card', number: VISA } },
      });
      expectApiError(card, 400, 'validation_failed');
      expect((await api.h.client.getPayment(parked)).status).toBe('awaiting_payment_method');
      await api.h.client.cancel(parked);
      // A token from the gateway's own library is what GATEWAY=stripe takes.
      const pm = await storedCard(VISA);
      const byToken = await stripeApi.pay(
        uniqueKey('stripe-token'),
        { amount: 1200, currency: 'USD', paymentMethod: { type: 'token', id: pm.id } },
        '?wait=5s',
      );
      expect(byToken.status).toBe(201);
      expect(byToken.body.status).toBe('succeeded');
    } finally {
      await stripeApi.teardown();
      await gateway.close();
    }
  });
});

describe('card replacement', () => {
  it('takes a pm_ token (the replaceCard Update), and the payment charges it under the next key version', async () => {
    const paymentId = await awaitingCard('replace-by-token');
    const pm = await storedCard(VISA);
    const replaced = await api.call('POST', `/payments/${paymentId}/card?wait=5s`, {
      body: { paymentMethod: { type: 'token', id: pm.id } },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ status: 'succeeded', cardVersion: 2 });
    expect((await api.h.client.getPayment(paymentId)).paymentMethod?.id).toBe(pm.id);
    const charges = await ledgerFor(api.h.gateway.url, paymentId);
    expect(charges.map((c) => [c.idempotency_key, c.status])).toEqual([
      [`${paymentId}:v1`, 'failed'],
      [`${paymentId}:v2`, 'succeeded'],
    ]);
  });

  it('a raw test number is exchanged first (sandbox): the Update carries the token', async () => {
    const paymentId = await awaitingCard('replace-by-number');
    const replaced = await api.call('POST', `/payments/${paymentId}/card?wait=5s`, {
      body: { paymentMethod: { type: 'card', number: VISA } },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ status: 'succeeded' });
    expect((await api.h.client.getPayment(paymentId)).paymentMethod?.card?.last4).toBe('4242');
    const history = await api.h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).fetchHistory();
    const update = history.events?.find(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'replaceCard',
    );
    const args = update?.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args?.payloads;
    const text = await decodedText(args?.[0] as Payload);
    expect(text).toMatch(/"id":"pm_/);
    expect(text).not.toContain(VISA);
  });
});

describe('card updates without a waiting caller (the cardUpdated signal)', () => {
  it("the sandbox's card updater replaces the stored card; its webhook signals the payment, which charges it", async () => {
    const paymentId = await awaitingCard('card-updater');
    const { paymentMethod } = await api.h.client.getPayment(paymentId);
    expect(paymentMethod?.card?.last4).toBe('0069');
    // The issuer sent the card's new number: same pm_, new details, and payment_method.automatically_updated.
    const res = await fetch(`${api.h.gateway.url}/_sandbox/payment_methods/${paymentMethod?.id}/automatic_update`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ number: VISA, exp_month: 12, exp_year: 2031 }),
    });
    expect(res.status).toBe(200);
    const settled = await waitForStatus(api.h.client, paymentId, 'succeeded');
    expect(settled.cardVersion).toBe(2);
    expect(settled.paymentMethod).toEqual({
      type: 'token',
      id: paymentMethod?.id,
      card: { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2031 },
    });
    const charges = await ledgerFor(api.h.gateway.url, paymentId);
    expect(charges.map((c) => [c.idempotency_key, c.status])).toEqual([
      [`${paymentId}:v1`, 'failed'],
      [`${paymentId}:v2`, 'succeeded'],
    ]);
    const history = await api.h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).fetchHistory();
    expect(
      history.events?.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'cardUpdated'),
    ).toHaveLength(1);
  });

  it('a customer-portal card update (raw test number, exchanged) is applied to a payment awaiting one', async () => {
    const paymentId = await awaitingCard('portal');
    const answer = await api.call('POST', `/payments/${paymentId}/card-updates?wait=5s`, {
      body: { paymentMethod: { type: 'card', number: VISA }, reference: 'portal-msg-1' },
    });
    expect(answer.status).toBe(202);
    const settled = await waitForStatus(api.h.client, paymentId, 'succeeded');
    expect(settled.paymentMethod?.card?.last4).toBe('4242');
    expect(settled.ignoredCardUpdates).toBeUndefined();
  });

  it('an update the payment cannot take now is recorded with its reason, and changes nothing', async () => {
    // Parked on 3DS: the run is open but not awaiting a payment method.
    const key = uniqueKey('portal-not-now');
    expect((await api.pay(key, payment(THREE_DS))).status).toBe(201);
    const paymentId = paymentIdFromKey(key);
    const parked = await waitForStatus(api.h.client, paymentId, 'requires_action');
    const pm = await storedCard('5555555555554444');
    const answer = await api.call('POST', `/payments/${paymentId}/card-updates`, {
      body: { paymentMethod: { type: 'token', id: pm.id }, reference: 'portal-msg-2' },
    });
    expect(answer.status).toBe(202);
    const state: PaymentState = await eventually(
      () => api.h.client.getPayment(paymentId),
      (s) => (s.ignoredCardUpdates?.length ?? 0) > 0,
    );
    expect(state.ignoredCardUpdates).toEqual([
      {
        at: expect.any(String),
        source: 'customer_portal',
        reference: 'portal-msg-2',
        token: pm.id,
        reason: 'payment is requires_action, not awaiting a payment method',
      },
    ]);
    expect(state.paymentMethod?.id).toBe(parked.paymentMethod?.id);
    expect(state.paymentMethod?.id).not.toBe(pm.id);
    expect(state).toMatchObject({ status: 'requires_action', cardVersion: 1, chargeId: parked.chargeId });
    expect(await ledgerFor(api.h.gateway.url, paymentId)).toHaveLength(1);
    const read = await api.call('GET', `/payments/${paymentId}`);
    expect(read.body.ignoredCardUpdates).toEqual(state.ignoredCardUpdates);
    await api.h.client.cancel(paymentId);
  });

  it('a card update for a settled payment (its run closed) is 404 payment_not_found and changes nothing', async () => {
    const key = uniqueKey('portal-too-late');
    const paid = await api.pay(key, payment(VISA), '?wait=5s');
    expect(paid.body.status).toBe('succeeded');
    const paymentId = paid.body.paymentId as string;
    const pm = await storedCard('5555555555554444');
    const late = await eventually(
      () =>
        api.call('POST', `/payments/${paymentId}/card-updates`, {
          body: { paymentMethod: { type: 'token', id: pm.id }, reference: 'portal-msg-3' },
        }),
      (a) => a.status !== 202, // the run closes at settlement (input version 4), a moment after the answer
    );
    expectApiError(late, 404, 'payment_not_found');
    expect(await ledgerFor(api.h.gateway.url, paymentId)).toHaveLength(1);
  });
});

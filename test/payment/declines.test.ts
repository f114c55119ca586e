/** Declines by class: soft ones retry on the workflow's schedule, hard ones wait for a card, fraud ends it. */
import { GENERIC_DECLINE_MESSAGE } from '../../shared/declines';
import { customerCompletes3DS, ledgerFor } from '../support/gateway-admin';
import { saveHistory } from '../support/histories';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { waitForStatus } from '../support/wait';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness();
});
afterAll(async () => {
  await h?.teardown();
});

const card = (number: string) => ({ type: 'card' as const, number });
const pay = (label: string, number: string, initiator?: 'customer' | 'merchant') =>
  h.client.startPayment({
    idempotencyKey: uniqueKey(label),
    amount: 2500,
    currency: 'GBP',
    paymentMethod: card(number),
    initiator,
  });

describe('declines', () => {
  it('retries a merchant-initiated insufficient_funds with fresh keys within the budget, then dead-letters', async () => {
    const { paymentId } = await pay('nsf', '4000000000009995', 'merchant');
    const parked = await waitForStatus(h.client, paymentId, 'dead_lettered');
    expect(parked.reason).toBe('retry_budget_exhausted');
    expect(parked.attempts.map((a) => a.declineClass)).toEqual(['soft', 'soft', 'soft']); // budget of 3 in tests
    expect(parked.customerMessage).toMatch(/insufficient funds/i);
    const ledger = await ledgerFor(h.gateway.url, paymentId);
    expect(ledger.map((c) => c.idempotency_key)).toEqual([
      `${paymentId}:v1`,
      `${paymentId}:v1:r1`,
      `${paymentId}:v1:r2`,
    ]);
    expect(ledger.every((c) => c.status === 'failed')).toBe(true);
    const history = (await h.audit.history(paymentId)).map((r) => r.status);
    expect(history.filter((s) => s === 'pending_retry')).toHaveLength(2);
    await expect(h.client.cancel(paymentId, 'customer gave up')).resolves.toEqual({ status: 'cancelled' });
    expect((await h.client.result(paymentId)).status).toBe('cancelled');
    await saveHistory(h.env, 'soft-declines-dead-letter-cancel', paymentId);
  });

  it('asks the customer for another card on a customer-initiated insufficient_funds, with no automatic retry', async () => {
    const { paymentId } = await pay('nsf-customer', '4000000000009995'); // customer is the default
    const waiting = await waitForStatus(h.client, paymentId, 'awaiting_payment_method');
    expect(waiting).toMatchObject({ needsDifferentCard: true });
    expect(waiting.attempts.map((a) => [a.errorCode, a.declineClass])).toEqual([['insufficient_funds', 'hard']]);
    expect(waiting.customerMessage).toMatch(/insufficient funds/i);
    expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(1);
    await h.client.cancel(paymentId, 'customer left');
  });

  it('applies one card at a time: a second concurrent replacement is refused', async () => {
    const { paymentId } = await pay('two-cards', '4000000000000069');
    await waitForStatus(h.client, paymentId, 'awaiting_payment_method');
    const answers = await Promise.allSettled([
      h.client.replaceCard(paymentId, card('4242424242424242')),
      h.client.replaceCard(paymentId, card('5555555555554444')),
    ]);
    expect(answers.filter((a) => a.status === 'fulfilled')).toEqual([
      { status: 'fulfilled', value: { cardVersion: 2 } },
    ]);
    const refused = answers.find((a) => a.status === 'rejected') as PromiseRejectedResult;
    expect(String(refused.reason)).toMatch(/already being applied|not awaiting a payment method/);
    expect((await h.client.result(paymentId)).status).toBe('succeeded');
    const charges = await ledgerFor(h.gateway.url, paymentId);
    expect(charges.map((c) => [c.idempotency_key, c.status])).toEqual([
      [`${paymentId}:v1`, 'failed'],
      [`${paymentId}:v2`, 'succeeded'],
    ]);
  });

  it('waits for a new card after expired_card and succeeds under key v2', async () => {
    const { paymentId } = await pay('expired', '4000000000000069');
    const waiting = await waitForStatus(h.client, paymentId, 'awaiting_payment_method');
    expect(waiting.needsDifferentCard).toBe(true);
    await expect(h.client.replaceCard(paymentId, card('4242424242424242'))).resolves.toEqual({ cardVersion: 2 });
    const result = await h.client.result(paymentId);
    expect(result).toMatchObject({ status: 'succeeded', needsDifferentCard: false });
    const ledger = await ledgerFor(h.gateway.url, paymentId);
    expect(ledger.map((c) => [c.idempotency_key, c.status])).toEqual([
      [`${paymentId}:v1`, 'failed'],
      [`${paymentId}:v2`, 'succeeded'],
    ]);
    await saveHistory(h.env, 'hard-decline-card-replaced', paymentId);
  });

  it('fails a stolen card after one attempt and tells the customer only a generic decline', async () => {
    const { paymentId } = await pay('stolen', '4000000000009979');
    const result = await h.client.result(paymentId);
    expect(result).toMatchObject({ status: 'failed', customerMessage: GENERIC_DECLINE_MESSAGE, attempts: 1 });
    expect(result.customerMessage).not.toMatch(/stolen|fraud|lost/i);
    expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(1);
    const state = await h.client.getPayment(paymentId);
    expect(state.attempts[0]).toMatchObject({ declineClass: 'fraud', errorCode: 'stolen_card' });
  });

  it('refuses a card update while no card is awaited', async () => {
    const { paymentId } = await pay('no-update', '4242424242424242');
    await h.client.result(paymentId);
    await expect(h.client.replaceCard(paymentId, card('4242424242424242'))).rejects.toThrow(
      /payment is succeeded, not awaiting a payment method/,
    );
  });

  it('refuses to cancel a payment that already succeeded', async () => {
    const { paymentId } = await pay('cancel-late', '4242424242424242');
    await h.client.result(paymentId);
    await expect(h.client.cancel(paymentId)).rejects.toThrow(/already succeeded; refund it instead/);
    expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(1);
  });

  it('fails after the card-replacement window with no new card', async () => {
    const client = h.clientWith({ cardReplacementTimeoutMs: 300 });
    const { paymentId } = await client.startPayment({
      idempotencyKey: uniqueKey('no-card'),
      amount: 100,
      currency: 'USD',
      paymentMethod: card('4000000000000127'),
    });
    const result = await client.result(paymentId);
    expect(result.status).toBe('failed');
    expect((await client.getPayment(paymentId)).reason).toBe('card_replacement_timeout');
  });
});

describe('authentication_required on a charge', () => {
  const offSessionCard = card('4000002500003155'); // 3DS on-session; declines authentication_required off-session

  it('steps up: the next charge asks for 3DS, and the result naming that charge completes it', async () => {
    const { paymentId } = await pay('step-up', offSessionCard.number, 'merchant');
    const waiting = await waitForStatus(h.client, paymentId, 'requires_action');
    expect(waiting.attempts.map((a) => [a.outcome, a.errorCode])).toEqual([
      ['declined', 'authentication_required'],
      ['requires_action', undefined],
    ]);
    const chargeId = waiting.chargeId as string;
    await customerCompletes3DS(h.gateway.url, chargeId, 'succeeded');
    await h.client.complete3DS(paymentId, { result: 'succeeded', chargeId });
    expect(await h.client.result(paymentId)).toMatchObject({ status: 'succeeded', chargeId });
    const charges = await ledgerFor(h.gateway.url, paymentId);
    expect(charges.map((c) => [c.idempotency_key, c.status])).toEqual([
      [`${paymentId}:v1`, 'failed'],
      [`${paymentId}:v1:r1`, 'succeeded'],
    ]);
  });

  it('has a budget: with none left, the payment is cancelled instead of charged again', async () => {
    const client = h.clientWith({ authenticationStepUps: 0 });
    const { paymentId } = await client.startPayment({
      idempotencyKey: uniqueKey('no-step-up'),
      amount: 2500,
      currency: 'GBP',
      paymentMethod: offSessionCard,
      initiator: 'merchant',
    });
    expect(await client.result(paymentId)).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect((await client.getPayment(paymentId)).reason).toBe('authentication_required');
    expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(1);
  });
});

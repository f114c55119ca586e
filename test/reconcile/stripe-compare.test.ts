/**
 * Unit tests: Stripe's documented objects (test/fixtures/stripe/) read as a reconciliation ledger (toLedger),
 * then compared with audit rows by the same reconcile() the sandbox's ledger goes through.
 */
import type Stripe from 'stripe';
import type { AuditRow } from '../../audit/types';
import { reconcile } from '../../reconcile/compare';
import { toLedger } from '../../reconcile/stripe-ledger';
import { fixture } from '../support/stripe-stub';

const PAID = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

/** The succeeded PaymentIntent fixture, as one of `paymentId`'s intents; `latest_charge` un-expanded, as lists send it. */
function intent(id: string, paymentId: string, patch: Partial<Stripe.PaymentIntent> = {}): Stripe.PaymentIntent {
  const body = fixture('payment-intent-succeeded').body as Stripe.PaymentIntent & { latest_charge: Stripe.Charge };
  return {
    ...body,
    id,
    latest_charge: `ch_${id.slice(3)}`,
    metadata: { payment_id: paymentId, gateway_key: `${paymentId}:v1` },
    ...patch,
  };
}

function charge(intentId: string, patch: Partial<Stripe.Charge> = {}): Stripe.Charge {
  const body = fixture('payment-intent-succeeded').body as { latest_charge: Stripe.Charge };
  return {
    ...body.latest_charge,
    id: `ch_${intentId.slice(3)}`,
    payment_intent: intentId,
    amount_refunded: 0,
    ...patch,
  };
}

function refund(intentId: string, amount: number, status = 'succeeded'): Stripe.Refund {
  return { ...(fixture('refund').body as Stripe.Refund), payment_intent: intentId, amount, status };
}

const succeededRow = (paymentId: string, chargeId?: string): AuditRow => ({
  id: 1,
  paymentId,
  eventKey: 'e1',
  status: 'succeeded',
  timestamp: new Date(),
  metadata: chargeId ? { chargeId } : {},
});

describe('toLedger', () => {
  it('one entry per PaymentIntent: its id, our payment id and key from metadata, the card from its charge', () => {
    const ledger = toLedger([intent('pi_A', PAID)], [charge('pi_A')], []);
    expect(ledger).toEqual([
      {
        id: 'pi_A',
        idempotency_key: `${PAID}:v1`,
        amount: 2000,
        currency: 'usd',
        status: 'succeeded',
        card_last4: '4242',
        metadata: { payment_id: PAID, gateway_key: `${PAID}:v1` },
        created: 1680800504,
      },
    ]);
  });

  it('a succeeded intent refunded in full is `refunded`; a partial refund, or a pending one, leaves it succeeded', () => {
    const intents = [intent('pi_full', PAID), intent('pi_part', OTHER), intent('pi_pending', OTHER)];
    const refunds = [
      refund('pi_full', 1500),
      refund('pi_full', 500),
      refund('pi_part', 1000),
      refund('pi_pending', 2000, 'pending'),
    ];
    const statuses = toLedger(intents, [], refunds).map((c) => [c.id, c.status]);
    expect(statuses).toEqual([
      ['pi_full', 'refunded'],
      ['pi_part', 'succeeded'],
      ['pi_pending', 'succeeded'],
    ]);
    // A charge's own amount_refunded tells the same, should the refunds list not carry the intent.
    expect(toLedger([intent('pi_c', PAID)], [charge('pi_c', { amount_refunded: 2000 })], [])[0].status).toBe(
      'refunded',
    );
  });

  it('keeps other statuses as Stripe says them (they are not money moved)', () => {
    const failed = intent('pi_f', PAID, { status: 'requires_payment_method', amount_received: 0 });
    expect(toLedger([failed], [], [])[0]).toMatchObject({ status: 'requires_payment_method', card_last4: null });
  });
});

describe('reconcile over a Stripe ledger', () => {
  it('is clean when the audit trail recorded the intent that succeeded (a refunded one too)', () => {
    const ledger = toLedger([intent('pi_A', PAID), intent('pi_B', OTHER)], [], [refund('pi_B', 2000)]);
    expect(reconcile([succeededRow(PAID, 'pi_A'), succeededRow(OTHER, 'pi_B')], ledger)).toEqual([]);
  });

  it('a declined intent beside the one that succeeded is not a double charge', () => {
    const declined = intent('pi_declined', PAID, { status: 'requires_payment_method', amount_received: 0 });
    const ledger = toLedger([declined, intent('pi_A', PAID)], [], []);
    expect(reconcile([succeededRow(PAID, 'pi_A')], ledger)).toEqual([]);
  });

  it('finds two succeeded intents for one payment, a charge not recorded, and a recorded intent Stripe lacks', () => {
    const ledger = toLedger([intent('pi_1', PAID), intent('pi_2', PAID), intent('pi_3', OTHER)], [], []);
    const mismatches = reconcile([succeededRow(PAID, 'pi_1')], ledger);
    expect(mismatches.map((m) => [m.kind, m.paymentId, m.chargeIds])).toEqual([
      ['charged_twice', PAID, ['pi_1', 'pi_2']],
      ['charged_not_recorded', OTHER, ['pi_3']],
    ]);
    const missing = reconcile([succeededRow(OTHER, 'pi_gone')], toLedger([], [], []));
    expect(missing.map((m) => [m.kind, m.chargeIds])).toEqual([['recorded_not_charged', ['pi_gone']]]);
  });

  it('ignores intents no payment of ours made (no payment_id)', () => {
    const foreign = intent('pi_foreign', PAID, { metadata: {} });
    expect(reconcile([], toLedger([foreign], [], []))).toEqual([]);
  });
});

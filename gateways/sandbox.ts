/**
 * The sandbox adapter: the Gateway port over our own Stripe-like sandbox (gateway-sandbox/). The sandbox can list
 * charges and refunds by idempotency key, so "check before resend" is one strongly consistent read.
 */
import { ErrorType } from '../shared/errors';
import { isFailureOf, type ChargeLookup, type Gateway, type GatewayCharge, type GatewayRefund } from './port';
import { SandboxClient, type SandboxCharge, type SandboxClientOptions, type SandboxRefund } from './sandbox-client';

export function createSandboxGateway(options: SandboxClientOptions): Gateway {
  const client = new SandboxClient(options);

  const latestByKey = async (key: string) => (await client.findChargesByKey(key)).at(-1);

  return {
    async createCharge(req) {
      if (req.earlierRequest) {
        const earlier = await latestByKey(req.idempotencyKey);
        if (earlier) return toCharge(earlier);
      }
      const metadata = { payment_id: req.paymentId };
      return toCharge(await client.createCharge({ ...req, metadata }, req.idempotencyKey));
    },
    confirmCharge: async (chargeId, key) => toCharge(await client.confirmCharge(chargeId, key)),
    cancelCharge: async (chargeId, key) => toCharge(await client.cancelCharge(chargeId, key)),
    async findCharge(query): Promise<ChargeLookup> {
      let all: SandboxCharge[];
      try {
        all = await client.findChargesByKey(query.idempotencyKey);
      } catch (err) {
        // 409: a create under this key is still being processed.
        if (isFailureOf(err, ErrorType.GatewayIdempotencyInUse)) return { found: false, inFlight: true };
        throw err;
      }
      const charges = all.map(toCharge);
      const latest = charges.at(-1);
      return latest ? { found: true, charge: latest, charges } : { found: false, inFlight: false };
    },
    getCharge: async (chargeId) => toCharge(await client.getCharge(chargeId)),
    async createRefund(req) {
      const body = { ...req, metadata: { payment_id: req.paymentId } };
      return toRefund(await client.createRefund(body, req.idempotencyKey));
    },
    async findRefund(_chargeId, key) {
      const latest = (await client.findRefundsByKey(key)).at(-1);
      return latest && toRefund(latest);
    },
    async getDispute(disputeId) {
      const d = await client.getDispute(disputeId);
      return { id: d.id, chargeId: d.charge, status: d.status, reason: d.reason };
    },
    async submitDisputeEvidence(disputeId, evidence, key) {
      await client.submitDisputeEvidence(disputeId, evidence, key);
    },
    close: () => client.close(),
  };
}

const STATUSES: readonly string[] = ['succeeded', 'requires_action', 'failed', 'canceled', 'processing'];

/** The sandbox's charge in our terms; `toCharge` is exported for its unit test. */
export function toCharge(c: SandboxCharge): GatewayCharge {
  const card = c.payment_method_details?.card;
  return {
    id: c.id,
    // The sandbox's statuses are ours; anything else it might say is not a capture.
    status: STATUSES.includes(c.status) ? (c.status as GatewayCharge['status']) : 'failed',
    amount: c.amount,
    currency: c.currency.toUpperCase(),
    declineCode: c.decline_code ?? c.failure_code,
    created: c.created,
    card: card && {
      last4: card.last4,
      brand: card.brand,
      cvcCheck: card.checks?.cvc_check,
      postalCodeCheck: card.checks?.address_postal_code_check,
    },
    threeDSecure: c.payment_method_details?.three_d_secure?.result,
  };
}

export function toRefund(r: SandboxRefund): GatewayRefund {
  return { id: r.id, chargeId: r.charge, amount: r.amount, currency: r.currency.toUpperCase(), status: r.status };
}

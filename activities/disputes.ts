/**
 * Dispute activities: gather evidence (gateway charge + our payment records), submit it, and read the
 * dispute's status when its closing webhook is late. A refusal from the gateway (past due, already
 * submitted) is an answer, returned as such, not an error to retry.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from '../logging/logger';
import type { DisputeReason, GatheredEvidence } from '../shared/dispute-types';
import { ErrorType } from '../shared/errors';
import { buildEvidence, type EvidenceFacts } from './dispute-evidence';
import type { Gateway, GatewayCharge } from '../gateways/port';
import type { MerchantPolicies, PaymentRecords } from './payment-records';
import { gatewayDirectory, gatewayOfPayment, type GatewayEntry, type NamedGateway } from './gateway-directory';

export interface DisputeActivityDeps {
  gateway: Gateway;
  gatewayName?: string;
  otherGateways?: readonly GatewayEntry[];
  payments: PaymentRecords;
  merchant: MerchantPolicies;
  logger: Logger;
}

export interface GatherEvidenceInput {
  disputeId: string;
  chargeId: string;
  paymentId?: string;
  reason: DisputeReason;
}

export type SubmitOutcome = { submitted: true } | { submitted: false; error: string };

/**
 * A dispute is the charging gateway's: its activities go where the payment says it was charged (a payment that
 * failed over names its gateway in its state); a dispute of a payment that names none, or of no payment of ours,
 * goes to the default gateway.
 */
export function createDisputeActivities(deps: DisputeActivityDeps) {
  const { payments, merchant, logger } = deps;
  const first: NamedGateway = { name: deps.gatewayName ?? 'default', gateway: deps.gateway };
  const directory = gatewayDirectory<NamedGateway>(first, deps.otherGateways);

  const gatewayOf = async (paymentId?: string) => (await gatewayOfPayment(directory, payments, paymentId)).gateway;

  async function gatherDisputeEvidence(input: GatherEvidenceInput): Promise<GatheredEvidence> {
    const payment = input.paymentId ? await payments.getPayment(input.paymentId) : undefined;
    const gateway = directory.resolve(directory.names.length > 1 ? payment?.gateway : undefined).gateway;
    const charge = await gateway.getCharge(input.chargeId);
    const facts: EvidenceFacts = { charge: chargeFacts(charge), payment, merchant };
    if (input.reason === 'fraudulent' && payment?.customerId) {
      facts.priorPurchases = await payments.priorPurchases(payment.customerId, payment.paymentId);
    }
    if (input.reason === 'duplicate' && payment)
      facts.chargesByKey = await chargesByKey(gateway, payment.paymentId, payment.attempts);
    const gathered = buildEvidence(input.reason, facts);
    logger.info(
      {
        disputeId: input.disputeId,
        reason: input.reason,
        fields: Object.keys(gathered.evidence),
        missing: gathered.missing,
      },
      'dispute evidence gathered',
    );
    return gathered;
  }

  async function chargesByKey(gateway: Gateway, paymentId: string, attempts: Array<{ gatewayKey: string }>) {
    const keys = [...new Set(attempts.map((a) => a.gatewayKey.replace(/:confirm$/, '')))];
    return Promise.all(
      keys.map(async (gatewayKey) => ({
        gatewayKey,
        succeededChargeIds: await succeededUnder(gateway, paymentId, gatewayKey),
      })),
    );
  }

  async function succeededUnder(gateway: Gateway, paymentId: string, gatewayKey: string): Promise<string[]> {
    const r = await gateway.findCharge({ paymentId, idempotencyKey: gatewayKey });
    return r.found ? r.charges.filter((c) => c.status === 'succeeded').map((c) => c.id) : [];
  }

  async function submitDisputeEvidence(input: {
    disputeId: string;
    evidence: Record<string, string>;
    paymentId?: string;
  }): Promise<SubmitOutcome> {
    const gateway = await gatewayOf(input.paymentId);
    try {
      await gateway.submitDisputeEvidence(input.disputeId, input.evidence, `dispute_${input.disputeId}_submit`);
      logger.info({ disputeId: input.disputeId, fields: Object.keys(input.evidence) }, 'dispute evidence submitted');
      return { submitted: true };
    } catch (err) {
      if (err instanceof ApplicationFailure && err.type === ErrorType.GatewayInvalidRequest) {
        logger.warn({ disputeId: input.disputeId, err: err.message }, 'gateway refused the dispute evidence');
        return { submitted: false, error: err.message };
      }
      throw err;
    }
  }

  async function fetchDispute(input: { disputeId: string; paymentId?: string }): Promise<{ status: string }> {
    const gateway = await gatewayOf(input.paymentId);
    const dispute = await gateway.getDispute(input.disputeId);
    return { status: dispute.status };
  }

  return { gatherDisputeEvidence, submitDisputeEvidence, fetchDispute };
}

function chargeFacts(charge: GatewayCharge): EvidenceFacts['charge'] {
  return {
    id: charge.id,
    amount: charge.amount,
    currency: charge.currency,
    createdAt: charge.created ? new Date(charge.created * 1000).toISOString() : undefined,
    threeDSecure: charge.threeDSecure,
    cvcCheck: charge.card?.cvcCheck,
    postalCodeCheck: charge.card?.postalCodeCheck,
  };
}

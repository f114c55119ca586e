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

export interface DisputeActivityDeps {
  gateway: Gateway;
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

export function createDisputeActivities({ gateway, payments, merchant, logger }: DisputeActivityDeps) {
  async function gatherDisputeEvidence(input: GatherEvidenceInput): Promise<GatheredEvidence> {
    const charge = await gateway.getCharge(input.chargeId);
    const payment = input.paymentId ? await payments.getPayment(input.paymentId) : undefined;
    const facts: EvidenceFacts = { charge: chargeFacts(charge), payment, merchant };
    if (input.reason === 'fraudulent' && payment?.customerId) {
      facts.priorPurchases = await payments.priorPurchases(payment.customerId, payment.paymentId);
    }
    if (input.reason === 'duplicate' && payment)
      facts.chargesByKey = await chargesByKey(payment.paymentId, payment.attempts);
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

  async function chargesByKey(paymentId: string, attempts: Array<{ gatewayKey: string }>) {
    const keys = [...new Set(attempts.map((a) => a.gatewayKey.replace(/:confirm$/, '')))];
    return Promise.all(
      keys.map(async (gatewayKey) => ({
        gatewayKey,
        succeededChargeIds: await succeededUnder(paymentId, gatewayKey),
      })),
    );
  }

  async function succeededUnder(paymentId: string, gatewayKey: string): Promise<string[]> {
    const r = await gateway.findCharge({ paymentId, idempotencyKey: gatewayKey });
    return r.found ? r.charges.filter((c) => c.status === 'succeeded').map((c) => c.id) : [];
  }

  async function submitDisputeEvidence(input: {
    disputeId: string;
    evidence: Record<string, string>;
  }): Promise<SubmitOutcome> {
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

  async function fetchDispute(input: { disputeId: string }): Promise<{ status: string }> {
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

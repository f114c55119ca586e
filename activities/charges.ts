/**
 * Charge activities: charge, look up by idempotency key, confirm after 3DS, cancel. A charge retried by Temporal
 * tells the gateway that an earlier request may have landed, and the adapter checks before it sends again (the
 * sandbox by listing the key's charges, Stripe by replaying the key): after a timeout, a 5xx or a dropped
 * connection we cannot know whether the first request landed. They depend on the Gateway port only.
 */
import { Context } from '@temporalio/activity';
import type { Logger } from '../logging/logger';
import { classifyDecline, type DeclineInfo, type Initiator } from '../shared/declines';
import { ErrorType } from '../shared/errors';
import type { PaymentMethod } from '../shared/payment-types';
import { declineDetailsOf, declineFailure, gatewayFailure } from '../gateways/failures';
import { isFailureOf, type Gateway, type GatewayCharge } from '../gateways/port';

export interface ChargeCardInput {
  paymentId: string;
  gatewayKey: string;
  amount: number;
  currency: string;
  paymentMethod: PaymentMethod;
  /** Check for an existing charge even on the first attempt (an operator retry after an unknown outcome). */
  checkFirst?: boolean;
  /** Decides how a decline is classified (see classifyDecline); absent for runs of release 0.1. */
  initiator?: Initiator;
  /** The step-up after an authentication_required decline: ask for 3DS, with the customer present. */
  requestThreeDS?: boolean;
  maxAttempts: number;
}

export type ChargeOutcome =
  | { status: 'succeeded'; chargeId: string; gateway: string }
  | { status: 'requires_action'; chargeId: string; gateway: string };

/** `decline` is classified here for a declined charge, so the workflow acts on what history holds. */
export type LookupResult =
  /** `inFlight`: a create under this key is still being processed, so "no charge" is not an answer yet. */
  | { found: false; inFlight?: boolean }
  | { found: true; chargeId: string; status: string; declineCode?: string; decline?: DeclineInfo; gateway: string };

/** What a cancel left: `canceled`, or the charge had already settled (it can no longer be cancelled). */
export type CancelOutcome = { status: 'canceled'; chargeId: string } | { status: 'settled'; charge: LookupResult };

export interface GatewayActivityDeps {
  gateway: Gateway;
  gatewayName: string;
  logger: Logger;
}

export function createGatewayActivities({ gateway, gatewayName, logger }: GatewayActivityDeps) {
  /** Turns a charge the gateway holds into the same answer a fresh request would have given. */
  function outcomeOf(charge: GatewayCharge, initiator?: Initiator): ChargeOutcome {
    if (charge.status === 'succeeded' || charge.status === 'requires_action') {
      return { status: charge.status, chargeId: charge.id, gateway: gatewayName };
    }
    // Not decided yet (Stripe's `processing`): an unknown outcome, retried after a check like a 5xx.
    if (charge.status === 'processing') {
      throw stillProcessing(charge.id);
    }
    throw declineFailure(charge.declineCode, charge.id, initiator);
  }

  /** The adapter classified a decline without knowing who initiated the charge: classify it again here. */
  async function create(input: ChargeCardInput, earlierRequest?: 'recent' | 'any_time'): Promise<GatewayCharge> {
    try {
      const offSession = input.initiator === 'merchant' && !input.requestThreeDS;
      return await gateway.createCharge({
        paymentId: input.paymentId,
        amount: input.amount,
        currency: input.currency,
        paymentMethod: input.paymentMethod,
        idempotencyKey: input.gatewayKey,
        offSession,
        requestThreeDS: input.requestThreeDS,
        earlierRequest,
      });
    } catch (err) {
      const details = declineDetailsOf(err);
      if (!details) throw err;
      throw declineFailure(details.declineCode, details.chargeId, input.initiator);
    }
  }

  async function chargeCard(input: ChargeCardInput): Promise<ChargeOutcome> {
    const { attempt } = Context.current().info;
    const log = logger.child({ paymentId: input.paymentId, gatewayKey: input.gatewayKey, gateway: gatewayName });
    log.info({ attempt, maxAttempts: input.maxAttempts }, `charge attempt ${attempt}/${input.maxAttempts}`);
    // An operator's retry may come days after the last request; Temporal's own retries come minutes after it.
    const earlierRequest = input.checkFirst ? 'any_time' : attempt > 1 ? 'recent' : undefined;
    const charge = await create(input, earlierRequest);
    log.info({ chargeId: charge.id, status: charge.status, earlierRequest }, 'charge answered');
    return outcomeOf(charge, input.initiator);
  }

  async function lookupCharge(input: {
    paymentId: string;
    gatewayKey: string;
    initiator?: Initiator;
  }): Promise<LookupResult> {
    const r = await gateway.findCharge({ paymentId: input.paymentId, idempotencyKey: input.gatewayKey });
    if (!r.found) return r.inFlight ? { found: false, inFlight: true } : { found: false };
    // Not decided yet: as good as a request still in flight, so the workflow asks again later.
    if (r.charge.status === 'processing') return { found: false, inFlight: true };
    return describeCharge(r.charge, input.initiator);
  }

  function describeCharge(latest: GatewayCharge, initiator?: Initiator): LookupResult {
    const settled = latest.status === 'succeeded' || latest.status === 'requires_action';
    return {
      found: true,
      chargeId: latest.id,
      status: latest.status,
      declineCode: latest.declineCode,
      decline: settled ? undefined : classifyDecline(latest.declineCode ?? 'generic_decline', initiator),
      gateway: gatewayName,
    };
  }

  async function confirmCharge(input: {
    paymentId: string;
    chargeId: string;
    gatewayKey: string;
  }): Promise<ChargeOutcome> {
    const charge = await gateway.confirmCharge(input.chargeId, `${input.gatewayKey}:confirm`);
    return outcomeOf(charge);
  }

  /**
   * Cancels a charge left awaiting 3DS when the payment is cancelled or its 3DS wait ends, so that a late
   * authentication cannot capture money on a cancelled payment. A charge that settled meanwhile is reported.
   */
  async function cancelCharge(input: {
    paymentId: string;
    chargeId: string;
    gatewayKey: string;
  }): Promise<CancelOutcome> {
    try {
      const charge = await gateway.cancelCharge(input.chargeId, `${input.gatewayKey}:cancel`);
      return { status: 'canceled', chargeId: charge.id };
    } catch (err) {
      if (!isFailureOf(err, ErrorType.GatewayInvalidRequest)) throw err;
      // charge_unexpected_state: it succeeded or failed before our cancel; say which.
      return { status: 'settled', charge: describeCharge(await gateway.getCharge(input.chargeId)) };
    }
  }

  return { chargeCard, lookupCharge, confirmCharge, cancelCharge };
}

/** A charge the processor has not decided: retryable, and the retry checks before it sends. */
function stillProcessing(chargeId: string) {
  return gatewayFailure(ErrorType.GatewayServerError, `charge ${chargeId} is still processing at the gateway`);
}

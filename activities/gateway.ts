/**
 * Gateway activities: charge, look up by idempotency key, confirm after 3DS. A charge retried by Temporal
 * first asks the gateway whether its key already produced a charge ("check, then create"): after a timeout,
 * a 5xx or a dropped connection we cannot know whether the first request landed.
 */
import { Context } from '@temporalio/activity';
import type { Logger } from '../logging/logger';
import { classifyDecline, type DeclineInfo, type Initiator } from '../shared/declines';
import type { PaymentMethod } from '../shared/payment-types';
import { declineFailure, type DeclineDetails } from './gateway-errors';
import type { GatewayCharge, GatewayClient } from './gateway-client';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../shared/errors';

function isFailure(err: unknown, type: string): boolean {
  return err instanceof ApplicationFailure && err.type === type;
}

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
  gateway: GatewayClient;
  gatewayName: string;
  logger: Logger;
}

export function createGatewayActivities({ gateway, gatewayName, logger }: GatewayActivityDeps) {
  /** Turns a charge the gateway already holds into the same answer a fresh request would have given. */
  function outcomeOf(charge: GatewayCharge, initiator?: Initiator): ChargeOutcome {
    if (charge.status === 'succeeded' || charge.status === 'requires_action') {
      return { status: charge.status, chargeId: charge.id, gateway: gatewayName };
    }
    throw declineFailure(charge.decline_code ?? charge.failure_code, charge.id, initiator);
  }

  /** The gateway client classified a 402 without knowing who initiated the charge: classify it again here. */
  async function create(input: ChargeCardInput): Promise<GatewayCharge> {
    try {
      const offSession = input.initiator === 'merchant' && !input.requestThreeDS;
      const request = { ...input, offSession, metadata: { payment_id: input.paymentId } };
      return await gateway.createCharge(request, input.gatewayKey);
    } catch (err) {
      const details = err instanceof ApplicationFailure ? (err.details?.[0] as Partial<DeclineDetails>) : undefined;
      if (!details?.declineClass) throw err;
      throw declineFailure(details.declineCode, details.chargeId, input.initiator);
    }
  }

  async function chargeCard(input: ChargeCardInput): Promise<ChargeOutcome> {
    const { attempt } = Context.current().info;
    const log = logger.child({ paymentId: input.paymentId, gatewayKey: input.gatewayKey, gateway: gatewayName });
    log.info({ attempt, maxAttempts: input.maxAttempts }, `charge attempt ${attempt}/${input.maxAttempts}`);
    if (attempt > 1 || input.checkFirst) {
      const existing = await gateway.findChargesByKey(input.gatewayKey);
      const latest = existing.at(-1);
      if (latest) {
        log.info({ chargeId: latest.id, status: latest.status }, "found the earlier request's charge; not re-sending");
        return outcomeOf(latest, input.initiator);
      }
    }
    const charge = await create(input);
    log.info({ chargeId: charge.id, status: charge.status }, 'charge answered');
    return outcomeOf(charge, input.initiator);
  }

  async function lookupCharge(input: {
    paymentId: string;
    gatewayKey: string;
    initiator?: Initiator;
  }): Promise<LookupResult> {
    let charges: GatewayCharge[];
    try {
      charges = await gateway.findChargesByKey(input.gatewayKey);
    } catch (err) {
      if (isFailure(err, ErrorType.GatewayIdempotencyInUse)) return { found: false, inFlight: true };
      throw err;
    }
    const latest = charges.at(-1);
    if (!latest) return { found: false };
    return describeCharge(latest, input.initiator);
  }

  function describeCharge(latest: GatewayCharge, initiator?: Initiator): LookupResult {
    const settled = latest.status === 'succeeded' || latest.status === 'requires_action';
    return {
      found: true,
      chargeId: latest.id,
      status: latest.status,
      declineCode: latest.decline_code,
      decline: settled
        ? undefined
        : classifyDecline(latest.decline_code ?? latest.failure_code ?? 'generic_decline', initiator),
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
      if (!isFailure(err, ErrorType.GatewayInvalidRequest)) throw err;
      // 400 charge_unexpected_state: it succeeded or failed before our cancel; say which.
      return { status: 'settled', charge: describeCharge(await gateway.getCharge(input.chargeId)) };
    }
  }

  return { chargeCard, lookupCharge, confirmCharge, cancelCharge };
}

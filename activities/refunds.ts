/**
 * Refund activities. Like a charge, a refund whose request may have landed (timeout, 5xx, dropped
 * connection) is never sent again blind: every retry first asks the gateway for a refund under its key.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from '../logging/logger';
import { ErrorType } from '../shared/errors';
import { chargeOfRefundKey } from '../shared/idempotency';
import type { RefundReason } from '../shared/payment-types';
import type { Gateway, GatewayRefund } from '../gateways/port';
import { gatewayDirectory, type GatewayEntry, type NamedGateway } from './gateway-directory';

export interface RefundChargeInput {
  paymentId: string;
  chargeId: string;
  gatewayKey: string;
  amount: number;
  currency: string;
  reason?: RefundReason;
  /** The gateway that charged (a payment that failed over names it); absent: the default gateway. */
  gateway?: string;
}

export interface RefundOutcome {
  refundId: string;
  amount: number;
}

export type RefundLookup = { found: false } | { found: true; refundId: string; amount: number };

export interface RefundActivityDeps {
  gateway: Gateway;
  gatewayName?: string;
  otherGateways?: readonly GatewayEntry[];
  logger: Logger;
}

/** A refund goes to the gateway that holds the charge: the one the payment's capture names. */
export function createRefundActivities(deps: RefundActivityDeps) {
  const { logger } = deps;
  const first: NamedGateway = { name: deps.gatewayName ?? 'default', gateway: deps.gateway };
  const directory = gatewayDirectory<NamedGateway>(first, deps.otherGateways);
  async function refundCharge(input: RefundChargeInput): Promise<RefundOutcome> {
    const { attempt } = Context.current().info;
    const { gateway } = directory.resolve(input.gateway);
    const log = logger.child({ paymentId: input.paymentId, chargeId: input.chargeId, gatewayKey: input.gatewayKey });
    if (attempt > 1) {
      const earlier = await gateway.findRefund(input.chargeId, input.gatewayKey);
      if (earlier) {
        log.info({ refundId: earlier.id }, "found the earlier request's refund; not re-sending");
        return outcomeOf(earlier);
      }
    }
    try {
      const refund = await gateway.createRefund({
        paymentId: input.paymentId,
        chargeId: input.chargeId,
        amount: input.amount,
        reason: input.reason,
        idempotencyKey: input.gatewayKey,
      });
      return outcomeOf(refund);
    } catch (err) {
      throw asRefusal(err);
    }
  }

  /** Runs so far send only the key; it names its charge (`refund_<charge>_<n>`), which Stripe lists refunds by. */
  async function lookupRefund(input: {
    paymentId: string;
    gatewayKey: string;
    chargeId?: string;
    gateway?: string;
  }): Promise<RefundLookup> {
    const { gateway } = directory.resolve(input.gateway);
    const chargeId = input.chargeId ?? chargeOfRefundKey(input.gatewayKey);
    if (!chargeId) {
      throw ApplicationFailure.create({
        type: ErrorType.InvalidInput,
        message: `refund key ${input.gatewayKey} names no charge`,
        nonRetryable: true,
      });
    }
    const latest = await gateway.findRefund(chargeId, input.gatewayKey);
    return latest ? { found: true, refundId: latest.id, amount: latest.amount } : { found: false };
  }

  return { refundCharge, lookupRefund };
}

function outcomeOf(refund: GatewayRefund): RefundOutcome {
  return { refundId: refund.id, amount: refund.amount };
}

/** A 400 on a refund is the gateway saying no (amount too large, already refunded): a definite, final answer. */
function asRefusal(err: unknown): unknown {
  if (!(err instanceof ApplicationFailure) || err.type !== ErrorType.GatewayInvalidRequest) return err;
  return ApplicationFailure.create({ type: ErrorType.RefundRefused, message: err.message, nonRetryable: true });
}

/**
 * Refund activities. Like a charge, a refund whose request may have landed (timeout, 5xx, dropped
 * connection) is never sent again blind: every retry first asks the gateway for a refund under its key.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from '../logging/logger';
import { ErrorType } from '../shared/errors';
import type { RefundReason } from '../shared/payment-types';
import type { GatewayClient, GatewayRefund } from './gateway-client';

export interface RefundChargeInput {
  paymentId: string;
  chargeId: string;
  gatewayKey: string;
  amount: number;
  currency: string;
  reason?: RefundReason;
}

export interface RefundOutcome {
  refundId: string;
  amount: number;
}

export type RefundLookup = { found: false } | { found: true; refundId: string; amount: number };

export function createRefundActivities({ gateway, logger }: { gateway: GatewayClient; logger: Logger }) {
  async function refundCharge(input: RefundChargeInput): Promise<RefundOutcome> {
    const { attempt } = Context.current().info;
    const log = logger.child({ paymentId: input.paymentId, chargeId: input.chargeId, gatewayKey: input.gatewayKey });
    if (attempt > 1) {
      const earlier = (await gateway.findRefundsByKey(input.gatewayKey)).at(-1);
      if (earlier) {
        log.info({ refundId: earlier.id }, "found the earlier request's refund; not re-sending");
        return outcomeOf(earlier);
      }
    }
    const metadata = { payment_id: input.paymentId };
    try {
      const refund = await gateway.createRefund({ ...input, metadata }, input.gatewayKey);
      return outcomeOf(refund);
    } catch (err) {
      throw asRefusal(err);
    }
  }

  async function lookupRefund(input: { paymentId: string; gatewayKey: string }): Promise<RefundLookup> {
    const latest = (await gateway.findRefundsByKey(input.gatewayKey)).at(-1);
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

/**
 * What the gateways hold under every key a payment used: the one place that may turn silence into an answer.
 * Asked before a payment that had an unknown outcome ends failed or cancelled, and after a duplicate_transaction
 * decline, so that a charge that landed late is found instead of a customer paying for a "failed" payment.
 */
import { log } from '@temporalio/workflow';
import type { ChargeOutcome, PaymentActivities } from '../activities';

export interface ChargesFound {
  /** A captured charge under one of the keys: the payment's money. */
  succeeded?: ChargeOutcome;
  /** A charge still awaiting 3DS: it must be completed or cancelled, never left to capture later. */
  awaiting?: ChargeOutcome;
  /** Keys the gateway could not answer for (a request still in flight, or a failure that retrying cannot fix). */
  unanswered: string[];
}

/** `gateway` retries until the gateway answers: a look that gives up early would be the silence we distrust. */
export async function chargesUnderKeys(
  gateway: Pick<PaymentActivities, 'lookupCharge'>,
  paymentId: string,
  keys: readonly string[],
  /** The gateway each key went to (a payment that failed over used several); undefined: the default gateway. */
  gatewayOf: (key: string) => string | undefined = () => undefined,
): Promise<ChargesFound> {
  const found: ChargesFound = { unanswered: [] };
  for (const gatewayKey of keys) {
    const at = gatewayOf(gatewayKey);
    try {
      const r = await gateway.lookupCharge({ paymentId, gatewayKey, ...(at ? { gateway: at } : {}) });
      if (!r.found) {
        if (r.inFlight) found.unanswered.push(gatewayKey);
        continue;
      }
      const outcome = { chargeId: r.chargeId, gateway: r.gateway };
      if (r.status === 'succeeded') found.succeeded ??= { status: 'succeeded', ...outcome };
      else if (r.status === 'requires_action') found.awaiting ??= { status: 'requires_action', ...outcome };
    } catch (err) {
      log.error('charge lookup failed and will not be retried', { paymentId, gatewayKey, error: String(err) });
      found.unanswered.push(gatewayKey);
    }
  }
  return found;
}

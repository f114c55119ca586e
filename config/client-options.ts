/** Options every process that starts payments or disputes (API, CLI) derives from the one parsed config. */
import type { PaymentsClientOptions } from '../client/payments-client';
import type { DisputesClientOptions } from '../client/disputes-client';
import type { PaymentMethodVault } from '../client/payment-methods';
import type { Gateway } from '../gateways/port';
import type { DegradationPolicy } from '../shared/payment-types';
import type { Config } from '.';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function paymentsClientOptions(cfg: Config): PaymentsClientOptions {
  return {
    taskQueue: cfg.TEMPORAL_TASK_QUEUE,
    fingerprintSecret: cfg.IDEMPOTENCY_SECRET,
    maxAmount: cfg.PAYMENT_MAX_AMOUNT,
    policy: { refundWindowMs: Math.round(cfg.REFUND_WINDOW_DAYS * DAY), degradation: degradationPolicy(cfg) },
    refundsIdleMs: Math.round(cfg.REFUNDS_IDLE_MINUTES * MINUTE),
  };
}

/** The degradation ladder every payment started from now carries in its policy (null: switched off). */
export function degradationPolicy(cfg: Config): DegradationPolicy | null {
  if (cfg.DEGRADATION_LADDER === 'off') return null;
  return {
    queueTrusted: cfg.PAYMENT_QUEUE_TRUSTED,
    trustFlagged: cfg.PAYMENT_QUEUE_TRUST_FLAG,
    trustAfterPayments: cfg.PAYMENT_QUEUE_TRUST_AFTER_PAYMENTS,
    maxQueueMs: cfg.PAYMENT_QUEUE_MAX_MS,
    probeIntervalMs: cfg.PAYMENT_QUEUE_PROBE_INTERVAL_MS,
    probeMaxIntervalMs: cfg.PAYMENT_QUEUE_PROBE_MAX_INTERVAL_MS,
    alternativePaymentMethods: cfg.ALTERNATIVE_PAYMENT_METHODS,
  };
}

export function disputesClientOptions(cfg: Config): DisputesClientOptions {
  return {
    taskQueue: cfg.TEMPORAL_TASK_QUEUE,
    policy: { submitMarginMs: Math.round(cfg.DISPUTE_SUBMIT_MARGIN_HOURS * HOUR) },
  };
}

/**
 * The card-for-token exchange the API and CLI make before a payment starts, at the configured gateway. Raw card
 * numbers only with the sandbox (test mode); with GATEWAY=stripe they are refused (PCI: Stripe.js or Elements).
 */
export function paymentMethodVault(cfg: Pick<Config, 'GATEWAY'>, gateway: Gateway): PaymentMethodVault {
  return {
    acceptsCardNumbers: cfg.GATEWAY === 'sandbox',
    createPaymentMethod: (req) => gateway.createPaymentMethod(req),
  };
}

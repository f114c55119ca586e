/** Options every process that starts payments or disputes (API, CLI) derives from the one parsed config. */
import type { PaymentsClientOptions } from '../client/payments-client';
import type { DisputesClientOptions } from '../client/disputes-client';
import type { PaymentMethodVault } from '../client/payment-methods';
import type { Gateway } from '../gateways/port';
import { createConfiguredGateways } from '../gateways/factory';
import { gatewaySpecs, type GatewayKind } from './gateway';
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
    keyClaimWaitMs: cfg.KEY_CLAIM_WAIT_MS,
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
  return vaultOf(cfg.GATEWAY, gateway);
}

function vaultOf(kind: GatewayKind, gateway: Gateway): PaymentMethodVault {
  return { acceptsCardNumbers: kind === 'sandbox', createPaymentMethod: (req) => gateway.createPaymentMethod(req) };
}

/**
 * The exchanges of every gateway of the failover order (GATEWAYS), for the API and CLI: the first is the one a
 * payment's input token comes from, the others give each payment its own token there (client/payments-client.ts).
 */
export function gatewayExchanges(
  cfg: Config,
): Required<Pick<PaymentsClientOptions, 'paymentMethods' | 'gateways'>> & { close(): Promise<void> } {
  const specs = gatewaySpecs(cfg);
  const adapters = createConfiguredGateways(cfg);
  const gateways = adapters.map((a, i) => ({ name: a.name, paymentMethods: vaultOf(specs[i].kind, a.gateway) }));
  return {
    paymentMethods: gateways[0].paymentMethods,
    gateways,
    close: async () => void (await Promise.all(adapters.map((a) => a.gateway.close()))),
  };
}

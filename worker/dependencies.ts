/**
 * Builds the worker's dependencies from config: the gateway adapter, the audit store, the logger, and a
 * Temporal client through which dispute evidence reads our own payments and runs read operators' requests.
 */
import { Client, Connection } from '@temporalio/client';
import type { MetricMeter } from '@temporalio/common';
import { statusMetrics, type ActivityDeps, type GatewayEntry } from '../activities';
import { openAuditStore } from '../audit/open';
import type { Config } from '../config';
import type { Logger } from '../logging/logger';
import { encryptedDataConverter } from '../encryption/data-converter';
import { withMerchantEvents } from '../merchant-events/outbox';
import { temporalMerchantEvents } from '../merchant-events/temporal-sink';
import { DEFAULT_DELIVERY_POLICY } from '../shared/merchant-events';
import { createConfiguredGateways } from '../gateways/factory';
import { gatewaySpecs } from '../config/gateway';
import { temporalOperatorRequests } from './operator-requests';
import { temporalPaymentRecords } from './payment-records';
import { createResilience } from './resilience';

export async function createDependencies(
  config: Config,
  logger: Logger,
  /** The Temporal runtime's meter: the breaker, the budget and the status metrics export through it (worker.ts). */
  meter?: MetricMeter,
): Promise<ActivityDeps & { client: Client; close(): Promise<void> }> {
  // One adapter, one breaker and one retry budget per gateway of the failover order; the first is the default.
  const configured = createConfiguredGateways(config);
  logger.info(
    { gateways: configured.map((g) => g.name), gateway: config.GATEWAY, stripeApiBase: config.STRIPE_API_BASE },
    'gateway adapters',
  );
  if (config.STRIPE_SECRET_KEY?.includes('_live_') && gatewaySpecs(config).some((g) => g.kind === 'stripe'))
    logger.warn('Stripe live key: payments move real money');
  // Every gateway call of every activity goes through this process's one breaker for that gateway.
  const entries: GatewayEntry[] = [];
  for (const { name, gateway } of configured)
    entries.push(await createResilience(config, name, gateway, logger, meter));
  const [first, ...otherGateways] = entries;
  const { gateway, resilience, name: gatewayName } = first;
  const store = await openAuditStore({ databaseUrl: config.DATABASE_URL, dataDir: config.AUDIT_DATA_DIR, logger });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const dataConverter = encryptedDataConverter(config.PAYLOAD_ENCRYPTION_KEYS);
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  const merchantWebhook = merchantWebhookConfig(config);
  // With an endpoint, every status row the merchant should hear about also starts its event's delivery run.
  const audit = merchantWebhook
    ? withMerchantEvents(
        store,
        temporalMerchantEvents(client, {
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          policy: { ...DEFAULT_DELIVERY_POLICY, windowMs: config.MERCHANT_EVENT_WINDOW_HOURS * 3_600_000 },
        }),
      )
    : store;
  return {
    gateway,
    gatewayName,
    resilience,
    otherGateways,
    audit,
    merchantWebhook,
    logger,
    ...(meter ? { statusMetrics: statusMetrics(meter) } : {}),
    payments: temporalPaymentRecords(client),
    operators: temporalOperatorRequests(client, config.TEMPORAL_TASK_QUEUE),
    client,
    merchant: { refundPolicyUrl: config.REFUND_POLICY_URL, termsOfServiceUrl: config.TERMS_OF_SERVICE_URL },
    close: async () => {
      for (const entry of entries) {
        await entry.gateway.close();
        await entry.resilience.retryBudget.close();
      }
      await store.close();
      await connection.close();
    },
  };
}

function merchantWebhookConfig(config: Config) {
  if (!config.MERCHANT_WEBHOOK_URL || !config.MERCHANT_WEBHOOK_SECRET) return undefined;
  return {
    url: config.MERCHANT_WEBHOOK_URL,
    secret: config.MERCHANT_WEBHOOK_SECRET,
    timeoutMs: config.MERCHANT_WEBHOOK_TIMEOUT_MS,
  };
}

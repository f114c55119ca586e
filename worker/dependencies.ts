/**
 * Builds the worker's dependencies from config: the gateway client, the audit store, the logger, and a
 * Temporal client through which dispute evidence reads our own payments and runs read operators' requests.
 */
import { Client, Connection } from '@temporalio/client';
import type { MetricMeter } from '@temporalio/common';
import { GatewayClient } from '../activities/gateway-client';
import type { ActivityDeps } from '../activities';
import { openAuditStore } from '../audit/open';
import type { Config } from '../config';
import type { Logger } from '../logging/logger';
import { encryptedDataConverter } from '../encryption/data-converter';
import { temporalOperatorRequests } from './operator-requests';
import { temporalPaymentRecords } from './payment-records';
import { createResilience } from './resilience';

export async function createDependencies(
  config: Config,
  logger: Logger,
  /** The Temporal runtime's meter: the breaker and the budget export through it (worker.ts). */
  meter?: MetricMeter,
): Promise<ActivityDeps & { client: Client; close(): Promise<void> }> {
  const httpClient = new GatewayClient({
    baseUrl: config.GATEWAY_URL,
    apiKey: config.GATEWAY_API_KEY,
    connectTimeoutMs: config.GATEWAY_CONNECT_TIMEOUT_MS,
    readTimeoutMs: config.GATEWAY_READ_TIMEOUT_MS,
  });
  // Every gateway call of every activity goes through this process's one breaker for the gateway.
  const { gateway, resilience } = await createResilience(config, httpClient, logger, meter);
  const audit = await openAuditStore({ databaseUrl: config.DATABASE_URL, dataDir: config.AUDIT_DATA_DIR, logger });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const dataConverter = encryptedDataConverter(config.PAYLOAD_ENCRYPTION_KEYS);
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  return {
    gateway,
    gatewayName: config.GATEWAY_NAME,
    resilience,
    audit,
    logger,
    payments: temporalPaymentRecords(client),
    operators: temporalOperatorRequests(client, config.TEMPORAL_TASK_QUEUE),
    client,
    merchant: { refundPolicyUrl: config.REFUND_POLICY_URL, termsOfServiceUrl: config.TERMS_OF_SERVICE_URL },
    close: async () => {
      await gateway.close();
      await resilience.retryBudget.close();
      await audit.close();
      await connection.close();
    },
  };
}

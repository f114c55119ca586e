/**
 * Builds the worker's dependencies from config: the gateway adapter, the audit store, the logger, and a
 * Temporal client through which dispute evidence reads our own payments and runs read operators' requests.
 */
import { Client, Connection } from '@temporalio/client';
import type { ActivityDeps } from '../activities';
import { openAuditStore } from '../audit/open';
import type { Config } from '../config';
import type { Logger } from '../logging/logger';
import { encryptedDataConverter } from '../encryption/data-converter';
import { createConfiguredGateway } from '../gateways/factory';
import { temporalOperatorRequests } from './operator-requests';
import { temporalPaymentRecords } from './payment-records';

export async function createDependencies(
  config: Config,
  logger: Logger,
): Promise<ActivityDeps & { client: Client; close(): Promise<void> }> {
  const { gateway, name: gatewayName } = createConfiguredGateway(config);
  logger.info({ gateway: config.GATEWAY, gatewayName, stripeApiBase: config.STRIPE_API_BASE }, 'gateway adapter');
  if (config.GATEWAY === 'stripe' && config.STRIPE_SECRET_KEY?.includes('_live_'))
    logger.warn('Stripe live key: payments move real money');
  const audit = await openAuditStore({ databaseUrl: config.DATABASE_URL, dataDir: config.AUDIT_DATA_DIR, logger });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const dataConverter = encryptedDataConverter(config.PAYLOAD_ENCRYPTION_KEYS);
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  return {
    gateway,
    gatewayName,
    audit,
    logger,
    payments: temporalPaymentRecords(client),
    operators: temporalOperatorRequests(client, config.TEMPORAL_TASK_QUEUE),
    client,
    merchant: { refundPolicyUrl: config.REFUND_POLICY_URL, termsOfServiceUrl: config.TERMS_OF_SERVICE_URL },
    close: async () => {
      await gateway.close();
      await audit.close();
      await connection.close();
    },
  };
}

/** Builds the worker's dependencies from config: the gateway client, the audit store and the logger. */
import { GatewayClient } from '../activities/gateway-client';
import type { ActivityDeps } from '../activities';
import { openAuditStore } from '../audit/store';
import type { Config } from '../config';
import type { Logger } from '../logging/logger';

export async function createDependencies(
  config: Config,
  logger: Logger,
): Promise<ActivityDeps & { close(): Promise<void> }> {
  const gateway = new GatewayClient({
    baseUrl: config.GATEWAY_URL,
    apiKey: config.GATEWAY_API_KEY,
    connectTimeoutMs: config.GATEWAY_CONNECT_TIMEOUT_MS,
    readTimeoutMs: config.GATEWAY_READ_TIMEOUT_MS,
  });
  const audit = await openAuditStore({ databaseUrl: config.DATABASE_URL, dataDir: config.AUDIT_DATA_DIR, logger });
  return {
    gateway,
    gatewayName: config.GATEWAY_NAME,
    audit,
    logger,
    close: async () => {
      await gateway.close();
      await audit.close();
    },
  };
}

/** Builds the configured adapter from the parsed config: the worker's one choice. */
import type { Config } from '../config';
import type { Gateway } from './port';
import { createSandboxGateway } from './sandbox';

export interface ConfiguredGateway {
  gateway: Gateway;
  /** What charge outcomes record as `gateway`. */
  name: string;
}

type GatewayConfig = Pick<
  Config,
  'GATEWAY_NAME' | 'GATEWAY_URL' | 'GATEWAY_API_KEY' | 'GATEWAY_CONNECT_TIMEOUT_MS' | 'GATEWAY_READ_TIMEOUT_MS'
>;

export function createConfiguredGateway(config: GatewayConfig): ConfiguredGateway {
  const gateway = createSandboxGateway({
    baseUrl: config.GATEWAY_URL,
    apiKey: config.GATEWAY_API_KEY,
    connectTimeoutMs: config.GATEWAY_CONNECT_TIMEOUT_MS,
    readTimeoutMs: config.GATEWAY_READ_TIMEOUT_MS,
  });
  return { gateway, name: config.GATEWAY_NAME };
}

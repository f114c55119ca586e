/** Builds the configured adapter (GATEWAY=sandbox|stripe) from the parsed config: the worker's one choice. */
import type { Config } from '../config';
import type { Gateway } from './port';
import { createSandboxGateway } from './sandbox';
import { createStripeGateway } from './stripe';

export interface ConfiguredGateway {
  gateway: Gateway;
  /** What charge outcomes record as `gateway`. */
  name: string;
}

type GatewayConfig = Pick<
  Config,
  | 'GATEWAY'
  | 'GATEWAY_NAME'
  | 'GATEWAY_URL'
  | 'GATEWAY_API_KEY'
  | 'GATEWAY_CONNECT_TIMEOUT_MS'
  | 'GATEWAY_READ_TIMEOUT_MS'
  | 'STRIPE_SECRET_KEY'
  | 'STRIPE_API_BASE'
  | 'STRIPE_SEARCH_LAG_MINUTES'
>;

export function createConfiguredGateway(config: GatewayConfig): ConfiguredGateway {
  const name = config.GATEWAY_NAME ?? config.GATEWAY;
  if (config.GATEWAY === 'stripe') {
    // parseConfig refused GATEWAY=stripe without a key; this guards callers that built a config by hand.
    if (!config.STRIPE_SECRET_KEY) throw new Error('GATEWAY=stripe needs STRIPE_SECRET_KEY');
    const gateway = createStripeGateway({
      secretKey: config.STRIPE_SECRET_KEY,
      apiBase: config.STRIPE_API_BASE,
      timeoutMs: config.GATEWAY_READ_TIMEOUT_MS,
      recentWindowMs: config.STRIPE_SEARCH_LAG_MINUTES * 60_000,
    });
    return { gateway, name };
  }
  const gateway = createSandboxGateway({
    baseUrl: config.GATEWAY_URL,
    apiKey: config.GATEWAY_API_KEY,
    connectTimeoutMs: config.GATEWAY_CONNECT_TIMEOUT_MS,
    readTimeoutMs: config.GATEWAY_READ_TIMEOUT_MS,
  });
  return { gateway, name };
}

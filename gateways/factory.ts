/**
 * Builds the configured adapters from the parsed config: one per gateway of the failover order (GATEWAYS, or the
 * one gateway of GATEWAY / GATEWAY_URL), the first being the default.
 */
import type { Config } from '../config';
import { gatewaySpecs, type GatewaySpec } from '../config/gateway';
import type { Gateway } from './port';
import { createSandboxGateway } from './sandbox';
import { createStripeGateway } from './stripe';

export interface ConfiguredGateway {
  gateway: Gateway;
  /** What charge outcomes, audit rows and metrics record as `gateway`. */
  name: string;
}

type GatewayConfig = Pick<
  Config,
  | 'GATEWAY'
  | 'GATEWAY_NAME'
  | 'GATEWAY_URL'
  | 'GATEWAY_API_KEY'
  | 'GATEWAYS'
  | 'GATEWAY_CONNECT_TIMEOUT_MS'
  | 'GATEWAY_READ_TIMEOUT_MS'
  | 'STRIPE_SECRET_KEY'
  | 'STRIPE_API_BASE'
  | 'STRIPE_SEARCH_LAG_MINUTES'
>;

/** Every configured gateway, in failover order. */
export function createConfiguredGateways(config: GatewayConfig): ConfiguredGateway[] {
  return gatewaySpecs(config).map((spec) => ({ name: spec.name, gateway: adapterFor(spec, config) }));
}

/** The default gateway only (the first): what the API and CLI exchange cards at, and tools that need one. */
export function createConfiguredGateway(config: GatewayConfig): ConfiguredGateway {
  const [first] = gatewaySpecs(config);
  return { name: first.name, gateway: adapterFor(first, config) };
}

function adapterFor(spec: GatewaySpec, config: GatewayConfig): Gateway {
  if (spec.kind === 'stripe') {
    // parseConfig refused a stripe gateway without a key; this guards callers that built a config by hand.
    if (!config.STRIPE_SECRET_KEY) throw new Error('a stripe gateway needs STRIPE_SECRET_KEY');
    return createStripeGateway({
      secretKey: config.STRIPE_SECRET_KEY,
      apiBase: config.STRIPE_API_BASE,
      timeoutMs: config.GATEWAY_READ_TIMEOUT_MS,
      recentWindowMs: config.STRIPE_SEARCH_LAG_MINUTES * 60_000,
    });
  }
  return createSandboxGateway({
    baseUrl: spec.url,
    apiKey: spec.apiKey ?? config.GATEWAY_API_KEY,
    connectTimeoutMs: config.GATEWAY_CONNECT_TIMEOUT_MS,
    readTimeoutMs: config.GATEWAY_READ_TIMEOUT_MS,
  });
}

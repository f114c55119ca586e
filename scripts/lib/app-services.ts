/**
 * The processes of our own system as the supervisors run them (`npm start`, `npm run cluster`): the sandbox
 * gateway, one or more payment workers, the HTTP API. One definition, so both topologies run the same commands.
 */
import path from 'node:path';
import type { ServiceSpec } from './supervisor';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

export interface AppServicesOptions {
  temporalAddress: string;
  gatewayPort: number;
  /**
   * A second sandbox gateway (`npm start`): the workers then fail over from `primary` (gatewayPort) to `secondary`
   * (this port), each with its own ledger, through GATEWAYS. Unset: one gateway, GATEWAY_URL.
   */
  secondaryGatewayPort?: number;
  apiPort: number;
  /** One metrics port per worker; two ports run two workers on the same task queue. */
  workerMetricsPorts: number[];
  webhookSecret: string;
  /** Origins allowed to call the API's codec (the Temporal UI's). */
  codecOrigins: string[];
  /** What every process gets: the audit database (DATABASE_URL or AUDIT_DATA_DIR) and anything else shared. */
  shared: Record<string, string>;
}

export function workerName(index: number, count: number): string {
  return count === 1 ? 'worker' : `worker-${index + 1}`;
}

/** In start order: gateway, workers, then the API last (so it is stopped first). */
export function appServices(o: AppServicesOptions): ServiceSpec[] {
  const shared: Record<string, string> = {
    ...o.shared,
    TEMPORAL_ADDRESS: o.temporalAddress,
    GATEWAY_URL: `http://127.0.0.1:${o.gatewayPort}`,
  };
  if (o.secondaryGatewayPort !== undefined) shared.GATEWAYS = JSON.stringify(failoverGateways(o));
  const sandbox = (name: string, port: number): ServiceSpec => ({
    name,
    command: TSX,
    args: [path.join(ROOT, 'gateway-sandbox', 'main.ts')],
    env: {
      ...shared,
      GATEWAY_PORT: String(port),
      GATEWAY_WEBHOOK_URL: `http://127.0.0.1:${o.apiPort}/webhooks/gateway`,
      GATEWAY_WEBHOOK_SECRET: o.webhookSecret,
    },
  });
  const gateways = [sandbox('gateway', o.gatewayPort)];
  if (o.secondaryGatewayPort !== undefined) gateways.push(sandbox('gateway-secondary', o.secondaryGatewayPort));
  const workers = o.workerMetricsPorts.map((port, i): ServiceSpec => ({
    name: workerName(i, o.workerMetricsPorts.length),
    command: TSX,
    args: [path.join(ROOT, 'worker.ts')],
    env: { ...shared, WORKER_METRICS_PORT: String(port) },
  }));
  const api: ServiceSpec = {
    name: 'api',
    command: TSX,
    args: [path.join(ROOT, 'api', 'main.ts')],
    env: {
      ...shared,
      API_PORT: String(o.apiPort),
      GATEWAY_WEBHOOK_SECRET: o.webhookSecret,
      CODEC_CORS_ORIGINS: o.codecOrigins.join(','),
    },
  };
  return [...gateways, ...workers, api];
}

/** The failover order `npm start` configures: the sandbox on gatewayPort first, the one on secondaryGatewayPort next. */
export function failoverGateways(o: Pick<AppServicesOptions, 'gatewayPort' | 'secondaryGatewayPort'>) {
  return [
    { name: 'primary', kind: 'sandbox', url: `http://127.0.0.1:${o.gatewayPort}` },
    { name: 'secondary', kind: 'sandbox', url: `http://127.0.0.1:${o.secondaryGatewayPort}` },
  ];
}

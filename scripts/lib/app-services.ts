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
  const shared = {
    ...o.shared,
    TEMPORAL_ADDRESS: o.temporalAddress,
    GATEWAY_URL: `http://127.0.0.1:${o.gatewayPort}`,
  };
  const gateway: ServiceSpec = {
    name: 'gateway',
    command: TSX,
    args: [path.join(ROOT, 'gateway-sandbox', 'main.ts')],
    env: {
      ...shared,
      GATEWAY_PORT: String(o.gatewayPort),
      GATEWAY_WEBHOOK_URL: `http://127.0.0.1:${o.apiPort}/webhooks/gateway`,
      GATEWAY_WEBHOOK_SECRET: o.webhookSecret,
    },
  };
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
  return [gateway, ...workers, api];
}

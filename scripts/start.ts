/**
 * `npm start`: the whole system on embedded defaults. Temporal dev server (SQLite file under .data/, UI on
 * 8233), two sandbox gateways (primary 4010, secondary 4011), worker, HTTP API (3000); the audit trail uses embedded PGlite unless DATABASE_URL is
 * set. The gateway sends its signed webhooks to the API with a shared secret (dev default from config/).
 * Every port and path can be overridden by env. Ctrl-C stops everything; a restart keeps the data.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEV_API_KEY, DEV_GATEWAY_WEBHOOK_SECRET } from '../config';
import { temporalCliPath } from './lib/temporal-cli';
import { FAST_DURABLE_SETTINGS, startDevServer } from './lib/temporal-dev-server';
import { stopOnSignal, Supervisor } from './lib/supervisor';
import { appServices } from './lib/app-services';
import { assertPortsFree } from './lib/ports';
import { prefixedWriter } from './lib/log-lines';

const ROOT = path.resolve(__dirname, '..');
const Env = z.object({
  TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  TEMPORAL_DB_FILE: z.string().default(path.join(ROOT, '.data', 'temporal.db')),
  GATEWAY_PORT: z.coerce.number().int().min(1).max(65535).default(4010),
  /** The secondary sandbox gateway: payments fail over to it (README "Failover"). */
  SECONDARY_GATEWAY_PORT: z.coerce.number().int().min(1).max(65535).default(4011),
  AUDIT_DATA_DIR: z.string().default(path.join(ROOT, '.data', 'audit')),
  API_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).default(9464),
  GATEWAY_WEBHOOK_SECRET: z.string().min(16).default(DEV_GATEWAY_WEBHOOK_SECRET),
  /** Only to decide whether the banner may show the dev key; the API parses the list itself. */
  API_KEYS: z.string().optional(),
});

const write = (s: string) => process.stdout.write(s);
const temporalOut = prefixedWriter('[temporal] ', write);
let shuttingDown = false;

async function main(): Promise<void> {
  const env = Env.parse(process.env);
  await assertPortsFree([
    { port: env.TEMPORAL_PORT, use: 'Temporal gRPC (TEMPORAL_PORT)' },
    { port: env.TEMPORAL_UI_PORT, use: 'Temporal UI (TEMPORAL_UI_PORT)' },
    { port: env.GATEWAY_PORT, use: 'sandbox gateway (GATEWAY_PORT)' },
    { port: env.SECONDARY_GATEWAY_PORT, use: 'secondary sandbox gateway (SECONDARY_GATEWAY_PORT)' },
    { port: env.API_PORT, use: 'HTTP API (API_PORT)' },
    { port: env.WORKER_METRICS_PORT, use: 'worker metrics (WORKER_METRICS_PORT)' },
  ]);
  mkdirSync(path.dirname(env.TEMPORAL_DB_FILE), { recursive: true });
  const server = await startDevServer({
    binary: temporalCliPath(),
    port: env.TEMPORAL_PORT,
    uiPort: env.TEMPORAL_UI_PORT,
    dbFile: env.TEMPORAL_DB_FILE,
    ...FAST_DURABLE_SETTINGS,
    // The UI decodes our encrypted payloads through the API (card numbers masked); see api/routes-codec.ts.
    extraArgs: ['--ui-codec-endpoint', `http://127.0.0.1:${env.API_PORT}/codec`],
    // The server's own shutdown chatter (pollers losing their connection) is noise once we are stopping.
    onOutput: (chunk) => {
      if (!shuttingDown) temporalOut(chunk);
    },
  });
  const supervisor = new Supervisor(write);
  for (const spec of appServices({
    temporalAddress: server.address,
    gatewayPort: env.GATEWAY_PORT,
    secondaryGatewayPort: env.SECONDARY_GATEWAY_PORT,
    apiPort: env.API_PORT,
    workerMetricsPorts: [env.WORKER_METRICS_PORT],
    webhookSecret: env.GATEWAY_WEBHOOK_SECRET,
    codecOrigins: [`http://localhost:${env.TEMPORAL_UI_PORT}`, `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`],
    shared: { AUDIT_DATA_DIR: env.AUDIT_DATA_DIR },
  }))
    supervisor.start(spec);
  banner(env, server.address);
  await stopOnSignal(supervisor, server, write, () => {
    shuttingDown = true;
  });
}

function banner(env: z.output<typeof Env>, address: string): void {
  const api = `http://127.0.0.1:${env.API_PORT}`;
  const key = env.API_KEYS ? '<a key from API_KEYS>' : DEV_API_KEY;
  write(
    [
      '',
      `  Temporal UI      http://localhost:${env.TEMPORAL_UI_PORT}`,
      `  Temporal gRPC    ${address}`,
      `  Sandbox gateway  http://127.0.0.1:${env.GATEWAY_PORT}  (primary)`,
      `  Secondary        http://127.0.0.1:${env.SECONDARY_GATEWAY_PORT}  (payments fail over to it)`,
      `  HTTP API         ${api}  (OpenAPI: ${api}/docs, key: ${key})`,
      `  Worker metrics   http://127.0.0.1:${env.WORKER_METRICS_PORT}/metrics  (Prometheus)`,
      `  API metrics      ${api}/metrics  (Prometheus)`,
      '  Try a payment:   npm run pay -- --amount 1999 --currency USD --card 4242424242424242 --key order-1',
      `  Over HTTP:       curl -s '${api}/payments?wait=5s' -H 'Authorization: Bearer ${key}' \\`,
      "                     -H 'Idempotency-Key: order-2' -H 'Content-Type: application/json' \\",
      `                     -d '{"amount":1999,"currency":"USD","paymentMethod":{"type":"card","number":"4242424242424242"}}'`,
      '  Stop:            Ctrl-C',
      '',
    ].join('\n') + '\n',
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

/**
 * `npm start`: the whole system on embedded defaults. Temporal dev server (SQLite file under .data/, UI on
 * 8233), sandbox gateway, worker; the audit trail uses embedded PGlite unless DATABASE_URL is set.
 * Every port and path can be overridden by env. Ctrl-C stops everything; a restart keeps the data.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { temporalCliPath } from './lib/temporal-cli';
import { startDevServer, type DevServer } from './lib/temporal-dev-server';
import { Supervisor } from './lib/supervisor';
import { prefixedWriter } from './lib/log-lines';

const ROOT = path.resolve(__dirname, '..');
const Env = z.object({
  TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  TEMPORAL_DB_FILE: z.string().default(path.join(ROOT, '.data', 'temporal.db')),
  GATEWAY_PORT: z.coerce.number().int().min(1).max(65535).default(4010),
  AUDIT_DATA_DIR: z.string().default(path.join(ROOT, '.data', 'audit')),
});

const write = (s: string) => process.stdout.write(s);
const temporalOut = prefixedWriter('[temporal] ', write);
let shuttingDown = false;

async function main(): Promise<void> {
  const env = Env.parse(process.env);
  mkdirSync(path.dirname(env.TEMPORAL_DB_FILE), { recursive: true });
  const server = await startDevServer({
    binary: temporalCliPath(),
    port: env.TEMPORAL_PORT,
    uiPort: env.TEMPORAL_UI_PORT,
    dbFile: env.TEMPORAL_DB_FILE,
    // The server's own shutdown chatter (pollers losing their connection) is noise once we are stopping.
    onOutput: (chunk) => {
      if (!shuttingDown) temporalOut(chunk);
    },
  });
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  const shared = {
    TEMPORAL_ADDRESS: server.address,
    GATEWAY_URL: `http://127.0.0.1:${env.GATEWAY_PORT}`,
    AUDIT_DATA_DIR: env.AUDIT_DATA_DIR,
  };
  const supervisor = new Supervisor(write);
  supervisor.start({
    name: 'gateway',
    command: tsx,
    args: [path.join(ROOT, 'gateway-sandbox', 'main.ts')],
    env: { ...shared, GATEWAY_PORT: String(env.GATEWAY_PORT) },
  });
  supervisor.start({ name: 'worker', command: tsx, args: [path.join(ROOT, 'worker.ts')], env: shared });
  banner(env.TEMPORAL_UI_PORT, server.address, env.GATEWAY_PORT);
  await onShutdown(supervisor, server);
}

function banner(uiPort: number, address: string, gatewayPort: number): void {
  write(
    [
      '',
      `  Temporal UI      http://localhost:${uiPort}`,
      `  Temporal gRPC    ${address}`,
      `  Sandbox gateway  http://127.0.0.1:${gatewayPort}`,
      '  Try a payment:   npm run pay -- --amount 1999 --currency USD --card 4242424242424242 --key order-1',
      '  Stop:            Ctrl-C',
      '',
    ].join('\n') + '\n',
  );
}

function onShutdown(supervisor: Supervisor, server: DevServer): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      shuttingDown = true;
      write(`\n[supervisor] ${signal}: stopping worker, gateway, then Temporal...\n`);
      await supervisor.stopAll();
      await server.stop();
      write('[supervisor] stopped\n');
      resolve();
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

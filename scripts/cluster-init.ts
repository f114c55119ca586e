/**
 * The containers' one-shot set-up step after the Temporal server is up (docker-compose's `temporal-init`):
 * registers the namespace and our search attributes where missing, then exits 0. When it registered something it
 * first waits out the server's search-attribute cache (60 s in Temporal's source, per service), so no worker
 * starts payments that a service would refuse for an unknown attribute; a later boot finds everything and exits
 * at once. `npm run cluster` restarts its own server instead (scripts/lib/temporal-server.ts).
 */
import { Connection } from '@temporalio/client';
import { z } from 'zod';
import { ensureRegistered } from './lib/temporal-server';

const Env = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
});
const SEARCH_ATTRIBUTE_CACHE_MS = 65_000;

async function waitForServer(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      await connection.workflowService.getSystemInfo({}).finally(() => connection.close());
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`Temporal at ${address} did not answer: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

async function main(): Promise<void> {
  const env = Env.parse(process.env);
  await waitForServer(env.TEMPORAL_ADDRESS, 120_000);
  if (await ensureRegistered(env.TEMPORAL_ADDRESS, env.TEMPORAL_NAMESPACE)) {
    console.log(`registered namespace ${env.TEMPORAL_NAMESPACE} and search attributes; waiting for server caches`);
    await new Promise((r) => setTimeout(r, SEARCH_ATTRIBUTE_CACHE_MS));
  }
  console.log(`namespace ${env.TEMPORAL_NAMESPACE} and search attributes ready`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

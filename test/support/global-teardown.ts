/**
 * Replays every workflow the run created before the dev server (in memory) takes them away: any history the
 * current code cannot replay fails `npm test`, even if the test that made it passed.
 */
import { describeFailures, replayAllHistories } from './replay-all';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__STRIPE_MOCK__?.stop();
  const server = globalThis.__TEMPORAL_DEV_SERVER__;
  if (!server) return;
  try {
    const started = Date.now();
    const report = await replayAllHistories(server.address);
    process.stdout.write(`\nReplayed ${report.replayed} workflow histories in ${Date.now() - started} ms\n`);
    if (report.failures.length > 0) {
      throw new Error(`${report.failures.length} histories do not replay:\n${describeFailures(report)}`);
    }
  } finally {
    await server.stop();
  }
}

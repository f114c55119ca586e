/**
 * Starts one real Temporal dev server (in-memory) for the whole run, and stripe-mock for the Stripe adapter's
 * contract tests. Test files connect through TEMPORAL_ADDRESS and STRIPE_MOCK_URL. A missing binary fails the run.
 */
import { startStripeMock, stripeMockPath, type StripeMock } from '../../scripts/lib/stripe-mock';
import { temporalCliPath } from '../../scripts/lib/temporal-cli';
import { freePort } from '../../scripts/lib/free-port';
import { FAST_DURABLE_SETTINGS, startDevServer, type DevServer } from '../../scripts/lib/temporal-dev-server';

declare global {
  var __TEMPORAL_DEV_SERVER__: DevServer | undefined;
  var __STRIPE_MOCK__: StripeMock | undefined;
}

export default async function globalSetup(): Promise<void> {
  const binary = temporalCliPath(); // throws with instructions when absent: never skip
  const stripeMock = await startStripeMock(stripeMockPath()); // likewise
  globalThis.__STRIPE_MOCK__ = stripeMock;
  process.env.STRIPE_MOCK_URL = stripeMock.url;
  const port = await freePort();
  const started = Date.now();
  const server = await startDevServer({
    binary,
    port,
    readyTimeoutMs: 60_000,
    // Tests assert visibility right after upserts; the dev server's defaults already refresh on read.
    // The server deletes a closed run only once its close task is acknowledged, and persists that every
    // transferProcessorUpdateAckInterval (30 s): a test that deletes a just-closed run, as retention would (a
    // payment of input version 4 closes as it succeeds), waits for the deletion, so the interval is short here.
    // The transfer queue's poll limit as npm start has it (FAST_DURABLE_SETTINGS): at the default 20/s every
    // workflow-task dispatch waits 30-40 ms for it, in every test.
    extraArgs: [
      '--dynamic-config-value',
      'system.enableActivityEagerExecution=true',
      '--dynamic-config-value',
      `history.transferProcessorMaxPollRPS=${FAST_DURABLE_SETTINGS.dynamicConfig['history.transferProcessorMaxPollRPS']}`,
      '--dynamic-config-value',
      'history.transferProcessorUpdateAckInterval="1s"',
    ],
  });
  globalThis.__TEMPORAL_DEV_SERVER__ = server;
  process.env.TEMPORAL_ADDRESS = server.address;
  process.stdout.write(`\nTemporal dev server ${server.address} ready in ${Date.now() - started} ms\n`);
  process.stdout.write(`stripe-mock ${stripeMock.url}\n`);
}

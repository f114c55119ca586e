/**
 * The payment suites that matter most, run unchanged against Temporal's own server on PostgreSQL instead of the
 * dev server: the happy path, 3DS by signal, a card update, dead letter and operator retry, refunds. Each file is
 * the dev-server suite itself, loaded inside a describe block while TEMPORAL_ADDRESS names the cluster, so the same
 * assertions (ledger, audit trail, results) must hold on both. Then every history the cluster holds is replayed.
 */
import { startTestCluster, describeFailures, type TestCluster } from '../support/cluster';

let cluster: TestCluster;
let devServer: string | undefined;
let recording: string | undefined;

beforeAll(async () => {
  cluster = await startTestCluster();
  devServer = process.env.TEMPORAL_ADDRESS;
  process.env.TEMPORAL_ADDRESS = cluster.address;
  // Recorded histories come from the dev-server runs; the same tests here must not overwrite them.
  recording = process.env.RECORD_HISTORIES;
  delete process.env.RECORD_HISTORIES;
}, 120_000);

afterAll(async () => {
  process.env.TEMPORAL_ADDRESS = devServer;
  if (recording !== undefined) process.env.RECORD_HISTORIES = recording;
  await cluster?.stop();
}, 60_000);

/* eslint-disable @typescript-eslint/no-require-imports -- a suite loaded inside a describe block must be
   required there (imports are hoisted to the top of the file) */
describe('on the cluster: payment path', () => {
  require('../payment/payment-path.test');
});
describe('on the cluster: 3DS and cancel', () => {
  require('../payment/three-ds-and-cancel.test');
});
describe('on the cluster: declines and card updates', () => {
  require('../payment/declines.test');
});
describe('on the cluster: transport retries, dead letter and operator retry', () => {
  require('../payment/transport-retries.test');
});
describe('on the cluster: refunds', () => {
  require('../payment/refunds.test');
});
/* eslint-enable @typescript-eslint/no-require-imports */

describe('on the cluster: histories', () => {
  it('replays every workflow history the cluster holds against the current code', async () => {
    const report = await cluster.replay();
    expect(report.replayed).toBeGreaterThan(20);
    expect(describeFailures(report)).toBe('');
  }, 120_000);
});

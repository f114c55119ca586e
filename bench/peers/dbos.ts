/**
 * Peer 2, DBOS Transact: one application process (bench/peers/dbos-app.ts) with DBOS inside it and its system
 * tables in the peer's PostgreSQL database. Payments go to the app's POST /pay, which starts the workflow with
 * the payment id as its workflow ID and answers with its result.
 */
import path from 'node:path';
import { freePort } from '../../scripts/lib/free-port';
import { peerVersion } from './deps';
import { peerPayer } from './http-pay';
import { spawnPeerNode, waitForHttp } from './processes';
import type { PeerSystem } from './types';

export const dbosPeer: PeerSystem = {
  name: 'dbos',
  title: () => `DBOS Transact ${peerVersion('@dbos-inc/dbos-sdk')}`,
  durability:
    'PostgreSQL: workflow status and every step checkpoint in the system tables, in the app process; no server',
  vsTemporal:
    'gives: no engine process to run (the app and PostgreSQL are all), workflow state queryable with SQL and ' +
    '`dbos workflow list/get/steps`, messages and events (send/recv, setEvent/getEvent: signal-like), ' +
    'per-type serialization (a codec place); lacks: a UI and retention in the SDK (both come with Conductor, ' +
    'a separate service), custom search attributes (no indexed PaymentStatus), a validated update',
  async start(o) {
    const port = await freePort();
    const logFile = path.join(o.workDir, 'dbos-app.log');
    const app = spawnPeerNode(
      'dbos-app.ts',
      { PEER_PORT: String(port), GATEWAY_URL: o.gatewayUrl, DATABASE_URL: o.databaseUrl },
      logFile,
    );
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForHttp(`${url}/health`, 120_000, app, logFile);
    } catch (err) {
      await app.stop();
      throw err;
    }
    o.log(`dbos: app pid ${app.pid} on ${url}`);
    const payer = peerPayer('dbos app');
    return {
      pids: { worker: app.pid },
      pay: (input) => payer.pay(`${url}/pay`, input),
      async stop() {
        await payer.close();
        await app.stop();
      },
    };
  },
};

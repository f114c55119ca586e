/**
 * Peer 1, Restate: the restate-server binary from npm (one node, its own log and RocksDB in a temp dir, all roles,
 * default settings apart from loopback ports and no telemetry) and the service process of
 * bench/peers/restate-service.ts, registered as a deployment through the admin API. Payments go through the HTTP
 * ingress: POST /PeerPayment/<paymentId>/run waits for the workflow's result.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../scripts/lib/free-port';
import { peerVersion, restateServerBinary } from './deps';
import { peerPayer } from './http-pay';
import { RESTATE_WORKFLOW } from './payment';
import { spawnPeer, spawnPeerNode, waitForHttp } from './processes';
import type { PeerSystem } from './types';

async function register(adminUrl: string, serviceUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${adminUrl}/deployments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ uri: serviceUrl, force: true }),
      });
      if (res.ok) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = String((err as Error).message ?? err); // the service is not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`restate: registering ${serviceUrl} failed: ${last}`);
}

export const restatePeer: PeerSystem = {
  name: 'restate',
  title: () =>
    `Restate ${peerVersion('@restatedev/restate-server')} (TypeScript SDK ${peerVersion('@restatedev/restate-sdk')})`,
  durability:
    'restate-server: its own replicated log (bifrost, fsync on) and RocksDB, one node; audit rows in PostgreSQL',
  vsTemporal:
    'gives: a web UI in the server (admin port), SQL over invocations, journals and state, workflow shared handlers ' +
    'and durable promises (signal-like), a journal value codec (experimental); lacks: custom search attributes ' +
    '(no PaymentStatus query), a validated update that answers the caller from the run, per-namespace retention ' +
    '(journal, idempotency and completed-workflow retention are one server-wide 1 d default)',
  async start(o) {
    const binary = restateServerBinary();
    const [ingressPort, adminPort, nodePort, servicePort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const baseDir = path.join(o.workDir, 'restate');
    mkdirSync(baseDir, { recursive: true });
    const serverLog = path.join(o.workDir, 'restate-server.log');
    const server = spawnPeer(
      binary,
      ['--no-logo', '--listen-mode', 'tcp', '--base-dir', baseDir, '--node-name', 'bench'],
      {
        RESTATE_INGRESS__BIND_ADDRESS: `127.0.0.1:${ingressPort}`,
        RESTATE_ADMIN__BIND_ADDRESS: `127.0.0.1:${adminPort}`,
        RESTATE_BIND_ADDRESS: `127.0.0.1:${nodePort}`,
        RESTATE_ADVERTISED_ADDRESS: `http://127.0.0.1:${nodePort}/`,
        RESTATE_DISABLE_TELEMETRY: 'true',
      },
      serverLog,
    );
    const adminUrl = `http://127.0.0.1:${adminPort}`;
    const ingressUrl = `http://127.0.0.1:${ingressPort}`;
    const serviceLog = path.join(o.workDir, 'restate-service.log');
    let service: ReturnType<typeof spawnPeerNode> | undefined;
    try {
      await waitForHttp(`${adminUrl}/health`, 60_000, server, serverLog);
      service = spawnPeerNode(
        'restate-service.ts',
        { PEER_PORT: String(servicePort), GATEWAY_URL: o.gatewayUrl, DATABASE_URL: o.databaseUrl },
        serviceLog,
      );
      await register(adminUrl, `http://127.0.0.1:${servicePort}`, 60_000);
      await waitForHttp(`${ingressUrl}/restate/health`, 60_000, server, serverLog);
    } catch (err) {
      await service?.stop();
      await server.stop();
      throw err;
    }
    o.log(`restate: server pid ${server.pid}, service pid ${service.pid}, ingress ${ingressUrl}`);
    const payer = peerPayer('restate ingress');
    const svc = service;
    return {
      pids: { server: server.pid, worker: svc.pid },
      pay: (input) => payer.pay(`${ingressUrl}/${RESTATE_WORKFLOW}/${encodeURIComponent(input.paymentId)}/run`, input),
      async stop() {
        await payer.close();
        await svc.stop();
        await server.stop();
      },
    };
  },
};

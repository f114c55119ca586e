/**
 * The DBOS peer's process: DBOS Transact runs inside the application, with its durability (workflow status, step
 * checkpoints) in a PostgreSQL system database, so this one process is both "worker" and engine. A small HTTP
 * endpoint takes a payment (POST /pay), starts the workflow with the payment id as its workflow ID (DBOS's
 * idempotency key) and answers with its result. The workflow: audit `initiated`, audit `processing`, the charge
 * with the payment's gateway key, audit `succeeded` (or `failed`), each a checkpointed step. The SDK is loaded from
 * bench/peers/.deps, typed by the little used here.
 */
import http from 'node:http';
import { peerRequire } from './deps';
import { openPeerPaymentSteps, peerEnv, peerLogger, type PeerPaymentInput, type PeerPaymentResult } from './payment';

interface DbosHandle<R> {
  getResult(): Promise<R>;
}

interface Dbos {
  setConfig(config: {
    name: string;
    systemDatabaseUrl: string;
    logLevel?: string;
    systemDatabasePoolSize?: number;
  }): void;
  registerWorkflow<A extends unknown[], R>(
    fn: (...args: A) => Promise<R>,
    config: { name: string },
  ): (...args: A) => Promise<R>;
  runStep<R>(fn: () => Promise<R>, config: { name: string }): Promise<R>;
  startWorkflow<A extends unknown[], R>(
    fn: (...args: A) => Promise<R>,
    params: { workflowID: string },
  ): (...args: A) => Promise<DbosHandle<R>>;
  launch(): Promise<void>;
  shutdown(): Promise<void>;
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function main(): Promise<void> {
  const env = peerEnv(process.env);
  const logger = peerLogger('peer-dbos', env.LOG_LEVEL);
  const steps = await openPeerPaymentSteps(env, logger);
  const { DBOS } = peerRequire()('@dbos-inc/dbos-sdk') as { DBOS: Dbos };
  // The audit rows and DBOS's own tables share the peer's database (DBOS in its `dbos` schema).
  DBOS.setConfig({ name: 'bench-peer-dbos', systemDatabaseUrl: env.DATABASE_URL, logLevel: env.LOG_LEVEL });
  const payment = DBOS.registerWorkflow(
    async (input: PeerPaymentInput): Promise<PeerPaymentResult> => {
      const id = input.paymentId;
      await DBOS.runStep(() => steps.audit(id, 1, 'initiated'), { name: 'audit initiated' });
      await DBOS.runStep(() => steps.audit(id, 2, 'processing'), { name: 'audit processing' });
      const result = await DBOS.runStep(() => steps.charge(input), { name: 'charge' });
      await DBOS.runStep(() => steps.audit(id, 3, result.status), { name: `audit ${result.status}` });
      return result;
    },
    { name: 'peerPayment' },
  );
  await DBOS.launch();

  const server = http.createServer((req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/health') return answer(200, { ok: true });
    if (req.method !== 'POST' || req.url !== '/pay') return answer(404, { error: 'not found' });
    readJson(req)
      .then(async (body) => {
        const input = body as PeerPaymentInput;
        const handle = await DBOS.startWorkflow(payment, { workflowID: input.paymentId })(input);
        answer(200, await handle.getResult());
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'payment failed');
        answer(500, { error: String((err as Error).message ?? err) });
      });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(env.PEER_PORT, '127.0.0.1', resolve));
  logger.info({ port: env.PEER_PORT }, 'dbos app listening');
  const stop = () => {
    server.close();
    void DBOS.shutdown()
      .then(() => steps.close())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

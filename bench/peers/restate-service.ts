/**
 * The Restate peer's service process: one workflow, keyed by payment id, served over HTTP/2 to the restate-server
 * that bench/peers/restate.ts starts. Its `run` handler is the same payment as ours: audit `initiated`, audit
 * `processing`, the charge with the payment's gateway key, audit `succeeded` (or `failed`), each a durable step
 * (`ctx.run`) journaled by the server. The SDK is loaded from bench/peers/.deps, typed by the little used here.
 */
import { peerRequire } from './deps';
import {
  openPeerPaymentSteps,
  peerEnv,
  peerLogger,
  RESTATE_WORKFLOW,
  type PeerPaymentInput,
  type PeerPaymentResult,
} from './payment';

/** Node 20 has no Promise.withResolvers (Node 22 does); the SDK calls it. */
function polyfillWithResolvers(): void {
  const P = Promise as unknown as { withResolvers?: unknown };
  if (typeof P.withResolvers === 'function') return;
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

interface RestateWorkflowContext {
  key: string;
  run<T>(name: string, action: () => Promise<T>): Promise<T>;
}

interface RestateSdk {
  workflow(definition: {
    name: string;
    handlers: { run(ctx: RestateWorkflowContext, input: PeerPaymentInput): Promise<PeerPaymentResult> };
  }): unknown;
  serve(options: { services: unknown[]; port: number }): Promise<number>;
}

async function main(): Promise<void> {
  polyfillWithResolvers();
  const env = peerEnv(process.env);
  const logger = peerLogger('peer-restate', env.LOG_LEVEL);
  const steps = await openPeerPaymentSteps(env, logger);
  const restate = peerRequire()('@restatedev/restate-sdk') as RestateSdk;
  const payment = restate.workflow({
    name: RESTATE_WORKFLOW,
    handlers: {
      async run(ctx, input) {
        await ctx.run('audit initiated', () => steps.audit(ctx.key, 1, 'initiated'));
        await ctx.run('audit processing', () => steps.audit(ctx.key, 2, 'processing'));
        const result = await ctx.run('charge', () => steps.charge(input));
        await ctx.run(`audit ${result.status}`, () => steps.audit(ctx.key, 3, result.status));
        return result;
      },
    },
  });
  const port = await restate.serve({ services: [payment], port: env.PEER_PORT });
  logger.info({ port }, 'restate service endpoint listening');
  const stop = () => void steps.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * Everything a payment test needs, all real: the dev server from globalSetup, a sandbox gateway on
 * loopback, an audit store (PGlite in a temp dir), and a worker with the production activities and options.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { ConfiguredGateway } from '../../gateways/factory';
import type { Gateway } from '../../gateways/port';
import type { PaymentMethodVault } from '../../client/payment-methods';
import { createSandboxGateway } from '../../gateways/sandbox';
import { openAuditStore } from '../../audit/open';
import type { AuditStore } from '../../audit/types';
import { temporalOperatorRequests } from '../../worker/operator-requests';
import { temporalPaymentRecords } from '../../worker/payment-records';
import { paymentWorkerOptions } from '../../worker/options';
import { WORKFLOW_BUNDLER_OPTIONS, WORKFLOWS_PATH } from '../../worker/workflow-bundle';
import { PaymentsClient, type PaymentsClientOptions } from '../../client/payments-client';
import { createLogger, type Logger } from '../../logging/logger';
import { createGatewaySandbox, type GatewaySandbox } from '../../gateway-sandbox/server';
import type { WebhookConfig } from '../../gateway-sandbox/webhooks';
import type { PaymentPolicy } from '../../shared/payment-types';
import type { ChargeResilience, GatewayEntry, StatusMetrics } from '../../activities';
import { CircuitBreaker, withBreaker } from '../../resilience/circuit-breaker';
import { InProcessRetryBudget, SEED_RETRY_BUDGET } from '../../resilience/retry-budget';
import { TEST_DATA_CONVERTER } from './encryption';
import { FAST_POLICY } from './fast-policy';
import { withMerchantEvents } from '../../merchant-events/outbox';
import { temporalMerchantEvents } from '../../merchant-events/temporal-sink';
import { DEFAULT_DELIVERY_POLICY, type DeliveryPolicy } from '../../shared/merchant-events';

export interface HarnessOptions {
  gatewayApiKey?: string;
  readTimeoutMs?: number;
  databaseUrl?: string;
  /** A store the test owns (and closes); otherwise the harness opens PGlite in a temp dir. */
  audit?: AuditStore;
  /** Where the sandbox gateway sends its signed webhooks (e.g. an API started later on a port picked first). */
  gatewayWebhook?: WebhookConfig;
  /** How long the sandbox gateway remembers an idempotency key (default 24 h); tiny to test a forgotten key. */
  gatewayIdempotencyTtlMs?: number;
  /** The input version of every client's payments (default the current one); 3 for suites of open-run behaviour. */
  inputVersion?: number;
  /** Announce status changes to this merchant endpoint, as a worker with MERCHANT_WEBHOOK_URL does. */
  merchantWebhook?: { url: string; secret: string; timeoutMs?: number; policy?: Partial<DeliveryPolicy> };
  /** Another adapter behind the port (the Stripe adapter on a stub); the sandbox still runs but is not used. */
  adapter?: ConfiguredGateway;
  /**
   * The gateway's circuit breaker (none by default: one breaker shared by a file's payments would couple tests
   * that inject 5xx), the retry budget (default: seed 003's, in-process) and the refusals' deferral limit.
   */
  resilience?: { breaker?: CircuitBreaker } & Partial<ChargeResilience>;
  /** The clients' card-for-token exchange; default: the gateway's, taking raw test numbers (the sandbox's rule). */
  paymentMethods?: PaymentMethodVault;
  /** The worker's and the sandbox's logger (default: ours at warn), e.g. one that keeps its lines for a test. */
  logger?: Logger;
  /** Clients and workers without the payload codec: what the server stores is what the workflow was given. */
  plainPayloads?: boolean;
  /**
   * Two sandbox gateways, as `npm start` runs them: the worker's `primary` (h.gateway, behind resilience.breaker)
   * and `secondary` (h.secondary, behind its own breaker), each with its own ledger and retry budget; the clients
   * name both in every payment's failover order, each with its own token of the card.
   */
  failover?: { secondaryBreaker?: CircuitBreaker };
  /** Where the audit activities count status metrics (worker.ts gives the runtime's meter; default: nowhere). */
  statusMetrics?: StatusMetrics;
}

/** Client options beyond the policy: pin an input version (v3 runs stay open), shorten the refunds idle or claim wait. */
export type ClientExtras = Pick<PaymentsClientOptions, 'inputVersion' | 'refundsIdleMs' | 'keyClaimWaitMs'>;

export interface PaymentHarness {
  env: TestWorkflowEnvironment;
  gateway: GatewaySandbox;
  /** The secondary sandbox gateway, with `failover`. */
  secondary?: GatewaySandbox;
  audit: AuditStore;
  client: PaymentsClient;
  /** A client with test policy overrides, and optionally an older input version or a short refunds idle time. */
  clientWith(policy: Partial<PaymentPolicy>, options?: ClientExtras): PaymentsClient;
  taskQueue: string;
  /** A client on a task queue no worker polls yet, and a way to start that worker later. */
  delayedWorker(): { client: PaymentsClient; start(): Promise<void> };
  /** Stops the main queue's worker (as SIGTERM does: in-flight tasks drain) and starts a new one with an empty cache. */
  restartWorker(): Promise<void>;
  teardown(): Promise<void>;
}

let bundle: WorkflowBundle | undefined;

function installQuietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed by an earlier test file in this process.
  }
}

export async function startPaymentHarness(options: HarnessOptions = {}): Promise<PaymentHarness> {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: the jest globalSetup must start the dev server');
  installQuietRuntime();
  // Every client and worker encrypts payloads, as in production: nothing here sees card data in history.
  const dataConverter = options.plainPayloads ? {} : TEST_DATA_CONVERTER;
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address, client: { dataConverter } });
  const gateway = await createGatewaySandbox({
    port: 0,
    webhook: options.gatewayWebhook,
    idempotencyTtlMs: options.gatewayIdempotencyTtlMs,
    logger: options.logger,
  });
  const secondary = options.failover
    ? await createGatewaySandbox({ port: 0, webhook: options.gatewayWebhook, logger: options.logger })
    : undefined;
  const secondaryClient = secondary
    ? createSandboxGateway({
        baseUrl: secondary.url,
        apiKey: 'sk_test_sandbox',
        connectTimeoutMs: 1_000,
        readTimeoutMs: options.readTimeoutMs ?? 2_000,
      })
    : undefined;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dp-audit-'));
  const logger = options.logger ?? createLogger({ level: 'warn', name: 'test' });
  const audit = options.audit ?? (await openAuditStore({ databaseUrl: options.databaseUrl, dataDir, logger }));
  const gatewayClient =
    options.adapter?.gateway ??
    createSandboxGateway({
      baseUrl: gateway.url,
      apiKey: options.gatewayApiKey ?? 'sk_test_sandbox',
      connectTimeoutMs: 1_000,
      readTimeoutMs: options.readTimeoutMs ?? 2_000,
    });
  // The clients' exchange: the adapter's when the test brings one, else the sandbox with its valid key (a test of a
  // worker whose key the gateway refuses, gatewayApiKey, is about the worker's calls, not the client's).
  const exchangeGateway =
    options.adapter?.gateway ??
    (options.gatewayApiKey === undefined
      ? gatewayClient
      : createSandboxGateway({
          baseUrl: gateway.url,
          apiKey: 'sk_test_sandbox',
          connectTimeoutMs: 1_000,
          readTimeoutMs: 2_000,
        }));
  bundle ??= await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    ...WORKFLOW_BUNDLER_OPTIONS,
    logger: new DefaultLogger('WARN'),
  });
  const taskQueue = `test-${randomUUID()}`;
  const events = options.merchantWebhook;
  const policy = { ...DEFAULT_DELIVERY_POLICY, initialIntervalMs: 100, maximumIntervalMs: 500, ...events?.policy };
  const breaker = options.resilience?.breaker;
  const resilience: ChargeResilience = {
    retryBudget: options.resilience?.retryBudget ?? new InProcessRetryBudget(SEED_RETRY_BUDGET),
    maxDeferralMs: options.resilience?.maxDeferralMs ?? 600_000,
    breaker,
    budgetMetrics: options.resilience?.budgetMetrics,
  };
  const secondaryBreaker = options.failover?.secondaryBreaker;
  const secondaryEntry: GatewayEntry | undefined = secondaryClient && {
    name: 'secondary',
    gateway: secondaryBreaker ? withBreaker(secondaryClient, secondaryBreaker) : secondaryClient,
    resilience: { ...resilience, retryBudget: new InProcessRetryBudget(SEED_RETRY_BUDGET), breaker: secondaryBreaker },
  };
  // The harness runs a bundle it built once (above); the path and bundler options would be ignored beside it.
  const { workflowsPath, bundlerOptions, ...workerOptions } = paymentWorkerOptions({
    gateway: breaker ? withBreaker(gatewayClient, breaker) : gatewayClient,
    resilience,
    gatewayName: options.adapter?.name ?? (secondary ? 'primary' : 'sandbox'),
    ...(secondaryEntry ? { otherGateways: [secondaryEntry] } : {}),
    audit: events ? withMerchantEvents(audit, temporalMerchantEvents(env.client, { taskQueue, policy })) : audit,
    merchantWebhook: events && { url: events.url, secret: events.secret, timeoutMs: events.timeoutMs ?? 2_000 },
    logger,
    payments: temporalPaymentRecords(env.client),
    operators: temporalOperatorRequests(env.client, taskQueue),
    merchant: { refundPolicyUrl: 'https://shop.example/refunds', termsOfServiceUrl: 'https://shop.example/terms' },
    ...(options.statusMetrics ? { statusMetrics: options.statusMetrics } : {}),
  });
  const workflowBundle = bundle;
  const createWorker = (queue: string) =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue: queue,
      workflowBundle,
      dataConverter,
      ...workerOptions,
      shutdownGraceTime: '1s',
    });
  let main = await createWorker(taskQueue);
  let mainRun = main.run();
  const running: Promise<void>[] = [];
  const workers: Worker[] = [];
  const clientOn = (queue: string, policy: Partial<PaymentPolicy>, extras: ClientExtras = {}) =>
    new PaymentsClient(env.client, {
      taskQueue: queue,
      fingerprintSecret: 'test-secret-0123456789',
      maxAmount: 100_000_000,
      policy: { ...FAST_POLICY, ...policy },
      // As the API and CLI in test mode: raw test cards are exchanged for a pm_ token at the gateway first.
      paymentMethods: options.paymentMethods ?? testModeVault(exchangeGateway),
      ...(options.inputVersion ? { inputVersion: options.inputVersion } : {}),
      ...(secondaryClient
        ? {
            gateways: [
              { name: 'primary', paymentMethods: options.paymentMethods ?? testModeVault(exchangeGateway) },
              { name: 'secondary', paymentMethods: testModeVault(secondaryClient) },
            ],
          }
        : {}),
      ...extras,
    });
  const clientWith = (policy: Partial<PaymentPolicy>, extras?: ClientExtras) => clientOn(taskQueue, policy, extras);
  return {
    env,
    gateway,
    secondary,
    audit,
    client: clientWith({}),
    clientWith,
    taskQueue,
    delayedWorker: () => {
      const queue = `test-delayed-${randomUUID()}`;
      return {
        client: clientOn(queue, {}),
        start: async () => {
          const late = await createWorker(queue);
          workers.push(late);
          running.push(late.run());
        },
      };
    },
    restartWorker: async () => {
      if (main.getState() === 'RUNNING') main.shutdown();
      await mainRun;
      main = await createWorker(taskQueue);
      mainRun = main.run();
    },
    teardown: async () => {
      [main, ...workers].filter((w) => w.getState() === 'RUNNING').forEach((w) => w.shutdown());
      await Promise.all([mainRun, ...running]);
      await gatewayClient.close();
      if (exchangeGateway !== gatewayClient) await exchangeGateway.close();
      await resilience.retryBudget.close();
      await secondaryClient?.close();
      await secondaryEntry?.resilience.retryBudget.close();
      await secondary?.close();
      await gateway.close();
      if (!options.audit) await audit.close();
      await env.teardown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The exchange a client in test mode makes (what `paymentMethodVault` gives for GATEWAY=sandbox). */
export function testModeVault(gateway: Gateway): PaymentMethodVault {
  return { acceptsCardNumbers: true, createPaymentMethod: (req) => gateway.createPaymentMethod(req) };
}

/** A test-mode exchange at a sandbox by URL, for tests that build their own clients; close it in afterAll. */
export function sandboxVault(url: string): PaymentMethodVault & { close(): Promise<void> } {
  const gateway = createSandboxGateway({
    baseUrl: url,
    apiKey: 'sk_test_sandbox',
    connectTimeoutMs: 1_000,
    readTimeoutMs: 5_000,
  });
  return { ...testModeVault(gateway), close: () => gateway.close() };
}

/** A key no other test uses, so every test's payments and ledger entries are its own. */
export function uniqueKey(label: string): string {
  return `${label}-${randomUUID()}`;
}

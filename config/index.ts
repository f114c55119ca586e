/**
 * Configuration of the worker, the API, the CLI and the bench, parsed once from the environment with zod; invalid
 * values stop the process with every problem listed. `npm run migrate` / `reconcile` pick their variables from this
 * schema; scripts/start.ts, gateway-sandbox/main.ts, scripts/lib/ and bench/ read process.env themselves.
 */
import { z } from 'zod';
import { parseEncryptionKeys } from '../encryption/payload-codec';
import { PAYMENTS_TASK_QUEUE } from '../shared/task-queues';
import { databaseEnv } from './database';
import { gatewayEnv, gatewayEnvProblems, gatewayListProblems, gatewaysEnv } from './gateway';
import { stripeWebhookEnv, stripeWebhookEnvProblems } from './stripe-webhooks';

const port = z.coerce.number().int().min(1).max(65535);
const ms = z.coerce.number().int().min(1);

/** Dev-only: derived from a public string, so anyone can decrypt what it protects. Set your own. */
const DEV_PAYLOAD_ENCRYPTION_KEYS = 'dev:3YQqtmKSh5SLxBY1+b7MFl03r7+B8mFhrQDwavbF2do=';

// HTTP API
/** Dev-only defaults: good for `npm start` on a laptop, never for anything shared. */
export const DEV_API_KEY = 'dev_api_key_change_me';
export const DEV_GATEWAY_WEBHOOK_SECRET = 'dev_only_gateway_webhook_secret_change_me';
const apiKeyList = z
  .string()
  .transform((list) =>
    list
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key !== ''),
  )
  .pipe(z.array(z.string().min(16, 'API keys must be at least 16 characters')).min(1, 'at least one API key'));
// end HTTP API

const ConfigSchema = z.object({
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, underscore and hyphen only (it is quoted in visibility queries)')
    .default(PAYMENTS_TASK_QUEUE),
  ...gatewayEnv,
  ...stripeWebhookEnv,
  /** The sandbox gateway's URL (GATEWAY=sandbox). */
  GATEWAY_URL: z.url().default('http://127.0.0.1:4010'),
  /** The name charge outcomes carry (`gateway`); defaults to GATEWAY. */
  GATEWAY_NAME: z.string().min(1).optional(),
  GATEWAY_API_KEY: z.string().min(1).default('sk_test_sandbox'),
  GATEWAY_CONNECT_TIMEOUT_MS: ms.default(2_000),
  GATEWAY_READ_TIMEOUT_MS: ms.default(15_000),
  /** The gateways in failover order (JSON); unset: the one above (config/gateway.ts, README "Failover"). */
  ...gatewaysEnv,
  ...databaseEnv,
  PAYMENT_MAX_AMOUNT: z.coerce.number().int().positive().default(100_000_000),
  IDEMPOTENCY_SECRET: z.string().min(16).default('dev-only-idempotency-fingerprint-secret'),
  WORKER_METRICS_PORT: port.optional(),
  /** Where the metrics endpoint listens: loopback by default; 0.0.0.0 where Prometheus scrapes from elsewhere. */
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  // Worker tuning: every key is optional; unset keeps the Temporal SDK's default (bootstrap/worker-options.ts).
  /** Sticky cache size (workflows kept in memory between tasks); unset: 500 (see bootstrap/worker-options.ts). */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).optional(),
  /** Workflow task slots (SDK default 40); must be >= 2 when the cache is on. */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).optional(),
  /** Activity task slots (SDK default 100). */
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).optional(),
  /** Local activity slots, i.e. concurrent audit writes (SDK default 100). */
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).optional(),
  /** Concurrent workflow / activity task long polls (SDK default min(10, slots)). */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASK_POLLS: z.coerce.number().int().min(1).optional(),
  WORKER_MAX_CONCURRENT_ACTIVITY_TASK_POLLS: z.coerce.number().int().min(1).optional(),
  /** Activities a workflow task may take eagerly (SDK default 3; 0 disables); needs the server flag too. */
  WORKER_MAX_EAGER_ACTIVITY_RESERVATIONS: z.coerce.number().int().min(0).optional(),
  // end Worker tuning
  // HTTP API
  API_PORT: port.default(3000),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  /** Comma-separated bearer keys; any one of them is accepted (lets a key be rotated without downtime). */
  API_KEYS: apiKeyList.default([DEV_API_KEY]),
  /** Shared with the gateway, which signs its webhooks with it (HMAC-SHA256 over timestamp + body). */
  GATEWAY_WEBHOOK_SECRET: z.string().min(16).default(DEV_GATEWAY_WEBHOOK_SECRET),
  /** A webhook whose signature timestamp is further than this from now is rejected (replay protection). */
  WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).default(300),
  /**
   * Browser origins (comma-separated) of Temporal UIs allowed to decode payloads through the API's /codec
   * endpoint; unset: no codec endpoint. `npm start` sets it to its UI. Decoded card numbers are always masked.
   */
  CODEC_CORS_ORIGINS: z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean)
        : undefined,
    )
    // Browsers send the bare origin: `http://localhost:8233/` must match `http://localhost:8233`.
    .pipe(
      z
        .array(z.url().transform((o) => new URL(o).origin))
        .min(1)
        .optional(),
    ),
  /** Upper bound for a request's `?wait=`; longer waits are cut to this. */
  API_MAX_WAIT_MS: z.coerce.number().int().min(0).default(30_000),
  /**
   * How long a start (API, CLI) waits for its run to claim the idempotency key before answering payment_pending:
   * the claim is the run's first audit write, slow only when the audit database or the worker is. In the API its
   * read deadline (5 s, less a 750 ms margin) comes first, so there only a shorter value changes anything.
   */
  KEY_CLAIM_WAIT_MS: ms.default(15_000),
  // end HTTP API
  // Resilience (resilience/, README "Resilience")
  /** Consecutive outage failures (transport, 5xx, timeout; never declines or 4xx) that open a gateway's breaker. */
  CIRCUIT_BREAKER_FAILURE_THRESHOLD: z.coerce.number().int().min(1).default(5),
  /** How long an open breaker refuses calls before it lets trial calls through. */
  CIRCUIT_BREAKER_HALF_OPEN_AFTER_MS: ms.default(30_000),
  /** Calls let through while half-open (the first is the trial; the others wait for its answer). */
  CIRCUIT_BREAKER_HALF_OPEN_MAX_CALLS: z.coerce.number().int().min(1).default(3),
  /** Charge retries per second, system-wide (all workers together): the retry budget's refill rate. */
  RETRY_BUDGET_PER_SECOND: z.coerce.number().positive().default(10),
  /** The retry budget's bucket size: retries that may go at once after a quiet period. */
  RETRY_BUDGET_BURST: z.coerce.number().int().min(1).default(50),
  /** How long an open breaker or an empty budget may hold a charge back before the payment stops waiting. */
  CHARGE_MAX_DEFERRAL_MS: ms.default(600_000),
  // end Resilience
  // Degradation ladder (README "Degradation ladder"): resolved into each payment's policy when it starts
  /** off: a payment no gateway could take is dead-lettered for an operator, as before the ladder. */
  DEGRADATION_LADDER: z.enum(['on', 'off']).default('on'),
  /** Level 4 for trusted customers: queue their payment in an outage instead of failing it. */
  PAYMENT_QUEUE_TRUSTED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** The payment request's `trustedCustomer: true` makes the customer trusted. */
  PAYMENT_QUEUE_TRUST_FLAG: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** Or this many earlier succeeded payments of the same customerId (audit trail); 0: the count never trusts. */
  PAYMENT_QUEUE_TRUST_AFTER_PAYMENTS: z.coerce.number().int().min(0).default(3),
  /** The longest a queued payment waits (its authorisation window) before it fails gracefully. */
  PAYMENT_QUEUE_MAX_MS: ms.default(24 * 3_600_000),
  /** A queued payment's first wait between looks at the gateway (doubling up to the maximum, jittered). */
  PAYMENT_QUEUE_PROBE_INTERVAL_MS: ms.default(30_000),
  PAYMENT_QUEUE_PROBE_MAX_INTERVAL_MS: ms.default(300_000),
  /** Level 5: comma-separated ways to pay named in the message of a payment failed for gateway unavailability. */
  ALTERNATIVE_PAYMENT_METHODS: z
    .string()
    .default('PayPal,bank transfer')
    .transform((list) =>
      list
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().max(60, 'each alternative at most 60 characters')).max(10, 'at most 10 alternatives')),
  // end Degradation ladder
  // Refunds and disputes
  /** How long after capture a payment accepts refunds (card networks: about 180 days). */
  REFUND_WINDOW_DAYS: z.coerce.number().positive().default(180),
  /** A payment's refunds workflow closes after this long without a refund request; the next one starts it again. */
  REFUNDS_IDLE_MINUTES: z.coerce.number().positive().default(60),
  /** Without an operator's approval, dispute evidence is submitted this long before the gateway's deadline. */
  DISPUTE_SUBMIT_MARGIN_HOURS: z.coerce.number().min(0).default(48),
  /** Quoted in dispute evidence when set. */
  REFUND_POLICY_URL: z.url().optional(),
  TERMS_OF_SERVICE_URL: z.url().optional(),
  // end Refunds and disputes
  // Merchant events
  /** Where payments, refunds and disputes are announced as signed webhooks; unset: no events are sent. */
  MERCHANT_WEBHOOK_URL: z.url().optional(),
  /** Signs them (HMAC-SHA256, header Payments-Signature); required with MERCHANT_WEBHOOK_URL. */
  MERCHANT_WEBHOOK_SECRET: z.string().min(16).optional(),
  /** How long one delivery attempt waits for the endpoint's answer. */
  MERCHANT_WEBHOOK_TIMEOUT_MS: ms.default(10_000),
  /** How long an event is retried (with backoff up to an hour) before its delivery run fails for an operator. */
  MERCHANT_EVENT_WINDOW_HOURS: z.coerce.number().positive().default(72),
  // end Merchant events
  // Operators
  /** How often the termination sweeper looks for runs closed by Terminate or a timeout (a Temporal Schedule). */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** How far back each sweep looks at closed runs; a run closed longer ago is not found again. */
  SWEEP_LOOKBACK_HOURS: z.coerce
    .number()
    .positive()
    .default(7 * 24),
  // end Operators
  /**
   * `<id>:<base64 32 bytes>[,…]`: AES-256-GCM keys for every payload Temporal stores (card numbers live in
   * workflow input). The first encrypts; the rest still decrypt, for rotation. The default is for laptops only.
   */
  PAYLOAD_ENCRYPTION_KEYS: z
    .string()
    .default(DEV_PAYLOAD_ENCRYPTION_KEYS)
    .transform((spec, ctx) => {
      try {
        return parseEncryptionKeys(spec);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
});

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

export class ConfigError extends Error {}

/** What `npm run migrate` reads, by the worker's rules: it must migrate the database the worker opens. */
export const MigrateEnvSchema = ConfigSchema.pick({ DATABASE_URL: true, AUDIT_DATA_DIR: true });

/** What `npm run reconcile` reads: the audit database and the gateway whose ledger it compares, as the worker does. */
export const ReconcileEnvSchema = ConfigSchema.pick({
  DATABASE_URL: true,
  AUDIT_DATA_DIR: true,
  GATEWAY: true,
  GATEWAY_URL: true,
  STRIPE_SECRET_KEY: true,
  STRIPE_API_BASE: true,
  STRIPE_ALLOW_LIVE: true,
});

/** Parses `env` with `schema`, or throws one ConfigError listing every bad variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new ConfigError(`Invalid configuration:\n${problems}`);
  }
  return result.data;
}

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = parseEnv(ConfigSchema, env);
  const problems = [...gatewayEnvProblems(parsed), ...gatewayListProblems(parsed), ...stripeWebhookEnvProblems(parsed)];
  if (parsed.MERCHANT_WEBHOOK_URL && !parsed.MERCHANT_WEBHOOK_SECRET) {
    problems.push('MERCHANT_WEBHOOK_SECRET: required with MERCHANT_WEBHOOK_URL (events are signed)');
  }
  problems.push(...ladderProblems(parsed));
  if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return Object.freeze(parsed);
}

/** Every look of a queued payment is a few history events: bound how many one payment may make. */
const MAX_QUEUE_LOOKS = 2_000;

function ladderProblems(cfg: z.infer<typeof ConfigSchema>): string[] {
  const problems: string[] = [];
  if (cfg.PAYMENT_QUEUE_PROBE_MAX_INTERVAL_MS < cfg.PAYMENT_QUEUE_PROBE_INTERVAL_MS) {
    problems.push('PAYMENT_QUEUE_PROBE_MAX_INTERVAL_MS: must be at least PAYMENT_QUEUE_PROBE_INTERVAL_MS');
  }
  // Looks after the backoff reached its ceiling (half of each wait is jitter, so up to twice as many).
  const looks = (2 * cfg.PAYMENT_QUEUE_MAX_MS) / cfg.PAYMENT_QUEUE_PROBE_MAX_INTERVAL_MS;
  if (looks > MAX_QUEUE_LOOKS) {
    problems.push(
      `PAYMENT_QUEUE_MAX_MS: up to ${Math.ceil(looks)} looks at the gateway at PAYMENT_QUEUE_PROBE_MAX_INTERVAL_MS ` +
        `(at most ${MAX_QUEUE_LOOKS}, to bound a payment's history); raise the interval or shorten the window`,
    );
  }
  return problems;
}

let loaded: Config | undefined;

/** The process-wide config, parsed on first use. */
export function config(): Config {
  loaded ??= parseConfig(process.env);
  return loaded;
}

/** True when payloads are encrypted with the public development key: fine on a laptop, never anywhere shared. */
export function encryptsWithDevKey(cfg: Pick<Config, 'PAYLOAD_ENCRYPTION_KEYS'>): boolean {
  const [dev] = parseEncryptionKeys(DEV_PAYLOAD_ENCRYPTION_KEYS);
  return cfg.PAYLOAD_ENCRYPTION_KEYS[0].key.equals(dev.key);
}

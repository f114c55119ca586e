/**
 * Configuration, parsed once from the environment at start-up with zod. Invalid values stop the process
 * with every problem listed; nothing else in the codebase reads process.env.
 */
import { z } from 'zod';
import { PAYMENTS_TASK_QUEUE } from '../shared/task-queues';

const port = z.coerce.number().int().min(1).max(65535);
const ms = z.coerce.number().int().min(1);

export const ConfigSchema = z.object({
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(PAYMENTS_TASK_QUEUE),
  GATEWAY_URL: z.url().default('http://127.0.0.1:4010'),
  GATEWAY_NAME: z.string().min(1).default('sandbox'),
  GATEWAY_API_KEY: z.string().min(1).default('sk_test_sandbox'),
  GATEWAY_CONNECT_TIMEOUT_MS: ms.default(2_000),
  GATEWAY_READ_TIMEOUT_MS: ms.default(15_000),
  DATABASE_URL: z.string().url().optional(),
  AUDIT_DATA_DIR: z.string().min(1).default('.data/audit'),
  PAYMENT_MAX_AMOUNT: z.coerce.number().int().positive().default(100_000_000),
  IDEMPOTENCY_SECRET: z.string().min(16).default('dev-only-idempotency-fingerprint-secret'),
  WORKER_METRICS_PORT: port.optional(),
});

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

export class ConfigError extends Error {}

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new ConfigError(`Invalid configuration:\n${problems}`);
  }
  return Object.freeze(result.data);
}

let loaded: Config | undefined;

/** The process-wide config, parsed on first use. */
export function config(): Config {
  loaded ??= parseConfig(process.env);
  return loaded;
}

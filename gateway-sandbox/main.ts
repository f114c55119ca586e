/**
 * Runs the sandbox gateway as a process: `tsx gateway-sandbox/main.ts`. The only place that reads the
 * environment; a bad value stops the process at once with a message naming the variable.
 */
import pino from 'pino';
import { z } from 'zod';
import { createGatewaySandbox, DEFAULT_API_KEY, DEFAULT_IDEMPOTENCY_TTL_MS } from './server';

const envSchema = z
  .object({
    GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
    GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
    GATEWAY_API_KEYS: z
      .string()
      .default(DEFAULT_API_KEY)
      .transform((list) => list.split(',').map((key) => key.trim()))
      .pipe(z.array(z.string().min(1, 'API keys must not be empty')).min(1)),
    GATEWAY_IDEMPOTENCY_TTL_MS: z.coerce.number().int().positive().default(DEFAULT_IDEMPOTENCY_TTL_MS),
    GATEWAY_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
    GATEWAY_WEBHOOK_SECRET: z.string().min(1).optional(),
    GATEWAY_DISPUTE_DELAY_MS: z.coerce.number().int().min(0).default(0),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .refine((env) => (env.GATEWAY_WEBHOOK_URL === undefined) === (env.GATEWAY_WEBHOOK_SECRET === undefined), {
    message: 'GATEWAY_WEBHOOK_URL and GATEWAY_WEBHOOK_SECRET must be set together',
    path: ['GATEWAY_WEBHOOK_URL'],
  });

type GatewayEnv = z.output<typeof envSchema>;

function parseEnv(): GatewayEnv {
  // Empty variables count as unset, so `GATEWAY_PORT= npm run gateway` means "default", not "invalid".
  const raw = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== ''));
  const result = envSchema.safeParse(raw);
  if (result.success) return result.data;
  pino().fatal(`Invalid gateway sandbox configuration:\n${z.prettifyError(result.error)}`);
  process.exit(1);
}

async function main(): Promise<void> {
  const env = parseEnv();
  const logger = pino({ level: env.LOG_LEVEL, base: { service: 'gateway-sandbox' } });
  const webhook =
    env.GATEWAY_WEBHOOK_URL && env.GATEWAY_WEBHOOK_SECRET
      ? { url: env.GATEWAY_WEBHOOK_URL, secret: env.GATEWAY_WEBHOOK_SECRET }
      : undefined;
  const sandbox = await createGatewaySandbox({
    port: env.GATEWAY_PORT,
    host: env.GATEWAY_HOST,
    apiKeys: env.GATEWAY_API_KEYS,
    idempotencyTtlMs: env.GATEWAY_IDEMPOTENCY_TTL_MS,
    logger,
    webhook,
    disputeDelayMs: env.GATEWAY_DISPUTE_DELAY_MS,
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    // A second signal means "now": do not wait for a close that may be stuck.
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'close failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  pino().fatal({ err: error }, 'gateway sandbox failed to start');
  process.exit(1);
});

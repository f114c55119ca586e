/**
 * The API process: `tsx api/main.ts`. The only file of the API that reads configuration. Connects to Temporal,
 * listens on API_HOST:API_PORT, and on SIGINT/SIGTERM stops accepting, lets in-flight requests finish (pending
 * waits answer at once), then closes the Temporal connection; after 10 s it exits regardless.
 */
import { Client, Connection } from '@temporalio/client';
import { encryptedDataConverter } from '../encryption/data-converter';
import { disputesClientOptions, gatewayExchanges, paymentsClientOptions } from '../config/client-options';
import { createStripeClient, intentPaymentIdReader } from '../gateways/stripe-client';
import { DisputesClient } from '../client/disputes-client';
import { PaymentsClient } from '../client/payments-client';
import { config, encryptsWithDevKey } from '../config';
import { createLogger } from '../logging/logger';
import { createApiServer } from './server';

const SHUTDOWN_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  const cfg = config();
  const logger = createLogger({ level: cfg.LOG_LEVEL, name: 'api' });
  if (encryptsWithDevKey(cfg)) {
    logger.warn('payloads are encrypted with the public development key: set PAYLOAD_ENCRYPTION_KEYS');
  }
  const connection = await Connection.connect({ address: cfg.TEMPORAL_ADDRESS, connectTimeout: '10s' });
  const dataConverter = encryptedDataConverter(cfg.PAYLOAD_ENCRYPTION_KEYS);
  const client = new Client({ connection, namespace: cfg.TEMPORAL_NAMESPACE, dataConverter });
  // The API exchanges cards for tokens at the gateway before a payment starts: it is the only gateway call it makes.
  // With GATEWAYS, at every gateway of the failover order: each later one charges its own token of the card.
  const exchanges = gatewayExchanges(cfg);
  const { paymentMethods, gateways } = exchanges;
  const payments = new PaymentsClient(client, { ...paymentsClientOptions(cfg), paymentMethods, gateways });
  const disputes = new DisputesClient(client, disputesClientOptions(cfg));
  const stripeWebhooks = stripeWebhookOptions(cfg);
  if (cfg.GATEWAY === 'stripe' && !stripeWebhooks) {
    logger.warn('STRIPE_WEBHOOK_SECRET is not set: Stripe events (3DS results, disputes) are not received');
  }
  const app = createApiServer({
    payments,
    disputes,
    logger,
    apiKeys: cfg.API_KEYS,
    webhookSecret: cfg.GATEWAY_WEBHOOK_SECRET,
    webhookToleranceSeconds: cfg.WEBHOOK_TOLERANCE_SECONDS,
    stripeWebhooks,
    maxWaitMs: cfg.API_MAX_WAIT_MS,
    maxAmount: cfg.PAYMENT_MAX_AMOUNT,
    temporal: client,
    codec: cfg.CODEC_CORS_ORIGINS && {
      codec: dataConverter.payloadCodecs[0],
      origins: cfg.CODEC_CORS_ORIGINS,
    },
  });

  // Ctrl-C under `npm start` delivers SIGINT twice (the terminal's to the process group, then the supervisor's),
  // so a repeated signal is not "stop now": a deadline is. In-flight requests get that long to finish.
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app
      .close()
      .then(() => connection.close())
      .then(() => exchanges.close())
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  await app.listen({ port: cfg.API_PORT, host: cfg.API_HOST });
  logger.info({ url: `http://${cfg.API_HOST}:${cfg.API_PORT}`, temporal: cfg.TEMPORAL_ADDRESS }, 'API listening');
}

/** /webhooks/stripe needs its signing secret, and a Stripe key to read a disputed PaymentIntent's payment id. */
function stripeWebhookOptions(cfg: ReturnType<typeof config>) {
  if (!cfg.STRIPE_WEBHOOK_SECRET) return undefined;
  // parseConfig refused a webhook secret without a key; this guards the type.
  if (!cfg.STRIPE_SECRET_KEY) throw new Error('STRIPE_WEBHOOK_SECRET needs STRIPE_SECRET_KEY');
  const stripe = createStripeClient({
    secretKey: cfg.STRIPE_SECRET_KEY,
    apiBase: cfg.STRIPE_API_BASE,
    timeoutMs: cfg.GATEWAY_READ_TIMEOUT_MS,
  });
  return { secret: cfg.STRIPE_WEBHOOK_SECRET, paymentIdOfIntent: intentPaymentIdReader(stripe) };
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

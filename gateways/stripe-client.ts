/**
 * One way to build the official `stripe` client for every part that talks to Stripe (the adapter, the API's
 * webhook receiver, the reconciler): the same host override for stripe-mock, no telemetry, and the package's own
 * retries off (Temporal, or Stripe's webhook redelivery, or the operator re-running reconcile owns retrying).
 */
import Stripe from 'stripe';

export interface StripeClientOptions {
  secretKey: string;
  /** Stripe's API by default; stripe-mock or a test stub otherwise (`http://127.0.0.1:12111`). */
  apiBase?: string;
  timeoutMs: number;
}

export function createStripeClient(options: StripeClientOptions): Stripe {
  return new Stripe(options.secretKey, {
    ...hostOptions(options.apiBase),
    maxNetworkRetries: 0,
    timeout: options.timeoutMs,
    telemetry: false,
  });
}

function hostOptions(apiBase: string | undefined): Partial<Stripe.StripeConfig> {
  if (!apiBase) return {};
  const url = new URL(apiBase);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: Number(url.port) || (protocol === 'http' ? 80 : 443), protocol };
}

/**
 * The `payment_id` our adapter put in a PaymentIntent's metadata; undefined when the intent has none or Stripe
 * does not know the intent (404: not ours, or another account's). Any other failure is thrown, to be retried.
 */
export function intentPaymentIdReader(stripe: Stripe): (intentId: string) => Promise<string | undefined> {
  return async (intentId) => {
    try {
      const intent = await stripe.paymentIntents.retrieve(intentId);
      return intent.metadata?.payment_id || undefined;
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404) return undefined;
      throw err;
    }
  };
}

/**
 * The degradation ladder's pure parts (seed 002, levels 4-6), shared by the workflow and the API: the customer
 * message of a graceful failure with its alternatives, and how long a queued payment waits between looks at the
 * gateway. Plain values only: this file runs in the workflow sandbox.
 */
import { CustomerMessage } from './outcome-messages';
import type { DegradationPolicy } from './payment-types';

/** "PayPal", "PayPal or bank transfer", "PayPal, bank transfer or Apple Pay". */
export function alternativesText(methods: readonly string[]): string {
  if (methods.length <= 1) return methods.join('');
  return `${methods.slice(0, -1).join(', ')} or ${methods.at(-1)}`;
}

/** Level 6 with level 5: the seed's message, the ways to pay instead, and that nothing was charged. */
export function gracefulFailureMessage(methods: readonly string[]): string {
  const instead = methods.length ? ` You can also pay with ${alternativesText(methods)}.` : '';
  return `${CustomerMessage.experiencingIssues}${instead} You have not been charged.`;
}

/**
 * The wait before the `look`-th look (1, 2, ...) at the gateway while queued: doubling from probeIntervalMs up to
 * probeMaxIntervalMs, of which the second half is random ("equal jitter"), so payments queued by one outage do not
 * all come back to the gateway in the same second. `random` is the workflow's own (deterministic on replay).
 */
export function probeDelayMs(ladder: DegradationPolicy, look: number, random: () => number): number {
  const ceiling = Math.min(ladder.probeMaxIntervalMs, ladder.probeIntervalMs * 2 ** Math.max(0, look - 1));
  return Math.max(1, Math.round(ceiling / 2 + (random() * ceiling) / 2));
}

/** Why a customer is trusted with a queued payment, or undefined: the flag first (no read), then the count. */
export function trustFromFlag(ladder: DegradationPolicy, trustedCustomer: boolean | undefined): 'flag' | undefined {
  return ladder.trustFlagged && trustedCustomer === true ? 'flag' : undefined;
}

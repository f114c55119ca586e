/** The payment workflow's input and request rules: what it accepts, and how it refuses what it does not. */
import type { PaymentStatus } from '../shared/payment-status';
import { policyProblem } from '../shared/payment-policy';
import { PAYMENT_INPUT_VERSION, PAYMENT_INPUT_VERSIONS, type PaymentInput } from '../shared/payment-types';
import { paymentMethodProblem } from '../shared/payment-validation';
import { reject } from './refuse';

/** Statuses in which no charge is in flight and none has succeeded, so cancelling cannot lose money. */
export const CANCELLABLE: readonly PaymentStatus[] = [
  'initiated',
  'pending_retry',
  'awaiting_payment_method',
  'requires_action',
  'dead_lettered',
  'queued',
];

export function cancelRefusal(status: PaymentStatus): string {
  if (status === 'succeeded') return 'payment already succeeded; refund it instead';
  if (status === 'processing' || status === 'unknown')
    return `a charge is in flight (${status}); cancel is not safe now`;
  return `payment is ${status} and cannot be cancelled`;
}

export function compact(meta: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined));
}

/** The client validates fully with zod; this is the last line for inputs that reach the workflow another way. */
export function validateInput(input: PaymentInput): void {
  if (!Number.isSafeInteger(input.amount) || input.amount <= 0) {
    reject('amount must be a positive integer in minor units');
  }
  if (!/^[A-Z]{3}$/.test(input.currency)) reject('currency must be an ISO 4217 code');
  const problem = paymentMethodProblem(input.paymentMethod);
  if (problem) reject(problem);
  if (input.version !== undefined && !PAYMENT_INPUT_VERSIONS.includes(input.version)) {
    reject(`input version ${String(input.version)} is not supported (expected ${PAYMENT_INPUT_VERSION})`);
  }
  // A versioned input must carry its whole policy: a missing field would fall back to code defaults on replay.
  const policy = input.version !== undefined ? policyProblem(input.policy) : undefined;
  if (policy) reject(policy);
}

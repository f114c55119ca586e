/** The payment workflow's input and request rules: what it accepts, and how it refuses what it does not. */
import type { PaymentStatus } from '../shared/payment-status';
import { policyProblem } from '../shared/payment-policy';
import {
  FAILOVER_VERSION,
  PAYMENT_INPUT_VERSION,
  PAYMENT_INPUT_VERSIONS,
  type PaymentInput,
} from '../shared/payment-types';
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
  const routes = routesProblem(input);
  if (routes) reject(routes);
}

/** Gateway names as GATEWAYS takes them (config/gateway.ts): they go into gateway keys and metric labels. */
const GATEWAY_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** The failover order: version 5 on, named gateways once each, every one after the first with its own token. */
function routesProblem(input: PaymentInput): string | undefined {
  const routes = input.gateways;
  if (routes === undefined) return undefined;
  if ((input.version ?? 0) < FAILOVER_VERSION) return `gateways need input version ${FAILOVER_VERSION}`;
  if (!Array.isArray(routes) || routes.length === 0) return 'gateways must name at least one gateway';
  const names = routes.map((r) => r?.gateway);
  if (!names.every((n) => typeof n === 'string' && GATEWAY_NAME.test(n))) return 'gateways: a gateway name is invalid';
  if (new Set(names).size !== names.length) return 'gateways: a gateway is named twice';
  const tokenless = routes.slice(1).find((r) => r.paymentMethod?.type !== 'token' || !r.paymentMethod.id);
  return tokenless ? `gateways: ${tokenless.gateway} has no payment-method token of its own` : undefined;
}

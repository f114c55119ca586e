/** Wire types between client, workflow and activities. Plain types only: this file runs in the sandbox. */
import type { DeclineClass } from './declines';
import type { PaymentStatus } from './payment-status';

/** Money is always integer minor units plus an ISO 4217 currency code (upper case). */
export interface Money {
  amount: number;
  currency: string;
}

/** What a payment may show of its card: brand, last four digits, expiry. Never the number. */
export interface CardSummary {
  brand?: string;
  last4?: string;
  expMonth?: number;
  expYear?: number;
}

/**
 * A payment-method token (Stripe's `pm_…`): the only shape new payments carry into Temporal. `card` is what the
 * gateway told us about it when the client exchanged a card for it (absent when the caller sent only the id).
 */
export interface PaymentMethodToken {
  type: 'token';
  id: string;
  card?: CardSummary;
}

/**
 * The shapes earlier releases put in workflow input (a raw number, a `tok_…` token). Running workflows and
 * recorded histories hold them, so the workflow and the activities still take them; the client never starts a
 * payment with one any more (it exchanges both for a `pm_…` token at the gateway first).
 */
export type LegacyPaymentMethod = { type: 'card'; number: string } | { type: 'token'; token: string };

export type PaymentMethod = PaymentMethodToken | LegacyPaymentMethod;

export function isPaymentMethodToken(pm: PaymentMethod): pm is PaymentMethodToken {
  return pm.type === 'token' && 'id' in pm;
}

/**
 * A card update that arrives without a caller waiting (the gateway's card updater, a customer portal): the
 * `cardUpdated` signal. Handled like the `replaceCard` Update; one the payment cannot take is ignored, with its reason.
 */
export interface CardUpdate {
  paymentMethod: PaymentMethodToken;
  source: 'card_updater' | 'customer_portal';
  /** The gateway event's id or the portal's message id: names the update in logs and in `ignoredCardUpdates`. */
  reference?: string;
}

export interface IgnoredCardUpdate {
  at: string;
  source: CardUpdate['source'];
  reference?: string;
  /** The pm_ token the update named. */
  token: string;
  reason: string;
}

/**
 * The degradation ladder's end (seed 002, levels 4 to 6), resolved from config into a payment's policy when it
 * starts: what happens when no gateway could take the payment and nothing was charged. Absent (older inputs) or
 * null (the ladder switched off): the payment is dead-lettered for an operator, as before the ladder.
 */
export interface DegradationPolicy {
  /** Level 4 on: trusted customers' payments are queued instead of failed. */
  queueTrusted: boolean;
  /** The payment request's `trustedCustomer: true` makes the customer trusted. */
  trustFlagged: boolean;
  /** This many earlier succeeded payments of the same customerId in the audit trail make it trusted; 0: never. */
  trustAfterPayments: number;
  /** How long a payment may wait queued (its authorisation window) before it fails gracefully. */
  maxQueueMs: number;
  /** The first wait between two looks at the gateway while queued; it doubles up to probeMaxIntervalMs. */
  probeIntervalMs: number;
  probeMaxIntervalMs: number;
  /** Level 5: other ways to pay, named in the customer message of a payment failed for gateway unavailability. */
  alternativePaymentMethods: string[];
}

/** Durations and budgets; every field has a production default in `shared/payment-policy.ts`. */
export interface PaymentPolicy {
  /** Temporal retries of one gateway call (transport errors, 429, 5xx, 409 key in use). */
  gatewayRetry: {
    initialIntervalMs: number;
    maximumIntervalMs: number;
    backoffCoefficient: number;
    maximumAttempts: number;
  };
  /** Activity start-to-close: must exceed the gateway client's connect + read timeouts. */
  gatewayCallTimeoutMs: number;
  /** Soft-decline retries scheduled by the workflow itself, with full jitter. */
  softRetry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  /** The janitor: how often and how long to ask the gateway after an unknown outcome. */
  unknownOutcome: { checkIntervalMs: number; maxChecks: number };
  threeDSTimeoutMs: number;
  /** How often an authentication_required decline may be answered by charging again with 3DS requested. */
  authenticationStepUps: number;
  cardReplacementTimeoutMs: number;
  deadLetterWindowMs: number;
  /** How long after capture a refund may be requested (the workflow stays open that long to serialise them). */
  refundWindowMs: number;
  /** Temporal retries of one refund call; a refund is never re-sent without first asking the gateway. */
  refundRetry: {
    initialIntervalMs: number;
    maximumIntervalMs: number;
    backoffCoefficient: number;
    maximumAttempts: number;
  };
  /** The degradation ladder (levels 4-6); absent in inputs started before it, null when switched off. */
  degradation?: DegradationPolicy | null;
}

/**
 * What the merchant knows about the order behind a payment. Optional; a dispute's evidence is gathered from
 * it (customer, device, shipping), so the more a backend sends, the better its disputes are defended.
 */
export interface OrderDetails {
  customerName?: string;
  customerEmail?: string;
  customerIp?: string;
  deviceId?: string;
  billingAddress?: string;
  productDescription?: string;
  shippingAddress?: string;
  shippingCarrier?: string;
  trackingNumber?: string;
  shippedAt?: string;
  deliveredAt?: string;
}

/**
 * Input shape 2: `policy` is complete, resolved from the defaults when the payment started, and the run writes its
 * audit trail with activities. Shape 3 adds nothing to the input but says the run treats a Temporal cancellation
 * (the UI's Request Cancellation, `temporal workflow cancel`) as an operator's cancel; shape 2 runs keep Temporal's
 * default (the pending step is cancelled). Inputs without a version replay as they always did (workflows/payment.ts).
 */
export const PAYMENT_INPUT_VERSION = 6;

/**
 * The version each behaviour arrived with. Workflow code compares against these fixed numbers, never against
 * PAYMENT_INPUT_VERSION: that one moves with every release and would silently change runs already started.
 */
export const OPERATOR_CANCEL_VERSION = 3;
/**
 * Shape 4: the run closes when the payment is settled (succeeded, failed, cancelled) instead of staying open for
 * the refund window; its refunds are serialised by the payment's refunds workflow (workflows/refunds.ts).
 */
export const CLOSE_ON_SETTLE_VERSION = 4;
/**
 * Shape 5: the input may carry the payment's failover order (`gateways`), fixed at start; the run names the gateway
 * of every call, fails over only when the current one is known not to have charged, and records the gateway that
 * charged (audit, result, `PaymentGateway`). Older runs call the worker's default gateway, as they always did.
 */
export const FAILOVER_VERSION = 5;
/**
 * Shape 6: what version 4 and 5 runs asked patch markers (close as the outcome, the charge counting its own
 * attempts, the first rows together, and with `claimWithCharge` the trail with the charge) is fixed by the version
 * instead, and a status change and the gateway that charged go in one search-attribute upsert. Every marker costs
 * the run two history events and a visibility write (the SDK upserts TemporalChangeVersion with each); issue 19.
 */
export const LEAN_HISTORY_VERSION = 6;

/** Every input version the workflow accepts; each is complete (its policy resolved at start). */
export const PAYMENT_INPUT_VERSIONS: readonly number[] = [2, 3, 4, 5, 6];

/**
 * One gateway of a payment's failover order. A card token is a gateway's own, so every gateway after the first
 * carries the token the client got for the same card there; the first charges the input's `paymentMethod`.
 */
export interface GatewayRoute {
  gateway: string;
  paymentMethod?: PaymentMethodToken;
}

export interface PaymentInput extends Money {
  /** PAYMENT_INPUT_VERSION for payments started by this release's client; absent on older inputs. */
  version?: number;
  paymentId: string;
  /** The caller's idempotency key; the payment id is derived from it. */
  idempotencyKey: string;
  paymentMethod: PaymentMethod;
  customerId?: string;
  description?: string;
  order?: OrderDetails;
  /** Who started the charge (default customer): a customer-initiated payment is not retried over hours. */
  initiator?: 'customer' | 'merchant';
  /** The merchant vouches for this customer: the ladder may queue the payment in an outage (policy.degradation). */
  trustedCustomer?: boolean;
  /** Complete when `version` is 2; older (or hand-made) inputs may give only the fields they override. */
  policy?: Partial<PaymentPolicy>;
  /**
   * Keyed hash of the request parameters (client/payment-id.ts). When set (this release's client), the run claims
   * its idempotency key in the audit database before anything reaches the gateway; older inputs never claim.
   */
  fingerprint?: string;
  /**
   * Version 5: the gateways this payment may be charged at, in order, fixed when it started (a later change of
   * GATEWAYS does not change a running payment). Absent: the worker's default gateway only, no failover.
   */
  gateways?: GatewayRoute[];
  /**
   * Set by PaymentsClient.pay(), whose caller waits for the answer in the same call and reads no key claim before
   * it: the run may claim its key, write its first rows, charge and write `succeeded` in one activity (issue 19).
   * startPayment leaves it unset, because its caller learns from the claim, at once, whether the key is its own.
   */
  claimWithCharge?: boolean;
}

/** What a run sends with its first audit write to claim its key (the payment id is the write's own). */
export interface KeyClaimInput {
  idempotencyKey: string;
  fingerprint: string;
  /** The run's original run id: kept by a reset, so a reset run is the same claimant. */
  runId: string;
}

/**
 * What the metrics of a payment's answer need beyond its row (activities/status-metrics.ts): sent with the rows of
 * `succeeded`, `failed` and `cancelled` only. `gateway` is the metric label (a configured name, or `default`).
 */
export interface AnswerFacts {
  gateway: string;
  /** The run's start (epoch ms): start to answer is the processing-time histogram. */
  startedAtMs: number;
}

/**
 * A charge attempt as its metrics count it: carried by the next status row the run writes and counted when that
 * row is inserted (activities/status-metrics.ts), so once, however often the code that made the attempt runs.
 */
export interface AttemptFacts {
  outcome: AttemptRecord['outcome'];
  errorCode?: string;
  declineClass?: AttemptRecord['declineClass'];
  /** The metric label: the gateway tried (a configured name), or `default`. */
  gateway: string;
}

/** One audit row as an activity hands it to workflow code. */
export interface TrailRow {
  status: PaymentStatus;
  at: string;
  metadata: Record<string, unknown>;
}

/** The earlier run that owns a key: the fingerprint of the request it accepted, and its audit trail. */
export interface EarlierClaim {
  fingerprint: string;
  runId: string;
  trail: TrailRow[];
}

/**
 * How a run stands with its idempotency key, as the client asks for it before answering a start. `owner`: this
 * run claimed the key. `earlier`: an earlier run (gone from Temporal) did; this run charged nothing and answers
 * with that payment's recorded state. The fingerprint is the one the key was first accepted with.
 */
export type KeyClaimState =
  | { state: 'pending' }
  | { state: 'owner'; fingerprint: string }
  | { state: 'earlier'; fingerprint: string; runId: string };

export interface AttemptRecord {
  attempt: number;
  at: string;
  gatewayKey: string;
  outcome: 'succeeded' | 'requires_action' | 'declined' | 'error' | 'unknown';
  errorCode?: string;
  declineClass?: DeclineClass;
}

/** One status change, exactly as the workflow wrote it to the audit trail (same sequence number). */
export interface StatusChange {
  seq: number;
  status: PaymentStatus;
  at: string;
  reason?: string;
}

export type RefundReason = 'duplicate' | 'fraudulent' | 'requested_by_customer';

export interface RefundRequest {
  /** Minor units; omitted means "whatever is still refundable". */
  amount?: number;
  /** The caller's idempotency key for this refund: the same key never refunds twice. */
  requestKey: string;
  reason?: RefundReason;
}

export interface RefundRecord {
  /** 1, 2, 3 … in the order the workflow accepted them; part of the gateway key. */
  refundNumber: number;
  requestKey: string;
  amount: number;
  currency: string;
  /** pending: sent or about to be; unknown: the gateway never answered, the amount stays reserved. */
  status: 'pending' | 'succeeded' | 'failed' | 'unknown';
  gatewayKey: string;
  refundId?: string;
  reason?: RefundReason;
  requestedAt: string;
  failure?: string;
}

export interface PaymentState {
  paymentId: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  customerId?: string;
  description?: string;
  order?: OrderDetails;
  chargeId?: string;
  cardVersion: number;
  attempts: AttemptRecord[];
  customerMessage: string;
  needsDifferentCard: boolean;
  reason?: string;
  history: StatusChange[];
  capturedAt?: string;
  /** After this instant no refund is accepted and the workflow completes. */
  refundableUntil?: string;
  amountRefunded: number;
  refunds: RefundRecord[];
  /** Set when this run answers from an earlier run's audit trail (that run is gone from Temporal). */
  replayedFromRun?: string;
  /** The token being charged, with its brand and last four (absent for older inputs' numbers and tok_ tokens). */
  paymentMethod?: PaymentMethodToken;
  /** Card updates signalled while the payment could not take one (absent until the first): the last 20. */
  ignoredCardUpdates?: IgnoredCardUpdate[];
  /**
   * Set by runs of input version 4 on: this payment's refunds are made by the refunds workflow of this id, not by
   * this run (which closed when the payment was settled). Absent: the run takes refunds itself, as before.
   */
  refundsWorkflowId?: string;
  /**
   * Version 5 runs that route: the gateway the payment is being charged at, and once it succeeded the one that
   * charged. Its refunds and disputes go there. Absent: the worker's default gateway.
   */
  gateway?: string;
  /** While queued (degradation ladder level 4): when the payment stops waiting and fails gracefully. */
  queuedUntil?: string;
  /** Set when the payment failed because no gateway could take it: other ways the customer may pay (level 5). */
  alternativePaymentMethods?: string[];
}

export interface PaymentResult {
  paymentId: string;
  status: PaymentStatus;
  chargeId?: string;
  customerMessage: string;
  needsDifferentCard: boolean;
  attempts: number;
  /** Set when the answer is an earlier run's, read from the audit trail. */
  replayedFromRun?: string;
  /** The gateway that charged, for a routed (version 5) payment that succeeded. */
  gateway?: string;
}

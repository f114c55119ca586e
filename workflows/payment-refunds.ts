/**
 * Refunds of a captured payment, run inside the payment workflow that owns it (input versions 2 and 3) or in the
 * payment's refunds workflow (version 4, workflows/refunds.ts): one desk, so numbering, gateway keys and audit
 * rows are the same whichever run serialises them. Each accepted request
 * reserves its amount before the first await, so concurrent requests are checked against what is already
 * refunded *and* in flight: the total refunded can never exceed the amount captured.
 */
import { ActivityFailure, ApplicationFailure, log, proxyActivities, sleep } from '@temporalio/workflow';
import type { PaymentActivities, RefundOutcome } from '../activities';
import { ErrorType } from '../shared/errors';
import { gatewayRefundKey } from '../shared/idempotency';
import { CustomerMessage } from '../shared/outcome-messages';
import type { PaymentStatus } from '../shared/payment-status';
import type { PaymentPolicy, PaymentState, RefundRecord, RefundRequest } from '../shared/payment-types';
import { refundRetryPolicy } from '../shared/retry-policies';

export interface RefundHost {
  readonly state: PaymentState;
  readonly policy: PaymentPolicy;
  /** A 0.1 run: an unknown refund outcome is left as it was then (no follow-up, no audit row). */
  readonly legacy: boolean;
  /**
   * The refunds workflow: its runs close when idle, and the next run rebuilds the refunds from the audit trail. So
   * every row also names the request (key, reason), and a refusal gets a row too: its number is used up at the
   * gateway (a key replays its first answer), and the next run must number on past it. Payment runs omit both.
   */
  readonly recordsEveryOutcome?: boolean;
  transition(status: PaymentStatus, metadata: Record<string, unknown>): Promise<void>;
}

/** Failures after which the gateway certainly refunded nothing (it answered, and said no). */
const REFUSED = new Set<string>([
  ErrorType.RefundRefused,
  ErrorType.GatewayInvalidRequest,
  ErrorType.GatewayAuthentication,
]);

/**
 * A refund's row that keeps the payment's status and names no refund made (a refusal, an unknown outcome): it is
 * recorded, but its metrics count no status transition. A second partial refund keeps `partially_refunded` too, and
 * is a refund made: it names its `refundId`, so it counts.
 */
export function restatesStatus(
  current: PaymentStatus,
  next: PaymentStatus,
  metadata: Record<string, unknown>,
): boolean {
  return next === current && metadata.refundId === undefined;
}

export class RefundDesk {
  private readonly gateway: PaymentActivities;
  private reserved = 0; // accepted but not yet refunded (pending, or unknown and held back to stay safe)
  private accepting = false;
  /** Look-ups of unknown refund outcomes, running apart from the requests that asked. */
  private readonly followUps: Promise<void>[] = [];

  constructor(private readonly host: RefundHost) {
    this.gateway = proxyActivities<PaymentActivities>({
      startToCloseTimeout: host.policy.gatewayCallTimeoutMs,
      retry: refundRetryPolicy(host.policy),
    });
  }

  /**
   * Called once the charge has succeeded; refunds are accepted until the window closes. The refunds workflow
   * passes the window as the payment recorded it (`until`); otherwise it is the policy's from the capture.
   */
  open(capturedAt: Date, until?: string): void {
    this.host.state.capturedAt = capturedAt.toISOString();
    this.host.state.refundableUntil =
      until ?? new Date(capturedAt.getTime() + this.host.policy.refundWindowMs).toISOString();
    this.accepting = true;
  }

  /**
   * The refunds an earlier run made, as the audit trail holds them: numbering goes on after them, their amounts
   * count against the capture, and an outcome still unknown stays reserved and is looked up again.
   */
  restore(records: RefundRecord[], amountRefunded: number): void {
    this.host.state.refunds.push(...records);
    this.host.state.amountRefunded = amountRefunded;
    for (const record of records.filter((r) => r.status === 'unknown')) {
      this.reserved += record.amount;
      this.followUps.push(this.lookUntilKnown(record));
    }
  }

  close(): void {
    this.accepting = false;
  }

  msUntilWindowCloses(): number {
    return Math.max(0, Date.parse(this.host.state.refundableUntil ?? '') - Date.now());
  }

  fullyRefunded(): boolean {
    return this.host.state.amountRefunded >= this.host.state.amount;
  }

  /** Pending, or (current runs) unknown and still being looked up: the run must not close over either. */
  inFlight(): boolean {
    const open = (r: RefundRecord) => r.status === 'pending' || (!this.host.legacy && r.status === 'unknown');
    return this.host.state.refunds.some(open);
  }

  private remaining(): number {
    return this.host.state.amount - this.host.state.amountRefunded - this.reserved;
  }

  /** The validator: why this request cannot be accepted now, or undefined. */
  problem(req: RefundRequest): string | undefined {
    const { status, refundableUntil, currency } = this.host.state;
    if (!this.accepting && !refundableUntil) return `payment is ${status}; only a succeeded payment can be refunded`;
    if (!this.accepting || this.msUntilWindowCloses() === 0) return `the refund window closed at ${refundableUntil}`;
    if (!req.requestKey || req.requestKey.length > 255) return 'a refund needs a request key of 1-255 characters';
    if (this.host.state.refunds.some((r) => r.requestKey === req.requestKey)) return 'this refund key was already used';
    if (req.amount !== undefined && (!Number.isSafeInteger(req.amount) || req.amount <= 0))
      return 'amount must be a positive integer in minor units';
    const remaining = this.remaining();
    if (remaining <= 0)
      return 'nothing left to refund: the payment is fully refunded or refunds covering it are in flight';
    if (req.amount !== undefined && req.amount > remaining)
      return `refund of ${req.amount} ${currency} exceeds the refundable remainder of ${remaining} ${currency}`;
    return undefined;
  }

  /** The handler: reserve, call the gateway, settle. Throws an ApplicationFailure (failing only the Update) when nothing was refunded. */
  async refund(req: RefundRequest): Promise<RefundRecord> {
    const record = this.reserve(req);
    try {
      return await this.settle(record, await this.gateway.refundCharge(this.activityInput(record)));
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      const type = err.cause instanceof ApplicationFailure ? (err.cause.type ?? '') : '';
      const why = err.cause?.message ?? type;
      if (REFUSED.has(type))
        return this.host.recordsEveryOutcome ? await this.failRecorded(record, why) : this.fail(record, why);
      return this.resolveUnknown(record);
    }
  }

  private reserve(req: RefundRequest): RefundRecord {
    const { state } = this.host;
    const refundNumber = state.refunds.length + 1;
    const record: RefundRecord = {
      refundNumber,
      requestKey: req.requestKey,
      amount: req.amount ?? this.remaining(),
      currency: state.currency,
      status: 'pending',
      gatewayKey: gatewayRefundKey(state.chargeId ?? '', refundNumber),
      reason: req.reason,
      requestedAt: new Date().toISOString(),
    };
    state.refunds.push(record);
    this.reserved += record.amount;
    return record;
  }

  private activityInput(record: RefundRecord) {
    const { paymentId, chargeId, currency } = this.host.state;
    return {
      paymentId,
      chargeId: chargeId ?? '',
      gatewayKey: record.gatewayKey,
      amount: record.amount,
      currency,
      reason: record.reason,
      ...this.atGateway(),
    };
  }

  /** The gateway that charged, when the payment routed (failover): the refund and its look-ups go there. */
  private atGateway(): { gateway?: string } {
    const { gateway } = this.host.state;
    return gateway ? { gateway } : {};
  }

  private async settle(record: RefundRecord, outcome: RefundOutcome): Promise<RefundRecord> {
    const { state } = this.host;
    this.reserved -= record.amount;
    record.status = 'succeeded';
    record.refundId = outcome.refundId;
    state.amountRefunded += record.amount;
    const status: PaymentStatus = this.fullyRefunded() ? 'refunded' : 'partially_refunded';
    state.customerMessage = this.fullyRefunded() ? CustomerMessage.refunded : CustomerMessage.partiallyRefunded;
    const ids = { paymentId: state.paymentId, chargeId: state.chargeId, refundId: outcome.refundId };
    log.info('refund.created', {
      ...ids,
      amount: record.amount,
      currency: state.currency,
      amountRefunded: state.amountRefunded,
    });
    await this.host.transition(status, {
      refundId: outcome.refundId,
      refundSeq: record.refundNumber,
      refundAmount: record.amount,
      amountRefunded: state.amountRefunded,
      gatewayKey: record.gatewayKey,
      ...this.request(record),
    });
    return record;
  }

  /** What the refunds workflow adds to a refund's rows so that a later run knows the request. */
  private request(record: RefundRecord): Record<string, unknown> {
    if (!this.host.recordsEveryOutcome) return {};
    return { requestKey: record.requestKey, refundReason: record.reason, requestedAt: record.requestedAt };
  }

  /** The refunds workflow's refusal: its row first (the amount stays reserved meanwhile), then as `fail`. */
  private async failRecorded(record: RefundRecord, why: string): Promise<never> {
    await this.host.transition(this.host.state.status, {
      refundSeq: record.refundNumber,
      refundAmount: record.amount,
      refundOutcome: 'refused',
      refundFailure: why,
      gatewayKey: record.gatewayKey,
      ...this.request(record),
    });
    return this.fail(record, why);
  }

  /** Synchronous, as payment runs have always refused (their histories replay this exact path). */
  private fail(record: RefundRecord, why: string): never {
    this.reserved -= record.amount;
    record.status = 'failed';
    record.failure = why;
    throw ApplicationFailure.create({
      type: ErrorType.RefundRefused,
      message: `refund not made: ${why}`,
      nonRetryable: true,
    });
  }

  /**
   * The outcome is unknown: recorded in the audit trail, and looked up on the janitor's schedule, apart from the
   * request that asked (its caller hears "unknown" now), until the gateway says refunded or not.
   */
  private async followUp(record: RefundRecord): Promise<void> {
    await this.host.transition(this.host.state.status, {
      refundSeq: record.refundNumber,
      refundAmount: record.amount,
      refundOutcome: 'unknown',
      gatewayKey: record.gatewayKey,
      ...this.request(record),
    });
    this.followUps.push(this.lookUntilKnown(record));
  }

  private async lookUntilKnown(record: RefundRecord): Promise<void> {
    const { paymentId } = this.host.state;
    for (;;) {
      await sleep(this.host.policy.unknownOutcome.checkIntervalMs);
      const found = await this.gateway
        .lookupRefund({ paymentId, gatewayKey: record.gatewayKey, ...this.atGateway() })
        .catch(() => undefined);
      if (found?.found) {
        record.failure = undefined;
        await this.settle(record, found);
        return;
      }
      if (found) {
        this.reserved -= record.amount;
        record.status = 'failed';
        record.failure = 'the gateway holds no refund under this key';
        const { status } = this.host.state;
        await this.host.transition(status, { refundSeq: record.refundNumber, refundOutcome: 'not_refunded' });
        return;
      }
    }
  }

  /** Retries ran out without an answer: ask the gateway on the janitor's schedule whether our key refunded. */
  private async resolveUnknown(record: RefundRecord): Promise<RefundRecord> {
    const { checkIntervalMs, maxChecks } = this.host.policy.unknownOutcome;
    for (let check = 1; check <= maxChecks; check++) {
      const found = await this.gateway
        .lookupRefund({ paymentId: this.host.state.paymentId, gatewayKey: record.gatewayKey, ...this.atGateway() })
        .catch(() => undefined);
      if (found?.found) return this.settle(record, found);
      if (found) {
        const why = 'the gateway was unavailable and holds no refund under this key';
        return this.host.recordsEveryOutcome ? await this.failRecorded(record, why) : this.fail(record, why);
      }
      if (check < maxChecks) await sleep(checkIntervalMs);
    }
    // Still no answer: keep the amount reserved so no later refund can push the total past the capture.
    record.status = 'unknown';
    record.failure = 'the gateway did not answer; outcome unknown, amount held back until reconciled';
    if (!this.host.legacy) await this.followUp(record);
    throw ApplicationFailure.create({
      type: ErrorType.GatewayTimeout,
      message: `refund outcome unknown: ${record.failure}`,
      nonRetryable: true,
    });
  }
}

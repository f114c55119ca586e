/**
 * The refunds workflow: one per payment of input version 4 on (id `refunds-<paymentId>`), started by the first
 * refund with update-with-start. The payment run closed when the payment was settled, so this run serialises the
 * refunds instead, with the same desk (workflows/payment-refunds.ts): same numbering, gateway keys and rows. It
 * reads the capture and every earlier refund from the audit trail first, so a run started after an idle close
 * numbers on and can never refund more than was captured. It closes when idle, fully refunded, or past the window.
 */
import {
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PaymentActivities } from '../activities';
import { CustomerMessage } from '../shared/outcome-messages';
import { initialPaymentState } from '../shared/payment-state';
import type { PaymentStatus } from '../shared/payment-status';
import type { PaymentPolicy, PaymentState, RefundRequest } from '../shared/payment-types';
import {
  REFUNDS_INPUT_VERSION,
  type RefundLedger,
  type RefundsClosure,
  type RefundsInput,
  type RefundsResult,
} from '../shared/refunds-types';
import { AUDIT_RETRY_POLICY } from '../shared/retry-policies';
import { PaymentStatusKey } from '../shared/search-attributes';
import { RefundDesk, restatesStatus } from './payment-refunds';
import { compact } from './payment-rules';
import { reject } from './refuse';
import { getRefundsQuery, requestRefundUpdate } from './refunds-messages';
import { StatusRecorder } from './status-recorder';

export async function refundsWorkflow(input: RefundsInput): Promise<RefundsResult> {
  return new RefundsProcess(input).run();
}

class RefundsProcess {
  private readonly state: PaymentState;
  private readonly desk: RefundDesk;
  private readonly statuses: StatusRecorder<PaymentStatus>;
  private readonly audit: PaymentActivities;
  private loaded = false;
  /** Counts accepted refunds: a new one restarts the idle wait. */
  private accepted = 0;

  constructor(private readonly input: RefundsInput) {
    if (input.version !== REFUNDS_INPUT_VERSION) reject(`refunds input version ${String(input.version)} unknown`);
    if (!(input.policy?.idleMs > 0)) reject('policy.idleMs must be a positive number of milliseconds');
    this.audit = proxyActivities<PaymentActivities>({ startToCloseTimeout: '30s', retry: AUDIT_RETRY_POLICY });
    this.state = initialPaymentState(input.paymentId);
    this.statuses = new StatusRecorder({
      searchAttribute: PaymentStatusKey,
      legacy: false,
    });
    this.desk = new RefundDesk({
      state: this.state,
      // The desk reads only the refund fields of a payment policy.
      policy: input.policy as unknown as PaymentPolicy,
      legacy: false,
      recordsEveryOutcome: true,
      transition: (status, metadata) => this.transition(status, metadata),
    });
    setHandler(getRefundsQuery, () => ({ loaded: this.loaded, state: this.state }));
    setHandler(requestRefundUpdate, (req) => this.refund(req), {
      // Before the trail is read (the first task of an update-with-start) only the request itself is checked;
      // the handler checks the rest once it is known, before it reserves anything.
      validator: (req) => {
        const problem = this.loaded ? this.desk.problem(req) : requestProblem(req);
        if (problem) reject(problem);
      },
    });
  }

  private async refund(req: RefundRequest) {
    await condition(() => this.loaded);
    const problem = this.desk.problem(req);
    if (problem) reject(problem); // fails this Update only; nothing was reserved or sent
    this.accepted += 1;
    return this.desk.refund(req); // reserves before its first await: requests are serialised here
  }

  async run(): Promise<RefundsResult> {
    const ledger = await this.audit.loadRefundLedger({ paymentId: this.input.paymentId });
    if (!ledger.refundable) {
      this.state.status = ledger.status ?? 'initiated';
      this.loaded = true;
      // Requests that came with the start are refused by the desk (only a captured payment can be refunded).
      await condition(allHandlersFinished);
      return this.close('not_refundable');
    }
    this.apply(ledger);
    this.loaded = true;
    return this.close(await this.serve());
  }

  private apply(ledger: Extract<RefundLedger, { refundable: true }>): void {
    Object.assign(this.state, {
      status: ledger.status,
      amount: ledger.amount,
      currency: ledger.currency,
      chargeId: ledger.chargeId,
      ...(ledger.gateway ? { gateway: ledger.gateway } : {}),
      history: ledger.history,
      customerMessage: messageFor(ledger.status),
    });
    this.desk.restore(ledger.refunds, ledger.amountRefunded);
    this.desk.open(new Date(ledger.capturedAt), ledger.refundableUntil);
    upsertSearchAttributes([{ key: PaymentStatusKey, value: ledger.status }]);
  }

  /** Takes refunds until nothing is left, the window closes, or no request came for the idle duration. */
  private async serve(): Promise<RefundsClosure> {
    for (;;) {
      const closure = this.reasonToClose();
      if (closure) {
        // Anything still running (a refund, a follow-up of an unknown outcome) finishes first, then look again:
        // a request accepted meanwhile is served, not lost.
        if (this.quiet()) return closure;
        await condition(() => this.quiet());
        continue;
      }
      const seen = this.accepted;
      const wait = Math.min(this.input.policy.idleMs, this.desk.msUntilWindowCloses());
      const woken = await condition(() => this.accepted !== seen || this.desk.fullyRefunded(), wait);
      // Idle only if nothing arrived and nothing runs; an Update in the same activation as the timer wins.
      if (!woken && this.accepted === seen && this.quiet() && !this.reasonToClose()) return 'idle';
    }
  }

  private reasonToClose(): RefundsClosure | undefined {
    if (this.desk.fullyRefunded()) return 'fully_refunded';
    if (this.desk.msUntilWindowCloses() === 0) return 'window_closed';
    return undefined;
  }

  private quiet(): boolean {
    return allHandlersFinished() && !this.desk.inFlight();
  }

  private close(closed: RefundsClosure): RefundsResult {
    const { paymentId, status, amountRefunded } = this.state;
    return { paymentId, status, amountRefunded, closed };
  }

  /** A refund's status change: the search attribute of this run, and the payment's append-only audit row. */
  private async transition(status: PaymentStatus, metadata: Record<string, unknown>): Promise<void> {
    const restated = restatesStatus(this.state.status, status, metadata);
    this.state.status = status;
    await this.statuses.record(status, ({ seq }) => {
      const eventKey = refundEventKey(workflowInfo().runId, seq, status, metadata);
      this.state.history.push({ seq: this.state.history.length + 1, status, at: new Date().toISOString() });
      return this.audit.recordStatus({
        paymentId: this.input.paymentId,
        eventKey,
        status,
        metadata: {
          ...compact(metadata),
          via: 'refunds_workflow',
          refundsRunId: workflowInfo().runId,
          amount: this.state.amount,
          currency: this.state.currency,
        },
        ...(restated ? { restated } : {}),
      });
    });
  }
}

/**
 * `<runId>:refund-<n>-<what>:<status>`. Each refund's number is unique across all refunds runs of the payment and
 * each of its outcomes is recorded once, so the key without its run id (how a reset run's rows are matched to the
 * rows it re-records) names one step of one refund: a later run's `1:partially_refunded` cannot pass for an
 * earlier run's, as it would with the per-run row counter alone.
 */
function refundEventKey(runId: string, seq: number, status: PaymentStatus, meta: Record<string, unknown>): string {
  if (typeof meta.refundSeq !== 'number') return `${runId}:${seq}:${status}`;
  const what = typeof meta.refundOutcome === 'string' ? meta.refundOutcome : 'refunded';
  return `${runId}:refund-${meta.refundSeq}-${what}:${status}`;
}

/** What the request alone gets wrong, before the payment is known (the desk checks the same, and more). */
function requestProblem(req: RefundRequest): string | undefined {
  if (!req?.requestKey || req.requestKey.length > 255) return 'a refund needs a request key of 1-255 characters';
  if (req.amount !== undefined && (!Number.isSafeInteger(req.amount) || req.amount <= 0))
    return 'amount must be a positive integer in minor units';
  return undefined;
}

function messageFor(status: PaymentStatus): string {
  if (status === 'refunded') return CustomerMessage.refunded;
  if (status === 'partially_refunded') return CustomerMessage.partiallyRefunded;
  if (status === 'terminated') return CustomerMessage.terminated;
  return CustomerMessage.succeeded;
}

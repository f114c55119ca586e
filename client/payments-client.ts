/**
 * The typed client backends use. Every input is validated with zod before anything reaches Temporal, and
 * starting a payment is idempotent by the caller's key: same key and parameters → the same payment.
 */
import { randomUUID } from 'node:crypto';
import {
  ApplicationFailure,
  Client,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type {
  CardSummary,
  CardUpdate,
  PaymentInput,
  PaymentMethod,
  PaymentMethodToken,
  PaymentPolicy,
  PaymentResult,
  PaymentState,
  RefundRecord,
  RefundRequest,
} from '../shared/payment-types';
import { TERMINAL_STATUSES, type PaymentStatus } from '../shared/payment-status';
import { resolvePolicy } from '../shared/payment-policy';
import { FAILOVER_VERSION, PAYMENT_INPUT_VERSION, type GatewayRoute } from '../shared/payment-types';
import { ErrorType } from '../shared/errors';
import { paymentIdFromWorkflowId, paymentWorkflowId } from '../shared/ids';
import {
  ATTENTION_QUERIES,
  ATTENTION_REASONS,
  type AttentionReason,
  NEEDS_ATTENTION_QUERY,
  PaymentStatusKey,
} from '../shared/search-attributes';
import { paymentWorkflow } from '../workflows/payment';
import {
  cancelPaymentUpdate,
  cardUpdatedSignal,
  getPaymentStateQuery,
  PAYMENT_OUTCOME_UPDATE_ID,
  paymentOutcomeUpdate,
  type PaymentOutcome,
  refundPaymentUpdate,
  replaceCardUpdate,
  retryNowUpdate,
  retryPaymentUpdate,
  threeDSCompletedSignal,
  type ThreeDSResult,
} from '../workflows/payment-messages';
import { answerUnlessRefused, answerWithin } from './bounded-answer';
import { closedRunResult } from './closed-run';
import { IdempotencyKeyReusedError, isPaymentNotFound, PaymentNotFoundError, PaymentStateError } from './errors';
import { parse } from './parse';
import { paymentIdFromKey, requestFingerprint } from './payment-id';
import { toPaymentMethodToken, type ExchangePurpose, type PaymentMethodVault } from './payment-methods';
import {
  CardUpdateSchema,
  type CardUpdateRequest,
  PaymentIdSchema,
  PaymentMethodSchema,
  type PaymentMethodInput,
  PaymentStatusSchema,
  RefundRequestSchema,
  startPaymentSchema,
  ThreeDSResultSchema,
  type StartPaymentRequest,
} from './schemas';
import {
  listRefundedThroughWorkflow,
  mergeRefunds,
  refundsView,
  sendToRefundsWorkflow,
  withRefundStatuses,
} from './refunds-workflow';
import { KEY_CLAIM_WAIT_MS, settledClaim, type OpenRun, type SettledClaim } from './key-claim';
import { preparedStart, startOperation, type PreparedStart } from './payment-start';
import { serially } from './serial-queries';
import { listByStatus, listWhere } from './visibility';
import { withWorkflow, type WorkflowHandle } from './workflow-handle';

export interface PaymentsClientOptions {
  taskQueue: string;
  fingerprintSecret: string;
  maxAmount: number;
  /**
   * Overrides of the payment policy, resolved with the defaults (shared/payment-policy.ts) into each run's input at
   * start. Production sets refundWindowMs from REFUND_WINDOW_DAYS (config/client-options.ts); tests shorten durations.
   */
  policy?: Partial<PaymentPolicy>;
  /**
   * The configured gateway's card-for-token exchange. Without it only `pm_…` tokens are taken; with the sandbox's,
   * raw test card numbers too (client/payment-methods.ts).
   */
  paymentMethods?: PaymentMethodVault;
  /** How long a payment's refunds workflow waits for another refund before it closes (default one hour). */
  refundsIdleMs?: number;
  /**
   * The input version of payments this client starts (default PAYMENT_INPUT_VERSION). Only for tests of runs an
   * earlier release started, and for a staged roll-out: an older version keeps the run open for refunds.
   */
  inputVersion?: number;
  /**
   * The gateways in failover order (GATEWAYS), each with its card-for-token exchange; the first is the one
   * `paymentMethods` exchanges at. A payment's input carries the order, and every later gateway's own token of the
   * card: a gateway whose exchange fails (or a caller who sent a `pm_…` token, which only the first knows) is left
   * out of that payment's order. Unset: payments name no gateway and are charged at the worker's default.
   */
  gateways?: ReadonlyArray<{ name: string; paymentMethods?: PaymentMethodVault }>;
  /**
   * How long startPayment waits for its run to claim the key (its first audit write) before answering
   * PaymentPendingError (default 15 s); tests shorten it.
   */
  keyClaimWaitMs?: number;
}

export interface StartedPayment {
  paymentId: string;
  workflowId: string;
  /** false when this key had already started the payment (an idempotent replay). */
  created: boolean;
}

/** How long startAndWait waits for the answer, and until when it may then make sure of the start. */
export interface StartWait {
  ms: number;
  /** Ends the wait early (the API's server closing). */
  signal?: AbortSignal;
  /** When set, every RPC of the call, also those making sure of the start, ends within ms + settleMs. */
  settleMs?: number;
}

/** A start whose caller must answer by a time of its own (the API's read deadline). */
export interface StartBound {
  /**
   * Epoch ms. A claim not settled shortly before it is PaymentPendingError, before the caller's deadline cuts the
   * call short and says only "unavailable".
   */
  answerBy?: number;
}

export interface RefundAnswer {
  refund: RefundRecord;
  /** false when an earlier request with this key made the refund (an idempotent replay). */
  created: boolean;
}

/** How long a replayed refund request waits for the first request's refund to leave `pending`. */
const REFUND_REPLAY_WAIT_MS = 15_000;
const REFUND_REPLAY_POLL_MS = 100;
/**
 * How long startAndWait waits for an answer before it checks that the run it met took its key with this body: a
 * reused key on a run that is still open (parked on 3DS) is refused then, not once the whole wait is over. Most
 * answers come sooner, and then nothing is read.
 */
const REUSE_CHECK_AFTER_MS = 2_000;
const DEFAULT_REFUNDS_IDLE_MS = 60 * 60 * 1000;

export class PaymentsClient {
  private readonly startSchema: ReturnType<typeof startPaymentSchema>;
  /** Today's defaults with this client's overrides, fixed into every payment it starts. */
  private readonly policy: PaymentPolicy;

  constructor(
    private readonly client: Client,
    private readonly options: PaymentsClientOptions,
  ) {
    const { keyClaimWaitMs } = options;
    if (keyClaimWaitMs !== undefined && !(Number.isFinite(keyClaimWaitMs) && keyClaimWaitMs >= 0)) {
      throw new RangeError(`keyClaimWaitMs must be a finite number of ms >= 0, not ${keyClaimWaitMs}`);
    }
    this.startSchema = startPaymentSchema(options.maxAmount);
    this.policy = resolvePolicy(options.policy);
  }

  async startPayment(request: StartPaymentRequest, bound: StartBound = {}): Promise<StartedPayment> {
    return this.acceptStart(await this.prepareStart(request), bound.answerBy);
  }

  /**
   * Starts the payment and waits for its answer in one call: update-with-start waiting for the outcome Update to
   * complete, instead of startPayment's accepted start, key-claim reads and a second call for result(). Idempotent
   * as startPayment is: a repeat of the key meets the same run and the same Update id, so it gets the same answer;
   * a repeat after the run closed gets the closed run's answer. For callers that wait for the answer anyway (it
   * can take as long as the payment waits for 3DS or a new card); a bounded wait is startAndWait's.
   */
  async pay(request: StartPaymentRequest): Promise<StartedPayment & { result: PaymentResult }> {
    // This caller reads no claim before the answer: the run may claim with its charge, in one activity.
    const start = await this.prepareStart(request, { claimWithCharge: true });
    let outcome: PaymentOutcome;
    try {
      outcome = await this.startAndAnswer(startOperation(start));
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // REJECT_DUPLICATE: the key's run has closed; it answers with its result, as a later result() would.
      const started = await this.acceptedStart(start);
      return { ...started, result: await this.result(start.paymentId) };
    }
    return this.answeredStart(start, outcome);
  }

  /**
   * pay() with a bound: starts the payment and waits for its answer in one call for at most `wait.ms` (or until
   * `wait.signal` aborts); by then without an answer, it makes sure of the start as startPayment does and answers
   * without a result. For the API's `POST /payments?wait=`: one call when the answer comes in time, where
   * startPayment + result() took a start, key-claim reads and a second Update call. Its runs claim their key in their
   * first audit write, as startPayment's do (not with the charge, as pay()'s), so that once the wait is over the
   * claim is there to read, however long the charge takes. A key reused with another body on a run still open is
   * refused once that run has not answered for REUSE_CHECK_AFTER_MS (the call reads whose key it is then), or
   * when it answers, if sooner.
   */
  async startAndWait(
    request: StartPaymentRequest,
    wait: StartWait,
  ): Promise<StartedPayment & { result?: PaymentResult }> {
    const deadline = Date.now() + wait.ms;
    const settle = async () => {
      const start = await this.prepareStart(request);
      const outcome = await this.answerOrRefusal(start, startOperation(start), { deadline, signal: wait.signal });
      const answerBy = wait.settleMs === undefined ? undefined : deadline + wait.settleMs;
      return outcome ? this.answeredStart(start, outcome) : this.acceptStart(start, answerBy);
    };
    // Every RPC of the call, the start made sure of included, ends by the caller's own deadline, if it has one.
    return wait.settleMs === undefined ? settle() : this.client.withDeadline(deadline + wait.settleMs, settle);
  }

  /**
   * startAndWait's answer within its bound, or IdempotencyKeyReusedError as soon as the run it met is found to have
   * taken its key with another body; then the wait for that run's answer is cancelled, not left open to its deadline.
   */
  private async answerOrRefusal(
    start: PreparedStart,
    operation: WithStartWorkflowOperation<typeof paymentWorkflow>,
    bound: { deadline: number; signal?: AbortSignal },
  ): Promise<PaymentOutcome | undefined> {
    const ended = new AbortController();
    const signal = bound.signal ? AbortSignal.any([bound.signal, ended.signal]) : ended.signal;
    const started = operation.workflowHandle();
    const answer = () => this.startAndAnswer(operation);
    try {
      return await answerUnlessRefused(answerWithin(this.client, { answer, started }, { ...bound, signal }), {
        afterMs: REUSE_CHECK_AFTER_MS,
        check: (answered) => this.refuseReusedKeyOfOpenRun(start, bound.deadline, answered),
        refuses: (err) => err instanceof IdempotencyKeyReusedError,
      });
    } finally {
      ended.abort();
    }
  }

  /** Update-with-start waiting for the outcome Update to complete. */
  private startAndAnswer(operation: WithStartWorkflowOperation<typeof paymentWorkflow>): Promise<PaymentOutcome> {
    return this.client.workflow.executeUpdateWithStart(paymentOutcomeUpdate, {
      updateId: PAYMENT_OUTCOME_UPDATE_ID,
      startWorkflowOperation: operation,
    });
  }

  /** Update-with-start until the outcome Update is accepted, then whether this request created the run. */
  private async acceptStart(start: PreparedStart, answerBy?: number): Promise<StartedPayment> {
    try {
      await this.client.workflow.startUpdateWithStart(paymentOutcomeUpdate, {
        updateId: PAYMENT_OUTCOME_UPDATE_ID,
        waitForStage: 'ACCEPTED',
        startWorkflowOperation: startOperation(start),
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return this.acceptedStart(start, answerBy);
  }

  /** A start answered in the same call: whether this request created the run, and the answer. */
  private async answeredStart(
    start: PreparedStart,
    outcome: PaymentOutcome,
  ): Promise<StartedPayment & { result: PaymentResult }> {
    const { startedWith, ...result } = outcome;
    // The run echoes its creator's memo with the answer; a run of an older release does not, so ask for it.
    const creator = startedWith ?? (await this.client.workflow.getHandle(start.workflowId).describe()).memo;
    // The answer comes only after the run claimed its key, so the claim is read only when an earlier run's was
    // found (the key was accepted with that run's request); otherwise the run's own starter accepted it.
    const claim = result.replayedFromRun ? await this.claimOf(start.workflowId) : undefined;
    this.refuseReusedKey(claim ? claim.fingerprint : creator?.fingerprint, start.fingerprint);
    const created = creator?.startedBy === start.startedBy && !result.replayedFromRun;
    return { paymentId: start.paymentId, workflowId: start.workflowId, created, result };
  }

  /** What every start sends: the validated request, its token and fingerprint, and the start operation. */
  private async prepareStart(
    request: StartPaymentRequest,
    how: Pick<PaymentInput, 'claimWithCharge'> = {},
  ): Promise<PreparedStart> {
    const req = parse(this.startSchema, request);
    const paymentId = paymentIdFromKey(req.idempotencyKey);
    const workflowId = paymentWorkflowId(paymentId);
    const { idempotencyKey, ...sent } = req;
    // From what the caller sent (a number is in it only as this keyed hash), never from the token it becomes: a
    // retry with the same card is the same request, though each exchange could have answered another pm_ id.
    const fingerprint = requestFingerprint(this.options.fingerprintSecret, sent);
    const [paymentMethod, gateways] = await Promise.all([
      this.tokenFor(sent.paymentMethod, paymentId, 'start'),
      this.failoverRoutes(sent.paymentMethod, paymentId),
    ]);
    const params = { ...sent, paymentMethod, ...(gateways ? { gateways } : {}) };
    const { taskQueue, inputVersion = PAYMENT_INPUT_VERSION } = this.options;
    return preparedStart({
      paymentId,
      workflowId,
      idempotencyKey,
      fingerprint,
      params,
      taskQueue,
      inputVersion,
      policy: this.policy,
      how,
    });
  }

  /** After a start was accepted (or met a run of the key): whether this request created it, once the key is claimed. */
  private async acceptedStart(start: PreparedStart, answerBy?: number): Promise<StartedPayment> {
    const { paymentId, workflowId, fingerprint, startedBy } = start;
    const handle = this.client.workflow.getHandle(workflowId);
    const existing = await handle.describe();
    const open = existing.status.name === 'RUNNING' ? { paymentId, answerBy } : undefined;
    const claim = await this.settledClaim(handle, open);
    // The fingerprint the key was first accepted with: the claim's when the run claims (a run answering for an
    // earlier one was started by a request whose body may differ), else the memo of the run's starter.
    this.refuseReusedKey(claim ? claim.fingerprint : existing.memo?.fingerprint, fingerprint);
    const created = existing.memo?.startedBy === startedBy && claim?.state !== 'earlier';
    return { paymentId, workflowId, created };
  }

  /**
   * Refuses a start whose key the key's run took with another body: the run this start met, or will meet (an open
   * run of the id takes every start of it), whether or not the start has reached it yet; no run yet refuses nothing.
   * The memo of the run's starter settles it when it is this body; else the run's claim does (a run answering for an
   * earlier one was started by another request), read only until the wait's deadline: a claim not known by then is
   * left to the answer's own check.
   */
  private async refuseReusedKeyOfOpenRun(start: PreparedStart, deadline: number, answered: AbortSignal): Promise<void> {
    const handle = this.client.workflow.getHandle(start.workflowId);
    const { memo, status } = await handle.describe();
    if (memo?.fingerprint === start.fingerprint) return;
    const open =
      status.name === 'RUNNING' ? { paymentId: start.paymentId, answerBy: deadline, signal: answered } : undefined;
    const claim = await this.settledClaim(handle, open);
    this.refuseReusedKey(claim ? claim.fingerprint : memo?.fingerprint, start.fingerprint);
  }

  private refuseReusedKey(accepted: unknown, fingerprint: string): void {
    if (accepted !== fingerprint) {
      throw new IdempotencyKeyReusedError('this idempotency key was already used with different parameters');
    }
  }

  /** The run's claim of its key, once settled (one query; pay() asks only after the run answered). */
  private async claimOf(workflowId: string): Promise<SettledClaim | undefined> {
    return this.settledClaim(this.client.workflow.getHandle(workflowId), undefined);
  }

  /** The run's claim of its key once settled (client/key-claim.ts), within this client's keyClaimWaitMs. */
  private settledClaim(handle: WorkflowHandle, open: OpenRun | undefined): Promise<SettledClaim | undefined> {
    return settledClaim(handle, open, this.options.keyClaimWaitMs ?? KEY_CLAIM_WAIT_MS);
  }

  /** The payment's state; for a payment whose refunds have their own workflow, merged with its refunds. */
  async getPayment(paymentId: string): Promise<PaymentState> {
    const state = await this.paymentRunState(paymentId);
    if (!state.refundsWorkflowId) return state;
    return mergeRefunds(state, await refundsView(this.client, state.refundsWorkflowId));
  }

  /** The payment run's own state (for version 4, without its refunds). */
  private paymentRunState(paymentId: string): Promise<PaymentState> {
    return this.withPayment(paymentId, (h) => serially(h.workflowId, () => h.query(getPaymentStateQuery)));
  }

  /**
   * Waits for the payment's answer (succeeded, failed or cancelled). A succeeded payment's workflow stays open
   * for refunds, so this waits on the workflow's outcome Update rather than on the run closing; every caller
   * shares one Update id, so waiting never grows the payment's history. A closed run answers with its result.
   */
  async result(paymentId: string): Promise<PaymentResult> {
    try {
      const { startedWith: _receipt, ...result } = await this.withPayment(paymentId, (h) =>
        h.executeUpdate(paymentOutcomeUpdate, { updateId: PAYMENT_OUTCOME_UPDATE_ID }),
      );
      return result;
    } catch (err) {
      if (!isPaymentNotFound(err)) throw err;
      // Updates cannot reach a closed run; its result is the answer (and a truly unknown id still says not found).
      return this.withPayment(paymentId, (h) => closedRunResult(h));
    }
  }

  /**
   * Refunds part (or, without an amount, the rest) of a succeeded payment. `requestKey` is the caller's
   * idempotency key for this refund: repeating a request with the same key returns the same refund.
   */
  async refund(paymentId: string, request: RefundRequest): Promise<RefundRecord> {
    return (await this.requestRefund(paymentId, request)).refund;
  }

  /**
   * `refund`, telling whether this request made the refund. Exactly one request per key does: the one whose
   * Update the workflow accepts (its validator refuses a key it already holds). A repeat answers with that
   * refund once settled, or IdempotencyKeyReusedError when its amount or reason differ.
   */
  async requestRefund(paymentId: string, request: RefundRequest): Promise<RefundAnswer> {
    const req = parse(RefundRequestSchema, request);
    const payment = await this.paymentRunState(paymentId);
    // Version 4: the refunds run's validator refuses a key it holds, so no read of the refunds comes first.
    const earlier = payment.refundsWorkflowId ? undefined : findRefund(payment, req.requestKey);
    const made = earlier ? undefined : await this.sendRefund(payment, req);
    if (made) return { refund: made, created: true };
    return { refund: await this.replayRefund(paymentId, req), created: false };
  }

  /** The refund this request made, or undefined when the workflow refused it because the key is taken. */
  private async sendRefund(payment: PaymentState, req: RefundRequest): Promise<RefundRecord | undefined> {
    // An Update id of its own per request: under a shared id Temporal answers every caller with the first
    // Update's result, so none could tell whether it made the refund, nor notice that its body differed.
    const updateId = `refund:${req.requestKey}:${randomUUID()}`;
    const { paymentId } = payment;
    if (payment.refundsWorkflowId) {
      // Nothing was captured: refused here, as the payment run would, without starting a refunds run for nothing.
      const refusal = notCapturedRefusal(payment);
      if (refusal) throw new PaymentStateError(refusal);
      return this.sendToRefunds(paymentId, payment.refundsWorkflowId, req, updateId);
    }
    return this.update(paymentId, 'refund', async (h) => {
      try {
        return await h.executeUpdate(refundPaymentUpdate, { args: [req], updateId });
      } catch (err) {
        if (isRejection(err) && findRefund(await this.paymentRunState(paymentId), req.requestKey)) return undefined;
        throw err;
      }
    });
  }

  /** Version 4 on: the payment's refunds workflow serialises its refunds (the payment run has closed). */
  private async sendToRefunds(
    paymentId: string,
    workflowId: string,
    req: RefundRequest,
    updateId: string,
  ): Promise<RefundRecord | undefined> {
    const { gatewayCallTimeoutMs, unknownOutcome, refundRetry, refundWindowMs } = this.policy;
    const policy = {
      gatewayCallTimeoutMs,
      unknownOutcome,
      refundRetry,
      refundWindowMs,
      idleMs: this.options.refundsIdleMs ?? DEFAULT_REFUNDS_IDLE_MS,
    };
    const target = { workflowId, paymentId, taskQueue: this.options.taskQueue, policy };
    try {
      return await sendToRefundsWorkflow(this.client, target, req, updateId);
    } catch (err) {
      if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      if (isRejection(err) && findRefund(await this.getPayment(paymentId), req.requestKey)) return undefined;
      throw new PaymentStateError(err.cause?.message ?? err.message);
    }
  }

  /** Answers a repeated key as its first request was answered, once that refund has settled. */
  private async replayRefund(paymentId: string, req: RefundRequest): Promise<RefundRecord> {
    const earlier = findRefund(await this.getPayment(paymentId), req.requestKey);
    if (!earlier) throw new Error(`refund ${req.requestKey} vanished from payment ${paymentId}`);
    if ((req.amount ?? earlier.amount) !== earlier.amount || req.reason !== earlier.reason) {
      throw new IdempotencyKeyReusedError('this refund key was already used with a different amount or reason');
    }
    const settled = await this.settledRefund(paymentId, earlier);
    // The same refusal the first request got from the workflow.
    if (settled.status === 'failed') throw new PaymentStateError(`refund not made: ${settled.failure}`);
    if (settled.status === 'unknown') throw new PaymentStateError(`refund outcome unknown: ${settled.failure}`);
    return settled;
  }

  /** Polls the query (which adds nothing to history) while the refund is pending; past the bound, as it is. */
  private async settledRefund(paymentId: string, record: RefundRecord): Promise<RefundRecord> {
    const deadline = Date.now() + REFUND_REPLAY_WAIT_MS;
    let current = record;
    while (current.status === 'pending' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, REFUND_REPLAY_POLL_MS));
      current = findRefund(await this.getPayment(paymentId), record.requestKey) ?? current;
    }
    return current;
  }

  /**
   * Signals a 3DS result as is (the gateway's webhook: it can only deliver, and the workflow ignores what it
   * does not await). The API uses submit3DS instead.
   */
  async complete3DS(paymentId: string, result: ThreeDSResult): Promise<void> {
    const body = parse(ThreeDSResultSchema, result);
    await this.withPayment(paymentId, (h) => h.signal(threeDSCompletedSignal, body));
  }

  /**
   * Signals a 3DS result only if the payment would take it, else PaymentStateError: a result it would ignore
   * still adds an event to a run that can stay open for the whole refund window, and the caller deserves to
   * know it was not used. A finished payment is refused too (not "not found": it exists).
   */
  async submit3DS(paymentId: string, result: ThreeDSResult): Promise<void> {
    const body = parse(ThreeDSResultSchema, result);
    const refusal = threeDSRefusal(await this.getPayment(paymentId), body);
    if (refusal) throw new PaymentStateError(refusal);
    try {
      await this.complete3DS(paymentId, body);
    } catch (err) {
      // The run closed between the read and the signal.
      if (isPaymentNotFound(err)) throw new PaymentStateError('payment finished; no 3DS result awaited');
      throw err;
    }
  }

  /** The new card of a payment awaiting one; a raw number or tok_ is exchanged for a pm_ token first. */
  async replaceCard(paymentId: string, paymentMethod: PaymentMethodInput): Promise<{ cardVersion: number }> {
    const id = parse(PaymentIdSchema, paymentId);
    const pm = await this.tokenFor(parse(PaymentMethodSchema, paymentMethod), id, 'card');
    return this.update(id, 'replace the card of', (h) =>
      h.executeUpdate(replaceCardUpdate, { args: [{ paymentMethod: pm }] }),
    );
  }

  /**
   * A card update nobody waits for (the gateway's card updater, a customer portal): the `cardUpdated` signal. The
   * payment takes it as `replaceCard` would, or records it as ignored with the reason; either way this only
   * delivers. A closed payment is PaymentNotFoundError, as for any signal.
   */
  async sendCardUpdate(paymentId: string, update: CardUpdateRequest, card?: CardSummary): Promise<void> {
    const id = parse(PaymentIdSchema, paymentId);
    const { paymentMethod, source, reference } = parse(CardUpdateSchema, update);
    const exchanged = await this.tokenFor(paymentMethod, id, 'card');
    // The card updater's event names the card's new brand, last four and expiry: the payment shows those.
    const pm = card && !exchanged.card ? { ...exchanged, card } : exchanged;
    const signal: CardUpdate = { paymentMethod: pm, source, ...(reference ? { reference } : {}) };
    await this.withPayment(id, (h) => h.signal(cardUpdatedSignal, signal));
  }

  /**
   * The payment's failover order (version 5 on): the first gateway charges the input's token; each later one gets
   * its own token of the same card, exchanged there now. One that cannot exchange it is left out of this payment.
   */
  private async failoverRoutes(method: PaymentMethod, paymentId: string): Promise<GatewayRoute[] | undefined> {
    const [first, ...others] = this.options.gateways ?? [];
    if (!first || (this.options.inputVersion ?? PAYMENT_INPUT_VERSION) < FAILOVER_VERSION) return undefined;
    const secret = this.options.fingerprintSecret;
    // A pm_ token is the first gateway's own: no other gateway can charge it.
    const exchangeable = !(method.type === 'token' && 'id' in method);
    const later = await Promise.all(
      others.map(async ({ name, paymentMethods: vault }): Promise<GatewayRoute | undefined> => {
        if (!exchangeable || !vault) return undefined;
        try {
          const token = await toPaymentMethodToken(method, { vault, secret, paymentId, purpose: 'start' });
          return { gateway: name, paymentMethod: token };
        } catch {
          return undefined; // this payment cannot fail over to it; the first gateway still takes it
        }
      }),
    );
    return [{ gateway: first.name }, ...later.filter((r): r is GatewayRoute => r !== undefined)];
  }

  /** The token the workflow gets for what the caller sent (payment-methods.ts): the number stays at the gateway. */
  private tokenFor(method: PaymentMethod, paymentId: string, purpose: ExchangePurpose): Promise<PaymentMethodToken> {
    const { paymentMethods: vault, fingerprintSecret: secret } = this.options;
    return toPaymentMethodToken(method, { vault, secret, paymentId, purpose });
  }

  async cancel(paymentId: string, reason?: string): Promise<{ status: PaymentStatus }> {
    return this.update(paymentId, 'cancel', (h) => h.executeUpdate(cancelPaymentUpdate, { args: [{ reason }] }));
  }

  async retryDeadLetter(paymentId: string, reason?: string): Promise<{ status: PaymentStatus }> {
    return this.update(paymentId, 'retry', (h) => h.executeUpdate(retryPaymentUpdate, { args: [{ reason }] }));
  }

  /** An operator's "charge it now" for a queued payment (degradation ladder level 4); refused in any other status. */
  async retryQueuedNow(paymentId: string, reason?: string): Promise<{ status: PaymentStatus }> {
    return this.update(paymentId, 'retry now', (h) => h.executeUpdate(retryNowUpdate, { args: [{ reason }] }));
  }

  /** Payments whose PaymentStatus search attribute has this value (visibility is eventually consistent). */
  async listPayments(filter: {
    status: PaymentStatus;
    limit?: number;
  }): Promise<Array<{ paymentId: string; status: string; startTime: Date }>> {
    const status = parse(PaymentStatusSchema, filter.status);
    const query = { workflowType: paymentWorkflow.name, attribute: PaymentStatusKey.name, status, limit: filter.limit };
    const found = await listByStatus(this.client, query);
    const runs = found.map((wf) => ({
      paymentId: paymentIdFromWorkflowId(wf.workflowId),
      status,
      startTime: wf.startTime,
    }));
    const listed = [
      ...(await withRefundStatuses(this.client, runs)),
      ...(await listRefundedThroughWorkflow(this.client, status, filter.limit ?? 100)),
    ];
    return listed.slice(0, filter.limit ?? 100);
  }

  /**
   * Every payment a person must look at, in one list: dead-lettered, outcome unknown, or terminated after the
   * gateway charged (NeedsAttention). Visibility is eventually consistent: seconds behind.
   */
  async listNeedingAttention(
    filter: { limit?: number } = {},
  ): Promise<Array<{ paymentId: string; status: string; startTime: Date }>> {
    const found = await listWhere(
      this.client,
      `WorkflowType = '${paymentWorkflow.name}' AND ${NEEDS_ATTENTION_QUERY}`,
      filter,
    );
    // A terminated payment refunded through its refunds workflow needs nobody any more.
    return withRefundStatuses(
      this.client,
      found.map((wf) => ({
        paymentId: paymentIdFromWorkflowId(wf.workflowId),
        status: wf.searchAttributes.get(PaymentStatusKey) ?? 'unknown',
        startTime: wf.startTime,
      })),
    );
  }

  /**
   * How many of this task queue's payments need a person, by reason: the numbers behind the API's
   * `payments_needing_attention` gauge. Counted by visibility (eventually consistent, seconds behind).
   */
  async countNeedingAttention(): Promise<Record<AttentionReason, number>> {
    const scope = `WorkflowType = '${paymentWorkflow.name}' AND TaskQueue = '${this.options.taskQueue}'`;
    const count = async (where: string) => (await this.client.workflow.count(`${scope} AND ${where}`)).count;
    const [deadLettered, unknown, terminatedCharged] = await Promise.all(
      ATTENTION_REASONS.map((reason) => count(ATTENTION_QUERIES[reason])),
    );
    return { dead_lettered: deadLettered, unknown, terminated_charged: terminatedCharged };
  }

  private async withPayment<T>(paymentId: string, fn: (h: WorkflowHandle) => Promise<T>): Promise<T> {
    const id = parse(PaymentIdSchema, paymentId);
    return withWorkflow(
      this.client,
      paymentWorkflowId(id),
      () => new PaymentNotFoundError(`payment ${id} not found`),
      fn,
    );
  }

  private async update<T>(paymentId: string, action: string, fn: (h: WorkflowHandle) => Promise<T>): Promise<T> {
    try {
      return await this.withPayment(paymentId, fn);
    } catch (err) {
      // A validator's rejection: the payment is in a state that does not accept this request.
      if (err instanceof WorkflowUpdateFailedError) throw new PaymentStateError(err.cause?.message ?? err.message);
      // Updates cannot reach a closed workflow; say why in payment terms rather than "not found".
      if (isPaymentNotFound(err)) throw await this.closedPaymentError(paymentId, action, err);
      throw err;
    }
  }

  private async closedPaymentError(paymentId: string, action: string, notFound: Error): Promise<Error> {
    const state = await this.getPayment(paymentId).catch(() => undefined);
    if (!state) return notFound;
    if (state.status === 'succeeded' && action === 'cancel') {
      return new PaymentStateError('cannot cancel payment: already succeeded; refund it instead');
    }
    if (action === 'refund' && state.status === 'refunded') {
      return new PaymentStateError('cannot refund payment: it is already fully refunded');
    }
    if (action === 'refund' && state.refundableUntil) {
      return new PaymentStateError(`cannot refund payment: the refund window closed at ${state.refundableUntil}`);
    }
    // A closed run (every settled payment of input version 4) answers in the words its validators use when open.
    if (action === 'replace the card of') {
      return new PaymentStateError(`payment is ${state.status}, not awaiting a payment method; it is finished`);
    }
    if (action === 'retry')
      return new PaymentStateError(`payment is ${state.status}, not dead_lettered; it is finished`);
    return new PaymentStateError(`cannot ${action} payment: it is ${state.status} and finished`);
  }
}

/** Why a payment that captured nothing cannot be refunded, in the words the payment run uses; or undefined. */
function notCapturedRefusal(state: PaymentState): string | undefined {
  if (state.capturedAt) return undefined;
  if (TERMINAL_STATUSES.includes(state.status)) return `cannot refund payment: it is ${state.status} and finished`;
  return `payment is ${state.status}; only a succeeded payment can be refunded`;
}

function findRefund(state: PaymentState, requestKey: string): RefundRecord | undefined {
  return state.refunds?.find((r) => r.requestKey === requestKey);
}

/** An Update its validator refused (nothing ran, nothing is in history), as opposed to a handler that failed. */
function isRejection(err: unknown): boolean {
  return (
    err instanceof WorkflowUpdateFailedError &&
    err.cause instanceof ApplicationFailure &&
    err.cause.type === ErrorType.InvalidInput
  );
}

/**
 * Why the workflow would ignore this 3DS result (see onThreeDS in workflows/payment.ts), or undefined: it takes
 * a result while awaiting 3DS for the charge it names (or names none), and an early one naming a charge while
 * a charge is in flight (the webhook can beat the charge's response).
 */
function threeDSRefusal(state: PaymentState, result: ThreeDSResult): string | undefined {
  if (state.status === 'processing' && result.chargeId !== undefined) return undefined;
  if (state.status !== 'requires_action') return `payment is ${state.status}, not awaiting a 3DS result`;
  if (result.chargeId !== undefined && result.chargeId !== state.chargeId) {
    return 'payment awaits a 3DS result for another charge';
  }
  return undefined;
}

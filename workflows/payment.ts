/**
 * The payment workflow: one per payment, id derived from the caller's idempotency key. It charges exactly
 * once, lets Temporal retry what is transient, retries soft declines on its own jittered schedule, waits for
 * 3DS and card replacement, and parks what it cannot finish in `dead_lettered` for an operator.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  CancelOutcome,
  ChargeCardInput,
  ChargeOutcome,
  ChargeWithTrailResult,
  LookupResult,
  SucceededRowTemplate,
  PaymentActivities,
  RecordStatusesInput,
  RecordStatusResult,
} from '../activities';
import { maskCardNumbers } from '../shared/card-number';
import { classifyDecline } from '../shared/declines';
import { paymentDetails } from '../shared/payment-summary';
import { paymentResultOf } from '../shared/payment-result';
import { initialPaymentState } from '../shared/payment-state';
import { answerFacts, gatewayLabel } from './metrics';
import { gatewayChargeKey } from '../shared/idempotency';
import { CustomerMessage } from '../shared/outcome-messages';
import { gracefulFailureMessage, probeDelayMs, trustFromFlag } from '../shared/degradation';
import { LEGACY_POLICY_DEFAULTS, resolvePolicy } from '../shared/payment-policy';
import { TERMINAL_STATUSES, type PaymentStatus } from '../shared/payment-status';
import {
  isPaymentMethodToken,
  CLOSE_ON_SETTLE_VERSION,
  FAILOVER_VERSION,
  LEAN_HISTORY_VERSION,
  type GatewayRoute,
  OPERATOR_CANCEL_VERSION,
  type PaymentInput,
  type AnswerFacts,
  type AttemptFacts,
  type AttemptRecord,
  type CardUpdate,
  type DegradationPolicy,
  type EarlierClaim,
  type IgnoredCardUpdate,
  type KeyClaimInput,
  type KeyClaimState,
  PaymentMethod,
  type PaymentPolicy,
  type PaymentResult,
  type PaymentState,
  type StatusChange,
} from '../shared/payment-types';
import { paymentMethodProblem } from '../shared/payment-validation';
import { AUDIT_RETRY_POLICY, fullJitterDelay, gatewayRetryPolicy } from '../shared/retry-policies';
import { PaymentGatewayKey, PaymentStatusKey } from '../shared/search-attributes';
import { refundsWorkflowId } from '../shared/ids';
import { readFailedCharge, type FailedCharge } from './charge-outcome';
import { chargesUnderKeys, type ChargesFound } from './charge-lookups';
import { cancelRefusal, CANCELLABLE, compact, validateInput } from './payment-rules';
import { reject } from './refuse';
import { StatusRecorder } from './status-recorder';
import {
  cancelPaymentUpdate,
  cardUpdatedSignal,
  getPaymentStateQuery,
  keyClaimQuery,
  paymentOutcomeUpdate,
  refundPaymentUpdate,
  replaceCardUpdate,
  retryNowUpdate,
  retryPaymentUpdate,
  threeDSCompletedSignal,
  type StartReceipt,
  type ThreeDSResult,
} from './payment-messages';
import { RefundDesk, restatesStatus } from './payment-refunds';
import { chargedWhenTerminated, replayedState } from './payment-replay';
import { ResetRun } from './payment-reset';
import { CLOSE_AS_OUTCOME_PATCH, closeAsOutcome } from './payment-close';

/**
 * Legacy runs only. Runs started before refunds existed completed at `succeeded`; replaying them must not open
 * a refund window. Evaluated after an awaited local activity, where a read arriving during that activity could
 * put the marker in a workflow task of its own that replay did not look into (issue 12): current runs never ask.
 */
const REFUND_WINDOW_PATCH = 'refund-window';

/**
 * A run whose input has no version but that starts on this code (started by hand, e.g. `temporal workflow
 * start`) records here that it runs the current shape: audit writes as activities and a refund window after
 * capture. Asked once, before the first await, so its marker is always in the first workflow task, where
 * replay finds it. Inputs of version 2 say so themselves and record no marker.
 */
const CURRENT_SHAPE_PATCH = 'current-shape-v2';

/** How many "still in flight" answers the janitor accepts per check it may spend, before it calls it unknown. */
const IN_FLIGHT_CHECKS_PER_CHECK = 5;

/**
 * An unversioned run started by hand on this code records here that it treats a Temporal cancellation as an
 * operator's cancel (input version 3 says so itself). Asked in the constructor, so its marker is in the first task.
 */
const OPERATOR_CANCEL_PATCH = 'operator-cancel';

/**
 * Runs started on this code let the charge activity count its own attempts (Temporal retries it without a limit):
 * retries refused by the circuit breaker or the retry budget send nothing and must not use up the payment's
 * attempts. Asked in the constructor, so the marker is in the first task; older runs keep Temporal's count.
 */
const OWN_CHARGE_RETRIES_PATCH = 'charge-counts-own-attempts';

/**
 * Runs started on this code write their first two rows, `initiated` with the key claim and the first charge's
 * `processing`, in one audit activity and one transaction instead of one activity (and one workflow task) each
 * (issue 19). Asked in begin(), in the run's first workflow task; runs recorded before replay their two writes.
 */
const FIRST_ROWS_TOGETHER_PATCH = 'first-rows-together';

const ANSWERED_FROM_EARLIER = 'payment was answered from its earlier run and takes no requests';

/** Ignored card updates kept in the payment's state: enough to explain a few, bounded for a long refund window. */
const MAX_IGNORED_UPDATES = 20;
const REFUNDS_ELSEWHERE = 'refunds of this payment are made by its refunds workflow, not by the payment run';

export async function paymentWorkflow(input: PaymentInput): Promise<PaymentResult> {
  return new PaymentProcess(input).run();
}

/** One audit row as the workflow builds it; the activity adds the payment id (and a claim). */
type StatusRow = RecordStatusesInput['rows'][number];

/** What one trip to the gateway ended in, as far as the state machine cares. */
type Attempt = { kind: 'charged'; outcome: ChargeOutcome } | FailedCharge;

/** Why the ladder trusts a customer with a queued payment (written to the audit trail), or that it does not. */
type Trust = { trusted: boolean; by: 'flag' | 'prior_payments' | 'none'; priorPayments?: number };

class PaymentProcess {
  private readonly policy: PaymentPolicy;
  private readonly gateway: PaymentActivities;
  /** Gateway calls that must get an answer (the last look, a cancel at the gateway): retried until it comes. */
  private readonly patientGateway: PaymentActivities;
  /** The charge itself: in runs that let it count its own attempts, retried by Temporal without a limit. */
  private readonly chargeGateway: PaymentActivities;
  private readonly ownChargeRetries: boolean;
  private readonly audit: PaymentActivities;
  private readonly state: PaymentState;
  private paymentMethod: PaymentMethod;
  private declinesOnCard = 0; // definite declines on the current card: each retry needs a fresh gateway key
  private softDeclines = 0; // soft/processing declines counted against the retry budget
  private recorded: PaymentStatus = 'initiated'; // the last status whose audit row is written
  private checkFirst = false; // after an unknown outcome, the next charge asks the gateway before sending
  private cancelRequest?: string;
  private threeDS?: ThreeDSResult;
  private newCard?: PaymentMethod;
  private operatorRetry = false;
  private readonly usedKeys: string[] = []; // every charge key sent to the gateway, in order
  private unknownSeen = false; // an outcome was unknown once: the gateway is asked again before failing
  private stepUps = 0; // charges sent again with 3DS requested after authentication_required
  private requestThreeDS = false; // the next charge asks for 3DS (the step-up)
  private readonly refunds: RefundDesk;
  private readonly statuses: StatusRecorder<PaymentStatus>;
  /** Set in a run an operator's Reset started: it checks before it charges, and its first row names the reset. */
  private readonly resets: ResetRun;
  /**
   * Legacy runs (no input version, no current-shape marker) replay as release 0.1 wrote them: audit writes as
   * local activities, a late refund-window patch, event keys without the run id, defaults from the frozen table.
   */
  private readonly legacy: boolean;
  /** Runs whose input carries a fingerprint claim their idempotency key with the first audit write. */
  private keyClaim?: KeyClaimState;
  /**
   * Input version 3 on: a Temporal cancellation (UI, `temporal workflow cancel`) is an operator's cancel request,
   * honoured at the next safe point like the API's; nothing in flight is abandoned. Older runs keep the SDK default.
   */
  private readonly cancelAware: boolean;
  /**
   * Input version 4 on: the run closes once the payment is settled; its refunds go to the refunds workflow.
   * Older runs stay open for the refund window and take refunds themselves, exactly as they always did.
   */
  private readonly closesOnSettle: boolean;
  /** A version 4 run started on this code closes Failed or Canceled when the payment did not succeed. */
  private readonly closesAsOutcome: boolean;
  /** Input version 6 on: no patch markers (the version decides what they did), one upsert per status change. */
  private readonly leanHistory: boolean;
  /** Set by a capture in a version 6 run: `PaymentGateway` goes in the `succeeded` status's upsert. */
  private gatewayAttribute?: string;
  /** This run answers for a terminated run that charged, and holds its refund window. */
  private refundsAfterTermination = false;
  /**
   * The first charge's `processing` row was written with `initiated` (FIRST_ROWS_TOGETHER_PATCH): that charge is
   * sent next whatever arrives meanwhile, as one whose own row was written is, so the row is never left untrue.
   */
  private firstChargeRecorded = false;
  /** The first charge's answer, when it went in one activity with the first rows (chargeWithTrail). */
  private firstAttempt?: Attempt;
  /** The `succeeded` row that activity wrote when the charge captured: the run does not write it again. */
  private succeededWritten?: { eventKey: string; at: string };
  /** Charge attempts since the last row written: the next row carries them to their metrics (uncounted()). */
  private attemptsToCount: AttemptFacts[] = [];
  /** The payment's answer went to its metrics with a row: a later `succeeded` row (a refund's) is not a success. */
  private answerCounted = false;
  /** Set when Temporal delivered a cancellation request to this run (whatever the payment's state then). */
  private temporalCancel = false;
  /** The pending cancel is the Temporal one (not the API's): its reason and requester are read from history. */
  private cancelViaTemporal = false;
  /** Input version 5 on: the result, the succeeded row and `PaymentGateway` name the gateway that charged. */
  private readonly namesGateway: boolean;
  /**
   * Version 5's failover order, fixed at start (empty: the worker's default gateway, no failover). `route` is the
   * one being charged at; it only moves on when that gateway is known not to have charged (`failOver`).
   */
  private readonly routes: readonly GatewayRoute[];
  private route = 0;
  /** The gateway each key was sent to: lookups of a key go where it went. */
  private readonly keyGateways = new Map<string, string | undefined>();
  /** Keys whose outcome is unknown until a lookup answers: while any is, the payment never fails over. */
  private readonly unresolvedKeys = new Set<string>();
  /** The gateway that charged, as the activity named it (the metric label and result of version 5 runs). */
  private chargedAt?: string;
  /** Set by a failover: the next `processing` row says from where and why. */
  private failedOver?: { from?: string; reason: string };
  /**
   * The degradation ladder (levels 4-6) this run carries in its policy; undefined for runs started before it (or
   * with it switched off), which dead-letter a payment no gateway could take, exactly as they always did.
   */
  private readonly ladder?: DegradationPolicy;
  /** Looks at the gateway while queued: one try each; a failed look only means "not yet". */
  private readonly probeGateway: PaymentActivities;
  /** Decided once, the first time no gateway could take the payment; its activity result is in history. */
  private trust?: Trust;
  /** Set when the payment is first queued: being queued again (a later outage) does not extend the window. */
  private queueDeadline?: number;
  private retryNowRequested = false;

  constructor(private readonly input: PaymentInput) {
    validateInput(input);
    const versioned = input.version !== undefined; // validateInput refused versions this code does not know
    this.legacy = !versioned && !patched(CURRENT_SHAPE_PATCH);
    this.cancelAware =
      (input.version ?? 0) >= OPERATOR_CANCEL_VERSION || (!versioned && !this.legacy && patched(OPERATOR_CANCEL_PATCH));
    this.closesOnSettle = (input.version ?? 0) >= CLOSE_ON_SETTLE_VERSION;
    this.leanHistory = (input.version ?? 0) >= LEAN_HISTORY_VERSION;
    this.closesAsOutcome = this.closesOnSettle && (this.leanHistory || patched(CLOSE_AS_OUTCOME_PATCH));
    this.namesGateway = (input.version ?? 0) >= FAILOVER_VERSION;
    this.routes = this.namesGateway ? (input.gateways ?? []) : [];
    // Never today's code defaults: a versioned input is complete, an older one merges over the frozen 0.1 table.
    this.policy = versioned ? (input.policy as PaymentPolicy) : resolvePolicy(input.policy, LEGACY_POLICY_DEFAULTS);
    this.paymentMethod = input.paymentMethod;
    if (this.claimRequest()) this.keyClaim = { state: 'pending' };
    this.gateway = proxyActivities<PaymentActivities>({
      startToCloseTimeout: this.policy.gatewayCallTimeoutMs,
      retry: gatewayRetryPolicy(this.policy),
    });
    this.patientGateway = proxyActivities<PaymentActivities>({
      startToCloseTimeout: this.policy.gatewayCallTimeoutMs,
      retry: { ...gatewayRetryPolicy(this.policy), maximumAttempts: Number.POSITIVE_INFINITY },
    });
    this.ownChargeRetries = !this.legacy && (this.leanHistory || patched(OWN_CHARGE_RETRIES_PATCH));
    this.chargeGateway = this.ownChargeRetries ? this.patientGateway : this.gateway;
    this.ladder = this.legacy ? undefined : (this.policy.degradation ?? undefined);
    this.probeGateway = proxyActivities<PaymentActivities>({
      startToCloseTimeout: this.policy.gatewayCallTimeoutMs,
      retry: { maximumAttempts: 1 },
    });
    // An activity, not a local one: a local activity holds the workflow task open, and reads, updates and signals
    // arriving meanwhile were grouped differently on replay (issue 12's non-determinism). Legacy runs replay theirs.
    const auditOptions = { startToCloseTimeout: '30s', retry: AUDIT_RETRY_POLICY } as const;
    this.audit = this.legacy
      ? proxyLocalActivities<PaymentActivities>(auditOptions)
      : proxyActivities<PaymentActivities>(auditOptions);
    this.resets = new ResetRun(this.audit, input.paymentId, !this.legacy);
    this.statuses = new StatusRecorder({
      searchAttribute: PaymentStatusKey,
      legacy: this.legacy,
    });
    this.state = {
      ...initialPaymentState(input.paymentId, input.amount, input.currency),
      customerId: input.customerId,
      description: input.description,
      order: input.order,
      // What the query shows (queries are not in history): the token only, never an older input's number.
      ...(isPaymentMethodToken(input.paymentMethod) ? { paymentMethod: input.paymentMethod } : {}),
      ...(this.closesOnSettle ? { refundsWorkflowId: refundsWorkflowId(input.paymentId) } : {}),
      ...(this.routes.length ? { gateway: this.routes[0].gateway } : {}),
    };
    this.refunds = new RefundDesk({
      state: this.state,
      policy: this.policy,
      legacy: this.legacy,
      transition: async (status, metadata) =>
        void (await this.transition(status, metadata, {
          restated: restatesStatus(this.state.status, status, metadata),
        })),
    });
    this.registerHandlers();
  }

  /** The messages this workflow takes: queries, the caller's outcome, operator and customer requests. */
  private registerHandlers(): void {
    setHandler(getPaymentStateQuery, () => this.state);
    setHandler(keyClaimQuery, () => this.keyClaim);
    setHandler(paymentOutcomeUpdate, () =>
      this.shielded(async () => {
        // A run answering for an earlier one has its answer at once, whatever status that run had reached.
        await condition(() => this.keyClaim?.state === 'earlier' || TERMINAL_STATUSES.includes(this.answeredStatus()));
        return { ...this.result(), ...startReceipt() };
      }),
    );
    setHandler(refundPaymentUpdate, (req) => this.shielded(() => this.refunds.refund(req)), {
      validator: (req) => {
        if (this.closesOnSettle) reject(REFUNDS_ELSEWHERE);
        const problem = this.refunds.problem(req);
        if (problem) reject(problem);
      },
    });
    setHandler(threeDSCompletedSignal, (r) => this.onThreeDS(r));
    setHandler(replaceCardUpdate, ({ paymentMethod }) => this.onNewCard(paymentMethod), {
      validator: ({ paymentMethod }) => {
        const refusal = this.newCardRefusal(paymentMethod);
        if (refusal) reject(refusal);
      },
    });
    // The same rules as replaceCard's validator, but a signal cannot be refused: one that cannot apply now is
    // recorded with its reason (the payment's state shows it) and changes nothing. Never throws.
    setHandler(cardUpdatedSignal, (update) => this.onCardUpdate(update));
    setHandler(
      cancelPaymentUpdate,
      async ({ reason }) => {
        // Operator text (UI, CLI, API): a pasted card or ticket number is masked before it is stored or shown.
        this.cancelRequest = reason ? maskCardNumbers(reason) : 'cancelled_by_request';
        await this.shielded(() => this.cancelSettled());
        if (this.keyClaim?.state === 'earlier') reject(ANSWERED_FROM_EARLIER); // fails this Update only
        return { status: this.state.status };
      },
      {
        validator: (_args) => {
          this.refuseIfAnsweringForEarlier();
          if (this.cancelRequest) reject('cancellation already requested');
          if (!CANCELLABLE.includes(this.state.status)) reject(cancelRefusal(this.state.status));
        },
      },
    );
    setHandler(
      retryNowUpdate,
      () => {
        this.retryNowRequested = true;
        return { status: 'processing' as PaymentStatus };
      },
      {
        validator: (_args) => {
          this.refuseIfAnsweringForEarlier();
          if (this.state.status !== 'queued') reject(`payment is ${this.state.status}, not queued`);
        },
      },
    );
    setHandler(
      retryPaymentUpdate,
      () => {
        this.operatorRetry = true;
        return { status: 'processing' as PaymentStatus };
      },
      {
        validator: (_args) => {
          this.refuseIfAnsweringForEarlier();
          if (this.state.status !== 'dead_lettered') reject(`payment is ${this.state.status}, not dead_lettered`);
        },
      },
    );
  }

  /** The API's cancel waits for the end: a current run may end otherwise (the last look finds a late charge). */
  private async cancelSettled(): Promise<void> {
    await condition(
      () =>
        this.keyClaim?.state === 'earlier' ||
        (this.legacy ? this.state.status === 'cancelled' : TERMINAL_STATUSES.includes(this.answeredStatus())),
    );
  }

  /**
   * Handlers run in the root cancellation scope: in a cancel-aware run, an operator's cancellation must not fail a
   * waiting caller's Update or cut a refund short, so their waits and activities cannot be cancelled.
   */
  private shielded<T>(fn: () => Promise<T>): Promise<T> {
    return this.cancelAware ? CancellationScope.nonCancellable(fn) : fn();
  }

  async run(): Promise<PaymentResult> {
    if (!this.cancelAware) return this.runToEnd();
    // The run itself cannot be cancelled: the request becomes an operator's cancel, honoured where it is safe.
    void CancellationScope.current().cancelRequested.catch(() => this.onTemporalCancel());
    return CancellationScope.nonCancellable(() => this.runToEnd());
  }

  /**
   * UI "Request Cancellation" or `temporal workflow cancel`. Before capture it is a cancel request like the API's,
   * taken at the next safe point (a charge in flight is settled first, one awaiting 3DS is cancelled at the
   * gateway). After capture there is nothing to cancel: the charge stands and the payment stays refundable.
   */
  private onTemporalCancel(): void {
    this.temporalCancel = true;
    const { paymentId } = this.input;
    if (this.keyClaim?.state === 'earlier' || TERMINAL_STATUSES.includes(this.state.status)) {
      log.warn('cancellation requested after the payment settled: nothing to cancel (refund it instead)', {
        paymentId,
        status: this.state.status,
      });
      return;
    }
    if (this.cancelRequest) return; // the API's cancel came first; it stands
    this.cancelRequest = 'cancelled_by_operator';
    this.cancelViaTemporal = true;
    log.warn('operator cancellation requested through Temporal', { paymentId, status: this.state.status });
  }

  private async runToEnd(): Promise<PaymentResult> {
    if ((await this.begin()) === 'earlier') {
      if (this.refundsAfterTermination) await this.refundWindow();
      await condition(allHandlersFinished);
      return this.close();
    }
    await this.settle();
    // Version 4 closes here. The marker is asked only of a succeeded legacy run, exactly where it always was.
    const refundsHere = () => !this.closesOnSettle && (!this.legacy || patched(REFUND_WINDOW_PATCH));
    if (this.state.status === 'succeeded' && refundsHere()) await this.refundWindow();
    // Let waiting Updates (outcome, cancel, refunds) answer before the run closes.
    await condition(allHandlersFinished);
    return this.close();
  }

  private close(): PaymentResult {
    return this.closesAsOutcome ? closeAsOutcome(this.result(), this.temporalCancel) : this.result();
  }

  /**
   * The 'initiated' row, and for a run that claims its key the claim, in one activity (one transaction): before
   * anything reaches the gateway, so a run that finds its key claimed by an earlier run has charged nothing.
   */
  private async begin(): Promise<'owner' | 'earlier'> {
    const claim = this.claimRequest();
    const written = !claim
      ? await this.transition('initiated', {})
      : this.trailWithCharge()
        ? await this.initiateAndCharge(claim)
        : this.firstRowsTogether()
          ? await this.initiateWithCharge(claim)
          : await this.transition('initiated', {}, { claim });
    if (!claim || !written.earlier) {
      if (claim) this.keyClaim = { state: 'owner', fingerprint: claim.fingerprint };
      return 'owner';
    }
    this.answerFromEarlier(written.earlier);
    return 'earlier';
  }

  /**
   * Whether this run writes `initiated` and the first `processing` together: current runs that claim their key and
   * go straight to charging. Not a reset run (its first row carries the reset note, asked by an activity first) nor
   * one cancelled before it began (it charges nothing, so it has no `processing` row to write).
   */
  private firstRowsTogether(): boolean {
    const fits = !this.legacy && !this.cancelRequest && !this.resets.aware();
    return fits && (this.leanHistory || patched(FIRST_ROWS_TOGETHER_PATCH));
  }

  /**
   * Whether the first rows also go with the charge (initiateAndCharge): version 6 runs whose starter waits for the
   * answer in the same call (PaymentsClient.pay, input `claimWithCharge`), on the conditions of firstRowsTogether.
   * One activity task and two workflow tasks in all for a payment that captures at once (issue 19).
   */
  private trailWithCharge(): boolean {
    return this.leanHistory && this.input.claimWithCharge === true && !this.cancelRequest && !this.resets.aware();
  }

  /**
   * `initiated` with the claim, then the first charge's `processing`, in one activity and one transaction: both rows
   * or neither, and neither when an earlier run owns the key. The charge follows at once (settle), so a crash between
   * the write and the charge leaves a trail that says what comes next, and the retried charge under the same key is
   * what makes it so; a crash before the write leaves no row and nothing sent.
   */
  private async initiateWithCharge(claim: KeyClaimInput): Promise<RecordStatusResult> {
    // The start set PaymentStatus to `initiated` already, and `processing` replaces it in this same task.
    const initiated = this.statusRow('initiated', {}, { upsert: false });
    const processing = this.statusRow('processing', this.processingMeta());
    const written = await this.audit.recordStatuses({
      paymentId: this.input.paymentId,
      rows: [initiated, processing],
      claim,
    });
    if (!written.earlier) {
      this.recorded = 'processing';
      this.firstChargeRecorded = true;
    }
    this.showDetails();
    return written;
  }

  /**
   * The claim with `initiated` and `processing`, the first charge, and `succeeded` if it captured, in one activity
   * (activities/charge-trail.ts). Each attempt of it commits the claim and rows before it sends, so the trail and
   * the claim mean what initiateWithCharge's do; the charge's answer is then handled as any charge's (settle).
   */
  private async initiateAndCharge(claim: KeyClaimInput): Promise<RecordStatusResult> {
    const initiated = this.statusRow('initiated', {}, { upsert: false });
    const processing = this.statusRow('processing', this.processingMeta());
    const gatewayKey = this.noteKey();
    const succeeded = this.succeededTemplate();
    const first = { paymentId: this.input.paymentId, rows: [initiated, processing], claim };
    let answer: ChargeWithTrailResult | undefined;
    let failure: unknown;
    try {
      answer = await this.chargeGateway.chargeWithTrail({
        ...this.chargeInput(gatewayKey),
        trail: { first, succeeded },
      });
    } catch (err) {
      failure = err; // a charge that failed after the rows were written: handled in settle, as chargeOnce would
    }
    if (answer && 'earlier' in answer) {
      this.showDetails();
      return { inserted: false, earlier: answer.earlier };
    }
    this.recorded = 'processing';
    this.firstChargeRecorded = true;
    this.firstAttempt = answer ? this.charged(gatewayKey, answer.outcome) : this.chargeFailed(gatewayKey, failure);
    // Counted with the `succeeded` row the activity wrote (the template carried both); otherwise by the next row.
    if (answer?.succeededAt) {
      this.attemptsToCount = [];
      this.answerCounted = true;
    }
    if (answer?.succeededAt) this.succeededWritten = { eventKey: succeeded.eventKey, at: answer.succeededAt };
    this.showDetails();
    return { inserted: true };
  }

  /** The `succeeded` row as succeed() would write it next, less what only the charge tells (chargeWithTrail). */
  private succeededTemplate(): SucceededRowTemplate {
    const { eventKey } = this.statuses.peek('succeeded');
    const metadata = { ...this.succeededMeta(), ...this.rowNumbers(this.state.attempts.length + 1) };
    return {
      eventKey,
      metadata,
      ...(this.closesOnSettle ? { refundWindowMs: this.policy.refundWindowMs } : {}),
      // Labelled as succeed() would: the answer with the gateway that captured, the attempt with the one tried.
      ...answerFacts('succeeded', this.metricGateway()),
      ...(this.namesGateway ? { answerGatewayFromCharge: true } : {}),
      attempts: [{ outcome: 'succeeded', gateway: gatewayLabel(this.metricGateway()) }],
    };
  }

  /**
   * The earlier run is gone from Temporal (retention, or deleted) but its key and trail are in the audit
   * database: answer with that payment, charge nothing, write nothing. With another fingerprint the key was
   * reused; the client refuses this run's caller, and a later repeat of the first body still gets the payment.
   */
  private answerFromEarlier(earlier: EarlierClaim): void {
    Object.assign(this.state, replayedState(this.state, earlier.trail, earlier.runId));
    // The sweeper started this run after an operator terminated one that had charged: refunds are taken here.
    if (chargedWhenTerminated(earlier.trail.at(-1)) && this.state.capturedAt) {
      this.refunds.open(new Date(this.state.capturedAt));
      // Version 4: the window is stated (GET), but the refunds workflow takes them and this run closes now.
      this.refundsAfterTermination = !this.closesOnSettle;
    }
    this.recorded = this.state.status;
    this.keyClaim = { state: 'earlier', fingerprint: earlier.fingerprint, runId: earlier.runId };
    upsertSearchAttributes([{ key: PaymentStatusKey, value: this.state.status }]);
    this.showDetails();
    const reused = earlier.fingerprint !== this.input.fingerprint;
    log.warn(reused ? 'idempotency key reused with another request' : 'answering from the earlier run', {
      paymentId: this.input.paymentId,
      earlierRunId: earlier.runId,
      status: this.state.status,
    });
  }

  /** Charges until the payment has its answer: succeeded, failed or cancelled. */
  private async settle(): Promise<void> {
    for (;;) {
      if (this.cancelRequest && !this.firstChargeRecorded) {
        await this.finish('cancelled', CustomerMessage.cancelled, this.cancelRequest);
        return;
      }
      const attempt = await this.chargeOnce();
      if ((await this.handle(attempt)) === 'done') return;
    }
  }

  /** The payment stays open after capture so that its refunds are serialised here, until the window closes. */
  private async refundWindow(): Promise<void> {
    await condition(() => this.refunds.fullyRefunded(), this.refunds.msUntilWindowCloses());
    this.refunds.close();
    await condition(() => !this.refunds.inFlight());
  }

  // ---- one charge and what follows it -------------------------------------------------------------

  private async chargeOnce(): Promise<Attempt> {
    const gatewayKey = this.noteKey();
    // The first charge's row may have been written with `initiated` already (initiateWithCharge), and the charge
    // itself made with it (initiateAndCharge).
    if (this.firstChargeRecorded) this.firstChargeRecorded = false;
    else await this.transition('processing', this.processingMeta());
    const made = this.firstAttempt;
    this.firstAttempt = undefined;
    if (made) return made;
    try {
      return this.charged(gatewayKey, await this.chargeGateway.chargeCard(this.chargeInput(gatewayKey)));
    } catch (err) {
      return this.chargeFailed(gatewayKey, err);
    }
  }

  /** The key the next charge goes under, noted with the gateway it goes to (lookups of a key go where it went). */
  private noteKey(): string {
    const gatewayKey = this.gatewayKey();
    if (!this.usedKeys.includes(gatewayKey)) this.usedKeys.push(gatewayKey);
    this.keyGateways.set(gatewayKey, this.currentGateway());
    return gatewayKey;
  }

  private chargeInput(gatewayKey: string): ChargeCardInput {
    return {
      ...(this.ownChargeRetries ? { ownRetries: this.policy.gatewayRetry } : {}),
      paymentId: this.input.paymentId,
      gatewayKey,
      amount: this.input.amount,
      currency: this.input.currency,
      paymentMethod: this.currentPaymentMethod(),
      checkFirst: this.checkFirst || this.resets.aware(),
      maxAttempts: this.policy.gatewayRetry.maximumAttempts,
      initiator: this.initiator(),
      ...(this.requestThreeDS ? { requestThreeDS: true } : {}),
      ...this.atGateway(),
      // Only the charge activity knows whether the key ever left: told a gateway waits, it says so at once.
      ...(this.canFailOver() ? { failover: true } : {}),
    };
  }

  private charged(gatewayKey: string, outcome: ChargeOutcome): Attempt {
    this.unresolvedKeys.delete(gatewayKey);
    this.recordAttempt(gatewayKey, outcome.status);
    return { kind: 'charged', outcome };
  }

  /** A charge's failure as the state machine takes it; anything that is not a charge's failure fails the run. */
  private chargeFailed(gatewayKey: string, err: unknown): Attempt {
    const failed = readFailedCharge(err);
    if (!failed) throw err;
    if (failed.kind === 'not_sent') return failed; // nothing reached the gateway: no attempt to record
    if (failed.kind === 'unknown') this.unresolvedKeys.add(gatewayKey);
    else this.unresolvedKeys.delete(gatewayKey);
    const declineClass = failed.kind === 'declined' ? failed.decline.declineClass : undefined;
    this.recordAttempt(
      gatewayKey,
      failed.kind === 'declined' ? 'declined' : failed.kind === 'unknown' ? 'unknown' : 'error',
      failed.errorCode,
      declineClass,
    );
    return failed;
  }

  /** Returns 'done' when the payment reached a final status, 'again' to charge once more. */
  private async handle(attempt: Attempt): Promise<'done' | 'again'> {
    switch (attempt.kind) {
      case 'charged':
        return attempt.outcome.status === 'succeeded'
          ? this.succeed(attempt.outcome)
          : this.awaitThreeDS(attempt.outcome.chargeId);
      case 'declined':
        return this.onDecline(attempt);
      case 'unknown':
        return this.resolveUnknown(attempt.errorCode);
      case 'rejected':
        return this.finish('failed', CustomerMessage.failed, attempt.errorCode);
      case 'not_sent':
        // Nothing ever reached this gateway under the key, and no key of the payment is unresolved: the next gateway.
        if (this.canFailOver()) return this.failOver(attempt.errorCode);
        // Refused here (breaker open, budget empty) for longer than the worker waits, and nothing ever sent under
        // the key: not charged, so no janitor; the ladder's end decides (before it: an operator may retry it).
        this.state.customerMessage = CustomerMessage.unavailable;
        return this.notCharged({ errorCode: attempt.errorCode, requestSent: false });
    }
  }

  private async succeed(outcome: ChargeOutcome): Promise<'done'> {
    this.state.chargeId = outcome.chargeId;
    this.chargedAtGateway(outcome.gateway);
    // Version 5: operators find a gateway's payments (`PaymentGateway = 'secondary'`); older runs replay without it.
    if (this.leanHistory) this.gatewayAttribute = outcome.gateway;
    else if (this.namesGateway) upsertSearchAttributes([{ key: PaymentGatewayKey, value: outcome.gateway }]);
    // Open before the status write: a caller told "succeeded" may ask for a refund at once. A row written with
    // the charge states the window from its own capture time: the run's state says the same.
    this.refunds.open(this.succeededWritten ? new Date(this.succeededWritten.at) : new Date());
    return this.finish('succeeded', CustomerMessage.succeeded, undefined, {
      chargeId: outcome.chargeId,
      gateway: outcome.gateway,
      ...this.succeededMeta(),
      // Version 4: the refunds workflow reads the window from this row (this run will be closed by then).
      ...(this.closesOnSettle ? { refundableUntil: this.state.refundableUntil } : {}),
      // An operator's cancel that came while the charge was in flight: it captured, so the charge stands. (A row
      // written with the charge (chargeWithTrail) was written before the run saw the cancel; the log says it.)
      ...(this.temporalCancel ? { operatorCancel: 'refused_after_capture' } : {}),
    });
  }

  /** What a `succeeded` row says beyond the charge itself. */
  private succeededMeta(): Record<string, unknown> {
    return {
      // The refunds workflow and the sweeper send this charge's refunds to the gateway a routed row names.
      ...(this.routes.length ? { routed: true } : {}),
      // Counted by the degradation ladder's trust rule (earlier succeeded payments of the customer).
      ...(this.legacy ? {} : { customerId: this.input.customerId }),
    };
  }

  private async onDecline(d: Extract<FailedCharge, { kind: 'declined' }>): Promise<'done' | 'again'> {
    this.declinesOnCard += 1;
    const meta = { errorCode: d.errorCode, declineClass: d.decline.declineClass, chargeId: d.chargeId };
    log.warn('charge declined', { paymentId: this.input.paymentId, ...meta, internalReason: d.decline.internalReason });
    this.state.customerMessage = d.decline.customerMessage;
    // Another card would be how a second charge happens: settle from what the gateway holds instead.
    if (!this.legacy && d.decline.code === 'duplicate_transaction') return this.settleDuplicate(meta);
    switch (d.decline.declineClass) {
      case 'fraud':
        return this.finish('failed', d.decline.customerMessage, 'declined', meta);
      case 'hard':
        return this.awaitNewCard(meta);
      case 'authentication':
        return this.legacy ? this.awaitThreeDS(undefined) : this.stepUp(meta);
      default:
        return this.scheduleSoftRetry(meta);
    }
  }

  /**
   * authentication_required on a charge: the next attempt, under a fresh key, asks the issuer to challenge the
   * cardholder, which answers `requires_action` for that new charge (the webhook naming it completes it). Within
   * the policy's budget; an issuer that still asks after that gets no further attempt.
   */
  private async stepUp(meta: Record<string, unknown>): Promise<'done' | 'again'> {
    if (this.stepUps >= this.policy.authenticationStepUps) {
      return this.finish('cancelled', CustomerMessage.authenticationFailed, 'authentication_required', meta);
    }
    this.stepUps += 1;
    this.requestThreeDS = true;
    this.state.customerMessage = CustomerMessage.requiresAction;
    return 'again';
  }

  private async scheduleSoftRetry(meta: Record<string, unknown>): Promise<'done' | 'again'> {
    const { maxAttempts, baseDelayMs, maxDelayMs } = this.policy.softRetry;
    this.softDeclines += 1;
    if (this.softDeclines >= maxAttempts) return this.deadLetter('retry_budget_exhausted', meta);
    const delayMs = fullJitterDelay(this.softDeclines, baseDelayMs, maxDelayMs, Math.random);
    await this.transition('pending_retry', {
      ...meta,
      retryInMs: delayMs,
      softDeclines: this.softDeclines,
      maxAttempts,
    });
    log.info(`soft decline ${this.softDeclines}/${maxAttempts}; retrying in ${delayMs} ms`, meta);
    await condition(() => this.cancelRequest !== undefined, delayMs);
    return 'again';
  }

  // ---- waiting for the customer ---------------------------------------------------------------------

  private async awaitThreeDS(chargeId: string | undefined): Promise<'done' | 'again'> {
    this.state.chargeId = chargeId;
    // Keep a result that raced ahead of the charge response (it names this charge); drop anything else.
    if (!chargeId || this.threeDS?.chargeId !== chargeId) this.threeDS = undefined;
    await this.transition('requires_action', { chargeId });
    this.state.customerMessage = CustomerMessage.requiresAction;
    const arrived = await condition(
      () => this.threeDS !== undefined || this.cancelRequest !== undefined,
      this.policy.threeDSTimeoutMs,
    );
    if (this.cancelRequest) return this.endThreeDS(chargeId, CustomerMessage.cancelled, this.cancelRequest);
    if (!arrived) return this.endThreeDS(chargeId, CustomerMessage.authenticationFailed, 'authentication_timeout');
    const threeDS = this.threeDS as ThreeDSResult | undefined;
    if (threeDS?.result !== 'succeeded') {
      return this.endThreeDS(
        chargeId,
        CustomerMessage.authenticationFailed,
        threeDS?.reason ?? 'authentication_failed',
      );
    }
    if (!chargeId) return 'again'; // authentication was asked for by a decline: charge again under a new key
    return this.confirmAfterThreeDS(chargeId);
  }

  /**
   * The 3DS wait ended without authentication (cancel, timeout, failure): the charge that awaits it is cancelled
   * at the gateway first, so a late authentication can never capture money on a cancelled payment. Should the
   * gateway say it settled meanwhile, the payment is what the gateway says.
   */
  private async endThreeDS(chargeId: string | undefined, message: string, reason: string): Promise<'done' | 'again'> {
    if (this.legacy || !chargeId) return this.finish('cancelled', message, reason);
    const cancel = await this.cancelAtGateway(chargeId);
    const settled = cancel?.status === 'settled' && cancel.charge.found ? cancel.charge : undefined;
    if (settled?.status === 'succeeded') {
      return this.succeed({ status: 'succeeded', chargeId: settled.chargeId, gateway: settled.gateway });
    }
    return this.finish('cancelled', message, reason, { chargeId, gatewayCharge: cancel?.status ?? 'cancel_failed' });
  }

  /** Undefined when the gateway refused for good (e.g. 401): logged for an operator, the payment still ends. */
  private async cancelAtGateway(chargeId: string, gateway = this.currentGateway()): Promise<CancelOutcome | undefined> {
    const { paymentId } = this.input;
    try {
      const at = gateway ? { gateway } : {};
      return await this.patientGateway.cancelCharge({ paymentId, chargeId, gatewayKey: this.gatewayKey(), ...at });
    } catch (err) {
      log.error('could not cancel the charge at the gateway', { paymentId, chargeId, error: String(err) });
      return undefined;
    }
  }

  private async confirmAfterThreeDS(chargeId: string): Promise<'done' | 'again'> {
    const gatewayKey = this.gatewayKey();
    await this.transition('processing', { chargeId, step: 'confirm' });
    try {
      const outcome = await this.gateway.confirmCharge({
        paymentId: this.input.paymentId,
        chargeId,
        gatewayKey,
        ...this.atGateway(),
      });
      this.recordAttempt(`${gatewayKey}:confirm`, outcome.status);
      return this.succeed(outcome);
    } catch (err) {
      const failed = readFailedCharge(err);
      if (!failed) throw err;
      this.recordAttempt(`${gatewayKey}:confirm`, failed.kind === 'declined' ? 'declined' : 'error', failed.errorCode);
      if (failed.kind === 'declined' && failed.decline.declineClass === 'authentication') {
        return this.finish('cancelled', CustomerMessage.authenticationFailed, 'authentication_failed', { chargeId });
      }
      return this.handle(failed);
    }
  }

  private async awaitNewCard(meta: Record<string, unknown>): Promise<'done' | 'again'> {
    this.newCard = undefined;
    this.state.needsDifferentCard = true;
    await this.transition('awaiting_payment_method', meta);
    const arrived = await condition(
      () => this.newCard !== undefined || this.cancelRequest !== undefined,
      this.policy.cardReplacementTimeoutMs,
    );
    if (this.cancelRequest) return this.finish('cancelled', CustomerMessage.cancelled, this.cancelRequest);
    if (!arrived || !this.newCard)
      return this.finish('failed', CustomerMessage.cardReplacementTimeout, 'card_replacement_timeout');
    this.paymentMethod = this.newCard;
    if (isPaymentMethodToken(this.newCard)) this.state.paymentMethod = this.newCard;
    else delete this.state.paymentMethod;
    this.state.cardVersion += 1; // new card, new key version: v2, v3 ...
    // A replacement card is tokenised at the first gateway only (the client's exchange): it is charged there.
    if (this.route > 0) {
      this.route = 0;
      this.state.gateway = this.currentGateway();
    }
    this.state.needsDifferentCard = false;
    this.declinesOnCard = 0;
    this.softDeclines = 0;
    return 'again';
  }

  // ---- unknown outcomes and dead letters ------------------------------------------------------------

  /** Kill Bill's janitor: ask the gateway on a schedule what became of our key before giving up. */
  private async resolveUnknown(errorCode: string): Promise<'done' | 'again'> {
    const gatewayKey = this.gatewayKey();
    const { checkIntervalMs, maxChecks } = this.policy.unknownOutcome;
    this.unknownSeen = true;
    await this.transition('unknown', { errorCode, gatewayKey });
    this.state.customerMessage = CustomerMessage.unavailable;
    // A request still in flight is not an answer: it does not use up a check (within a bound).
    let inFlight = 0;
    for (let check = 1; check <= maxChecks; check++) {
      const found = await this.lookup(gatewayKey);
      if (found === 'no_record' || (found && found !== 'in_flight')) this.unresolvedKeys.delete(gatewayKey);
      // The gateway holds nothing under the key and nothing is in flight: known not charged, so the next gateway.
      if (found === 'no_record' && this.canFailOver()) return this.failOver('no_record_after_unknown');
      if (found === 'no_record') return this.notCharged({ errorCode, checks: check });
      if (found === 'in_flight' && inFlight < IN_FLIGHT_CHECKS_PER_CHECK * maxChecks) {
        inFlight += 1;
        check -= 1;
      } else if (found && found !== 'in_flight') return this.handle(found);
      if (check < maxChecks) await sleep(checkIntervalMs);
    }
    return this.deadLetter('outcome_unknown', { errorCode, checks: maxChecks, inFlightAnswers: inFlight });
  }

  /**
   * The gateway's record for a key as an Attempt; 'no_record' when it holds none and nothing is in flight;
   * 'in_flight' while a request under the key is still being processed; undefined when it did not answer.
   */
  private async lookup(gatewayKey: string): Promise<Attempt | 'no_record' | 'in_flight' | undefined> {
    try {
      const at = this.keyGateways.get(gatewayKey);
      const r = await this.gateway.lookupCharge({
        paymentId: this.input.paymentId,
        gatewayKey,
        initiator: this.initiator(),
        ...(at ? { gateway: at } : {}),
      });
      if (!r.found) return r.inFlight ? 'in_flight' : 'no_record';
      return lookupAnswer(r);
    } catch (err) {
      log.warn('status check failed; will check again', { paymentId: this.input.paymentId, error: String(err) });
      return undefined;
    }
  }

  // ---- the degradation ladder's end (seed 002, levels 4-6) -------------------------------------------

  /**
   * No gateway could take the payment and nothing was charged under any of its keys (refused unsent, or looked up
   * and not there with nothing in flight). The one place the ladder's end is decided, whatever led here (one
   * gateway or several tried): a trusted customer's payment is queued, anyone else's fails gracefully. Runs
   * without a ladder in their policy dead-letter it for an operator, as before.
   */
  private async notCharged(meta: Record<string, unknown>): Promise<'done' | 'again'> {
    if (!this.ladder) return this.deadLetter('gateway_unavailable_not_charged', meta);
    const trust = await this.trusted(this.ladder);
    const why = { ...meta, trust: trust.by, priorPayments: trust.priorPayments };
    if (trust.trusted) return this.queueForLater(this.ladder, why);
    return this.failGracefully(this.ladder, 'gateway_unavailable_not_charged', why);
  }

  /** The ladder's trust rule: the request's flag, else enough earlier succeeded payments in the audit trail. */
  private async trusted(ladder: DegradationPolicy): Promise<Trust> {
    if (this.trust) return this.trust;
    const { customerId, trustedCustomer, paymentId } = this.input;
    if (!ladder.queueTrusted) return (this.trust = { trusted: false, by: 'none' });
    if (trustFromFlag(ladder, trustedCustomer)) return (this.trust = { trusted: true, by: 'flag' });
    if (ladder.trustAfterPayments === 0 || !customerId) return (this.trust = { trusted: false, by: 'none' });
    const priorPayments = await this.audit.countSucceededPayments({ customerId, excludePaymentId: paymentId });
    const enough = priorPayments >= ladder.trustAfterPayments;
    return (this.trust = { trusted: enough, by: enough ? 'prior_payments' : 'none', priorPayments });
  }

  /**
   * Level 4: the order stands, the payment waits in `queued`. It looks at the gateway on a durable timer, each
   * look a read of its own key through the worker's circuit breaker: refused at once while the breaker is open,
   * the breaker's trial call when it is due, a check-before-send when closed. When the gateway answers "no
   * charge", it charges again under the same key (checking first); an operator's retryNow skips the wait. The
   * customer's cancel and the window (maxQueueMs, counted from the first time it was queued) still apply.
   */
  private async queueForLater(ladder: DegradationPolicy, meta: Record<string, unknown>): Promise<'done' | 'again'> {
    this.queueDeadline ??= Date.now() + ladder.maxQueueMs;
    this.retryNowRequested = false;
    this.state.queuedUntil = new Date(this.queueDeadline).toISOString();
    this.state.customerMessage = CustomerMessage.delayed;
    await this.transition('queued', {
      ...meta,
      reason: 'gateway_unavailable',
      queuedUntil: this.state.queuedUntil,
      customerMessage: CustomerMessage.delayed,
    });
    for (let look = 1; ; look++) {
      const left = this.queueDeadline - Date.now();
      if (left <= 0) return this.failGracefully(ladder, 'queue_window_expired', { looks: look - 1 });
      const waitMs = Math.min(left, probeDelayMs(ladder, look, Math.random));
      await condition(() => this.retryNowRequested || this.cancelRequest !== undefined, waitMs);
      if (this.cancelRequest) return this.finish('cancelled', CustomerMessage.cancelled, this.cancelRequest);
      if (this.retryNowRequested) break; // the operator's: charge now (the charge itself checks first)
      if (Date.now() >= this.queueDeadline) continue; // the window closed during this wait
      const seen = await this.probe();
      if (seen === 'down') continue;
      if (seen !== 'no_charge') return this.handle(seen); // a charge under the key after all: it is the payment
      break;
    }
    delete this.state.queuedUntil;
    this.checkFirst = true;
    return 'again';
  }

  /** One look at the gateway for a queued payment: 'down' when it did not answer or a request is in flight. */
  private async probe(): Promise<Attempt | 'no_charge' | 'down'> {
    try {
      // The gateway the payment is at now (version 5 routes: the last one it failed over to), under its key there.
      const r = await this.probeGateway.lookupCharge({
        paymentId: this.input.paymentId,
        gatewayKey: this.gatewayKey(),
        initiator: this.initiator(),
        ...this.atGateway(),
      });
      if (!r.found) return r.inFlight ? 'down' : 'no_charge';
      return lookupAnswer(r);
    } catch (err) {
      if (err instanceof ActivityFailure) return 'down'; // breaker open, 5xx, timeout: look again later
      throw err;
    }
  }

  /**
   * Levels 5 and 6: the seed's message with the configured alternatives; the `failed` row (with the message and
   * alternatives in it) is what the merchant's backend hears as payment.failed, to keep the cart and offer an email.
   */
  private async failGracefully(
    ladder: DegradationPolicy,
    reason: string,
    meta: Record<string, unknown>,
  ): Promise<'done'> {
    delete this.state.queuedUntil;
    const alternatives = ladder.alternativePaymentMethods;
    const message = gracefulFailureMessage(alternatives);
    this.state.alternativePaymentMethods = [...alternatives];
    return this.finish('failed', message, reason, {
      ...meta,
      customerMessage: message,
      alternativePaymentMethods: alternatives.join(', '),
    });
  }

  private async deadLetter(reason: string, meta: Record<string, unknown>): Promise<'done' | 'again'> {
    this.operatorRetry = false;
    this.state.reason = reason;
    await this.transition('dead_lettered', { ...meta, reason });
    const decided = await condition(
      () => this.operatorRetry || this.cancelRequest !== undefined,
      this.policy.deadLetterWindowMs,
    );
    if (this.cancelRequest) return this.finish('cancelled', CustomerMessage.cancelled, this.cancelRequest);
    if (!decided) return this.finish('failed', CustomerMessage.failed, 'dead_letter_window_expired');
    // A fresh budget. The key only moves on if a decline forced it (a declined key replays its decline);
    // after an unknown outcome it stays, and the next charge asks the gateway before sending anything.
    this.checkFirst = true;
    this.softDeclines = 0;
    return 'again';
  }

  // ---- bookkeeping ----------------------------------------------------------------------------------

  /** Release 0.1 runs classify as they did (no initiator); current ones default to the customer. */
  private initiator(): 'customer' | 'merchant' | undefined {
    return this.legacy ? undefined : (this.input.initiator ?? 'customer');
  }

  /** Only current-shape runs of this release's inputs claim: legacy and older histories replay unchanged. */
  private claimRequest(): KeyClaimInput | undefined {
    const { fingerprint, idempotencyKey } = this.input;
    if (this.legacy || typeof fingerprint !== 'string') return undefined;
    // The original run id survives a reset, so a reset run is the same claimant and goes on charging.
    return { idempotencyKey, fingerprint, runId: workflowInfo().originalExecutionRunId };
  }

  /**
   * A run answering for an earlier one takes no requests. While the claim is pending they are accepted as before
   * (a cancel may arrive with the first task); the cancel handler then fails if the key turns out to be taken.
   */
  /** Why a new card cannot be taken now (replaceCard's validator and the cardUpdated signal), or undefined. */
  private newCardRefusal(paymentMethod: unknown): string | undefined {
    if (this.keyClaim?.state === 'earlier') return ANSWERED_FROM_EARLIER;
    if (this.state.status !== 'awaiting_payment_method')
      return `payment is ${this.state.status}, not awaiting a payment method`;
    // A second card while the first is being applied would silently replace it: one at a time.
    if (this.newCard) return 'a card replacement is already being applied';
    return paymentMethodProblem(paymentMethod);
  }

  private onCardUpdate(update: CardUpdate): void {
    const pm = update?.paymentMethod as PaymentMethod | undefined;
    // Only tokens arrive by signal (the client exchanges anything else first): a number is refused unlooked-at.
    const refusal =
      pm && pm.type === 'token' && 'id' in pm ? this.newCardRefusal(pm) : 'a card update must carry a pm_ token';
    const { paymentId } = this.input;
    if (!refusal && pm) {
      log.info('card update applied', { paymentId, source: update.source, reference: update.reference });
      this.onNewCard(pm);
      return;
    }
    const ignored: IgnoredCardUpdate = {
      at: new Date().toISOString(),
      source: update?.source,
      token: pm && 'id' in pm ? String(pm.id) : 'none',
      reason: refusal ?? 'a card update must carry a pm_ token',
      ...(update?.reference ? { reference: update.reference } : {}),
    };
    log.warn('card update ignored', { paymentId, ...ignored });
    this.state.ignoredCardUpdates = [...(this.state.ignoredCardUpdates ?? []), ignored].slice(-MAX_IGNORED_UPDATES);
  }

  private refuseIfAnsweringForEarlier(): void {
    if (this.keyClaim?.state === 'earlier') reject(ANSWERED_FROM_EARLIER);
  }

  private gatewayKey(): string {
    const failover = this.route > 0 ? this.currentGateway() : undefined;
    return gatewayChargeKey(this.input.paymentId, this.state.cardVersion, this.declinesOnCard, failover);
  }

  // ---- failover -------------------------------------------------------------------------------------

  /** The gateway being charged at (a name from the payment's failover order), or undefined: the default. */
  private currentGateway(): string | undefined {
    return this.routes[this.route]?.gateway;
  }

  private atGateway(): { gateway?: string } {
    const gateway = this.currentGateway();
    return gateway ? { gateway } : {};
  }

  private routeMeta(): Record<string, unknown> {
    return this.routes.length ? { gateway: this.currentGateway(), routed: true } : {};
  }

  /** The first gateway charges the input's (or a replacement) card; the others their own token of the same card. */
  private currentPaymentMethod(): PaymentMethod {
    return this.route === 0 ? this.paymentMethod : (this.routes[this.route].paymentMethod ?? this.paymentMethod);
  }

  /**
   * The rule that keeps failover from charging twice: another gateway waits in the order, the card is the one the
   * order's tokens are for, and no key of the payment has an outcome still unknown (an unknown outcome is resolved
   * by lookups first, whatever that takes). Callers add the third condition: this gateway is known not to have
   * charged the current key (nothing sent, a refused connection, or a lookup's "no record" with nothing in flight).
   */
  private canFailOver(): boolean {
    return (
      !this.legacy &&
      this.route + 1 < this.routes.length &&
      this.state.cardVersion === 1 &&
      this.unresolvedKeys.size === 0
    );
  }

  private failOver(reason: string): 'again' {
    const from = this.currentGateway();
    this.route += 1;
    this.state.gateway = this.currentGateway();
    // A key no gateway has seen: nothing to check before sending it.
    this.checkFirst = false;
    this.failedOver = { from, reason };
    log.warn('failing over to the next gateway', {
      paymentId: this.input.paymentId,
      from,
      to: this.state.gateway,
      reason,
    });
    return 'again';
  }

  /** A charge found or made at `gateway`: later calls about it (confirm, cancel) and its refunds go there. */
  private chargedAtGateway(gateway: string): void {
    const index = this.routes.findIndex((r) => r.gateway === gateway);
    if (index >= 0) {
      this.route = index;
      this.state.gateway = gateway;
    }
    this.chargedAt = gateway;
  }

  /** A gateway name to send calls to: the activity's name for a charge, for a payment that routes. */
  private routedName(gateway: string): string | undefined {
    return this.routes.length ? gateway : undefined;
  }

  /** The `gateway` label: the one charged at, else the one being tried; undefined (`default`) when unknown. */
  private metricGateway(): string | undefined {
    if (!this.namesGateway) return undefined;
    return this.chargedAt ?? this.currentGateway();
  }

  private recordAttempt(
    gatewayKey: string,
    outcome: AttemptRecord['outcome'],
    errorCode?: string,
    declineClass?: AttemptRecord['declineClass'],
  ): void {
    const attempt = this.state.attempts.length + 1;
    this.state.attempts.push({ attempt, at: new Date().toISOString(), gatewayKey, outcome, errorCode, declineClass });
    this.attemptsToCount.push({ outcome, errorCode, declineClass, gateway: gatewayLabel(this.metricGateway()) });
    log.info(`charge attempt ${attempt}: ${outcome}`, { paymentId: this.input.paymentId, errorCode, declineClass });
  }

  /**
   * Every status change: search attribute for operators, append-only audit row for finance. `claim` rides on the
   * run's first row; `restated` marks a row that keeps the status (its metrics count no transition).
   */
  private async transition(
    status: PaymentStatus,
    metadata: Record<string, unknown>,
    { claim, restated }: { claim?: KeyClaimInput; restated?: boolean } = {},
  ): Promise<RecordStatusResult> {
    const resetNote = this.resets.note();
    const reset = resetNote ? await resetNote : {};
    const row = this.statusRow(status, { ...metadata, ...reset });
    const written = this.writtenWithCharge(row)
      ? { inserted: true }
      : await this.audit.recordStatus({
          ...row,
          paymentId: this.input.paymentId,
          ...(claim ? { claim } : {}),
          ...(restated ? { restated } : {}),
          ...this.answerOnce(status),
          ...this.uncounted(),
        });
    if (!written.earlier) this.recorded = status;
    this.showDetails();
    return written;
  }

  /** The answer's facts on the first row that answers (a refund's rows may re-enter `succeeded`), none after. */
  private answerOnce(status: PaymentStatus): { answer?: AnswerFacts } {
    if (this.answerCounted) return {};
    const facts = answerFacts(status, this.metricGateway());
    if (facts.answer) this.answerCounted = true;
    return facts;
  }

  /** The attempts the next row carries to their metrics, once: handed over as its write is scheduled. */
  private uncounted(): { attempts?: AttemptFacts[] } {
    const attempts = this.attemptsToCount;
    this.attemptsToCount = [];
    return attempts.length ? { attempts } : {};
  }

  /** Whether `row` is the `succeeded` row the charge's activity wrote already (the same event key). */
  private writtenWithCharge(row: StatusRow): boolean {
    const written = this.succeededWritten?.eventKey === row.eventKey;
    if (written && this.temporalCancel) {
      log.warn('operator cancellation came while the charge was in flight: it captured, so the charge stands', {
        paymentId: this.input.paymentId,
      });
    }
    this.succeededWritten = undefined;
    return written;
  }

  /**
   * Enters `status` (state, search attribute and metric unless `entering` says otherwise, the history the query
   * shows) and returns its audit row, numbered in this run; the caller writes it. Synchronous: the upsert command
   * comes right before the write's activity, as it always has.
   */
  private statusRow(
    status: PaymentStatus,
    metadata: Record<string, unknown>,
    entering?: Parameters<StatusRecorder<PaymentStatus>['enter']>[1],
  ): StatusRow {
    this.state.status = status;
    const gateway = this.gatewayAttribute;
    this.gatewayAttribute = undefined;
    const also = gateway ? [{ key: PaymentGatewayKey, value: gateway }] : [];
    const { seq, eventKey } = this.statuses.enter(status, { ...entering, also });
    const change: StatusChange = { seq, status, at: new Date().toISOString() };
    if (typeof metadata.reason === 'string') change.reason = metadata.reason;
    this.state.history.push(change);
    return { eventKey, status, metadata: { ...compact(metadata), ...this.rowNumbers(this.state.attempts.length) } };
  }

  /** What every row states: the charge attempts made so far, and the payment's amount. */
  private rowNumbers(attempt: number): Record<string, unknown> {
    return { attempt, amount: this.input.amount, currency: this.input.currency };
  }

  /** The `processing` row's own metadata: the key the charge is sent under. */
  /** A charge's `processing` row: its key, the gateway it goes to and, after a failover, where from and why. */
  private processingMeta(): Record<string, unknown> {
    const failedOver = this.failedOver
      ? { failoverFrom: this.failedOver.from, failoverReason: this.failedOver.reason }
      : {};
    this.failedOver = undefined;
    return { gatewayKey: this.gatewayKey(), keyVersion: this.state.cardVersion, ...this.routeMeta(), ...failedOver };
  }

  /** The UI's "current details" of this run: display only, served by a query, so no command and no history. */
  private showDetails(): void {
    setCurrentDetails(paymentDetails(this.state));
  }

  /**
   * The status a caller may be told: only once its audit row exists, so finance never lags what a backend heard.
   * A legacy run answered as soon as the status changed (its local-activity write held the task open anyway).
   */
  private answeredStatus(): PaymentStatus {
    return this.legacy ? this.state.status : this.recorded;
  }

  private async finish(
    status: PaymentStatus,
    message: string,
    reason?: string,
    meta: Record<string, unknown> = {},
  ): Promise<'done'> {
    if (!this.legacy && this.unknownSeen && (status === 'failed' || status === 'cancelled')) {
      const found = await this.lastLook();
      if (found.succeeded) return this.succeed(found.succeeded);
      if (found.awaiting) await this.cancelAtGateway(found.awaiting.chargeId, this.routedName(found.awaiting.gateway));
      meta = { ...meta, lastLook: found.unanswered.length ? { unanswered: found.unanswered } : 'no_charge' };
    }
    if (status === 'cancelled' && this.cancelViaTemporal && reason === this.cancelRequest) {
      ({ reason, meta } = await this.operatorCancelRecord(meta));
    }
    this.state.customerMessage = message;
    this.state.reason = reason;
    await this.transition(status, { ...meta, reason });
    return 'done';
  }

  /** The operator's cancel as the audit trail keeps it: by whom and why, as Temporal recorded the request. */
  private async operatorCancelRecord(
    meta: Record<string, unknown>,
  ): Promise<{ reason: string; meta: Record<string, unknown> }> {
    const { workflowId, runId } = workflowInfo();
    const request = await this.audit.readCancelRequest({ workflowId, runId });
    const reason = request.reason ?? 'cancelled_by_operator';
    this.cancelRequest = reason;
    return { reason, meta: { ...meta, by: 'operator', via: 'temporal', requestedBy: request.identity } };
  }

  /**
   * Before a payment that once had an unknown outcome ends failed or cancelled: every key it used is asked once
   * more, and keys still in flight again on the janitor's schedule, so a late charge is found, not charged silently.
   */
  private async lastLook(): Promise<ChargesFound> {
    const { checkIntervalMs, maxChecks } = this.policy.unknownOutcome;
    const gatewayOf = (key: string) => this.keyGateways.get(key);
    let found = await chargesUnderKeys(this.patientGateway, this.input.paymentId, this.usedKeys, gatewayOf);
    for (let check = 1; check < maxChecks && found.unanswered.length && !found.succeeded; check++) {
      await sleep(checkIntervalMs);
      const again = await chargesUnderKeys(this.patientGateway, this.input.paymentId, found.unanswered, gatewayOf);
      found = { succeeded: again.succeeded, awaiting: found.awaiting ?? again.awaiting, unanswered: again.unanswered };
    }
    return found;
  }

  /**
   * duplicate_transaction: the issuer saw this amount and card just now. The payment's own keys are asked what
   * they hold: a captured charge is this payment's, one awaiting 3DS is awaited; otherwise an operator decides,
   * because the duplicate is some other payment's charge and no retry or other card is safe.
   */
  private async settleDuplicate(meta: Record<string, unknown>): Promise<'done' | 'again'> {
    const gatewayOf = (key: string) => this.keyGateways.get(key);
    const found = await chargesUnderKeys(this.patientGateway, this.input.paymentId, this.usedKeys, gatewayOf);
    if (found.succeeded) return this.succeed(found.succeeded);
    if (found.awaiting) {
      this.chargedAtGateway(found.awaiting.gateway); // its confirm or cancel goes where it is
      return this.awaitThreeDS(found.awaiting.chargeId);
    }
    return this.deadLetter('duplicate_transaction', meta);
  }

  private result(): PaymentResult {
    // Version 5: a succeeded payment's answer names the gateway that charged.
    return paymentResultOf(this.state, this.namesGateway ? this.chargedAt : undefined);
  }

  private onThreeDS(result: ThreeDSResult): void {
    const awaiting = this.state.status === 'requires_action';
    const sameCharge = !result.chargeId || result.chargeId === this.state.chargeId;
    // A webhook can beat the charge response to us: accept a result naming a charge while one is in flight.
    const early = this.state.status === 'processing' && result.chargeId !== undefined;
    const wellFormed = result.result === 'succeeded' || result.result === 'failed';
    if (!wellFormed || !((awaiting && sameCharge) || early)) {
      log.warn('ignoring 3DS result: not awaited', {
        paymentId: this.input.paymentId,
        status: this.state.status,
        chargeId: result.chargeId,
      });
      return;
    }
    this.threeDS = result.reason ? { ...result, reason: maskCardNumbers(result.reason) } : result;
  }

  private onNewCard(paymentMethod: PaymentMethod): { cardVersion: number } {
    this.newCard = paymentMethod;
    return { cardVersion: this.state.cardVersion + 1 };
  }
}

/** A lookup that found a charge under the key, as the Attempt it stands for. */
function lookupAnswer(r: Extract<LookupResult, { found: true }>): Attempt {
  if (r.status === 'succeeded' || r.status === 'requires_action') {
    return { kind: 'charged', outcome: { status: r.status, chargeId: r.chargeId, gateway: r.gateway } };
  }
  // Classified by the activity; a 0.1 history's lookup carries only the code (its one reclassification).
  const decline = r.decline ?? classifyDecline(r.declineCode ?? 'generic_decline');
  return { kind: 'declined', decline, chargeId: r.chargeId, errorCode: decline.code };
}

/** The creating request's memo entries (`PaymentsClient` writes both), or nothing for a run started without them. */
function startReceipt(): { startedWith?: StartReceipt } {
  const { startedBy, fingerprint } = workflowInfo().memo ?? {};
  if (typeof startedBy !== 'string' || typeof fingerprint !== 'string') return {};
  return { startedWith: { startedBy, fingerprint } };
}

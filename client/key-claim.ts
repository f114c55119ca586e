/**
 * A run's claim of its idempotency key, as a start reads it: the key is the caller's only once the run has claimed
 * it in the audit database (its first write), so a start waits for that, bounded, and says "pending" past the bound.
 */
import { QueryNotRegisteredError, type WorkflowExecutionDescription } from '@temporalio/client';
import type { createChargeTrailActivities } from '../activities/charge-trail';
import type { KeyClaimState } from '../shared/payment-types';
import { keyClaimQuery } from '../workflows/payment-messages';
import { PaymentPendingError } from './errors';
import { serially } from './serial-queries';
import type { WorkflowHandle } from './workflow-handle';

/** How long a start waits for its run to claim the key (one audit write) by default, and how often it asks. */
export const KEY_CLAIM_WAIT_MS = 15_000;
const KEY_CLAIM_POLL_MS = 10;
const KEY_CLAIM_POLL_MAX_MS = 100;
/** Kept before a caller's answerBy: the last poll and the closed-run check fit in it. */
const KEY_CLAIM_ANSWER_MARGIN_MS = 750;
/** While a claim is pending, how often its run is described: closed, or claimed in an activity still retrying. */
const KEY_CLAIM_LOOK_MS = 1_000;
/** The activity in which a run started by PaymentsClient.pay claims its key with its charge (type-checked name). */
const CLAIMS_WITH_CHARGE: keyof ReturnType<typeof createChargeTrailActivities> = 'chargeWithTrail';

/** A claim that is known: this run's own, or the earlier run's it answers for. */
export type SettledClaim = Exclude<KeyClaimState, { state: 'pending' }>;

/** The payment of a run that was open when asked, and the time by which its caller must answer. */
export interface OpenRun {
  paymentId: string;
  answerBy?: number;
  /** Aborts when the caller no longer needs the claim: polling stops with the signal's reason, nothing decided. */
  signal?: AbortSignal;
}

/**
 * The run's claim of its key once known (its first audit write), or undefined for a run that does not claim
 * (older inputs, or a worker of an older release). A query, polled: it adds nothing to the run's history.
 * `open` names the payment of a run that was open when asked, which is waited for (until `waitMs`, or just
 * before the caller's `answerBy`); a closed run is not.
 */
export async function settledClaim(
  handle: WorkflowHandle,
  open: OpenRun | undefined,
  waitMs: number,
): Promise<SettledClaim | undefined> {
  const own = Date.now() + waitMs;
  const deadline = Math.min(own, (open?.answerBy ?? Infinity) - KEY_CLAIM_ANSWER_MARGIN_MS);
  let lookedAt = Date.now();
  // Backing off: every query is a workflow task for a worker (a full replay when the run is not cached).
  for (let pollMs = KEY_CLAIM_POLL_MS; ; pollMs = Math.min(pollMs * 2, KEY_CLAIM_POLL_MAX_MS)) {
    const claim = await serially(handle.workflowId, () => handle.query(keyClaimQuery)).catch((err: unknown) => {
      if (err instanceof QueryNotRegisteredError) return undefined;
      throw err;
    });
    // A closed run still pending failed before its first write: it claimed nothing, so its memo answers.
    if (claim?.state !== 'pending') return claim;
    if (open === undefined) return undefined;
    open.signal?.throwIfAborted();
    const now = Date.now();
    if (now > deadline || now - lookedAt >= KEY_CLAIM_LOOK_MS) {
      lookedAt = now;
      const told = await whatTheRunTells(handle, now > deadline);
      if (typeof told === 'object') return told.claim;
      // Decided on the time after the describe, so that it never eats into the caller's margin.
      if (told === 'pending' && Date.now() > deadline) throw new PaymentPendingError(open.paymentId);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * What the run tells of its pending claim, looked at every second and not only at the deadline, so that its caller
 * is not kept waiting for what the run can already say. A run that closed while pending (an operator's terminate)
 * failed before its first write: its memo answers (`claim` undefined), as for a closed run. A failed describe is
 * thrown only at the deadline; before it, it is `unread` and the poll goes on (to a look at the deadline).
 */
async function whatTheRunTells(
  handle: WorkflowHandle,
  atDeadline: boolean,
): Promise<'pending' | 'unread' | { claim: SettledClaim | undefined }> {
  const run = await handle.describe().catch((err: unknown) => {
    if (atDeadline) throw err;
    return undefined;
  });
  if (run === undefined) return 'unread';
  if (run.status.name !== 'RUNNING') return { claim: undefined };
  const claimed = claimedWithCharge(run);
  return claimed ? { claim: claimed } : 'pending';
}

/**
 * The claim of a run that claims with its charge, while that activity is still retrying (a gateway outage): the
 * workflow learns of the claim only when the activity completes, so its query says pending. Every attempt commits
 * the claim before it charges, and only the charge heartbeats (activities/charges.ts, before it sends), so a
 * heartbeat means the claim was committed, as this run's own: when an earlier run owns the key the activity ends
 * at once, without one. The server keeps the last heartbeat across attempts (not across an operator's activity
 * reset with its heartbeats, which leaves the claim pending here, as before). The owner claims with its input's
 * fingerprint, the one its creator's memo holds.
 */
function claimedWithCharge(run: WorkflowExecutionDescription): SettledClaim | undefined {
  const fingerprint: unknown = run.memo?.fingerprint;
  const beat = run.raw.pendingActivities?.some(
    (a) => a.activityType?.name === CLAIMS_WITH_CHARGE && a.lastHeartbeatTime != null,
  );
  return beat && typeof fingerprint === 'string' ? { state: 'owner', fingerprint } : undefined;
}

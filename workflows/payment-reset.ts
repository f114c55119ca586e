/**
 * A run started by an operator's Reset (the UI's "Reset", `temporal workflow reset`). It re-runs the payment from
 * the chosen workflow task under a new run id; the first run is terminated. Such a run, on this code, asks the
 * gateway before every charge it sends (a key the gateway has forgotten would otherwise charge again), and its
 * first audit row says that it is a reset, of which run, and why.
 */
import { patched, workflowInfo } from '@temporalio/workflow';
import type { PaymentActivities } from '../activities';
import type { ResetNote } from '../activities/operator-requests';

/**
 * Recorded by a reset run at its first command after the reset (the events before it were the earlier run's,
 * which never asked). Runs that are not resets never ask, so their histories are unchanged; reset runs recorded
 * before this code replay without the marker, as they ran.
 */
export const RESET_AWARE_PATCH = 'reset-aware';

/**
 * Recorded by a reset run when it would ask for the note a second time: only the run's first row carries it, so
 * the run asks once (concurrent first rows share that answer). Reset runs recorded before asked at every row and
 * replay so.
 */
export const RESET_NOTE_ONCE_PATCH = 'reset-note-once';

export class ResetRun {
  /** The one ask of this run, and whether it has been answered (later rows then carry no note). */
  private asked?: Promise<ResetNote>;
  private answered = false;

  constructor(
    private readonly audit: Pick<PaymentActivities, 'readResetNote'>,
    private readonly paymentId: string,
    private readonly current: boolean,
  ) {}

  /**
   * A reset run (its run id is not the one its start event was written under) that runs this code. Live, only a
   * reset run asks, and so records the marker; on replay the marker alone decides, because a replayer may give the
   * run its original run id (sdk-core's does), and the events a reset run took over from its base run hold none.
   */
  aware(): boolean {
    if (!this.current) return false;
    const { runId, originalExecutionRunId, unsafe } = workflowInfo();
    return (unsafe.isReplaying || runId !== originalExecutionRunId) && patched(RESET_AWARE_PATCH);
  }

  /**
   * In a reset run, the metadata for its next status row (the reset, on the run's first row; empty after). Undefined
   * elsewhere, synchronously: other runs' transitions must not gain an await, or commands issued in the same
   * activation by another handler could be ordered differently than their histories hold.
   */
  note(): Promise<ResetNote> | undefined {
    if (!this.aware()) return undefined;
    if (this.asked && patched(RESET_NOTE_ONCE_PATCH)) return this.answered ? undefined : this.asked;
    const { workflowId, runId } = workflowInfo();
    const asked = this.audit.readResetNote({ workflowId, runId, paymentId: this.paymentId });
    if (!this.asked) {
      this.asked = asked;
      // Registered before the caller's await, so `answered` is set by the time its row is written.
      void asked.then(
        () => (this.answered = true),
        () => (this.asked = undefined), // its caller sees the failure; the next row asks again
      );
    }
    return asked;
  }
}

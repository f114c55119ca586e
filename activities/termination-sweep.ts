/**
 * The sweeper's one activity. A Terminate (or a run timeout) closes a payment run without any workflow code
 * running, so nothing records it: this finds such runs, asks the gateway what every key the payment used holds
 * (cancelling a charge left awaiting 3DS, so a late authentication cannot capture it), appends `terminated` with
 * what it found, and starts a settlement run that answers from the trail (and takes refunds if money moved).
 */
import type { AuditRow, AuditStore, DisputeAuditRow } from '../audit/types';
import type { Logger } from '../logging/logger';
import { CLOSED_DISPUTE_STATUSES } from '../shared/dispute-status';
import type { DisputeInput } from '../shared/dispute-types';
import { disputeIdFromWorkflowId, paymentIdFromWorkflowId } from '../shared/ids';
import { TERMINAL_STATUSES } from '../shared/payment-status';
import { planResume, terminatedDisputeKey, type ResumePlan } from './dispute-resume';
import { createGatewayActivities, type GatewayActivityDeps } from './charges';
import type { ClosedRun, OperatorRequests, RunClosure } from './operator-requests';
import type { RefundsSweepReport } from './refunds-sweep';

export interface SweepDeps extends GatewayActivityDeps {
  audit: AuditStore;
  operators: OperatorRequests;
  logger: Logger;
}

export interface SweepReport {
  examined: number;
  /** Payments whose `terminated` row this sweep wrote. */
  recorded: string[];
  /** Payments the gateway still answers "in flight" for: the next sweep asks again. */
  pending: string[];
  /** Set by sweeps that also look at disputes (the sweep workflow's dispute step). */
  disputes?: DisputeSweepReport;
  /** Set by sweeps that also look at refunds runs (the sweep workflow's refunds step, activities/refunds-sweep.ts). */
  refunds?: RefundsSweepReport;
}

export interface DisputeSweepReport {
  examined: number;
  /** Disputes whose `terminated` row this sweep wrote. */
  recorded: string[];
  /** Disputes whose next run this sweep started (resuming, or parked `terminated` for a person). */
  started: string[];
  /** Of those, the ones that could not be resumed (deadline passed, state unknown): flagged NeedsAttention. */
  needsAttention: string[];
  /** Disputes this sweep could not finish (e.g. the gateway did not answer): the next sweep tries again. */
  pending: string[];
}

/** What the payment's keys hold at the gateway, once every charge awaiting 3DS has been cancelled. */
interface GatewayFindings {
  charged: boolean;
  chargeId?: string;
  cancelledCharges: string[];
  inFlight: boolean;
}

type Outcome = 'recorded' | 'pending' | 'skipped';

export function createSweepActivities(deps: SweepDeps) {
  const gateway = createGatewayActivities(deps);
  // Looked up when used: activities are composed before every dependency is needed (tests build partial ones).
  const log = () => deps.logger.child({ component: 'termination-sweep' });

  async function findings(paymentId: string, keys: string[]): Promise<GatewayFindings> {
    const found: GatewayFindings = { charged: false, cancelledCharges: [], inFlight: false };
    for (const gatewayKey of keys) {
      const charge = await gateway.lookupCharge({ paymentId, gatewayKey });
      if (!charge.found) {
        found.inFlight ||= charge.inFlight === true;
        continue;
      }
      let status = charge.status;
      if (status === 'requires_action') {
        const cancel = await gateway.cancelCharge({ paymentId, chargeId: charge.chargeId, gatewayKey });
        if (cancel.status === 'canceled') found.cancelledCharges.push(cancel.chargeId);
        else status = cancel.charge.found ? cancel.charge.status : status;
      }
      if (status === 'succeeded') Object.assign(found, { charged: true, chargeId: charge.chargeId });
    }
    return found;
  }

  /** Why a closed run needs nothing from the sweeper, or undefined when it does. */
  async function alreadySettled(run: ClosedRun, trail: AuditRow[]): Promise<string | undefined> {
    if (trail.some((r) => r.eventKey === terminatedKey(run))) return 'already recorded';
    const last = trail.at(-1);
    if (last && TERMINAL_STATUSES.includes(last.status)) return `its trail already ends ${last.status}`;
    const latest = await deps.operators.latestRun(run.workflowId);
    if (latest.runId !== run.runId && latest.status === 'RUNNING') return 'a newer run (a reset) carries it on';
    return undefined;
  }

  async function sweepOne(run: ClosedRun): Promise<Outcome> {
    const paymentId = paymentIdFromWorkflowId(run.workflowId);
    const trail = await deps.audit.history(paymentId);
    const settled = await alreadySettled(run, trail);
    if (settled) return 'skipped';
    // Every key the payment sent: each `processing` row names it, and is written before the request goes out.
    const keys = [
      ...new Set(trail.flatMap((r) => (typeof r.metadata.gatewayKey === 'string' ? [r.metadata.gatewayKey] : []))),
    ];
    const found = await findings(paymentId, keys);
    if (found.inFlight && !found.charged) {
      log().warn(
        { paymentId, runId: run.runId },
        'terminated payment still in flight at the gateway; asking next sweep',
      );
      return 'pending';
    }
    const closure = await deps.operators.closure(run.workflowId, run.runId);
    await deps.audit.append({
      paymentId,
      eventKey: terminatedKey(run),
      status: 'terminated',
      metadata: terminatedMetadata(run, closure, found, keys, trail),
    });
    log().warn({ paymentId, runId: run.runId, charged: found.charged }, 'recorded a terminated payment');
    // Only a run that claims its key can answer from the trail; one without a fingerprint would charge again.
    if (typeof closure.input.fingerprint === 'string' && closure.input.version !== undefined) {
      await claimForTerminatedRun(run, closure, closure.input.fingerprint);
      await deps.operators.startSettlement(run.workflowId, closure.input, found.charged);
    }
    return 'recorded';
  }

  /**
   * A run terminated before its first activity never claimed its key; without a claim the settlement run would
   * take the key as new and charge. Claimed here in the terminated run's name (a no-op when it did claim), the
   * settlement run finds the key taken and answers from the trail.
   */
  async function claimForTerminatedRun(run: ClosedRun, closure: RunClosure, fingerprint: string): Promise<void> {
    await deps.audit.claimIdempotencyKey({
      idempotencyKey: closure.input.idempotencyKey,
      paymentId: paymentIdFromWorkflowId(run.workflowId),
      fingerprint,
      runId: closure.originalRunId,
    });
  }

  /** Why a closed dispute run needs nothing from the sweeper, or undefined when it does. */
  async function disputeSettled(run: ClosedRun, trail: DisputeAuditRow[]): Promise<string | undefined> {
    const latest = await deps.operators.latestRun(run.workflowId);
    // A resumed (or reset) run carries the dispute on, whether still running or since finished.
    if (latest.runId !== run.runId) return 'a newer run carries it on';
    const last = trail.at(-1);
    if (last && CLOSED_DISPUTE_STATUSES.includes(last.status)) return `its trail already ends ${last.status}`;
    return undefined;
  }

  async function sweepDispute(run: ClosedRun, report: DisputeSweepReport): Promise<void> {
    const disputeId = disputeIdFromWorkflowId(run.workflowId);
    const trail = await deps.audit.disputeHistory(disputeId);
    if (await disputeSettled(run, trail)) return;
    const closure = await deps.operators.closure<DisputeInput>(run.workflowId, run.runId);
    const key = terminatedDisputeKey(run.runId);
    let row = trail.find((r) => r.eventKey === key);
    if (!row) {
      const gatewayStatus = (await deps.gateway.getDispute(disputeId)).status;
      const plan = planResume({ trail, gatewayStatus, dueByMs: closure.input.dueByMs, nowMs: Date.now() });
      await deps.audit.appendDispute({
        disputeId,
        paymentId: closure.input.paymentId,
        eventKey: key,
        status: 'terminated',
        metadata: disputeTerminatedMetadata(run, closure, plan, gatewayStatus),
      });
      report.recorded.push(disputeId);
      log().warn({ disputeId, runId: run.runId, resume: plan.resume }, 'recorded a terminated dispute');
      row = (await deps.audit.disputeHistory(disputeId)).find((r) => r.eventKey === key);
    }
    // Started even when the row was written by an earlier sweep: that sweep may have stopped before starting it.
    const needsAttention = row?.metadata.needsAttention === true;
    const { resumeAfter: _previous, ...input } = closure.input;
    const started = await deps.operators.startDisputeResume(
      run.workflowId,
      { ...input, resumeAfter: { terminatedRunId: run.runId } },
      needsAttention,
    );
    if (started === 'started') {
      report.started.push(disputeId);
      if (needsAttention) report.needsAttention.push(disputeId);
    }
  }

  return {
    /**
     * The dispute half: dispute runs of this task queue closed Terminated/TimedOut within the look-back get a
     * `terminated` row and a next run that resumes from the trail (or stays `terminated`, flagged for a person).
     */
    async sweepTerminatedDisputes(input: { lookbackMs: number }): Promise<DisputeSweepReport> {
      const runs = await deps.operators.closedRuns(new Date(Date.now() - input.lookbackMs), 'disputeWorkflow');
      const report: DisputeSweepReport = {
        examined: runs.length,
        recorded: [],
        started: [],
        needsAttention: [],
        pending: [],
      };
      for (const run of runs) {
        try {
          await sweepDispute(run, report);
        } catch (err) {
          // One dispute the gateway (or the store) cannot answer for must not hold up the others' deadlines.
          log().error({ workflowId: run.workflowId, runId: run.runId, err }, 'could not sweep a terminated dispute');
          report.pending.push(disputeIdFromWorkflowId(run.workflowId));
        }
      }
      return report;
    },

    /** One sweep over runs closed within the look-back; safe to repeat (each row's key is the run's). */
    async sweepTerminatedPayments(input: { lookbackMs: number }): Promise<SweepReport> {
      const runs = await deps.operators.closedRuns(new Date(Date.now() - input.lookbackMs));
      const report: SweepReport = { examined: runs.length, recorded: [], pending: [] };
      for (const run of runs) {
        const outcome = await sweepOne(run);
        if (outcome !== 'skipped') report[outcome].push(paymentIdFromWorkflowId(run.workflowId));
      }
      return report;
    },
  };
}

function terminatedKey(run: ClosedRun): string {
  return `${run.runId}:terminated`;
}

function terminatedMetadata(
  run: ClosedRun,
  closure: RunClosure,
  found: GatewayFindings,
  keys: string[],
  trail: AuditRow[],
): Record<string, unknown> {
  const timedOut = run.closedAs === 'TIMED_OUT';
  return {
    charged: found.charged,
    ...(found.chargeId ? { chargeId: found.chargeId } : {}),
    ...(found.cancelledCharges.length ? { cancelledCharges: found.cancelledCharges } : {}),
    // A charged payment whose run is gone needs a person: fulfil the order, or refund it.
    needsAttention: found.charged,
    // The window its refunds are taken in runs from this row (a refunds workflow reads it from here).
    ...(found.charged && closure.input.policy?.refundWindowMs
      ? { refundWindowMs: closure.input.policy.refundWindowMs }
      : {}),
    by: timedOut ? 'timeout' : 'operator',
    via: 'temporal',
    reason: closure.reason ?? (timedOut ? 'run_timed_out' : 'terminated_by_operator'),
    ...(closure.identity ? { requestedBy: closure.identity } : {}),
    runId: run.runId,
    lastStatus: trail.at(-1)?.status,
    keys,
    amount: closure.input.amount,
    currency: closure.input.currency,
  };
}

function disputeTerminatedMetadata(
  run: ClosedRun,
  closure: RunClosure<DisputeInput>,
  plan: ResumePlan,
  gatewayStatus: string,
): Record<string, unknown> {
  const timedOut = run.closedAs === 'TIMED_OUT';
  return {
    by: timedOut ? 'timeout' : 'operator',
    via: 'temporal',
    reason: closure.reason ?? (timedOut ? 'run_timed_out' : 'terminated_by_operator'),
    ...(closure.identity ? { requestedBy: closure.identity } : {}),
    runId: run.runId,
    lastStatus: plan.lastStatus ?? null,
    dueBy: new Date(closure.input.dueByMs).toISOString(),
    gatewayStatus,
    resume: plan.resume,
    ...(plan.cannotResume ? { cannotResume: plan.cannotResume } : {}),
    // The deadline is no longer watched by anyone: a person must look at it.
    needsAttention: plan.resume === 'none',
    chargeId: closure.input.chargeId,
    amount: closure.input.amount,
    currency: closure.input.currency,
  };
}

/**
 * The sweeper's refunds step. A Terminate of a refunds run (workflows/refunds.ts) can cut a refund off after it was
 * sent: the money may have moved at the gateway, and no row says so. This finds such runs, asks the gateway for a
 * refund under each key the run may have used, appends the row the run would have written (naming the request that
 * was in flight, read from the run's history, so that the caller's retry answers with that refund instead of making
 * a second), and starts a fresh refunds run: it reads the trail, states the payment's status, and closes when idle.
 */
import type { AuditEntry, AuditStore } from '../audit/types';
import type { Gateway, GatewayRefund } from '../gateways/port';
import type { Logger } from '../logging/logger';
import { gatewayRefundKey } from '../shared/idempotency';
import { paymentIdFromRefundsWorkflowId } from '../shared/ids';
import type { PaymentStatus } from '../shared/payment-status';
import type { RefundRequest } from '../shared/payment-types';
import type { RefundsInput } from '../shared/refunds-types';
import type { ClosedRun, OperatorRequests, RunClosure } from './operator-requests';
import { refundLedger } from './refund-ledger';
import { gatewayDirectory, type NamedGateway } from './gateway-directory';
import { NO_STATUS_METRICS, type StatusMetrics } from './status-metrics';

export interface RefundsSweepDeps {
  audit: Pick<AuditStore, 'history' | 'append'>;
  operators: OperatorRequests;
  gateway: Gateway;
  gatewayName?: string;
  /** The other gateways of the failover order: a routed payment's refunds are at the gateway that charged. */
  otherGateways?: readonly NamedGateway[];
  logger: Logger;
  /** The row this sweep inserts is a refund made: counted like the run's own would have been (once, at insert). */
  statusMetrics?: StatusMetrics;
}

export interface RefundsSweepReport {
  examined: number;
  /** Payments for which this sweep wrote the row of a refund a terminated run made. */
  recorded: string[];
  /** Payments whose next refunds run this sweep started. */
  started: string[];
  /** Payments this sweep could not finish (the gateway or the store did not answer): the next sweep tries again. */
  pending: string[];
}

type Ledger = Extract<ReturnType<typeof refundLedger>, { refundable: true }>;

export function createRefundsSweepActivities(deps: RefundsSweepDeps) {
  const log = () => deps.logger.child({ component: 'termination-sweep', step: 'refunds' });
  const first: NamedGateway = { name: deps.gatewayName ?? 'default', gateway: deps.gateway };
  const directory = gatewayDirectory<NamedGateway>(first, deps.otherGateways);
  const metrics = deps.statusMetrics ?? NO_STATUS_METRICS;

  /** Refunds the gateway holds under the keys after the trail's last refund: at most one per request in flight. */
  async function unrecordedRefunds(ledger: Ledger, inFlight: number): Promise<Array<[number, GatewayRefund]>> {
    const last = Math.max(0, ...ledger.refunds.map((r) => r.refundNumber));
    const found: Array<[number, GatewayRefund]> = [];
    for (let n = last + 1; n <= last + inFlight; n++) {
      const { gateway } = directory.resolve(ledger.gateway);
      const refund = await gateway.findRefund(ledger.chargeId, gatewayRefundKey(ledger.chargeId, n));
      if (refund) found.push([n, refund]);
    }
    return found;
  }

  async function sweepRun(run: ClosedRun, report: RefundsSweepReport): Promise<void> {
    const paymentId = paymentIdFromRefundsWorkflowId(run.workflowId);
    // A later run (the caller's next refund, or an earlier sweep's) carries on from the trail.
    if ((await deps.operators.latestRun(run.workflowId)).runId !== run.runId) return;
    const ledger = refundLedger(await deps.audit.history(paymentId));
    const closure = await deps.operators.closure<RefundsInput>(run.workflowId, run.runId);
    if (ledger.refundable) {
      const requests = await deps.operators.openRefundRequests(run.workflowId, run.runId);
      const found = await unrecordedRefunds(ledger, requests.length);
      let amountRefunded = ledger.amountRefunded;
      for (const [i, [refundNumber, refund]] of found.entries()) {
        amountRefunded += refund.amount;
        const row = refundRow(run, closure, ledger, { refundNumber, refund, amountRefunded }, requests[i]);
        if ((await deps.audit.append(row)).inserted)
          metrics.paymentRows([{ status: row.status, metadata: row.metadata ?? {} }]);
      }
      if (found.length) report.recorded.push(paymentId);
      if (found.length)
        log().warn(
          { paymentId, runId: run.runId, refunds: found.length },
          'recorded refunds of a terminated refunds run',
        );
    }
    if ((await deps.operators.startRefundsResume(run.workflowId, closure.input)) === 'started') {
      report.started.push(paymentId);
    }
  }

  return {
    /** Refunds runs of this task queue closed Terminated/TimedOut within the look-back; safe to repeat. */
    async sweepTerminatedRefunds(input: { lookbackMs: number }): Promise<RefundsSweepReport> {
      const runs = await deps.operators.closedRuns(new Date(Date.now() - input.lookbackMs), 'refundsWorkflow');
      const report: RefundsSweepReport = { examined: runs.length, recorded: [], started: [], pending: [] };
      for (const run of runs) {
        try {
          await sweepRun(run, report);
        } catch (err) {
          log().error(
            { workflowId: run.workflowId, runId: run.runId, err },
            'could not sweep a terminated refunds run',
          );
          report.pending.push(paymentIdFromRefundsWorkflowId(run.workflowId));
        }
      }
      return report;
    },
  };
}

interface FoundRefund {
  refundNumber: number;
  refund: GatewayRefund;
  amountRefunded: number;
}

/**
 * The row the refunds run would have written (same event key shape, same metadata, so refund-ledger.ts reads it as
 * that refund), plus who closed the run and why. Its key is the terminated run's: a repeat sweep appends nothing.
 */
function refundRow(
  run: ClosedRun,
  closure: RunClosure<RefundsInput>,
  ledger: Ledger,
  found: FoundRefund,
  request: RefundRequest | undefined,
): AuditEntry {
  const { refundNumber, refund, amountRefunded } = found;
  const status: PaymentStatus = amountRefunded >= ledger.amount ? 'refunded' : 'partially_refunded';
  const timedOut = run.closedAs === 'TIMED_OUT';
  return {
    paymentId: paymentIdFromRefundsWorkflowId(run.workflowId),
    eventKey: `${run.runId}:refund-${refundNumber}-refunded:${status}`,
    status,
    metadata: {
      refundId: refund.id,
      refundSeq: refundNumber,
      refundAmount: refund.amount,
      amountRefunded,
      gatewayKey: gatewayRefundKey(ledger.chargeId, refundNumber),
      ...(request
        ? { requestKey: request.requestKey, ...(request.reason ? { refundReason: request.reason } : {}) }
        : {}),
      via: 'termination_sweep',
      refundsRunId: run.runId,
      by: timedOut ? 'timeout' : 'operator',
      reason: closure.reason ?? (timedOut ? 'run_timed_out' : 'terminated_by_operator'),
      ...(closure.identity ? { requestedBy: closure.identity } : {}),
      amount: ledger.amount,
      currency: ledger.currency,
    },
  };
}

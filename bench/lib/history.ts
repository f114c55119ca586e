/**
 * Where a payment's time goes, from its workflow history (server timestamps; same machine, same clock) and
 * the client's own timings: the start call, waiting for each workflow task, running it (the audit writes are
 * local activities inside the workflow task), waiting for the gateway activity, running it, and the time from
 * the answer being recorded to the client seeing it.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { paymentWorkflowId } from '../../shared/ids';

const E = temporal.api.enums.v1.EventType;

export interface ClientTiming {
  paymentId: string;
  /** Epoch ms (sub-ms precision) at which the open loop meant to start it. */
  intendedAt: number;
  startCalledAt: number;
  startReturnedAt: number;
  answeredAt: number;
}

export const PHASES = [
  'clientLag',
  'startCall',
  'firstTaskDispatch',
  'firstTaskRun',
  'activityDispatch',
  'activityRun',
  'laterTaskDispatch',
  'laterTaskRun',
  'answerToClient',
  'unattributed',
] as const;
export type Phase = (typeof PHASES)[number];

/** Phases are consecutive slices of one timeline (client clock and server event times are the same clock). */
export const PHASE_HELP: Record<Phase, string> = {
  clientLag: 'scheduled arrival → start call made (load generator lag)',
  startCall: 'start call made → WorkflowExecutionStarted (client → frontend → history)',
  firstTaskDispatch: 'execution started → first workflow task started on the worker (persist start, matching)',
  firstTaskRun:
    'first workflow task: workflow code; for startPayment runs up to the charge, incl. the activity writing "initiated" and "processing" (patch first-rows-together)',
  activityDispatch: 'task completed → activity started (persist, matching or eager; incl. retry backoff)',
  activityRun:
    'the charge activity, last attempt: for pay() runs chargeWithTrail (input version 6: key claim + "initiated" + "processing", the HTTP call, "succeeded"), else chargeCard (the HTTP call); + SDK overhead',
  laterTaskDispatch: 'activity completed → next workflow task started (persist, sticky queue)',
  laterTaskRun: 'later workflow tasks: completing the outcome update (and, for startPayment runs, writing "succeeded")',
  answerToClient:
    'last event → PaymentsClient.pay() / startAndWait() / result() returned (update response or long-poll wake-up)',
  unattributed: 'the rest (≈0 unless a history has an unexpected shape)',
};

interface Ev {
  type: number;
  at: number;
}

type Timestamp = { seconds?: number | { toNumber(): number } | null; nanos?: number | null } | null | undefined;

function ms(ts: Timestamp): number {
  if (!ts) return 0;
  const s = ts.seconds;
  const seconds = typeof s === 'number' ? s : s ? s.toNumber() : 0;
  return seconds * 1000 + (ts.nanos ?? 0) / 1e6;
}

/** Splits one payment's end-to-end time into consecutive phases (ms). Pure, given the events. */
export function phasesOf(events: Ev[], t: ClientTiming): Record<Phase, number> {
  const out = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  let cursor = t.startCalledAt;
  out.clientLag = t.startCalledAt - t.intendedAt;
  const to = (phase: Phase, at: number) => {
    out[phase] += Math.max(0, at - cursor);
    cursor = Math.max(cursor, at);
  };
  let tasksDone = 0;
  for (const e of events) {
    switch (e.type) {
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        to('startCall', e.at);
        break;
      case E.EVENT_TYPE_WORKFLOW_TASK_STARTED:
        to(tasksDone === 0 ? 'firstTaskDispatch' : 'laterTaskDispatch', e.at);
        break;
      case E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        to(tasksDone === 0 ? 'firstTaskRun' : 'laterTaskRun', e.at);
        tasksDone++;
        break;
      case E.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        to('activityDispatch', e.at);
        break;
      case E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      case E.EVENT_TYPE_ACTIVITY_TASK_FAILED:
        to('activityRun', e.at);
        break;
      default:
        break;
    }
  }
  const last = events.at(-1);
  if (last) to('unattributed', last.at);
  to('answerToClient', t.answeredAt);
  return out;
}

export interface Breakdown {
  sampled: number;
  totalMeanMs: number;
  /** Mean ms per payment for each phase, and its share of the mean total. */
  phases: Record<Phase, { meanMs: number; share: number }>;
  /** Mean events per history (each one is written to the server's database). */
  eventsPerPayment: number;
}

export async function historyBreakdown(client: Client, timings: ClientTiming[]): Promise<Breakdown | undefined> {
  const rows: Array<{ phases: Record<Phase, number>; total: number; events: number }> = [];
  for (const t of timings) {
    try {
      const history = await client.workflow.getHandle(paymentWorkflowId(t.paymentId)).fetchHistory();
      const events = (history.events ?? []).map((e) => ({
        type: Number(e.eventType),
        at: ms(e.eventTime as Timestamp),
      }));
      rows.push({ phases: phasesOf(events, t), total: t.answeredAt - t.intendedAt, events: events.length });
    } catch {
      // a history we cannot read is left out of the sample
    }
  }
  if (rows.length === 0) return undefined;
  const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
  const totalMeanMs = mean((r) => r.total);
  const r2 = (n: number) => Math.round(n * 100) / 100;
  const phases = Object.fromEntries(
    PHASES.map((p) => {
      const m = mean((r) => r.phases[p]);
      return [p, { meanMs: r2(m), share: totalMeanMs > 0 ? r2(m / totalMeanMs) : 0 }];
    }),
  ) as Breakdown['phases'];
  return { sampled: rows.length, totalMeanMs: r2(totalMeanMs), phases, eventsPerPayment: r2(mean((r) => r.events)) };
}

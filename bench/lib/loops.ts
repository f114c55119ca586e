/**
 * Load drivers. Open loop: arrivals at a fixed rate whatever the system does, latency measured from the
 * *scheduled* start (no coordinated omission). Closed loop: N callers, each starting its next payment when
 * the previous one answered.
 */
import type { Histogram } from 'hdr-histogram-js';
import { arrivalOffsets, newLatencyHistogram, recordMs } from './stats';

export interface TaskOutcome {
  ok: boolean;
  /** The payment's answer (succeeded / failed / cancelled) or the error's name. */
  label: string;
}

/** `scheduledAt` is the performance.now() time the payment was meant to start (open loop) or did start (closed). */
export type Task = (index: number, scheduledAt: number) => Promise<TaskOutcome>;

export interface LoopResult {
  offered: number;
  completed: number;
  errors: number;
  shed: number;
  /** From the first arrival to the last answer. */
  elapsedMs: number;
  throughputPerSec: number;
  latency: Histogram;
  outcomes: Record<string, number>;
  errorSamples: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Tally {
  readonly latency = newLatencyHistogram();
  readonly outcomes: Record<string, number> = {};
  readonly errorSamples: string[] = [];
  completed = 0;
  errors = 0;
  lastAnswerAt = 0;
  closed = false;

  async run(task: Task, index: number, measuredFrom: number): Promise<void> {
    let outcome: TaskOutcome;
    try {
      outcome = await task(index, measuredFrom);
    } catch (err) {
      outcome = { ok: false, label: (err as Error).name || 'Error' };
      if (this.errorSamples.length < 5) this.errorSamples.push(String((err as Error).message ?? err).slice(0, 300));
    }
    if (this.closed) return; // answered after the drain deadline: already counted as shed
    const now = performance.now();
    this.lastAnswerAt = now;
    this.outcomes[outcome.label] = (this.outcomes[outcome.label] ?? 0) + 1;
    if (outcome.ok) {
      this.completed++;
      recordMs(this.latency, now - measuredFrom);
    } else {
      this.errors++;
    }
  }
}

async function drain(pending: Set<Promise<void>>, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (pending.size > 0 && performance.now() < deadline) {
    await Promise.race([Promise.race(pending), sleep(Math.min(1000, deadline - performance.now()))]);
  }
  return pending.size;
}

export async function openLoop(o: {
  ratePerSec: number;
  durationMs: number;
  maxInFlight: number;
  drainTimeoutMs: number;
  task: Task;
  firstIndex?: number;
}): Promise<LoopResult> {
  const schedule = arrivalOffsets(o.ratePerSec, o.durationMs);
  const tally = new Tally();
  const pending = new Set<Promise<void>>();
  let shed = 0;
  const t0 = performance.now();
  let i = 0;
  while (i < schedule.length) {
    const now = performance.now() - t0;
    while (i < schedule.length && schedule[i] <= now) {
      if (pending.size >= o.maxInFlight) {
        shed++;
      } else {
        const p = tally.run(o.task, (o.firstIndex ?? 0) + i, t0 + schedule[i]);
        pending.add(p);
        void p.finally(() => pending.delete(p));
      }
      i++;
    }
    if (i < schedule.length) await sleep(Math.max(0, Math.min(10, schedule[i] - (performance.now() - t0))));
  }
  const unanswered = await drain(pending, o.drainTimeoutMs);
  tally.closed = true;
  return finish(tally, schedule.length, shed + unanswered, t0);
}

export async function closedLoop(o: {
  concurrency: number;
  durationMs: number;
  drainTimeoutMs: number;
  task: Task;
  firstIndex?: number;
}): Promise<LoopResult> {
  const tally = new Tally();
  let next = o.firstIndex ?? 0;
  let offered = 0;
  const t0 = performance.now();
  const stopAt = t0 + o.durationMs;
  const caller = async () => {
    while (performance.now() < stopAt && !tally.closed) {
      offered++;
      await tally.run(o.task, next++, performance.now());
    }
  };
  const callers = new Set<Promise<void>>();
  for (let c = 0; c < o.concurrency; c++) {
    const p = caller();
    callers.add(p);
    void p.finally(() => callers.delete(p));
  }
  await sleep(o.durationMs);
  const unanswered = await drain(callers, o.drainTimeoutMs);
  tally.closed = true;
  return finish(tally, offered, unanswered, t0);
}

/** Runs `task` for every index with at most `concurrency` in flight; for the parked scenario's starts and signals. */
export async function forEachLimited(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<{ failures: number; firstError?: string }> {
  let next = 0;
  let failures = 0;
  let firstError: string | undefined;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      try {
        await task(index);
      } catch (err) {
        failures++;
        firstError ??= String((err as Error).message ?? err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { failures, firstError };
}

function finish(tally: Tally, offered: number, shed: number, t0: number): LoopResult {
  const elapsedMs = Math.max(1, (tally.lastAnswerAt || performance.now()) - t0);
  return {
    offered,
    completed: tally.completed,
    errors: tally.errors,
    shed,
    elapsedMs,
    throughputPerSec: Math.round((tally.completed / elapsedMs) * 1000 * 10) / 10,
    latency: tally.latency,
    outcomes: tally.outcomes,
    errorSamples: tally.errorSamples,
  };
}

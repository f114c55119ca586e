/**
 * Pure parts of the harness: latency histograms and their summary, the open-loop arrival schedule, and the
 * rule that decides whether a rate step was "held". No I/O here, so test/bench can check them cheaply.
 */
import { build, type Histogram } from 'hdr-histogram-js';

/** Latencies are recorded in microseconds (the baseline's loopback calls are well under a millisecond). */
export function newLatencyHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(Math.max(1, Math.round(ms * 1000)));
}

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { count: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, maxMs: 0 };
  const at = (p: number) => round(h.getValueAtPercentile(p) / 1000);
  return {
    count: h.totalCount,
    meanMs: round(h.mean / 1000),
    p50Ms: at(50),
    p90Ms: at(90),
    p99Ms: at(99),
    maxMs: round(h.maxValue / 1000),
  };
}

/** Offsets (ms from the step's start) at which an open loop starts a payment: evenly spaced, `rate` per second. */
export function arrivalOffsets(ratePerSecond: number, durationMs: number): number[] {
  if (ratePerSecond <= 0 || durationMs <= 0) return [];
  const count = Math.floor((ratePerSecond * durationMs) / 1000);
  const gap = 1000 / ratePerSecond;
  return Array.from({ length: count }, (_, i) => i * gap);
}

export interface StepOutcome {
  rate: number;
  offered: number;
  completed: number;
  errors: number;
  /** Arrivals not started because too many were in flight, plus payments still unanswered at the drain deadline. */
  shed: number;
  throughputPerSec: number;
  latency: LatencySummary;
}

export interface HoldRule {
  p99TargetMs: number;
  /** Completed throughput must reach this share of the offered rate. */
  minThroughputShare: number;
}

/** Whether a step held its rate; `reason` names the first rule it broke. */
export function stepVerdict(step: StepOutcome, rule: HoldRule): { held: boolean; reason?: string } {
  if (step.errors > 0) return { held: false, reason: `${step.errors} errors` };
  if (step.shed > 0) return { held: false, reason: `${step.shed} not started or not answered in time` };
  if (step.completed < step.offered) return { held: false, reason: `${step.offered - step.completed} unanswered` };
  if (step.latency.p99Ms >= rule.p99TargetMs) {
    return { held: false, reason: `p99 ${step.latency.p99Ms.toFixed(0)} ms >= ${rule.p99TargetMs} ms` };
  }
  if (step.throughputPerSec < rule.minThroughputShare * step.rate) {
    return {
      held: false,
      reason: `throughput ${step.throughputPerSec.toFixed(1)}/s < ${Math.round(rule.minThroughputShare * 100)}% of ${step.rate}/s`,
    };
  }
  return { held: true };
}

/** Steps up while every step so far held: returns the next rate to try, or undefined to stop. */
export function nextRate(rates: readonly number[], done: readonly StepOutcome[], rule: HoldRule) {
  if (done.some((s) => !stepVerdict(s, rule).held)) return undefined;
  return rates[done.length];
}

/** The highest offered rate that held (p99 under target, no errors, throughput kept up); undefined if none. */
export function highestHeldRate(done: readonly StepOutcome[], rule: HoldRule): number | undefined {
  const held = done.filter((s) => stepVerdict(s, rule).held).map((s) => s.rate);
  return held.length ? Math.max(...held) : undefined;
}

/** `ours / theirs`, rounded to 2 significant decimals; undefined when either side is missing or zero. */
export function ratio(ours: number | undefined, theirs: number | undefined): number | undefined {
  if (ours === undefined || theirs === undefined || theirs === 0) return undefined;
  const r = ours / theirs;
  return r >= 10 ? Math.round(r) : Number(r.toPrecision(2));
}

/** A metric meter that keeps what it is told (name, value and tags of every add and record), for tests. */
import type { MetricMeter } from '@temporalio/common';

export interface KeptSample {
  name: string;
  value: number;
  tags: Record<string, unknown>;
}

export function keepingMeter() {
  const seen: KeptSample[] = [];
  const metric = (name: string) => ({
    add: (value: number, tags: Record<string, unknown> = {}) => void seen.push({ name, value, tags }),
    record: (value: number, tags: Record<string, unknown> = {}) => void seen.push({ name, value, tags }),
  });
  const meter = { createCounter: metric, createHistogram: metric } as unknown as MetricMeter;
  /** The sum of a series' values whose tags include `match`. */
  const total = (name: string, match: Record<string, unknown> = {}) =>
    seen
      .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.tags[k] === v))
      .reduce((sum, s) => sum + s.value, 0);
  return { meter, seen, total };
}

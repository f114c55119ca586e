/**
 * Prometheus text scraping for the worker (SDK metrics) and the dev server (server metrics), and deltas of
 * histograms between two scrapes: the count, mean and approximate quantiles of what happened in between.
 */

export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(LABEL)) labels[l[1]] = l[2];
    const value = Number(m[4]);
    if (Number.isFinite(value) || m[4] === '+Inf') out.push({ name: m[1], labels, value });
  }
  return out;
}

export async function scrape(url: string | undefined): Promise<Series[]> {
  if (!url) return [];
  try {
    const res = await fetch(url);
    return res.ok ? parsePrometheus(await res.text()) : [];
  } catch {
    return [];
  }
}

export interface HistogramDelta {
  count: number;
  sum: number;
  mean: number;
  p50: number;
  p99: number;
}

type Filter = (labels: Record<string, string>) => boolean;

function seriesKey(s: Series): string {
  const { le: _le, ...rest } = s.labels;
  return `${s.name}|${JSON.stringify(rest)}|${s.labels.le ?? ''}`;
}

/** Sums, over every label set that passes `filter`, how much a histogram grew between two scrapes. */
export function histogramDelta(
  before: Series[],
  after: Series[],
  metric: string,
  filter: Filter = () => true,
): HistogramDelta | undefined {
  const base = new Map(before.map((s) => [seriesKey(s), s.value]));
  const grow = (s: Series) => s.value - (base.get(seriesKey(s)) ?? 0);
  let count = 0;
  let sum = 0;
  const buckets = new Map<number, number>();
  for (const s of after) {
    if (!filter(s.labels)) continue;
    if (s.name === `${metric}_count`) count += grow(s);
    else if (s.name === `${metric}_sum`) sum += grow(s);
    else if (s.name === `${metric}_bucket`) {
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      buckets.set(le, (buckets.get(le) ?? 0) + grow(s));
    }
  }
  if (count <= 0) return undefined;
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  return { count, sum, mean: sum / count, p50: quantile(sorted, count, 0.5), p99: quantile(sorted, count, 0.99) };
}

/** Linear interpolation inside the cumulative bucket that holds the quantile (as Prometheus' histogram_quantile). */
export function quantile(buckets: Array<[number, number]>, count: number, q: number): number {
  const rank = q * count;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, cumulative] of buckets) {
    if (cumulative >= rank) {
      if (!Number.isFinite(le)) return prevLe;
      const inBucket = cumulative - prevCount;
      return inBucket > 0 ? prevLe + ((le - prevLe) * (rank - prevCount)) / inBucket : le;
    }
    prevLe = le;
    prevCount = cumulative;
  }
  return prevLe;
}

/** Sum and count growth of a histogram, grouped by one label (e.g. persistence time by operation). */
export function histogramSumBy(
  before: Series[],
  after: Series[],
  metric: string,
  label: string,
): Record<string, { count: number; sum: number }> {
  const base = new Map(before.map((s) => [seriesKey(s), s.value]));
  const out: Record<string, { count: number; sum: number }> = {};
  for (const s of after) {
    const isSum = s.name === `${metric}_sum`;
    if (!isSum && s.name !== `${metric}_count`) continue;
    const key = s.labels[label] ?? '';
    const entry = (out[key] ??= { count: 0, sum: 0 });
    const grown = s.value - (base.get(seriesKey(s)) ?? 0);
    if (isSum) entry.sum += grown;
    else entry.count += grown;
  }
  return out;
}

/**
 * The token bucket by itself (in-process, a fake clock) and in PostgreSQL (a fresh database on the machine's
 * server): both grant the burst at once, then at most the rate, and tell refused callers when to come back.
 */
import { createBackend, type Backend } from '../audit/support/backends';
import { createLogger } from '../../logging/logger';
import { openPostgresRetryBudget } from '../../resilience/pg-retry-budget';
import { denialDelayMs, InProcessRetryBudget, refilled, type RetryBudget } from '../../resilience/retry-budget';

const logger = createLogger({ level: 'silent' });

describe('token bucket arithmetic', () => {
  it('refills at the rate up to the burst', () => {
    const s = { ratePerSecond: 10, burst: 50 };
    expect(refilled(0, 100, s)).toBeCloseTo(1);
    expect(refilled(49.5, 10_000, s)).toBe(50);
    expect(refilled(3, -5, s)).toBe(3);
  });

  it('a refused caller waits until a token is due, plus a random share of the fill time', () => {
    const s = { ratePerSecond: 10, burst: 50 };
    expect(denialDelayMs(0.5, s, () => 0)).toBe(50);
    expect(denialDelayMs(0, s, () => 0.999)).toBeGreaterThan(5_000);
    expect(denialDelayMs(0, s, () => 0.999)).toBeLessThanOrEqual(5_100);
  });
});

describe('in-process bucket', () => {
  it('grants the burst, then one token per 1/rate seconds', async () => {
    let now = 0;
    const budget = new InProcessRetryBudget({ ratePerSecond: 10, burst: 5 }, () => now);
    const first = await Promise.all([1, 2, 3, 4, 5, 6].map(() => budget.take()));
    expect(first.map((a) => a.granted)).toEqual([true, true, true, true, true, false]);
    now = 99;
    expect((await budget.take()).granted).toBe(false);
    now = 100; // 0.1 s after the burst ran out: one whole token
    expect((await budget.take()).granted).toBe(true);
    expect((await budget.take()).granted).toBe(false);
  });
});

describe('PostgreSQL bucket, shared by two openers', () => {
  let backend: Backend;
  const budgets: RetryBudget[] = [];

  beforeAll(async () => {
    backend = await createBackend('postgres');
  });
  afterAll(async () => {
    await Promise.all(budgets.map((b) => b.close()));
    await backend.dispose();
  });

  it('sixteen workers starting at once on a fresh database all open it (the table is created once)', async () => {
    const fresh = await createBackend('postgres');
    try {
      const databaseUrl = fresh.options.databaseUrl!;
      const settings = { ratePerSecond: 5, burst: 10 };
      const opened = await Promise.allSettled(
        Array.from({ length: 16 }, () => openPostgresRetryBudget({ databaseUrl, bucket: 'race', settings, logger })),
      );
      const failures = opened.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
      await Promise.all(opened.map((o) => (o.status === 'fulfilled' ? o.value.close() : undefined)));
      expect(failures).toEqual([]);
    } finally {
      await fresh.dispose();
    }
  });

  it('two workers together get the burst plus the rate, not twice that', async () => {
    const databaseUrl = backend.options.databaseUrl!;
    const settings = { ratePerSecond: 5, burst: 10 };
    const open = () => openPostgresRetryBudget({ databaseUrl, bucket: 'charges:test', settings, logger });
    const [a, b] = await Promise.all([open(), open()]);
    budgets.push(a, b);
    const started = Date.now();
    let granted = 0;
    let denied = 0;
    while (Date.now() - started < 2_000) {
      const answers = await Promise.all([a.take(), b.take(), a.take(), b.take()]);
      for (const answer of answers) {
        if (answer.granted) granted++;
        else {
          denied++;
          expect(answer.retryInMs).toBeGreaterThan(0);
        }
      }
    }
    const elapsedS = (Date.now() - started) / 1000;
    expect(granted).toBeGreaterThanOrEqual(10);
    expect(granted).toBeLessThanOrEqual(10 + Math.ceil(elapsedS * 5) + 1);
    expect(denied).toBeGreaterThan(0);
  });
});

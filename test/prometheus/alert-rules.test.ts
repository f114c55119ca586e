/**
 * The alert rules are checked and unit-tested by Prometheus's own promtool (Debian's `prometheus` package, installed
 * by `npm test`'s set-up when missing): every alert has series that must fire and series that must not.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const DIR = path.resolve(__dirname, '../../prometheus');
const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';

function promtool(...args: string[]): string {
  try {
    return execFileSync(PROMTOOL, args, { cwd: DIR, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}${e.message}`);
  }
}

interface RuleFile {
  groups: { rules: { alert: string; labels?: { severity?: string }; annotations?: Record<string, string> }[] }[];
}
interface TestFile {
  tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
}

const rules = (parse(readFileSync(path.join(DIR, 'alerts.yml'), 'utf8')) as RuleFile).groups.flatMap((g) => g.rules);
const cases = (parse(readFileSync(path.join(DIR, 'alerts.test.yml'), 'utf8')) as TestFile).tests.flatMap(
  (t) => t.alert_rule_test,
);

it('promtool accepts the rule file', () => {
  expect(promtool('check', 'rules', 'alerts.yml')).toMatch(/SUCCESS: \d+ rules found/);
});

it("promtool's unit tests pass: each case fires or stays quiet as written", () => {
  expect(promtool('test', 'rules', 'alerts.test.yml')).toContain('SUCCESS');
});

it('the seed alerts and the on-call ones exist, each with a severity, a summary and a runbook line', () => {
  const names = rules.map((r) => r.alert);
  for (const seed of ['PaymentFailureRateHigh', 'PaymentLatencyP99High', 'ChargebackSpike']) {
    expect(names).toContain(seed);
  }
  for (const rule of rules) {
    expect(`${rule.alert}: ${rule.labels?.severity}`).toMatch(/: (critical|warning)$/);
    expect(rule.annotations?.summary).toBeTruthy();
    expect(rule.annotations?.runbook).toBeTruthy();
  }
});

it.each(rules.map((r) => r.alert))('%s has a case that fires and a case that stays quiet', (alert) => {
  const mine = cases.filter((c) => c.alertname === alert);
  expect(mine.some((c) => c.exp_alerts.length > 0)).toBe(true);
  expect(mine.some((c) => c.exp_alerts.length === 0)).toBe(true);
});

/**
 * The CLI's payment commands and exit codes, in process through runCli with the harness's client (real dev
 * server, sandbox gateway and worker), plus one spawned process that proves main() wires config, connection and
 * exit code together.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../../cli/main';
import { paymentIdFromKey } from '../../client/payment-id';
import type { PaymentState } from '../../shared/payment-types';
import { addFaultsFor, customerCompletes3DS, ledgerFor } from '../support/gateway-admin';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually, waitForStatus } from '../support/wait';
import { TEST_ENCRYPTION_KEYS_ENV } from '../support/encryption';

const VISA = '4242424242424242';
const INSUFFICIENT_FUNDS = '4000000000009995';
const EXPIRED = '4000000000000069';
const THREE_DS = '4000000000003220';
const CARDS = [VISA, INSUFFICIENT_FUNDS, EXPIRED, THREE_DS];

let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness();
});
afterAll(async () => {
  await h?.teardown();
});

interface Ran {
  code: number;
  out: string;
  err: string;
}

/** Runs one command line in process; every run also checks that no card number reached any output. */
async function cli(...argv: string[]): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { client: h.client });
  const ran = { code, out: out.join('\n'), err: err.join('\n') };
  for (const number of CARDS) expect(`${ran.out}\n${ran.err}`).not.toContain(number);
  return ran;
}

const payArgs = (key: string, card = VISA, amount = '1999') =>
  ['pay', '--amount', amount, '--currency', 'USD', '--card', card, '--key', key] as const;

function json<T>(ran: Ran): T {
  return JSON.parse(ran.out) as T;
}

describe('pay', () => {
  it('succeeds with exit 0 and prints the charge id and the masked card', async () => {
    const key = uniqueKey('cli-ok');
    const ran = await cli(...payArgs(key));
    expect(ran).toMatchObject({ code: 0, err: '' });
    const [charge] = await ledgerFor(h.gateway.url, paymentIdFromKey(key));
    expect(charge.status).toBe('succeeded');
    expect(ran.out).toContain(charge.id);
    expect(ran.out).toMatch(/^status\s+succeeded$/m);
    expect(ran.out).toContain('****4242');
  });

  it('prints one parseable JSON document with --json', async () => {
    const key = uniqueKey('cli-json');
    const ran = await cli(...payArgs(key), '--json');
    expect(ran.code).toBe(0);
    expect(json(ran)).toMatchObject({
      paymentId: paymentIdFromKey(key),
      created: true,
      outcome: 'final',
      status: 'succeeded',
      chargeId: expect.stringMatching(/^ch_/),
      paymentMethod: { type: 'card', last4: '4242' },
    });
  });

  it('returns the same payment for the same key, charging once', async () => {
    const key = uniqueKey('cli-twice');
    const first = json<{ paymentId: string; created: boolean }>(await cli(...payArgs(key), '--json'));
    const again = await cli(...payArgs(key), '--json');
    expect(again.code).toBe(0);
    expect(json(again)).toMatchObject({ paymentId: first.paymentId, created: false, status: 'succeeded' });
    expect(first.created).toBe(true);
    expect(await ledgerFor(h.gateway.url, first.paymentId)).toHaveLength(1);
  });

  it('refuses the same key with a different amount with exit 2', async () => {
    const key = uniqueKey('cli-reuse');
    expect((await cli(...payArgs(key, VISA, '1999'))).code).toBe(0);
    const reused = await cli(...payArgs(key, VISA, '2000'));
    expect(reused.code).toBe(2);
    expect(reused.err).toMatch(/idempotency key was already used with different parameters; use a new --key/);
    expect(await ledgerFor(h.gateway.url, paymentIdFromKey(key))).toHaveLength(1);
  });

  it.each(['0', '-5', '1.5', 'abc', '12abc', '1e3'])(
    'rejects --amount %s with exit 2 and charges nothing',
    async (amount) => {
      const key = uniqueKey('cli-bad-amount');
      const ran = await cli(...payArgs(key, VISA, amount));
      expect(ran.code).toBe(2);
      expect(ran.err).toMatch(/--amount .*must be (a positive whole number|between 1 and)/);
      expect(await ledgerFor(h.gateway.url, paymentIdFromKey(key))).toEqual([]);
      expect((await cli('status', paymentIdFromKey(key))).code).toBe(3); // no workflow was started either
    },
  );

  it('rejects payment data the client refuses (currency) with exit 2', async () => {
    const ran = await cli('pay', '--amount', '100', '--currency', 'XXZ', '--card', VISA, '--key', uniqueKey('cli-cur'));
    expect(ran.code).toBe(2);
    expect(ran.err).toMatch(/currency must be an ISO 4217 code/);
  });

  it('returns 0 as soon as the payment started with --no-wait', async () => {
    const key = uniqueKey('cli-nowait');
    const ran = await cli(...payArgs(key), '--no-wait', '--json');
    expect(ran.code).toBe(0);
    expect(json(ran)).toMatchObject({ paymentId: paymentIdFromKey(key), created: true, outcome: 'started' });
    expect((await h.client.result(paymentIdFromKey(key))).status).toBe('succeeded');
  });
});

describe('usage errors', () => {
  const key = 'never-started';
  it.each([
    [
      'both --card and --token',
      ['pay', '--amount', '1', '--currency', 'USD', '--card', VISA, '--token', 'tok_x', '--key', key],
    ],
    ['neither --card nor --token', ['pay', '--amount', '1', '--currency', 'USD', '--key', key]],
    ['a missing --key', ['pay', '--amount', '1', '--currency', 'USD', '--card', VISA]],
    ['a fractional --timeout', [...payArgs(key), '--timeout', '1.5']],
    ['a --limit with trailing junk', ['list', '--status', 'failed', '--limit', '12abc']],
    ['an unknown status', ['list', '--status', 'lost']],
    ['a list with neither --status nor --needs-attention', ['list']],
    ['a list with both --status and --needs-attention', ['list', '--status', 'failed', '--needs-attention']],
    ['a bad 3DS result', ['3ds', randomUUID(), '--result', 'maybe']],
    ['no command', []],
    ['a card number where the command goes', [VISA]],
  ])('exits 2 for %s', async (_label, argv) => {
    const ran = await cli(...argv);
    expect(ran.code).toBe(2);
    expect(ran.err).not.toBe('');
  });

  it('documents the exit codes in --help and exits 0', async () => {
    const ran = await cli('--help');
    expect(ran.code).toBe(0);
    expect(ran.out).toMatch(/Exit codes:[\s\S]*3\s+payment or dispute not found[\s\S]*5\s+could not reach Temporal/);
  });
});

describe('status', () => {
  it('exits 3 for an unknown payment id', async () => {
    const ran = await cli('status', randomUUID());
    expect(ran.code).toBe(3);
    expect(ran.err).toMatch(/not found/);
  });

  it('exits 2 for a payment id that is not a UUID', async () => {
    const ran = await cli('status', 'order-1');
    expect(ran.code).toBe(2);
    expect(ran.err).toMatch(/UUID/);
  });
});

describe('operator actions', () => {
  it('parks an insufficient-funds payment, lists it, retries it, then cancels it', async () => {
    const key = uniqueKey('cli-nsf');
    const id = paymentIdFromKey(key);
    const paid = await cli(...payArgs(key, INSUFFICIENT_FUNDS), '--initiator', 'merchant');
    expect(paid.code).toBe(1);
    expect(paid.out).toMatch(/^status\s+dead_lettered$/m);
    expect(paid.out).toMatch(/retry_budget_exhausted/);
    expect(paid.out).toContain(`retry ${id}`);
    const card = await cli('card', id, '--card', VISA); // parked for an operator, not awaiting a card
    expect(card.code).toBe(4);
    expect(card.err).toMatch(/payment is dead_lettered, not awaiting a payment method/);

    const listRun = () => cli('list', '--status', 'dead_lettered', '--limit', '1000', '--json');
    const listed = await eventually(
      async () => json<Array<{ paymentId: string }>>(await listRun()),
      (rows) => rows.some((r) => r.paymentId === id),
      10_000,
    );
    expect(listed).toContainEqual(expect.objectContaining({ paymentId: id, status: 'dead_lettered' }));
    const attention = await eventually(
      async () =>
        json<Array<{ paymentId: string }>>(await cli('list', '--needs-attention', '--limit', '1000', '--json')),
      (rows) => rows.some((r) => r.paymentId === id),
      10_000,
    );
    expect(attention).toContainEqual(expect.objectContaining({ paymentId: id, status: 'dead_lettered' }));

    const retried = await cli('retry', id, '--reason', 'operator retry');
    expect(retried.code).toBe(0);
    expect(retried.out).toMatch(/retry accepted/);
    // The card still has no funds: a fresh budget of declines, then parked again.
    const parkedAgain = await eventually(
      () => h.client.getPayment(id),
      (s) => s.status === 'dead_lettered' && s.attempts.length > 3,
    );
    expect(parkedAgain.attempts.length).toBeGreaterThan(3);

    const cancelled = await cli('cancel', id, '--reason', 'customer gave up');
    expect(cancelled.code).toBe(0);
    const status = await cli('status', id, '--json');
    expect(status.code).toBe(0);
    expect(json<PaymentState>(status).status).toBe('cancelled');
  });

  it("shows a trusted customer's payment queued in an outage, and retry-now charges it once", async () => {
    const key = uniqueKey('cli-queued');
    const id = paymentIdFromKey(key);
    // Every charge request fails until the retries run out; the janitor then finds no charge: not charged.
    await addFaultsFor(h.gateway.url, id, [{ kind: 'status', status: 500, count: 4, match: { method: 'POST' } }]);
    const paid = await cli(...payArgs(key), '--trusted');
    expect(paid.out).toMatch(/^status\s+queued$/m);
    expect(paid.out).toMatch(/payment is delayed/);
    expect(paid.out).toMatch(/^queued until\s+\S+/m);
    expect(paid.out).toContain(`retry-now ${id}`);
    const listed = await eventually(
      async () => json<Array<{ paymentId: string }>>(await cli('list', '--status', 'queued', '--json')),
      (rows) => rows.some((r) => r.paymentId === id),
      10_000,
    );
    expect(listed).toContainEqual(expect.objectContaining({ paymentId: id, status: 'queued' }));
    const now = await cli('retry-now', id, '--reason', 'gateway is back');
    expect(now.code).toBe(0);
    expect(now.out).toMatch(/retry-now accepted/);
    expect((await h.client.result(id)).status).toBe('succeeded');
    expect(await ledgerFor(h.gateway.url, id)).toHaveLength(1);
    const again = await cli('retry-now', id);
    expect(again.code).toBe(4);
  });

  it('refuses a retry while the payment awaits a card (exit 4)', async () => {
    const key = uniqueKey('cli-refuse-running');
    expect((await cli(...payArgs(key, EXPIRED))).code).toBe(1); // parked awaiting a payment method
    const id = paymentIdFromKey(key);
    const retry = await cli('retry', id);
    expect(retry.code).toBe(4);
    expect(retry.err).toMatch(/not dead_lettered/);
    expect((await cli('cancel', id)).code).toBe(0);
  });

  it('exits 4 when cancelling a payment that already succeeded', async () => {
    const key = uniqueKey('cli-cancel-late');
    expect((await cli(...payArgs(key))).code).toBe(0);
    const ran = await cli('cancel', paymentIdFromKey(key));
    expect(ran.code).toBe(4);
    expect(ran.err).toMatch(/already succeeded; refund it instead/);
    expect(await ledgerFor(h.gateway.url, paymentIdFromKey(key))).toHaveLength(1);
  });

  it('exits 4 when given a card for a payment not awaiting one', async () => {
    const key = uniqueKey('cli-card-late');
    expect((await cli(...payArgs(key))).code).toBe(0);
    const ran = await cli('card', paymentIdFromKey(key), '--card', VISA);
    expect(ran.code).toBe(4);
    expect(ran.err).toMatch(/payment is succeeded, not awaiting a payment method/);
  });

  it('takes a new card for an expired one and the payment succeeds', async () => {
    const key = uniqueKey('cli-expired');
    const id = paymentIdFromKey(key);
    const paid = await cli(...payArgs(key, EXPIRED));
    expect(paid.code).toBe(1);
    expect(paid.out).toMatch(/^status\s+awaiting_payment_method$/m);
    expect(paid.out).toContain('****0069');
    const replaced = await cli('card', id, '--card', VISA);
    expect(replaced.code).toBe(0);
    expect(replaced.out).toMatch(/card \*{4}4242 accepted .*card version 2/);
    expect(await h.client.result(id)).toMatchObject({ status: 'succeeded' });
    const status = await cli('status', id);
    expect(status.out).toMatch(/^status\s+succeeded$/m);
  });

  it("records a customer's 3DS result and refuses one nobody waits for", async () => {
    const key = uniqueKey('cli-3ds');
    const id = paymentIdFromKey(key);
    const paid = await cli(...payArgs(key, THREE_DS), '--json');
    expect(paid.code).toBe(1);
    const { chargeId } = json<PaymentState>(paid);
    expect(json(paid)).toMatchObject({ status: 'requires_action', outcome: 'parked' });
    expect((await cli('3ds', id, '--result', 'succeeded', '--charge', 'ch_someone_else')).code).toBe(4);
    await customerCompletes3DS(h.gateway.url, chargeId as string, 'succeeded');
    expect((await cli('3ds', id, '--result', 'succeeded', '--charge', chargeId as string)).code).toBe(0);
    expect(await h.client.result(id)).toMatchObject({ status: 'succeeded', chargeId });
    const late = await cli('3ds', id, '--result', 'succeeded');
    expect(late.code).toBe(4);
    expect(late.err).toMatch(/payment is succeeded, not waiting for a 3DS result/);
  });
});

describe('the cli process', () => {
  const root = path.resolve(__dirname, '../..');
  const run = promisify(execFile);

  async function spawnCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: h.taskQueue,
      IDEMPOTENCY_SECRET: 'test-secret-0123456789',
      PAYLOAD_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS_ENV,
    };
    try {
      const { stdout, stderr } = await run('node_modules/.bin/tsx', ['cli/main.ts', ...args], {
        cwd: root,
        env,
        timeout: 30_000,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const failed = err as { code?: number | string; stdout: string; stderr: string };
      return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('connects from the environment, prints JSON and exits with the documented codes', async () => {
    const { paymentId } = await h.client.startPayment({
      idempotencyKey: uniqueKey('cli-process'),
      amount: 1999,
      currency: 'USD',
      paymentMethod: { type: 'card', number: VISA },
    });
    await waitForStatus(h.client, paymentId, 'succeeded');
    const found = await spawnCli('status', paymentId, '--json');
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout)).toMatchObject({ paymentId, status: 'succeeded' });
    const missing = await spawnCli('status', randomUUID());
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/not found/);
  });
});

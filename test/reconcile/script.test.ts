import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openAuditStore } from '../../audit/open';
import { main } from '../../scripts/reconcile';
import { silentLogger } from '../audit/support/backends';

const PAID = '11111111-1111-4111-8111-111111111111';
const NOT_RECORDED = '22222222-2222-4222-8222-222222222222';

describe('npm run reconcile (main) against a real HTTP ledger', () => {
  let dir: string;
  let server: Server;
  let charges: unknown[];
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dp-reconcile-'));
    const store = await openAuditStore({ dataDir: dir, logger: silentLogger });
    await store.append({ paymentId: PAID, eventKey: '1', status: 'succeeded', metadata: { chargeId: 'ch_1' } });
    await store.close();
    server = createServer((req, res) => {
      const ok = req.url === '/_sandbox/ledger';
      res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { charges } : { error: 'not found' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    env = { GATEWAY_URL: `http://127.0.0.1:${port}`, AUDIT_DATA_DIR: dir };
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  const ledgerCharge = (id: string, paymentId: string) => ({
    id,
    idempotency_key: id,
    amount: 500,
    currency: 'usd',
    status: 'succeeded',
    card_last4: '4242',
    metadata: { payment_id: paymentId },
    created: 1735689600,
  });

  it('exits 0 and says clean when the ledger matches', async () => {
    charges = [ledgerCharge('ch_1', PAID), { ...ledgerCharge('ch_foreign', PAID), metadata: {} }];
    expect(await run([])).toEqual({ code: 0, out: 'clean; 1 payments checked', err: '' });
  });

  it('exits 1 and prints every mismatch', async () => {
    charges = [ledgerCharge('ch_1', PAID), ledgerCharge('ch_2', NOT_RECORDED)];
    const result = await run([]);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`MISMATCH charged_not_recorded payment=${NOT_RECORDED} charges=ch_2`);
  });

  it('prints JSON with --json', async () => {
    charges = [ledgerCharge('ch_1', PAID), ledgerCharge('ch_1b', PAID)];
    const result = await run(['--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.out)).toEqual({
      clean: false,
      checkedPayments: 1,
      mismatches: [expect.objectContaining({ kind: 'charged_twice', paymentId: PAID, chargeIds: ['ch_1', 'ch_1b'] })],
    });
  });

  it('limits the check to payments active since --since', async () => {
    charges = [ledgerCharge('ch_2', NOT_RECORDED)];
    expect((await run(['--since', '2100-01-01T00:00:00Z'])).out).toBe('clean; 0 payments checked');
  });

  it('exits 2 with a clear message on bad flags or an unreachable gateway', async () => {
    expect(await run(['--since', 'yesterday'])).toMatchObject({ code: 2, err: expect.stringContaining('--since') });
    const down = await main([], { ...env, GATEWAY_URL: 'http://127.0.0.1:1' }, { out: () => {}, err: () => {} });
    expect(down).toBe(2);
  });
});

/**
 * The workflow modules are evaluated once per worker thread and shared by every run (worker/workflow-bundle.ts).
 * First, that they are: the bundle loaded into the SDK's reusable V8 context holds them in its shared module cache,
 * frozen, before any run exists (and a bundle without the options does not). Then that runs still keep their own
 * state: three payments park on 3DS on one worker at the same time, in different currencies, and are answered in
 * the reverse order; each keeps its own charge, amount, currency and current details, and the gateway holds one
 * charge for each.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { paymentWorkflowId } from '../../shared/ids';
import { THREE_DS } from '../support/cards';
import { customerCompletes3DS, ledgerFor } from '../support/gateway-admin';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually, waitForStatus } from '../support/wait';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness();
});
afterAll(async () => {
  await h?.teardown();
});

const currentDetails = async (paymentId: string): Promise<string> => {
  const handle = h.env.client.workflow.getHandle(paymentWorkflowId(paymentId));
  return ((await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string }).currentDetails ?? '';
};

const PAYMENTS = [
  { amount: 4200, currency: 'EUR', shown: '42.00 EUR' },
  { amount: 500, currency: 'JPY', shown: '500 JPY' },
  { amount: 1999, currency: 'USD', shown: '19.99 USD' },
];

interface ProbedModule {
  name: string;
  inBundle: boolean;
  shared: boolean;
  frozen: boolean;
}

/** test/support/module-sharing-probe.ts in a process of its own: the SDK's sandbox hooks are process-wide. */
async function probe(mode: 'preload' | 'plain'): Promise<ProbedModule[]> {
  const script = path.join(__dirname, '../support/module-sharing-probe.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, mode], {
    cwd: path.join(__dirname, '../..'),
    timeout: 120_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop() as string) as ProbedModule[];
}

it('loads the workflow modules once, shared and frozen, before any run; without the options it does not', async () => {
  const [preloaded, plain] = [await probe('preload'), await probe('plain')];
  expect(preloaded.length).toBeGreaterThanOrEqual(4);
  for (const m of preloaded) expect(m).toEqual({ name: m.name, inBundle: true, shared: true, frozen: true });
  for (const m of plain) expect(m).toEqual({ name: m.name, inBundle: true, shared: false, frozen: false });
}, 240_000);

it('runs sharing the workflow modules keep their own state, answered in any order', async () => {
  const parked = await Promise.all(
    PAYMENTS.map(async (p) => {
      const { paymentId } = await h.client.startPayment({
        idempotencyKey: uniqueKey(`shared-${p.currency}`),
        amount: p.amount,
        currency: p.currency,
        paymentMethod: THREE_DS,
      });
      const { chargeId } = await waitForStatus(h.client, paymentId, 'requires_action');
      return { ...p, paymentId, chargeId: chargeId as string };
    }),
  );
  expect(new Set(parked.map((p) => p.chargeId)).size).toBe(PAYMENTS.length);

  for (const p of [...parked].reverse()) {
    await customerCompletes3DS(h.gateway.url, p.chargeId, 'succeeded');
    await h.client.complete3DS(p.paymentId, { result: 'succeeded', chargeId: p.chargeId });
    expect(await h.client.result(p.paymentId)).toMatchObject({ status: 'succeeded', chargeId: p.chargeId });
  }

  for (const p of parked) {
    expect(await h.client.getPayment(p.paymentId)).toMatchObject({
      status: 'succeeded',
      amount: p.amount,
      currency: p.currency,
      chargeId: p.chargeId,
    });
    const details = await eventually(
      () => currentDetails(p.paymentId),
      (d) => d.startsWith('**succeeded**'),
    );
    expect(details).toContain(p.shown);
    expect(details).toContain(`charge: ${p.chargeId}`);
    const ledger = await ledgerFor(h.gateway.url, p.paymentId);
    expect(ledger).toHaveLength(1);
    // The sandbox gateway speaks Stripe's lower-case currency codes.
    const charge = { id: p.chargeId, status: 'succeeded', amount: p.amount, currency: p.currency.toLowerCase() };
    expect(ledger[0]).toMatchObject(charge);
  }
});

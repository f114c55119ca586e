/**
 * The Stripe ledger reader over real HTTP: against stripe-mock (started by the jest global setup), which checks
 * each list request against Stripe's OpenAPI spec and answers in its shape; against the fixture stub for
 * pagination (stripe-mock answers one page); and `npm run reconcile` (main) with GATEWAY=stripe.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Stripe from 'stripe';
import { openAuditStore } from '../../audit/open';
import { createStripeClient } from '../../gateways/stripe-client';
import { ledgerReaderFor } from '../../reconcile/readers';
import { stripeLedgerReader } from '../../reconcile/stripe-ledger';
import { main } from '../../scripts/reconcile';
import { silentLogger } from '../audit/support/backends';
import { fixture, startStripeStub, type Fixture, type StripeStub } from '../support/stripe-stub';

function mockUrl(): string {
  const url = process.env.STRIPE_MOCK_URL;
  if (!url) throw new Error('STRIPE_MOCK_URL is not set: the jest globalSetup must start stripe-mock');
  return url;
}

const PAID = '11111111-1111-4111-8111-111111111111';
const INTENT = fixture('payment-intent-succeeded').body as Stripe.PaymentIntent;

const page = (data: unknown[], hasMore: boolean, url: string): Fixture => ({
  source: 'https://docs.stripe.com/api/pagination (list object: data, has_more, url)',
  status: 200,
  body: { object: 'list', data, has_more: hasMore, url },
});

describe('against stripe-mock', () => {
  it('lists intents, charges and refunds in requests Stripe’s schema accepts, and reads its answers', async () => {
    const reader = ledgerReaderFor({
      GATEWAY: 'stripe',
      GATEWAY_URL: 'http://127.0.0.1:1',
      STRIPE_SECRET_KEY: 'sk_test_reconcile',
      STRIPE_API_BASE: mockUrl(),
    });
    expect(reader.gateway).toBe('stripe');
    const ledger = await reader.charges();
    expect(ledger.length).toBeGreaterThan(0);
    for (const entry of ledger) {
      expect(entry.id).toMatch(/^pi_/);
      expect(Number.isInteger(entry.amount)).toBe(true);
      expect(entry.currency).toMatch(/^[a-z]{3}$/);
      expect(typeof entry.status).toBe('string');
      expect(typeof entry.created).toBe('number');
      expect(entry.metadata).toEqual(expect.any(Object));
    }
  });

  it('GATEWAY=sandbox keeps the sandbox ledger', () => {
    expect(ledgerReaderFor({ GATEWAY: 'sandbox', GATEWAY_URL: 'http://127.0.0.1:1' }).gateway).toBe('sandbox');
  });
});

describe('against the fixture stub', () => {
  let stub: StripeStub;
  beforeAll(async () => {
    stub = await startStripeStub();
  });
  afterAll(async () => stub?.close());

  const intentOf = (id: string, paymentId = PAID) => ({
    ...INTENT,
    id,
    latest_charge: null,
    metadata: { payment_id: paymentId, gateway_key: `${paymentId}:v1` },
  });

  it('follows has_more with starting_after, 100 a page, until the last page', async () => {
    stub.on(
      'GET /v1/payment_intents',
      page([intentOf('pi_page1a'), intentOf('pi_page1b')], true, '/v1/payment_intents'),
      page([intentOf('pi_page2')], false, '/v1/payment_intents'),
    );
    stub.on('GET /v1/charges', page([], false, '/v1/charges'));
    stub.on('GET /v1/refunds', page([fixture('refund').body], false, '/v1/refunds'));
    const reader = stripeLedgerReader(
      createStripeClient({ secretKey: 'sk_test_stub', apiBase: stub.url, timeoutMs: 2_000 }),
    );
    const ledger = await reader.charges();
    expect(ledger.map((c) => c.id)).toEqual(['pi_page1a', 'pi_page1b', 'pi_page2']);
    const lists = stub.requests.filter((r) => r.path === '/v1/payment_intents');
    expect(lists.map((r) => [r.query.get('limit'), r.query.get('starting_after')])).toEqual([
      ['100', null],
      ['100', 'pi_page1b'],
    ]);
  });

  it('npm run reconcile with GATEWAY=stripe reads the Stripe account and reports against the audit trail', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dp-reconcile-stripe-'));
    try {
      const store = await openAuditStore({ dataDir: dir, logger: silentLogger });
      await store.append({ paymentId: PAID, eventKey: '1', status: 'succeeded', metadata: { chargeId: 'pi_ours' } });
      await store.close();
      stub.on(
        'GET /v1/payment_intents',
        page([intentOf('pi_ours'), intentOf('pi_again')], false, '/v1/payment_intents'),
      );
      stub.on('GET /v1/refunds', page([], false, '/v1/refunds'));
      const env = {
        GATEWAY: 'stripe',
        STRIPE_SECRET_KEY: 'sk_test_stub',
        STRIPE_API_BASE: stub.url,
        AUDIT_DATA_DIR: dir,
      };
      const out: string[] = [];
      const code = await main([], env, { out: (l) => out.push(l), err: (l) => out.push(l) });
      expect({ code, out }).toEqual({
        code: 1,
        out: [
          `MISMATCH charged_twice payment=${PAID} charges=pi_ours,pi_again: ledger has 2 charges for one payment`,
          '1 mismatch(es); 1 payments checked',
        ],
      });
      // The worker's rules: no key, or a live key not allowed, is refused before anything is read.
      const errors: string[] = [];
      const refused = await main(
        [],
        { GATEWAY: 'stripe', AUDIT_DATA_DIR: dir },
        { out: () => {}, err: (l) => errors.push(l) },
      );
      expect({ refused, errors }).toEqual({ refused: 2, errors: [expect.stringContaining('STRIPE_SECRET_KEY')] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

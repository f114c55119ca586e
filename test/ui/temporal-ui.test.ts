/**
 * An operator opens a payment in the Temporal UI, in a real browser (Debian's Chromium driven by
 * playwright-core): the UI calls the API's codec endpoint from its own origin (CORS) and shows the payment's
 * input decrypted, with the card number masked. A dev server with its UI is started here, as `npm start` does,
 * with `--ui-codec-endpoint` pointing at the API.
 */
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort } from '../../scripts/lib/free-port';
import { temporalCliPath } from '../../scripts/lib/temporal-cli';
import { startDevServer, type DevServer } from '../../scripts/lib/temporal-dev-server';
import { paymentWorkflowId } from '../../shared/ids';
import { payment, startApiHarness, THREE_DS, VISA, type ApiHarness } from '../api/api-harness';
import { ensureSweepSchedule, sweepScheduleId } from '../../worker/sweep-schedule';
import { ledgerFor } from '../support/gateway-admin';
import { eventually } from '../support/wait';
import { TEST_CODEC } from '../support/encryption';
import { describeFailures, replayAllHistories } from '../support/replay-all';

/** stolen_card: a fraud decline, failed at once. */
const STOLEN = '4000000000009979';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Without the networking flags Chromium spends its start trying to reach Google on a closed network.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let server: DevServer;
let api: ApiHarness;
let browser: Browser;
let uiUrl: string;

beforeAll(async () => {
  const [port, uiPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  server = await startDevServer({
    binary: temporalCliPath(),
    port,
    uiPort,
    readyTimeoutMs: 60_000,
    extraArgs: ['--ui-codec-endpoint', `http://127.0.0.1:${apiPort}/codec`],
  });
  uiUrl = `http://localhost:${uiPort}`;
  // The harness (worker, gateway, API) connects to TEMPORAL_ADDRESS when it starts: this server's, here.
  const globalAddress = process.env.TEMPORAL_ADDRESS;
  process.env.TEMPORAL_ADDRESS = server.address;
  try {
    api = await startApiHarness({ codec: { codec: TEST_CODEC, origins: [uiUrl] } }, { port: apiPort });
  } finally {
    process.env.TEMPORAL_ADDRESS = globalAddress;
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.teardown();
  try {
    // The global teardown replays the global server's workflows; this server's vanish with it: replay them here.
    if (server) {
      const report = await replayAllHistories(server.address);
      expect(report.replayed).toBeGreaterThan(0);
      expect(describeFailures(report)).toBe('');
    }
  } finally {
    await server?.stop();
  }
});

it("shows a payment decrypted in the Temporal UI: the card's token and last4, never the number", async () => {
  const created = await api.pay(`ui-${Date.now()}`, payment(VISA, 3141), '?wait=10s');
  expect(created.body.status).toBe('succeeded');

  const page = await browser.newPage();
  const codecAnswers: number[] = [];
  page.on('response', (r) => {
    if (r.url().includes('/codec/decode')) codecAnswers.push(r.status());
  });
  await page.goto(`${uiUrl}/namespaces/default/workflows/${paymentWorkflowId(created.body.paymentId)}`);
  // The input is rendered once the UI has had it decoded: it holds the card's token and last4, never its number.
  await page.getByText('"4242"').first().waitFor({ timeout: 30_000 });
  const text = await page.locator('body').innerText();

  expect(text).toContain('"amount": 3141');
  expect(text).toMatch(/"pm_\w+"/);
  expect(text).not.toContain(VISA);
  expect(text).not.toContain('binary/encrypted');
  expect(codecAnswers.length).toBeGreaterThan(0);
  expect(codecAnswers.every((s) => s === 200)).toBe(true);
  // User metadata: the summary in the run's header; under the User Metadata tab its static details and the
  // current details the run keeps up to date. The UI renders each as Markdown in a frame of its own.
  await page.getByText('User Metadata', { exact: true }).first().click();
  const rendered = await eventually(
    () => renderedMarkdown(page),
    // The summary, static details and current details are three frames that load independently: wait for all.
    (t) => t.includes('**succeeded**') && t.includes('card ending 4242') && t.includes('minor units'),
    15_000,
  );
  expect(rendered).toContain('Payment 31.41 USD · card ending 4242');
  expect(rendered).toContain('amount: 31.41 USD (3141 minor units)');
  expect(rendered).toContain(`charge: ${created.body.chargeId}`);
  expect(rendered).not.toContain(VISA);
}, 90_000);

it("shows a succeeded payment's run as Completed (closed), in its page and in the list", async () => {
  const created = await api.pay(`ui-closed-${Date.now()}`, payment(VISA, 2024), '?wait=10s');
  expect(created.body.status).toBe('succeeded');
  const workflowId = paymentWorkflowId(created.body.paymentId);
  // Input version 4: the run closed as the payment succeeded; its refunds would go to refunds-<paymentId>.
  const described = await eventually(
    () => api.h.env.client.workflow.getHandle(workflowId).describe(),
    (d) => d.status.name === 'COMPLETED',
  );
  expect(described.status.name).toBe('COMPLETED');

  const page = await browser.newPage();
  await page.goto(`${uiUrl}/namespaces/default/workflows/${workflowId}`);
  await page.getByText('"4242"').first().waitFor({ timeout: 30_000 });
  await page.getByText('Completed', { exact: true }).first().waitFor({ timeout: 15_000 });
  expect(await page.getByText('Running', { exact: true }).count()).toBe(0);

  // The list, filtered to this run: one row, Completed.
  const query = encodeURIComponent(`WorkflowId = "${workflowId}"`);
  await page.goto(`${uiUrl}/namespaces/default/workflows?query=${query}`);
  await page.getByText(workflowId).first().waitFor({ timeout: 30_000 });
  const row = page.getByRole('row').filter({ hasText: workflowId }).first();
  await row.getByText('Completed', { exact: true }).waitFor({ timeout: 15_000 });
  expect(await row.getByText('Running', { exact: true }).count()).toBe(0);
  await page.close();
}, 90_000);

it("shows a declined payment's run as Failed in the list, so Completed means paid", async () => {
  const created = await api.pay(`ui-failed-${Date.now()}`, payment(STOLEN, 1313), '?wait=10s');
  expect(created.body.status).toBe('failed');
  const workflowId = paymentWorkflowId(created.body.paymentId);
  const page = await browser.newPage();
  const query = encodeURIComponent(`WorkflowId = "${workflowId}"`);
  await page.goto(`${uiUrl}/namespaces/default/workflows?query=${query}`);
  await page.getByText(workflowId).first().waitFor({ timeout: 30_000 });
  const row = page.getByRole('row').filter({ hasText: workflowId }).first();
  await row.getByText('Failed', { exact: true }).waitFor({ timeout: 15_000 });
  expect(await row.getByText('Completed', { exact: true }).count()).toBe(0);
  await page.close();
}, 90_000);

/** The Markdown the UI rendered (user metadata), as the `content` of its render frames. */
async function renderedMarkdown(page: Page): Promise<string> {
  return page
    .frames()
    .filter((f) => /^https?:\/\/[^/]+\/render\?/.test(f.url()))
    .map((f) => new URL(f.url()))
    .map((u) => u.searchParams.get('content') ?? '')
    .join('\n');
}

/** The workflow's page, once its history has rendered. */
async function openPayment(paymentId: string) {
  const page = await browser.newPage();
  await page.goto(`${uiUrl}/namespaces/default/workflows/${paymentWorkflowId(paymentId)}`);
  await page.getByText('"3220"').first().waitFor({ timeout: 30_000 });
  return page;
}

async function parkedOn3DS(label: string): Promise<string> {
  const created = await api.pay(`${label}-${Date.now()}`, payment(THREE_DS, 2718), '?wait=10s');
  expect(created.body.status).toBe('requires_action');
  return created.body.paymentId as string;
}

describe('operator actions in the UI', () => {
  beforeAll(async () => {
    await ensureSweepSchedule(api.h.env.client, {
      taskQueue: api.h.taskQueue,
      intervalMs: 1_000,
      lookbackMs: 3_600_000,
    });
  });
  afterAll(async () => {
    await api.h.env.client.schedule.getHandle(sweepScheduleId(api.h.taskQueue)).delete();
  });

  it("terminates a parked payment from the UI's Terminate button; GET and the audit trail say so", async () => {
    const paymentId = await parkedOn3DS('ui-terminate');
    const page = await openPayment(paymentId);
    try {
      await openActionsMenu(page);
      await page
        .getByRole('menuitem', { name: /terminate/i })
        .or(page.getByText(/^Terminate$/))
        .first()
        .click();
      await page.getByRole('dialog').getByRole('textbox').first().fill('customer closed the tab');
      await page
        .getByRole('dialog')
        .getByRole('button', { name: /^(terminate|confirm)$/i })
        .click();
      const state = await eventually(
        async () => (await api.call('GET', `/payments/${paymentId}`)).body,
        (body) => body.status === 'terminated',
        30_000,
      );
      expect(state.reason).toMatch(/^customer closed the tab/); // the UI adds its own words
      const last = (await api.h.audit.history(paymentId)).at(-1);
      expect(last).toMatchObject({ status: 'terminated', metadata: expect.objectContaining({ charged: false }) });
      expect((await ledgerFor(api.h.gateway.url, paymentId)).map((c) => c.status)).toEqual(['canceled']);
    } finally {
      await page.screenshot({ path: path.join(os.tmpdir(), 'ui-terminate.png') });
      await page.close();
    }
  }, 90_000);

  it("cancels a parked payment through the UI's Request Cancellation", async () => {
    const paymentId = await parkedOn3DS('ui-cancel');
    const page = await openPayment(paymentId);
    try {
      await page
        .getByRole('button', { name: /request cancellation/i })
        .first()
        .click();
      await page
        .getByRole('dialog')
        .getByRole('button', { name: /^(confirm|request cancellation|yes)$/i })
        .click();
      const state = await eventually(
        async () => (await api.call('GET', `/payments/${paymentId}`)).body,
        (body) => body.status === 'cancelled',
        30_000,
      );
      expect(state.status).toBe('cancelled');
      const last = (await api.h.audit.history(paymentId)).at(-1);
      expect(last).toMatchObject({
        status: 'cancelled',
        metadata: expect.objectContaining({ by: 'operator', via: 'temporal' }),
      });
      expect((await ledgerFor(api.h.gateway.url, paymentId)).map((c) => c.status)).toEqual(['canceled']);
    } finally {
      await page.screenshot({ path: path.join(os.tmpdir(), 'ui-cancel.png') });
      await page.close();
    }
  }, 90_000);
});

/** The UI keeps Terminate, Reset and Signal behind the actions menu next to Request Cancellation. */
async function openActionsMenu(page: Page): Promise<void> {
  const toggle = page.getByRole('button', { name: /workflow actions|more actions|actions/i }).first();
  await toggle.click();
}

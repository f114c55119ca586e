/**
 * An operator opens a payment in the Temporal UI, in a real browser (Debian's Chromium driven by
 * playwright-core): the UI calls the API's codec endpoint from its own origin (CORS) and shows the payment's
 * input decrypted, with the card number masked. A dev server with its UI is started here, as `npm start` does,
 * with `--ui-codec-endpoint` pointing at the API.
 */
import { chromium, type Browser } from 'playwright-core';
import { freePort } from '../../scripts/lib/free-port';
import { temporalCliPath } from '../../scripts/lib/temporal-cli';
import { startDevServer, type DevServer } from '../../scripts/lib/temporal-dev-server';
import { paymentWorkflowId } from '../../shared/ids';
import { payment, startApiHarness, VISA, type ApiHarness } from '../api/api-harness';
import { TEST_CODEC } from '../support/encryption';
import { describeFailures, replayAllHistories } from '../support/replay-all';

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

it('shows a payment decrypted, with the card number masked, in the Temporal UI', async () => {
  const created = await api.pay(`ui-${Date.now()}`, payment(VISA, 3141), '?wait=10s');
  expect(created.body.status).toBe('succeeded');

  const page = await browser.newPage();
  const codecAnswers: number[] = [];
  page.on('response', (r) => {
    if (r.url().includes('/codec/decode')) codecAnswers.push(r.status());
  });
  await page.goto(`${uiUrl}/namespaces/default/workflows/${paymentWorkflowId(created.body.paymentId)}`);
  // The input is rendered once the UI has had it decoded.
  await page.getByText('"****4242"').first().waitFor({ timeout: 30_000 });
  const text = await page.locator('body').innerText();

  expect(text).toContain('"amount": 3141');
  expect(text).not.toContain(VISA);
  expect(text).not.toContain('binary/encrypted');
  expect(codecAnswers.length).toBeGreaterThan(0);
  expect(codecAnswers.every((s) => s === 200)).toBe(true);
}, 90_000);

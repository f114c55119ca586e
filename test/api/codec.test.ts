/**
 * The API's codec endpoint, read by the real Temporal CLI (`temporal workflow show --codec-endpoint`, the same
 * remote codec protocol the Temporal UI uses) and called over HTTP the way a browser on the UI's origin does.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { temporalCliPath } from '../../scripts/lib/temporal-cli';
import { paymentWorkflowId } from '../../shared/ids';
import { TEST_CODEC } from '../support/encryption';
import { payment, startApiHarness, VISA, type ApiHarness } from './api-harness';

const UI_ORIGIN = 'http://localhost:8233';
const run = promisify(execFile);
let api: ApiHarness;
let paymentId: string;

beforeAll(async () => {
  api = await startApiHarness({
    codec: { codec: TEST_CODEC, origins: [UI_ORIGIN] },
  });
  // The card is exchanged for a token before the run starts, so the number the codec must mask is one a caller
  // typed into free text (as older runs' inputs still hold card numbers in paymentMethod).
  const created = await api.pay(
    `codec-${Date.now()}`,
    { ...payment(VISA, 4321), description: `phone order, card ${VISA}` },
    '?wait=10s',
  );
  expect(created.body.status).toBe('succeeded');
  paymentId = created.body.paymentId;
}, 60_000);
afterAll(() => api?.teardown());

/** The payment's input (first payload of WorkflowExecutionStarted) as `temporal workflow show` prints it. */
async function startInput(...extra: string[]): Promise<JsonPayload> {
  const history = JSON.parse(await showHistory(...extra)) as {
    events: { workflowExecutionStartedEventAttributes?: { input: { payloads: JsonPayload[] } } }[];
  };
  return history.events[0].workflowExecutionStartedEventAttributes!.input.payloads[0];
}

const text = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');

async function showHistory(...extra: string[]): Promise<string> {
  const args = ['workflow', 'show', '--address', process.env.TEMPORAL_ADDRESS!, '--namespace', 'default'];
  args.push('--workflow-id', paymentWorkflowId(paymentId), '--output', 'json', ...extra);
  const { stdout } = await run(temporalCliPath(), args, { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

describe('the codec endpoint', () => {
  it('lets the Temporal CLI read a payment, with the card number masked', async () => {
    const raw = await startInput();
    expect(text(raw.metadata.encoding)).toBe('binary/encrypted');
    expect(text(raw.data)).not.toContain('4321');

    const decoded = await startInput('--codec-endpoint', `${api.url}/codec`);
    expect(text(decoded.metadata.encoding)).toBe('json/plain');
    const input = JSON.parse(text(decoded.data));
    expect(input).toMatchObject({ amount: 4321, currency: 'USD' });
    expect(input.description).toBe('phone order, card ****4242');
    expect(input.paymentMethod).toMatchObject({ type: 'token', id: expect.stringMatching(/^pm_/) });
    expect(JSON.stringify(input)).not.toContain(VISA);
  });

  it('answers the UI origin with CORS headers and refuses other origins', async () => {
    const preflight = await fetch(`${api.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: UI_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type,x-namespace');

    const encrypted = await encode({ card: VISA, amount: 1 });
    const foreign = await post('/codec/decode', { payloads: encrypted }, 'https://evil.example');
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: { code: 'origin_not_allowed' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

    const foreignPreflight = await fetch(`${api.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(foreignPreflight.status).toBe(403);
    expect(foreignPreflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('masks card numbers of every length the API accepts (12 to 19 digits)', async () => {
    const cards = ['424242424242', '4242424242424', '4242424242424242', '4242424242424242424'];
    const res = await post('/codec/decode', { payloads: await encode({ cards }) }, UI_ORIGIN);
    const [out] = ((await res.json()) as { payloads: JsonPayload[] }).payloads;
    expect(JSON.parse(Buffer.from(out.data, 'base64').toString())).toEqual({
      cards: cards.map((c) => `****${c.slice(-4)}`),
    });
  });

  it('round-trips encode and decode, masking card numbers on the way out', async () => {
    const encrypted = await encode({ card: VISA, amount: 1, note: 'kept' });
    expect(Buffer.from(encrypted[0].data, 'base64').toString()).not.toContain('kept');
    const res = await post('/codec/decode', { payloads: encrypted }, UI_ORIGIN);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    const [out] = ((await res.json()) as { payloads: JsonPayload[] }).payloads;
    expect(Buffer.from(out.metadata.encoding, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(out.data, 'base64').toString())).toEqual({
      card: '****4242',
      amount: 1,
      note: 'kept',
    });
  });

  it('takes payloads over the 1 MiB body limit of other routes, up to the 2 MB Temporal allows', async () => {
    const big = { note: 'x'.repeat(1_900_000) };
    const encrypted = await encode(big);
    const res = await post('/codec/decode', { payloads: encrypted }, UI_ORIGIN);
    expect(res.status).toBe(200);
    const [out] = ((await res.json()) as { payloads: JsonPayload[] }).payloads;
    expect(JSON.parse(Buffer.from(out.data, 'base64').toString())).toEqual(big);
  });

  it('refuses tampered ciphertext and malformed bodies with 400', async () => {
    const [payload] = await encode({ amount: 1 });
    const bytes = Buffer.from(payload.data, 'base64');
    bytes[bytes.length - 1] ^= 1;
    const tampered = await post('/codec/decode', { payloads: [{ ...payload, data: bytes.toString('base64') }] });
    expect(tampered.status).toBe(400);
    expect(await tampered.json()).toMatchObject({ error: { code: 'payload_not_decodable' } });

    expect((await post('/codec/decode', { payloads: 'nope' })).status).toBe(400);
    expect((await post('/codec/decode', { payloads: [{ data: 'not base64!' }] })).status).toBe(400);
    // URL-safe alphabet and a length that is not a multiple of 4: not what protobuf JSON writes.
    expect((await post('/codec/decode', { payloads: [{ data: 'ab-_' }] })).status).toBe(400);
    expect((await post('/codec/decode', { payloads: [{ data: 'A' }] })).status).toBe(400);
    expect((await post('/codec/decode', { payloads: [{ ...payload, data: 'AAAA' }] })).status).toBe(400);
    expect((await post('/codec/decode', { payloads: [], extra: 1 })).status).toBe(400);
  });
});

interface JsonPayload {
  metadata: Record<string, string>;
  data: string;
}

function post(path: string, body: unknown, origin?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-namespace': 'default' };
  if (origin) headers.origin = origin;
  return fetch(`${api.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
}

async function encode(value: unknown): Promise<JsonPayload[]> {
  const plain = {
    metadata: { encoding: Buffer.from('json/plain').toString('base64') },
    data: Buffer.from(JSON.stringify(value)).toString('base64'),
  };
  const res = await post('/codec/encode', { payloads: [plain] });
  expect(res.status).toBe(200);
  const { payloads } = (await res.json()) as { payloads: JsonPayload[] };
  expect(Buffer.from(payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
  return payloads;
}

/**
 * stripe-mock (Stripe's own mock server: validates every request against Stripe's OpenAPI spec and answers with
 * fixture objects; it keeps no state). Built once into tools/bin like the Temporal CLI; started on a free
 * loopback port by the tests' global setup. STRIPE_MOCK=/path/to/stripe-mock uses a binary you have.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { goInstall, isInstalled, ToolError, toolBinary, type GoTool } from './go-tools';

export const STRIPE_MOCK_VERSION = 'v0.203.0';
const TOOL: GoTool = { name: 'stripe-mock', module: 'github.com/stripe/stripe-mock', version: STRIPE_MOCK_VERSION };

export function stripeMockPath(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.STRIPE_MOCK;
  if (override) {
    if (!existsSync(override)) throw new ToolError(`STRIPE_MOCK=${override} does not exist.`);
    return override;
  }
  if (!isInstalled(TOOL)) {
    throw new ToolError(
      `stripe-mock ${STRIPE_MOCK_VERSION} not found at ${toolBinary(TOOL)}. Run "npm run provision:stripe-mock" (needs Go >= 1.25) ` +
        'or set STRIPE_MOCK=/path/to/stripe-mock.',
    );
  }
  return toolBinary(TOOL);
}

export function provisionStripeMock(log: (line: string) => void): string {
  if (process.env.STRIPE_MOCK) return stripeMockPath();
  return goInstall(TOOL, log, ', or set STRIPE_MOCK=/path/to/stripe-mock to use a binary you already have');
}

export interface StripeMock {
  /** `http://127.0.0.1:<port>`: the STRIPE_API_BASE to give the adapter. */
  url: string;
  stop(): Promise<void>;
}

const LISTENING = /Listening for HTTP at address: (127\.0\.0\.1:\d+)/;

/** Starts stripe-mock on free loopback ports (HTTP and its HTTPS twin); rejects if it is not listening in time. */
export function startStripeMock(binary: string, readyTimeoutMs = 15_000): Promise<StripeMock> {
  const child = spawn(binary, ['-http-addr', '127.0.0.1:0', '-https-addr', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let ready = false;
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new ToolError(`stripe-mock did not start: ${why}\n${output}`));
    };
    const timer = setTimeout(() => fail(`not listening within ${readyTimeoutMs} ms`), readyTimeoutMs);
    // Read on after it is ready (it logs every request): a full pipe would stall it.
    const onData = (chunk: Buffer) => {
      if (ready) return;
      output += chunk.toString();
      const match = LISTENING.exec(output);
      if (!match) return;
      ready = true;
      clearTimeout(timer);
      resolve({ url: `http://${match[1]}`, stop: () => stop(child) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code) => {
      if (!ready) fail(`exited with code ${code}`);
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** `npm run cluster` without its prerequisites stops at once with what to do, and starts nothing. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../scripts/lib/free-port';

const ROOT = path.resolve(__dirname, '../..');

it('says PostgreSQL is not reachable, and how to fix it, when nothing answers on its port', async () => {
  // A port with nothing on it: bound and closed again by us a moment ago.
  const port = await freePort();
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/cluster.ts'], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_DB_PORT: String(port) },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(`ERROR: PostgreSQL is not reachable at 127.0.0.1:${port} as postgres`);
  expect(result.stderr).toContain('service postgresql start');
  expect(result.stdout).not.toContain('Temporal gRPC');
}, 90_000);

/**
 * The containers' files, checked without a Docker engine: Debian's `docker-compose config` must accept the compose
 * file, and what it renders must keep the production promises: every image pinned (the Dockerfile's bases too),
 * every long-running service healthchecked and restarted, start order by health, no host node_modules, secrets only
 * from the environment, and the worker run as `npm run cluster` runs it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { appServices } from '../../scripts/lib/app-services';

const ROOT = path.resolve(__dirname, '../..');
const COMPOSE = '/usr/bin/docker-compose';
const SECRETS = {
  POSTGRES_PASSWORD: 'test-postgres-password',
  GATEWAY_WEBHOOK_SECRET: 'test-webhook-secret-0123456789',
  API_KEYS: 'test-api-key',
  PAYLOAD_ENCRYPTION_KEYS: 'k1:3YQqtmKSh5SLxBY1+b7MFl03r7+B8mFhrQDwavbF2do=',
};
const ONE_SHOT = ['temporal-schema', 'temporal-init'];

interface Service {
  image?: string;
  build?: { context: string; target?: string };
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  restart?: string;
  depends_on?: Record<string, { condition: string }>;
  volumes?: (string | { source?: string; target: string })[];
  deploy?: { replicas?: number };
}

function render(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  if (!existsSync(COMPOSE))
    throw new Error(`${COMPOSE} not found: apt-get install docker-compose (npm test's set-up does)`);
  const { PATH, HOME } = process.env;
  const r = spawnSync(COMPOSE, ['-f', 'docker-compose.yml', 'config'], {
    cwd: ROOT,
    env: { PATH, HOME, ...env },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let services: Record<string, Service>;
beforeAll(() => {
  const r = render(SECRETS);
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.status).toBe(0);
  services = (parse(r.stdout) as { services: Record<string, Service> }).services;
});

const pinned = (image: string) => /^[\w./-]+:v?\d+(\.\d+)+[\w.-]*$/.test(image);

it('is accepted by docker-compose config, and refuses to render without each secret', () => {
  expect(Object.keys(services).sort()).toEqual(
    [
      'api',
      'gateway',
      'grafana',
      'postgres',
      'prometheus',
      'temporal',
      'temporal-init',
      'temporal-schema',
      'temporal-ui',
      'worker',
    ].sort(),
  );
  for (const name of Object.keys(SECRETS)) {
    const { [name as keyof typeof SECRETS]: _missing, ...rest } = SECRETS;
    const r = render(rest);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`set ${name}`);
  }
  // No secret is written into the file itself.
  const text = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
  for (const value of Object.values(SECRETS)) expect(text).not.toContain(value);
});

it('pins every image, the Dockerfile base images included', () => {
  for (const [name, s] of Object.entries(services)) {
    expect([name, s.image && pinned(s.image)]).toEqual([name, true]);
  }
  const froms = execFileSync('grep', ['-E', '^FROM ', 'Dockerfile'], { cwd: ROOT, encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.split(/\s+/)[1])
    .filter((image) => !/^[a-z-]+$/.test(image)); // a stage of this file, not an image
  expect(froms.length).toBeGreaterThanOrEqual(3);
  expect(froms.filter((f) => !pinned(f))).toEqual([]);
});

it('healthchecks and restarts every long-running service, and starts each only after what it needs is healthy', () => {
  for (const [name, s] of Object.entries(services)) {
    if (ONE_SHOT.includes(name)) {
      expect([name, s.restart]).toEqual([name, 'on-failure']);
      continue;
    }
    expect([name, Boolean(s.healthcheck?.test?.length)]).toEqual([name, true]);
    expect([name, s.restart]).toEqual([name, 'unless-stopped']);
    for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
      const wanted = ONE_SHOT.includes(dep) ? 'service_completed_successfully' : 'service_healthy';
      expect([name, dep, condition]).toEqual([name, dep, wanted]);
    }
  }
  expect(services.temporal.depends_on).toHaveProperty('temporal-schema');
  expect(services.worker.depends_on).toHaveProperty('temporal-init');
});

it('builds our images instead of mounting the host: no host node_modules or source in any container', () => {
  for (const [name, s] of Object.entries(services)) {
    for (const v of s.volumes ?? []) {
      const target = typeof v === 'string' ? v.split(':')[1] : v.target;
      expect([name, target]).not.toEqual([name, '/app']);
      expect(String(target)).not.toContain('node_modules');
    }
  }
  for (const name of ['worker', 'api', 'gateway', 'temporal-init']) expect(services[name].build?.target).toBe('app');
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/RUN npm ci --omit=dev/);
  expect(dockerfile).toMatch(/USER node/);
  expect(readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n')).toContain('node_modules');
});

it('runs the Temporal server with the same config file as npm run cluster', () => {
  expect(services.temporal.command).toEqual(
    expect.arrayContaining(['--config', 'config', '--env', 'temporal', 'start']),
  );
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  expect(dockerfile).toContain('COPY cluster/temporal.yaml /etc/temporal/config/temporal.yaml');
  expect(dockerfile).toContain('go.temporal.io/server/cmd/server@v1.29.1');
});

it("runs two workers with npm run cluster's command and environment, metrics reachable on the network", () => {
  const [spec] = appServices({
    temporalAddress: 'temporal:7233',
    gatewayPort: 4010,
    apiPort: 3000,
    workerMetricsPorts: [9464],
    webhookSecret: 'x'.repeat(16),
    codecOrigins: [],
    shared: { DATABASE_URL: 'postgres://x@y/z' },
  }).filter((s) => s.name === 'worker');
  const worker = services.worker;
  expect(worker.deploy?.replicas).toBe(2);
  expect(path.basename(worker.command?.[0] ?? '')).toBe(path.basename(spec.command));
  expect(worker.command?.slice(1)).toEqual(spec.args.map((a) => path.relative(ROOT, a)));
  expect(Object.keys(worker.environment ?? {})).toEqual(expect.arrayContaining(Object.keys(spec.env ?? {})));
  expect(worker.environment?.WORKER_METRICS_HOST).toBe('0.0.0.0');
  expect(worker.environment?.DATABASE_URL).toMatch(/^postgres:\/\/.+@postgres:5432\//);
  const prometheus = readFileSync(path.join(ROOT, 'prometheus', 'prometheus.yml'), 'utf8');
  expect(prometheus).toMatch(/names: \['worker'\], type: A, port: 9464/);
});

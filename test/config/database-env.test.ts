/** The audit database's variables mean the same to the worker and API as to `npm run migrate` and `reconcile`. */
import { MigrateEnvSchema, parseConfig, parseEnv, ReconcileEnvSchema } from '../../config';
import { main as migrate } from '../../scripts/migrate';

const readers = {
  worker: (env: NodeJS.ProcessEnv) => parseConfig(env),
  migrate: (env: NodeJS.ProcessEnv) => parseEnv(MigrateEnvSchema, env),
  reconcile: (env: NodeJS.ProcessEnv) => parseEnv(ReconcileEnvSchema, env),
};

describe.each(Object.entries(readers))('%s reads DATABASE_URL and AUDIT_DATA_DIR by the one rule', (_name, read) => {
  it('takes a postgres:// or postgresql:// URL', () => {
    expect(read({ DATABASE_URL: 'postgres://u@db:5432/payments' }).DATABASE_URL).toBe('postgres://u@db:5432/payments');
    expect(read({ DATABASE_URL: 'postgresql://u@db/payments' }).DATABASE_URL).toBe('postgresql://u@db/payments');
  });

  it('treats unset and empty alike: embedded PGlite in .data/audit', () => {
    for (const env of [{}, { DATABASE_URL: '', AUDIT_DATA_DIR: '' }]) {
      const { DATABASE_URL, AUDIT_DATA_DIR } = read(env);
      expect({ DATABASE_URL, AUDIT_DATA_DIR }).toEqual({ DATABASE_URL: undefined, AUDIT_DATA_DIR: '.data/audit' });
    }
    expect(read({ AUDIT_DATA_DIR: '/var/lib/audit' }).AUDIT_DATA_DIR).toBe('/var/lib/audit');
  });

  it('refuses anything but a PostgreSQL URL, naming the variable', () => {
    for (const DATABASE_URL of ['mysql://u@db/payments', 'http://db', 'db:5432', 'postgres://not a url']) {
      expect(() => read({ DATABASE_URL })).toThrow(
        /Invalid configuration:\n {2}DATABASE_URL: must be a postgres:\/\/ URL/,
      );
    }
  });
});

it('npm run migrate stops before touching a database when DATABASE_URL is not a PostgreSQL URL', async () => {
  const errors: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
  try {
    expect(await migrate({ DATABASE_URL: 'mysql://u@db/payments' })).toBe(1);
  } finally {
    spy.mockRestore();
  }
  expect(errors).toEqual([
    expect.stringMatching(/^migrate failed: Invalid configuration:\n {2}DATABASE_URL: must be a postgres/),
  ]);
});

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tenantId } from '@ferry/sample-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  EXAMPLE_PROJECT,
  buildSampleDuckDBSource,
  createTempDatabase,
  runFerry,
  startTestSshServer,
  type TempDatabase,
  type TestSshServer,
} from '../index.ts';

/**
 * Every secret a configuration uses — bastion password, private key and its passphrase from the
 * encrypted state store, a warehouse password from the environment, the master key — is looked
 * for in everything Ferry printed (stdout, stderr with stack traces on, JSON logs, status, check
 * reports) over succeeding and failing runs, and in every row of the state store.
 */
const secret = (label: string) => `${label}-${randomBytes(9).toString('hex')}`;
const WAREHOUSE_PASSWORD = secret('warehouse-pw');
const WRONG_BASTION_PASSWORD = secret('wrong-bastion-pw');

let dir: string;
let destinationDb: TempDatabase;
let sshd: TestSshServer;
let masterKey: string;
/** Every secret in play, filled in as the test learns them. */
const secrets: string[] = [WAREHOUSE_PASSWORD, WRONG_BASTION_PASSWORD];
/** Everything any command printed. */
const printed: { command: string; text: string }[] = [];

async function ferry(args: string[], input?: string, env: Record<string, string> = { FERRY_MASTER_KEY: masterKey }) {
  const run = await runFerry([...args, '-c', 'ferry.yaml'], {
    cwd: dir,
    env: { ...env, WAREHOUSE_PASSWORD, FERRY_DEBUG: '1' },
    ...(input === undefined ? {} : { input }),
  });
  printed.push({ command: `ferry ${args.join(' ')}`, text: `${run.stdout}\n${run.stderr}` });
  return run;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-secrets-output-'));
  let sourcePath: string;
  [sourcePath, destinationDb, sshd] = await Promise.all([
    buildSampleDuckDBSource(dir, { seed: 3, tenants: 1, messagesPerTenant: 200 }),
    createTempDatabase('ferry_secrets_output'),
    startTestSshServer(),
  ]);
  secrets.push(sshd.password, sshd.passphrase, sshd.privateKey);
  masterKey = (await runFerry(['keys', 'generate'])).stdout.trim();
  secrets.push(masterKey);
  const warehouse = new URL(destinationDb.url);
  const ssh = { host: sshd.host, port: sshd.port, user: sshd.user, host_key: sshd.hostKeyFingerprint };
  // A schema each: two destinations in one place are refused when ferry.yaml is read.
  const destination = (id: string, fields: Record<string, unknown>) => ({
    id,
    tenant: tenantId(0),
    models: ['workflows'],
    type: 'postgres',
    schema: id.replaceAll('-', '_'),
    ...fields,
  });
  await writeFile(
    join(dir, 'ferry.yaml'),
    stringify({
      project: EXAMPLE_PROJECT,
      source: { type: 'duckdb', path: basename(sourcePath) },
      sync: { retries: 0 },
      destinations: [
        // Succeeds: key and passphrase from the state store, the warehouse password from the environment.
        destination('good', {
          url: destinationDb.url,
          password: '${WAREHOUSE_PASSWORD}',
          ssh: { ...ssh, private_key: '${secret:bastion_key}', passphrase: '${secret:bastion_key_passphrase}' },
        }),
        // Fails at the bastion: a wrong password from the state store.
        destination('wrong-bastion-password', { url: destinationDb.url, ssh: { ...ssh, password: '${secret:wrong_bastion_password}' } }),
        // Fails at the warehouse, whose error quotes the database name: here, by mistake, the other destination's password,
        // which this destination's own scrubbing (of its own password) cannot know about.
        destination('echoing-driver', { url: `postgres://${warehouse.username}@${warehouse.host}/\${WAREHOUSE_PASSWORD}` }),
      ],
    }),
  );
  for (const [name, value] of [
    ['bastion_key', sshd.privateKey],
    ['bastion_key_passphrase', sshd.passphrase],
    ['wrong_bastion_password', WRONG_BASTION_PASSWORD],
  ] as const) {
    const stored = await ferry(['secrets', 'set', name], value);
    expect(stored.exitCode, stored.stderr).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  await sshd?.close();
  await destinationDb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('runs that succeed and runs that fail', () => {
  it('sync: the good destination syncs, the two others fail for the reasons set up', async () => {
    const run = await ferry(['sync']);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('1 of 3 destination(s) synced');
    expect(run.stderr).toContain('refused the login (password authentication failed)');
    expect(run.stderr).toMatch(/database \\"\*\*\*\\" does not exist/);
  }, 60_000);

  it('status, plan, checks and the secrets list report on them', async () => {
    expect((await ferry(['status'])).exitCode).toBe(0);
    // Status reads the state store only: it needs no master key, though ferry.yaml references stored secrets.
    const keyless = await ferry(['status', '-d', 'good'], undefined, {});
    expect(keyless.exitCode, keyless.stderr).toBe(0);
    expect(keyless.stdout).toContain('succeeded');
    expect((await ferry(['status', '--json'])).exitCode).toBe(0);
    expect((await ferry(['plan', '-d', 'good'])).exitCode).toBe(0);
    expect((await ferry(['destinations', 'test', 'good'])).exitCode).toBe(0);
    expect((await ferry(['destinations', 'test', 'wrong-bastion-password'])).exitCode).toBe(1);
    expect((await ferry(['destinations', 'test', 'echoing-driver', '--json'])).exitCode).toBe(1);
    expect((await ferry(['secrets', 'list'])).exitCode).toBe(0);
    // An error thrown outside any command's handling, printed with its stack (FERRY_DEBUG=1).
    const crash = await ferry(['plan', '-d', 'echoing-driver']);
    expect(crash.exitCode).toBe(1);
    expect(crash.stderr).toMatch(/^\s+at /m);
  }, 120_000);
});

describe('no secret anywhere', () => {
  const forms = (value: string) => [
    value,
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
    ...value.split('\n').filter((l) => l.length >= 16),
  ];

  it('in any line any command printed', () => {
    expect(printed.length).toBeGreaterThanOrEqual(12);
    for (const { command, text } of printed) {
      for (const value of secrets) {
        for (const form of forms(value)) expect(text.includes(form), `${command} printed a secret`).toBe(false);
      }
    }
  });

  it('in any row of the state store (the secrets are stored encrypted)', async () => {
    const instance = await DuckDBInstance.create(join(dir, '.ferry', 'state.duckdb'), { access_mode: 'READ_ONLY' });
    const connection = await instance.connect();
    try {
      const tables = (await connection.runAndReadAll("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'ferry_state'"))
        .getRows()
        .map((r) => String(r[0]));
      expect(tables).toContain('secrets');
      expect(tables).toContain('transfers');
      for (const table of tables) {
        const text = JSON.stringify((await connection.runAndReadAll(`SELECT * FROM ferry_state."${table}"`)).getRowObjectsJson());
        for (const value of secrets) for (const form of forms(value)) expect(text.includes(form), `ferry_state.${table} holds a secret`).toBe(false);
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});

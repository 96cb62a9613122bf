import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tenantId } from '@ferry/sample-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { EXAMPLE_PROJECT, POSTGRES_ADMIN_URL, buildSampleDuckDBSource, runFerry } from '../index.ts';

/**
 * Through the real CLI: a `${secret:…}` outside a credential field is refused before it can reach
 * a tenant, a schema or a file name; a url whose password pg would misread is refused (or, for
 * FERRY_STATE_URL, masked whole); messages about a credential field come out whole. Nothing any
 * command printed, and no row of the state store, holds a secret.
 */
const STORED = 'acme-St0red-Secret-7d41e';
/** Unencoded: pg would take Hunter for the password, LeakHost for the host and LeakDb:42@… for the database. */
const MISREAD = 'Hunter@LeakHost/LeakDb:42';
const MISREAD_PIECES = [MISREAD, 'Hunter', 'LeakHost', 'LeakDb'];

let dir: string;
let sourcePath: string;
let masterKey: string;
/** Everything the commands printed: the last test looks for every secret in it. */
const printed: { command: string; text: string }[] = [];

async function ferry(args: string[], env: Record<string, string> = {}) {
  const run = await runFerry([...args, '-c', 'ferry.yaml'], { cwd: dir, env: { FERRY_MASTER_KEY: masterKey, FERRY_MASTER_KEY_FILE: '', ...env } });
  printed.push({ command: `ferry ${args.join(' ')}`, text: `${run.stdout}\n${run.stderr}` });
  return run;
}

type Entry = Record<string, unknown>;
const sandbox = (fields: Entry = {}): Entry => ({
  id: 'sandbox',
  tenant: tenantId(0),
  models: ['workflows'],
  type: 'duckdb',
  path: 'sandbox.duckdb',
  ...fields,
});

async function writeConfig(destination: Entry): Promise<void> {
  const config = {
    project: EXAMPLE_PROJECT,
    source: { type: 'duckdb', path: basename(sourcePath) },
    sync: { retries: 0 },
    destinations: [destination],
  };
  await writeFile(join(dir, 'ferry.yaml'), stringify(config));
}

/** A postgres url to the test server with `password` spliced in as written. */
function urlWithPassword(password: string): string {
  const server = new URL(POSTGRES_ADMIN_URL);
  return `postgres://${server.username || 'postgres'}:${password}@${server.host}/postgres`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-secret-scope-'));
  sourcePath = await buildSampleDuckDBSource(dir, { seed: 5, tenants: 1, messagesPerTenant: 20 });
  masterKey = (await runFerry(['keys', 'generate'])).stdout.trim();
  // Stored while ferry.yaml is valid: `ferry secrets` reads it too.
  await writeConfig(sandbox());
  const stored = await runFerry(['secrets', 'set', 'acme_pg', '-c', 'ferry.yaml'], { cwd: dir, env: { FERRY_MASTER_KEY: masterKey }, input: STORED });
  expect(stored.exitCode, stored.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('${secret:name} outside a credential field', () => {
  const refusal =
    'destinations[0].tenant: ${secret:acme_pg} cannot be used here: secrets are allowed only in credential fields ' +
    '(url, password, passphrase, private_key of the source, a destination or its ssh section); write the value itself, or ${ENV_VAR}';

  it('is refused by every command, naming the field and the credential fields, before a sync writes the tenant anywhere', async () => {
    await writeConfig(sandbox({ tenant: '${secret:acme_pg}' }));
    // Every command runs before any is checked: the last tests look through all they printed.
    const commands = [['sync'], ['plan'], ['status'], ['destinations', 'test', 'sandbox']];
    const runs = [];
    for (const args of commands) runs.push(await ferry(args));
    for (const [i, run] of runs.entries()) {
      expect(run.exitCode, `ferry ${commands[i]?.join(' ')}: ${run.stdout}${run.stderr}`).toBe(1);
      expect(run.stderr).toContain(refusal);
    }
  }, 120_000);

  it('leaves ${ENV_VAR} references working in that field, as documented', async () => {
    await writeConfig(sandbox({ tenant: '${ACME_TENANT}' }));
    const run = await ferry(['plan'], { ACME_TENANT: tenantId(0) });
    expect(run.exitCode, run.stderr).toBe(0);
  }, 60_000);
});

describe('a url whose password has an unencoded @ and /', () => {
  it('is refused before Ferry connects, with the encoding fix and no piece of the password', async () => {
    await writeConfig({ id: 'acme', tenant: tenantId(0), models: ['workflows'], type: 'postgres', url: urlWithPassword('${ACME_URL_PW}') });
    const runs = [await ferry(['destinations', 'test', 'acme'], { ACME_URL_PW: MISREAD }), await ferry(['sync'], { ACME_URL_PW: MISREAD })];
    for (const run of runs) {
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain('destinations[0].url: the password in the url has a /, ? or # that is not percent-encoded');
      expect(run.stderr).toContain('percent-encode @ as %40, / as %2F');
    }
  }, 60_000);

  it('in FERRY_STATE_URL, is masked whole in the error', async () => {
    await writeConfig(sandbox());
    const run = await ferry(['status'], { FERRY_STATE_URL: urlWithPassword(MISREAD) });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("Cannot connect to Ferry's state database at postgres://");
    expect(run.stderr).toMatch(/postgres:\/\/[^:\s]+:\*\*\*@127\.0\.0\.1:5432\/postgres/);
  }, 60_000);
});

describe('messages about a credential field come out whole', () => {
  it.each([
    ['${ACME_PW}', {}, 'destinations[0].password: environment variable ACME_PW is not set (export it, or put it in the environment of the job)'],
    [
      '${secret:acme_pg}',
      { FERRY_MASTER_KEY_FILE: '/nonexistent/master.key' },
      'destinations[0].password: FERRY_MASTER_KEY and FERRY_MASTER_KEY_FILE are both set: set only one of them',
    ],
    ['${secret:acme_pg}', { FERRY_MASTER_KEY: 'not-a-key' }, "destinations[0].password: FERRY_MASTER_KEY's key 1 is not 32 bytes of base64"],
  ])(
    'password %s with %j',
    async (password, env, message) => {
      await writeConfig({
        id: 'acme',
        tenant: tenantId(0),
        models: ['workflows'],
        type: 'postgres',
        url: 'postgres://ferry@127.0.0.1:1/postgres',
        password,
      });
      const run = await ferry(['plan'], env);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain(message);
    },
    60_000,
  );
});

describe('no secret anywhere', () => {
  it('in anything a command printed', () => {
    expect(printed.length).toBeGreaterThanOrEqual(10);
    for (const { command, text } of printed) {
      for (const secret of [STORED, masterKey, ...MISREAD_PIECES, encodeURIComponent(MISREAD)]) {
        expect(text.includes(secret), `${command} printed ${secret}:\n${text}`).toBe(false);
      }
    }
  });

  it('in any row of the state store: the secret never became a tenant', async () => {
    const instance = await DuckDBInstance.create(join(dir, '.ferry', 'state.duckdb'), { access_mode: 'READ_ONLY' });
    const connection = await instance.connect();
    try {
      const tables = (await connection.runAndReadAll("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'ferry_state'"))
        .getRows()
        .map((r) => String(r[0]));
      expect(tables).toContain('transfers');
      for (const table of tables) {
        const text = JSON.stringify((await connection.runAndReadAll(`SELECT * FROM ferry_state."${table}"`)).getRowObjectsJson());
        expect(text.includes(STORED), `ferry_state.${table} holds the secret`).toBe(false);
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});

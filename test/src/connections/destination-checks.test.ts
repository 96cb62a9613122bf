import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { EXAMPLE_PROJECT, createTempDatabase, runFerry, type TempDatabase } from '../index.ts';

/**
 * `ferry destinations test` against logins that lack what a sync needs, one grant at a time: each
 * check fails naming the grant that fixes it, and passes once it is given. Also a warehouse
 * nothing listens for, and a DuckDB file in a folder that does not exist.
 */
const ROLE = `ferry_check_${randomBytes(4).toString('hex')}`;

let dir: string;
let database: TempDatabase;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-destination-checks-'));
  database = await createTempDatabase('ferry_checks');
  // A login and nothing else: no CREATE on the database, no schema of its own.
  await database.client.query(`CREATE ROLE ${ROLE} LOGIN`);
  const login = new URL(database.url);
  login.username = ROLE;
  const entry = { tenant: 'tenant_001', models: ['messages'], schema: 'knock' };
  await writeFile(
    join(dir, 'ferry.yaml'),
    stringify({
      project: EXAMPLE_PROJECT,
      source: { type: 'duckdb', path: 'source.duckdb' },
      destinations: [
        { id: 'acme', type: 'postgres', url: login.toString(), ...entry },
        { id: 'nowhere', type: 'postgres', url: 'postgres://ferry@127.0.0.1:1/analytics', connect_timeout: 5, ...entry },
        { id: 'sandbox', type: 'duckdb', path: 'missing-folder/sandbox.duckdb', ...entry },
      ],
    }),
  );
});

afterAll(async () => {
  await database?.client.query(`DROP OWNED BY ${ROLE}; DROP ROLE IF EXISTS ${ROLE}`).catch(() => {});
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Result {
  name: string;
  status: string;
  detail: string;
}

async function check(id: string): Promise<{ exitCode: number | undefined; results: Result[] }> {
  const run = await runFerry(['destinations', 'test', id, '--json', '-c', 'ferry.yaml'], { cwd: dir });
  return { exitCode: run.exitCode, results: JSON.parse(run.stdout) as Result[] };
}

const statuses = (results: readonly Result[]) => Object.fromEntries(results.map((r) => [r.name, r.status]));

describe('a login missing a grant', () => {
  it('without CREATE on the database and no schema: create schema fails with the GRANT that fixes it', async () => {
    const { exitCode, results } = await check('acme');
    expect(exitCode).toBe(1);
    expect(statuses(results)).toMatchObject({ reachable: 'pass', authentication: 'pass', 'create schema': 'fail', 'create table': 'skip' });
    expect(results.find((r) => r.name === 'create schema')?.detail).toContain(`GRANT CREATE ON DATABASE "${database.name}" TO "${ROLE}"`);
  });

  it('with the schema but only USAGE on it: create table fails with the GRANT that fixes it', async () => {
    await database.client.query(`CREATE SCHEMA knock; GRANT USAGE ON SCHEMA knock TO ${ROLE}`);
    const { exitCode, results } = await check('acme');
    expect(exitCode).toBe(1);
    expect(statuses(results)).toMatchObject({ 'create schema': 'pass', 'create table': 'fail', write: 'skip' });
    expect(results.find((r) => r.name === 'create table')?.detail).toContain(`GRANT USAGE, CREATE ON SCHEMA "knock" TO "${ROLE}"`);
  });

  it('with CREATE on its schema: every permission check passes and the probe table is gone', async () => {
    await database.client.query(`GRANT CREATE ON SCHEMA knock TO ${ROLE}`);
    const { exitCode, results } = await check('acme');
    expect(exitCode, JSON.stringify(results)).toBe(0);
    expect(results.filter((r) => r.status !== 'pass').map((r) => r.name)).toEqual(['tls', 'tenant has rows']);
    // This folder has no source: its problems are source test's to report.
    expect(results.at(-1)).toMatchObject({ status: 'skip', detail: 'the source cannot be read: run `ferry source test`' });
    const { rows } = await database.client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'knock'`);
    expect(rows).toEqual([]);
  });
});

describe('a warehouse that cannot be reached', () => {
  it('nothing listens on the port: reachable fails saying so, nothing else is tried', async () => {
    const { exitCode, results } = await check('nowhere');
    expect(exitCode).toBe(1);
    expect(results[0]).toMatchObject({ name: 'reachable', status: 'fail' });
    expect(results[0]?.detail).toBe(
      '127.0.0.1:1 cannot be reached (connection refused: nothing listens on that port; check the port, and that the server is running)',
    );
    expect(results.slice(1).every((r) => r.status === 'skip')).toBe(true);
  });

  it('a DuckDB file in a folder that does not exist: reachable fails naming the folder', async () => {
    const { exitCode, results } = await check('sandbox');
    expect(exitCode).toBe(1);
    expect(results[0]?.detail).toBe(`the folder ${join(dir, 'missing-folder')} does not exist or Ferry cannot write to it: create it, or fix path`);
  });
});

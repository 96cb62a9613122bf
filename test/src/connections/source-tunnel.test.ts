import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportModels, modelSql, type ExportModelName } from '@ferry/generated';
import { loadIntoPostgres, tenantId } from '@ferry/sample-data';
import { PostgresSource } from '@ferry/sources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  EXAMPLE_PROJECT,
  createTempDatabase,
  parseLogLines,
  postgresEnv,
  readDestinationTable,
  readSlice,
  REPO_ROOT,
  runDbt,
  runFerry,
  startTestSshServer,
  type TempDatabase,
  type TestSshServer,
} from '../index.ts';

/**
 * A Postgres source reached through a real OpenSSH bastion: `ferry source test`, a sync whose
 * every read goes through the tunnel, and a bastion that is down.
 */
const MODELS = Object.keys(exportModels).sort() as ExportModelName[];
const TENANT = tenantId(1);

let dir: string;
let source: TempDatabase;
let sshd: TestSshServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-source-tunnel-'));
  [source, sshd] = await Promise.all([createTempDatabase('ferry_tunnel_src'), startTestSshServer()]);
  await loadIntoPostgres(source.client, { seed: 9, tenants: 2, messagesPerTenant: 300 });
  await runDbt(['build', '--target-path', join(dir, 'target'), '--log-path', join(dir, 'logs'), '--exclude', 'resource_type:test'], {
    projectDir: join(REPO_ROOT, 'dbt_project'),
    env: { ...postgresEnv(source.url), FERRY_DBT_SCHEMA: 'analytics' },
  });
  await writeFile(
    join(dir, 'ferry.yaml'),
    stringify({
      project: EXAMPLE_PROJECT,
      source: {
        type: 'postgres',
        url: source.url,
        ssh: {
          host: sshd.host,
          port: sshd.port,
          user: sshd.user,
          password: '${SSH_PASSWORD}',
          host_key: sshd.hostKeyFingerprint,
          connect_timeout: 10,
        },
      },
      sync: { retries: 0 },
      destinations: [{ id: 'sandbox', tenant: TENANT, models: MODELS, type: 'duckdb', path: 'sandbox.duckdb', schema: 'ferry' }],
    }),
  );
}, 180_000);

afterAll(async () => {
  await sshd?.close();
  await source?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ferry = (...args: string[]) => runFerry([...args, '-c', 'ferry.yaml'], { cwd: dir, env: { SSH_PASSWORD: sshd.password } });

describe('a Postgres source behind a bastion', () => {
  it('ferry source test: logs in through the tunnel and can read every export model', async () => {
    const run = await ferry('source', 'test', '--json');
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const results = JSON.parse(run.stdout) as { name: string; status: string }[];
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['ssh tunnel and authentication', 'pass'],
      ['tls', 'warn'],
      ...MODELS.map((model) => [`read ${model}`, 'pass']),
    ]);
  }, 60_000);

  it('syncs every model through the tunnel; the destination equals the source', async () => {
    const run = await ferry('sync');
    expect(run.exitCode, run.stderr).toBe(0);
    const reader = new PostgresSource({ url: source.url });
    await reader.connect();
    try {
      for (const model of MODELS) {
        const expected = await readSlice(reader, exportModels[model], TENANT);
        const actual = await readDestinationTable(
          { type: 'duckdb', path: join(dir, 'sandbox.duckdb') },
          'ferry',
          exportModels[model],
          modelSql.duckdb[model],
          TENANT,
        );
        expect(actual, model).toEqual(expected);
        expect(expected.length, model).toBeGreaterThan(0);
      }
    } finally {
      await reader.close();
    }
  }, 120_000);

  it('with the bastion down: every model fails naming the bastion, exit 1', async () => {
    await sshd.stop();
    try {
      const run = await ferry('sync');
      expect(run.exitCode).toBe(1);
      const failures = parseLogLines(run.stderr).filter((line) => line.event === 'model.failed');
      expect(failures.map((line) => line.model).sort()).toEqual(MODELS);
      for (const failure of failures) expect(String(failure.error)).toContain(`cannot reach SSH bastion ${sshd.user}@127.0.0.1:${sshd.port}`);
    } finally {
      await sshd.restart();
    }
  }, 60_000);
});

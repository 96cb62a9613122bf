import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { exportModels, modelSql, type ExportModelName } from '@ferry/generated';
import { tenantId } from '@ferry/sample-data';
import { DuckDBSource } from '@ferry/sources';
import { openStateStore, type ModelState } from '@ferry/state';
import { execa } from 'execa';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  EXAMPLE_PROJECT,
  buildSampleDuckDBSource,
  createTempDatabase,
  parseLogLines,
  readDestinationTable,
  readSlice,
  REPO_ROOT,
  runFerry,
  startTestSshServer,
  startTlsPostgres,
  type TempDatabase,
  type TestSshServer,
  type TlsPostgres,
} from '../index.ts';

/**
 * Syncs through a real OpenSSH bastion (sshd on a loopback port) to the local Postgres: key and
 * password logins, a refused key, a host key that does not match the pin, a bastion that is
 * down, and a tunnel cut in the middle of a transfer. All through the real `ferry` CLI.
 */
const MODELS = Object.keys(exportModels).sort() as ExportModelName[];
const TENANT = tenantId(0);

let dir: string;
let sourcePath: string;
let destinationDb: TempDatabase;
let sshd: TestSshServer;
/** A warehouse that speaks TLS only, its certificate issued for `localhost`. */
let tlsWarehouse: TlsPostgres;

/** A fingerprint of the right shape that is not the bastion's. */
const IMPOSTOR_HOST_KEY = `SHA256:${randomBytes(32).toString('base64').replace(/=+$/, '')}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-ssh-'));
  [sourcePath, destinationDb, sshd, tlsWarehouse] = await Promise.all([
    buildSampleDuckDBSource(dir, { seed: 11, tenants: 2, messagesPerTenant: 20_000 }),
    createTempDatabase('ferry_ssh'),
    startTestSshServer(),
    startTlsPostgres(),
  ]);
  await writeFile(join(dir, 'wrong_key'), sshd.unauthorisedPrivateKey, { mode: 0o600 });
  const destination = (id: string, ssh: Record<string, unknown>) => ({
    id,
    tenant: TENANT,
    product: 'everything',
    type: 'postgres',
    // The warehouse's address as the bastion sees it.
    url: destinationDb.url,
    schema: id.replaceAll('-', '_'),
    ssh: { host: sshd.host, port: sshd.port, user: sshd.user, host_key: sshd.hostKeyFingerprint, connect_timeout: 10, ...ssh },
  });
  const key = { private_key_file: sshd.privateKeyPath, passphrase: '${SSH_PASSPHRASE}' };
  await writeFile(
    join(dir, 'ferry.yaml'),
    stringify({
      project: EXAMPLE_PROJECT,
      source: { type: 'duckdb', path: basename(sourcePath) },
      sync: { retries: 1 },
      products: { everything: MODELS },
      destinations: [
        destination('by-key', key),
        destination('by-password', { password: '${SSH_PASSWORD}' }),
        destination('wrong-key', { private_key_file: 'wrong_key' }),
        destination('impostor', { ...key, host_key: IMPOSTOR_HOST_KEY }),
        destination('cut', key),
        destination('blip', key),
        // verify-full: the certificate names `localhost`, and the tunnel's local end is 127.0.0.1.
        { ...destination('tls', key), url: tlsWarehouse.url },
      ],
    }),
  );
}, 120_000);

afterAll(async () => {
  await tlsWarehouse?.close();
  await sshd?.close();
  await destinationDb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const env = () => ({ SSH_PASSPHRASE: sshd.passphrase, SSH_PASSWORD: sshd.password });
const ferry = (...args: string[]) => runFerry([...args, '-c', 'ferry.yaml'], { cwd: dir, env: env() });

/** Every model of the destination holds exactly the tenant's slice of the source. */
async function expectInSync(schema: string): Promise<void> {
  const source = new DuckDBSource({ path: sourcePath });
  await source.connect();
  try {
    for (const model of MODELS) {
      const expected = await readSlice(source, exportModels[model], TENANT);
      const actual = await readDestinationTable(
        { type: 'postgres', url: destinationDb.url },
        schema,
        exportModels[model],
        modelSql.postgres[model],
        TENANT,
      );
      expect(actual.length, model).toBe(expected.length);
      expect(actual, model).toEqual(expected);
    }
  } finally {
    await source.close();
  }
}

async function modelStates(destinationId: string): Promise<(ModelState | undefined)[]> {
  const state = await openStateStore(join(dir, '.ferry', 'state.duckdb'));
  try {
    return await Promise.all(MODELS.map((model) => state.getModelState(destinationId, model)));
  } finally {
    await state.close();
  }
}

async function tablesIn(schema: string): Promise<string[]> {
  const result = await destinationDb.client.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> '_ferry_tables'",
    [schema],
  );
  return result.rows.map((r) => r.table_name);
}

/** The transfer errors a failed sync logged, one per failed model and one for the transfer. */
function loggedErrors(stderr: string): string[] {
  return parseLogLines(stderr)
    .filter((line) => line.event === 'model.failed' || line.event === 'transfer.finished')
    .map((line) => String(line.error ?? ''))
    .filter((error) => error !== '');
}

describe('logging in to the bastion', () => {
  it('with an encrypted private key: the sync goes through the tunnel and the tables equal the source', async () => {
    const run = await ferry('sync', '-d', 'by-key');
    expect(run.stderr).toContain('"event":"transfer.finished"');
    expect(run.exitCode, run.stderr).toBe(0);
    await expectInSync('by_key');
  }, 120_000);

  it('with a password', async () => {
    const run = await ferry('sync', '-d', 'by-password', '-m', 'workflows');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await tablesIn('by_password')).toEqual(['workflows']);
  }, 60_000);

  it('with a key the bastion does not know: refused, the transfer fails, nothing is written', async () => {
    const run = await ferry('sync', '-d', 'wrong-key');
    expect(run.exitCode).toBe(1);
    const errors = loggedErrors(run.stderr);
    expect(errors[0]).toMatch(
      new RegExp(`SSH bastion ${sshd.user}@127\\.0\\.0\\.1:${sshd.port} refused the login \\(private key authentication failed\\)`),
    );
    expect(await tablesIn('wrong_key')).toEqual([]);
    const status = await ferry('status', '-d', 'wrong-key', '--json');
    expect(JSON.parse(status.stdout)[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('refused the login') });
  }, 60_000);

  it('to a bastion whose host key is not the pinned one: refused, with the fingerprint it presented', async () => {
    const run = await ferry('sync', '-d', 'impostor');
    expect(run.exitCode).toBe(1);
    const [error] = loggedErrors(run.stderr);
    expect(error).toContain(`presented host key ${sshd.hostKeyFingerprint}, but ssh.host_key pins ${IMPOSTOR_HOST_KEY}: refusing to connect`);
    expect(await tablesIn('impostor')).toEqual([]);
  }, 60_000);
});

describe('TLS through the tunnel', () => {
  it("checks the warehouse's certificate against its own host name, not the tunnel's 127.0.0.1", async () => {
    const check = await ferry('destinations', 'test', 'tls', '--json');
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    const results = JSON.parse(check.stdout) as { name: string; status: string; detail: string }[];
    expect(results.find((r) => r.name === 'tls')).toMatchObject({ status: 'pass', detail: 'the session is encrypted (TLS)' });
    expect(results.every((r) => r.status === 'pass')).toBe(true);

    const run = await ferry('sync', '-d', 'tls', '-m', 'workflows');
    expect(run.exitCode, run.stderr).toBe(0);
    const client = new pg.Client({ connectionString: tlsWarehouse.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM tls.workflows');
      expect(Number(rows[0]?.n)).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  }, 60_000);
});

describe('when the bastion fails', () => {
  it('is down: a clear error, the transfer is recorded failed, and no watermark moves', async () => {
    const before = await modelStates('by-key');
    expect(before.every((s) => s !== undefined)).toBe(true);
    await sshd.stop();
    try {
      const run = await ferry('sync', '-d', 'by-key');
      expect(run.exitCode).toBe(1);
      expect(loggedErrors(run.stderr)[0]).toMatch(
        new RegExp(`cannot reach SSH bastion ${sshd.user}@127\\.0\\.0\\.1:${sshd.port} \\(ECONNREFUSED\\)`),
      );
      const status = await ferry('status', '-d', 'by-key', '-n', '1', '--json');
      expect(JSON.parse(status.stdout)[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('cannot reach SSH bastion') });
      expect(await modelStates('by-key')).toEqual(before);
    } finally {
      await sshd.restart();
    }
  }, 60_000);

  /** Starts `ferry sync -d <id>` and calls `cut` once the first model's rows are flowing. */
  /**
   * Runs a full-refresh sync of `id` and calls `cut` once the first model has started. With
   * `untilRetried`, cuts again every 300 ms until the sync logs a retry (or ends): a cut that
   * lands between two models' connections only closes an idle tunnel, which the next model
   * reopens without an error, so it proves nothing.
   */
  async function syncAndCut(id: string, cut: () => Promise<void>, untilRetried = false) {
    const run = execa('node', [join(REPO_ROOT, 'apps/cli/bin/ferry.js'), 'sync', '-d', id, '--full-refresh', '-c', 'ferry.yaml'], {
      cwd: dir,
      env: env(),
      reject: false,
    });
    let log = '';
    let ended = false;
    let cutDone: Promise<void> | undefined;
    const retried = () => log.includes('"event":"retry"');
    const cutting = async () => {
      do {
        await new Promise((resolve) => setTimeout(resolve, untilRetried ? 300 : 150));
        // Checked right before each cut: cutting the retry's own attempt would use up the retries.
        if (ended || (untilRetried && retried())) return;
        await cut();
      } while (untilRetried);
    };
    run.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (cutDone === undefined && log.includes('"event":"model.started"')) cutDone = cutting();
    });
    const result = await run;
    ended = true;
    expect(cutDone, 'the sync ended before the cut').toBeDefined();
    await cutDone;
    return result;
  }

  it('cuts the tunnel in the middle of a transfer and stays down: the transfer fails cleanly; the next run ends with source and destination equal', async () => {
    const first = await ferry('sync', '-d', 'cut');
    expect(first.exitCode, first.stderr).toBe(0);
    const before = await modelStates('cut');

    const cut = await syncAndCut('cut', () => sshd.stop());
    await sshd.restart();
    expect(cut.exitCode).toBe(1);
    const errors = loggedErrors(cut.stderr);
    expect(errors.join('\n')).toMatch(/SSH bastion|tunnel/);
    const after = await modelStates('cut');
    // A model that committed before the cut may have moved on; none moved past what it committed.
    const status = JSON.parse((await ferry('status', '-d', 'cut', '-n', '1', '--json')).stdout)[0];
    expect(status.status).toBe('failed');
    for (const [i, model] of MODELS.entries()) {
      const outcome = status.models.find((m: { model: string }) => m.model === model);
      if (outcome === undefined || outcome.error !== null) expect(after[i], model).toEqual(before[i]);
    }

    const next = await ferry('sync', '-d', 'cut');
    expect(next.exitCode, next.stderr).toBe(0);
    await expectInSync('cut');
  }, 180_000);

  it('cuts the tunnel while the bastion stays up: the retry opens a new tunnel and the transfer succeeds', async () => {
    const run = await syncAndCut('blip', () => sshd.cutConnections(), true);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(parseLogLines(run.stderr).some((line) => line.event === 'retry')).toBe(true);
    await expectInSync('blip');
  }, 180_000);
});

describe('ferry destinations test', () => {
  it('through the tunnel: every check passes; the session is not encrypted past the bastion, which is a warning', async () => {
    const run = await ferry('destinations', 'test', 'by-key', '--json');
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const results = JSON.parse(run.stdout) as { name: string; status: string; detail: string }[];
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['ssh tunnel', 'pass'],
      ['reachable', 'pass'],
      ['authentication', 'pass'],
      ['tls', 'warn'],
      ['create schema', 'pass'],
      ['create table', 'pass'],
      ['write', 'pass'],
      ['merge', 'pass'],
      ['drop its own tables', 'pass'],
      ['tenant has rows', 'pass'],
    ]);
    expect(results[3]?.detail).toContain('not from the bastion to the warehouse');
    expect(await tablesIn('by_key')).not.toContain('_ferry_connection_check');
  }, 60_000);

  it('against an impostor bastion: the tunnel check fails with the fingerprint, the rest are not tried, exit 1', async () => {
    const run = await ferry('destinations', 'test', 'impostor');
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/✗ ssh tunnel .*presented host key/);
    expect(run.stdout).toMatch(/- authentication +not tried: ssh tunnel failed/);
    expect(run.stdout).toMatch(/0 passed, 1 failed, 9 not tried/);
  }, 60_000);
});

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BigQuery, type TableField } from '@google-cloud/bigquery';
import { BigQueryDestination, type BigQueryDestinationConfig, type BigQueryDestinationOptions, type Destination } from '@ferry/destinations';
import { GoogleAuth, PassThroughClient, type AnyAuthClient } from 'google-auth-library';
import { REPO_ROOT } from '../paths.ts';

/** The emulator's venv, made by scripts/setup-venv.sh from test/emulators/bigquery. */
const VENV = join(REPO_ROOT, '.venv-emulators', 'bigquery');
const EMULATOR_PROJECT = 'ferry-emulator';
const STARTUP_TIMEOUT_MS = 60_000;

/** A running bqemulator on a loopback port of its own choosing. */
export interface BigQueryEmulator {
  /** `http://127.0.0.1:<port>`, the REST API root. */
  readonly apiEndpoint: string;
  readonly projectId: string;
  stop(): Promise<void>;
}

/**
 * Starts bqemulator (in memory) on ephemeral loopback ports and waits until it answers. HOME
 * points into the venv, where setup.sh installed the DuckDB extensions the emulator loads, so it
 * never tries to download them. Fails with the fix when the venv is missing.
 */
export async function startBigQueryEmulator(): Promise<BigQueryEmulator> {
  const executable = join(VENV, 'bin', 'bqemulator');
  if (!existsSync(executable)) {
    throw new Error(`bqemulator is not installed at ${executable}: run \`bash scripts/setup-venv.sh\` (npm test runs it)`);
  }
  const child = spawn(
    executable,
    [
      'start',
      '--rest-host',
      '127.0.0.1',
      '--rest-port',
      '0',
      '--grpc-host',
      '127.0.0.1',
      '--grpc-port',
      '0',
      '--project',
      EMULATOR_PROJECT,
      '--log-format',
      'json',
      '--log-level',
      'info',
    ],
    { env: { ...process.env, HOME: join(VENV, 'home') }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stop = () => stopProcess(child);
  // A test run that ends without dispose() must not leave the emulator behind.
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  try {
    const port = await listeningPort(child);
    const apiEndpoint = `http://127.0.0.1:${port}`;
    await waitHealthy(apiEndpoint);
    return {
      apiEndpoint,
      projectId: EMULATOR_PROJECT,
      async stop() {
        process.off('exit', onExit);
        await stop();
      },
    };
  } catch (error) {
    process.off('exit', onExit);
    await stop();
    throw error;
  }
}

/** The REST port from the emulator's `rest.listen` log line (uvicorn's own lines are not JSON). */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const tail: string[] = [];
    const timer = setTimeout(
      () => reject(new Error(`bqemulator did not start within ${STARTUP_TIMEOUT_MS / 1000}s:\n${tail.join('\n')}`)),
      STARTUP_TIMEOUT_MS,
    );
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      const match = /"port": (\d+), "event": "rest\.listen"/.exec(line) ?? /"event": "rest\.listen".*"port": (\d+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    for (const stream of [child.stdout, child.stderr]) if (stream) createInterface({ input: stream }).on('line', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bqemulator exited with code ${code} before listening:\n${tail.join('\n')}`));
    });
  });
}

async function waitHealthy(apiEndpoint: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    try {
      if ((await fetch(`${apiEndpoint}/healthz`)).ok) return;
    } catch {
      // Not accepting connections yet.
    }
    if (Date.now() > deadline) throw new Error(`bqemulator at ${apiEndpoint} did not become healthy`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(killer);
}

/** The real BigQuery project the tests run against (FERRY_TEST_BIGQUERY_PROJECT), or undefined for the emulator. */
export function realBigQueryProject(): string | undefined {
  return process.env.FERRY_TEST_BIGQUERY_PROJECT || undefined;
}

/** A BigQuery warehouse for tests: real when FERRY_TEST_BIGQUERY_PROJECT is set, else bqemulator. */
export interface BigQueryTestWarehouse {
  /** Whether this is real BigQuery rather than the emulator. */
  readonly real: boolean;
  /** A config for a destination in `dataset` (made unique per run on real BigQuery). */
  config(id: string, dataset: string): BigQueryDestinationConfig;
  /** The destination for a config: on the emulator, BigQueryOnEmulatorTestDouble. */
  create(config: BigQueryDestinationConfig): Destination;
  /** API requests sent so far by the destinations this warehouse created. */
  requests(): number;
  /** Drops what the tests made: stops the emulator, or on real BigQuery deletes the datasets. */
  dispose(): Promise<void>;
}

/**
 * Opens the BigQuery warehouse the tests run against: the one place that picks real BigQuery or
 * the emulator. With FERRY_TEST_BIGQUERY_PROJECT (and FERRY_TEST_BIGQUERY_KEY_FILE, a service
 * account key; optional FERRY_TEST_BIGQUERY_LOCATION, default US) the same tests run on real
 * BigQuery in datasets named after this run, deleted afterwards; otherwise on bqemulator.
 * Requests are counted at the credentials, which every API call (uploads included) goes through.
 */
export async function openBigQueryTestWarehouse(): Promise<BigQueryTestWarehouse> {
  const project = realBigQueryProject();
  let requests = 0;
  const counted = <T extends AnyAuthClient>(client: T): T => {
    const headers = client.getRequestHeaders.bind(client);
    client.getRequestHeaders = (async (url?: string | URL) => {
      requests += 1;
      return headers(url);
    }) as T['getRequestHeaders'];
    return client;
  };
  if (project) {
    const keyFilename = process.env.FERRY_TEST_BIGQUERY_KEY_FILE;
    const location = process.env.FERRY_TEST_BIGQUERY_LOCATION ?? 'US';
    const run = randomBytes(4).toString('hex');
    const datasets = new Set<string>();
    const auth = new GoogleAuth({ keyFilename, scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
    const authClient = counted((await auth.getClient()) as AnyAuthClient);
    return {
      real: true,
      config(id, dataset) {
        const unique = `${dataset}_${run}`;
        datasets.add(unique.toLowerCase());
        return { type: 'bigquery', id, projectId: project, dataset: unique, location, ...(keyFilename ? { keyFilename } : {}) };
      },
      create: (config) => new BigQueryDestination(config, { authClient }),
      requests: () => requests,
      async dispose() {
        const client = new BigQuery({ projectId: project, location, ...(keyFilename ? { keyFilename } : {}) });
        for (const dataset of datasets)
          await client
            .dataset(dataset)
            .delete({ force: true })
            .catch(() => undefined);
      },
    };
  }
  const emulator = await startBigQueryEmulator();
  const authClient = counted(new PassThroughClient());
  const options: BigQueryDestinationOptions = { authClient, maxRetries: 0 };
  const admin = new BigQuery({
    projectId: emulator.projectId,
    apiEndpoint: emulator.apiEndpoint,
    authClient: new PassThroughClient(),
    location: 'US',
    maxRetries: 0,
  });
  return {
    real: false,
    config: (id, dataset) => ({ type: 'bigquery', id, projectId: emulator.projectId, dataset, location: 'US', apiEndpoint: emulator.apiEndpoint }),
    create: (config) => new BigQueryOnEmulatorTestDouble(config, options, admin),
    requests: () => requests,
    dispose: () => emulator.stop(),
  };
}

/** `, PRIMARY KEY (...) NOT ENFORCED` in a CREATE TABLE: bqemulator 1.4 cannot parse NOT ENFORCED. */
const PRIMARY_KEY_CLAUSE = /,\s*PRIMARY KEY\s*\([^)]*\)\s*NOT ENFORCED/gi;
const IDENTIFIER = '`(?:[^`\\\\]|\\\\.)*`';
const ALTER_TABLE = new RegExp(`^\\s*ALTER TABLE ((?:${IDENTIFIER}\\.){2}${IDENTIFIER})\\s+(.*)$`, 's');

/**
 * Test double: the real BigQueryDestination on bqemulator 1.4, with what the emulator does
 * differently from BigQuery made up for on the way (no real BigQuery can run here):
 * - CREATE TABLE's `PRIMARY KEY (...) NOT ENFORCED` is dropped: the emulator's parser rejects it.
 * - ALTER TABLE ADD COLUMN / ALTER COLUMN SET DATA TYPE / DROP NOT NULL change the emulator's
 *   engine but not the table metadata the API reports, so the double patches the metadata after
 *   each (BigQuery changes both).
 * - A copy job with WRITE_TRUNCATE onto a table of another schema fails in the emulator (and
 *   empties the target), so the double drops the target first when the schemas differ.
 * Everything else, generated SQL, NDJSON load jobs, copy-job swaps, runs as it would on BigQuery.
 */
export class BigQueryOnEmulatorTestDouble extends BigQueryDestination {
  constructor(
    private readonly emulatorConfig: BigQueryDestinationConfig,
    options: BigQueryDestinationOptions,
    private readonly admin: BigQuery,
  ) {
    super(emulatorConfig, options);
  }

  protected override async run(sql: string): Promise<number> {
    const changed = await super.run(sql.replace(PRIMARY_KEY_CLAUSE, ''));
    await this.patchMetadataAfter(sql);
    return changed;
  }

  protected override async copyTable(from: string, to: string): Promise<void> {
    const [source, target] = await Promise.all([this.introspect(from), this.introspect(to)]);
    const shape = (table: typeof source) => JSON.stringify([...(table?.columns ?? [])]);
    if (target !== undefined && shape(source) !== shape(target)) await this.dropTable(to);
    await super.copyTable(from, to);
  }

  /** Mirrors an ALTER TABLE the emulator applied to its engine into the table's API metadata. */
  private async patchMetadataAfter(sql: string): Promise<void> {
    const alter = ALTER_TABLE.exec(sql);
    if (!alter) return;
    const [, relation = '', change = ''] = alter;
    const tableId = /`((?:[^`\\]|\\.)*)`$/.exec(relation)?.[1]?.replace(/\\(.)/g, '$1');
    if (tableId === undefined) return;
    const add = new RegExp(`^ADD COLUMN (?:IF NOT EXISTS )?(${IDENTIFIER}) (.+?);?\\s*$`, 's').exec(change);
    const setType = new RegExp(`^ALTER COLUMN (${IDENTIFIER}) SET DATA TYPE (.+?);?\\s*$`, 's').exec(change);
    const dropNotNull = new RegExp(`^ALTER COLUMN (${IDENTIFIER}) DROP NOT NULL;?\\s*$`, 's').exec(change);
    const name = (quoted: string) => quoted.slice(1, -1).replace(/\\(.)/g, '$1');
    const table = this.admin.dataset(this.schema, { projectId: this.emulatorConfig.projectId }).table(tableId);
    const [metadata] = await table.getMetadata();
    let fields = (metadata.schema?.fields ?? []) as TableField[];
    if (add) {
      if (fields.some((field) => field.name === name(add[1]!))) return;
      fields = [...fields, { name: name(add[1]!), ...apiType(add[2]!), mode: 'NULLABLE' }];
    } else if (setType) {
      fields = fields.map((field) => (field.name === name(setType[1]!) ? { name: field.name, mode: field.mode, ...apiType(setType[2]!) } : field));
    } else if (dropNotNull) {
      fields = fields.map((field) => (field.name === name(dropNotNull[1]!) ? { ...field, mode: 'NULLABLE' } : field));
    } else {
      return;
    }
    await table.setMetadata({ schema: { fields } });
  }
}

/** A DDL type (`INT64`, `NUMERIC(38,9)`, `STRING`) as the API's schema field spells it. */
function apiType(ddl: string): Pick<TableField, 'type' | 'precision' | 'scale' | 'maxLength'> {
  const match = /^\s*(\w+)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*$/.exec(ddl);
  const base = (match?.[1] ?? ddl).toUpperCase();
  const legacy: Readonly<Record<string, string>> = { INT64: 'INTEGER', FLOAT64: 'FLOAT', BOOL: 'BOOLEAN' };
  const type = legacy[base] ?? base;
  if (match?.[2] === undefined) return { type };
  if (type === 'STRING' || type === 'BYTES') return { type, maxLength: match[2] };
  return { type, precision: match[2], ...(match[3] === undefined ? {} : { scale: match[3] }) };
}

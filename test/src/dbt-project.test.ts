import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  CHANNELS,
  CHANNEL_TYPES,
  MESSAGE_STATUSES,
  MESSAGE_TABLES,
  loadIntoDuckDB,
  loadIntoPostgres,
  normalizedStatus,
  sampleRows,
  sampleSizes,
  tenantId,
} from '@ferry/sample-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindRelations, type ModelSql } from '@ferry/dialects';
import { exportModels, modelSql, type ExportModelName } from '@ferry/generated';
import { runDbt } from './harness/dbt.ts';
import { REPO_ROOT } from './harness/paths.ts';
import { createTempDatabase, postgresEnv, type TempDatabase } from './harness/postgres.ts';

const PROJECT_DIR = join(REPO_ROOT, 'dbt_project');
const SCHEMA = 'analytics';
const EXPORT_MODELS = ['messages', 'message_events', 'recipients', 'workflows', 'recipient_preferences', 'daily_channel_engagement'] as const;
type ExportModel = (typeof EXPORT_MODELS)[number];

const options = { seed: 2024, tenants: 3, messagesPerTenant: 100 };
const sizes = sampleSizes(options);

/** The slice of dbt's manifest these tests read. */
interface ManifestModel {
  resource_type: string;
  name: string;
  meta: { ferry?: Record<string, unknown> };
  config: { meta: { ferry?: Record<string, unknown> }; contract: { enforced: boolean } };
  constraints: { type: string; columns?: string[] }[];
  columns: Record<string, { data_type: string | null; tags: string[]; config: { meta: { ferry?: { pii?: boolean } }; tags: string[] } }>;
}

type TenantCounts = Record<string, number>;

let database: TempDatabase;
let workDir: string;
let manifest: Record<string, ManifestModel>;
let duckdbCounts: Record<ExportModel, TenantCounts>;
let duckdbEngagement: string[][];

function duckdbPath(): string {
  return join(workDir, 'source.duckdb');
}

/** One dbt run per target, each with its own target and log directories so runs never collide. */
function dbtArgs(target: 'postgres' | 'duckdb'): string[] {
  const dir = join(workDir, target);
  return ['build', '--target', target, '--target-path', join(dir, 'target'), '--log-path', join(dir, 'logs')];
}

const ENGAGEMENT_SQL = `
  SELECT tenant_id, CAST(message_date AS VARCHAR), channel_type, workflow_key, CAST(messages_total AS VARCHAR),
         CAST(messages_failed AS VARCHAR), CAST(event_count AS VARCHAR), CAST(total_cost AS VARCHAR),
         CAST(interaction_rate AS VARCHAR)
  FROM ${SCHEMA}.daily_channel_engagement`;

/** Sorted in JavaScript: Postgres and DuckDB may collate text differently. */
function sortedRows(rows: string[][]): string[][] {
  return [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

function countsSql(model: ExportModel): string {
  return `SELECT tenant_id, CAST(count(*) AS VARCHAR) FROM ${SCHEMA}.${model} GROUP BY tenant_id`;
}

function toCounts(rows: unknown[][]): TenantCounts {
  return Object.fromEntries(rows.map(([tenant, count]) => [String(tenant), Number(count)]));
}

async function postgresCounts(model: ExportModel): Promise<TenantCounts> {
  const result = await database.client.query<unknown[]>({ text: countsSql(model), rowMode: 'array' });
  return toCounts(result.rows);
}

/** Loads the raw sources into a fresh DuckDB file, builds the project on it, and reads back what the tests compare. */
async function buildOnDuckDB(): Promise<void> {
  const path = duckdbPath();
  const loader = await DuckDBInstance.create(path);
  const loading = await loader.connect();
  await loadIntoDuckDB(loading, options);
  loading.closeSync();
  loader.closeSync();

  await runDbt(dbtArgs('duckdb'), { projectDir: PROJECT_DIR, env: { FERRY_DUCKDB_PATH: path, FERRY_DBT_SCHEMA: SCHEMA } });

  const reader = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const connection = await reader.connect();
  try {
    const entries = [];
    for (const model of EXPORT_MODELS) {
      entries.push([model, toCounts((await connection.runAndReadAll(countsSql(model))).getRows())]);
    }
    duckdbCounts = Object.fromEntries(entries);
    duckdbEngagement = sortedRows((await connection.runAndReadAll(ENGAGEMENT_SQL)).getRows() as string[][]);
  } finally {
    connection.closeSync();
    reader.closeSync();
  }
}

async function buildOnPostgres(): Promise<void> {
  await loadIntoPostgres(database.client, options);
  await runDbt(dbtArgs('postgres'), {
    projectDir: PROJECT_DIR,
    env: { ...postgresEnv(database.url), FERRY_DBT_SCHEMA: SCHEMA },
  });
  const nodes = JSON.parse(await readFile(join(workDir, 'postgres', 'target', 'manifest.json'), 'utf8')).nodes;
  manifest = Object.fromEntries(
    Object.values(nodes as Record<string, ManifestModel>)
      .filter((node) => node.resource_type === 'model')
      .map((node) => [node.name, node]),
  );
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'ferry-dbt-'));
  database = await createTempDatabase('ferry_dbt');
  await Promise.all([buildOnPostgres(), buildOnDuckDB()]);
});

afterAll(async () => {
  await database?.drop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Rows per tenant the generator produced for a raw table. */
function generatedPerTenant(table: 'message_events' | 'recipient_preferences'): TenantCounts {
  const counts: TenantCounts = {};
  for (const row of sampleRows(table, options)) counts[row.tenant_id!] = (counts[row.tenant_id!] ?? 0) + 1;
  return counts;
}

function everyTenant(count: number): TenantCounts {
  return Object.fromEntries(Array.from({ length: options.tenants }, (_, i) => [tenantId(i), count]));
}

describe('dbt_project on Postgres', () => {
  it('marks exactly the six export models for export, each with an enforced contract', () => {
    const exported = Object.values(manifest)
      .filter((model) => (model.config.meta.ferry ?? model.meta.ferry)?.export === true)
      .map((model) => model.name);
    expect(exported.sort()).toEqual([...EXPORT_MODELS].sort());
    for (const name of EXPORT_MODELS) {
      const model = manifest[name]!;
      expect(model.config.contract.enforced, name).toBe(true);
      for (const [column, spec] of Object.entries(model.columns)) expect(spec.data_type, `${name}.${column}`).toBeTruthy();
    }
    // workflows keeps its settings in the legacy top-level meta; recipient_preferences its key in a constraint.
    expect(manifest.workflows!.meta.ferry).toMatchObject({ tenant_column: 'tenant_id', cursor: 'updated_at' });
    expect(manifest.recipient_preferences!.constraints).toContainEqual(
      expect.objectContaining({ type: 'primary_key', columns: ['recipient_id', 'workflow_key', 'channel_type'] }),
    );
  });

  it('builds every export model with the right rows per tenant', async () => {
    const expected: Record<Exclude<ExportModel, 'daily_channel_engagement'>, TenantCounts> = {
      messages: everyTenant(options.messagesPerTenant),
      message_events: generatedPerTenant('message_events'),
      recipients: everyTenant(sizes.recipientsPerTenant),
      workflows: everyTenant(sizes.liveWorkflowsPerTenant),
      recipient_preferences: generatedPerTenant('recipient_preferences'),
    };
    for (const [model, counts] of Object.entries(expected)) {
      expect(Object.keys(counts), model).toHaveLength(options.tenants);
      for (const count of Object.values(counts)) expect(count, model).toBeGreaterThan(0);
      expect(await postgresCounts(model as ExportModel), model).toEqual(counts);
    }

    const { rows } = await database.client.query<{ tenant_id: string; messages: string; days: string }>(
      `SELECT tenant_id, sum(messages_total) AS messages, count(*) AS days
       FROM ${SCHEMA}.daily_channel_engagement GROUP BY tenant_id ORDER BY tenant_id`,
    );
    expect(rows.map((row) => [row.tenant_id, Number(row.messages)])).toEqual(Object.entries(everyTenant(options.messagesPerTenant)));
    for (const row of rows) expect(Number(row.days)).toBeGreaterThan(1);
  });

  it('normalises every provider status to the channel-agnostic set, as the generator defines it', async () => {
    const { rows } = await database.client.query<StatusMapping>(`SELECT DISTINCT channel_type, vendor_status, status FROM ${SCHEMA}.messages`);
    for (const row of rows) expect(MESSAGE_STATUSES).toContain(row.status);
    const expected = CHANNEL_TYPES.flatMap((channel) => {
      const statuses = new Set([...sampleRows(MESSAGE_TABLES[channel], options)].map((row) => row.status!));
      return CHANNELS[channel].outcomes
        .filter((outcome) => statuses.has(outcome.status))
        .map((outcome) => ({ channel_type: channel, vendor_status: outcome.status, status: normalizedStatus(outcome) }));
    });
    expect(expected.length).toBeGreaterThan(15);
    expect(sortedMappings(rows)).toEqual(sortedMappings(expected));
  });

  it('keeps PII columns in the recipients model, marked as PII, and nowhere else', async () => {
    const { rows } = await database.client.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'recipients'`,
      [SCHEMA],
    );
    expect(rows.map((row) => row.column_name)).toEqual(expect.arrayContaining(['email', 'phone_number', 'name']));

    const pii = EXPORT_MODELS.flatMap((name) =>
      Object.entries(manifest[name]!.columns)
        .filter(([, column]) => column.config.meta.ferry?.pii === true || column.tags.includes('pii'))
        .map(([column]) => `${name}.${column}`),
    );
    expect(pii.sort()).toEqual(['recipients.email', 'recipients.name', 'recipients.phone_number']);
    const { columns } = manifest.recipients!;
    expect(columns.email!.config.meta.ferry?.pii).toBe(true);
    expect(columns.phone_number!.config.tags).toEqual(['pii']);
  });

  it('creates columns with exactly the types the contracts declare, covering every type Ferry maps', async () => {
    const declared = new Set<string>();
    for (const name of EXPORT_MODELS) {
      const { rows } = await database.client.query<{ column_name: string; type: string }>(
        `SELECT attname AS column_name, format_type(atttypid, atttypmod) AS type
         FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
        [`${SCHEMA}.${name}`],
      );
      const contract = Object.entries(manifest[name]!.columns).map(([column, spec]) => {
        declared.add(spec.data_type!.replace(/\(.*\)/, '(n)'));
        return { column_name: column, type: POSTGRES_SPELLING[spec.data_type!] ?? spec.data_type };
      });
      expect(rows, name).toEqual(contract);
    }
    expect([...declared].sort()).toEqual(
      ['bigint', 'boolean', 'date', 'integer', 'json', 'numeric(n)', 'text', 'timestamp', 'timestamptz', 'uuid', 'varchar(n)'].sort(),
    );
  });
});

interface StatusMapping {
  channel_type: string;
  vendor_status: string;
  status: string;
}

function sortedMappings(mappings: StatusMapping[]): StatusMapping[] {
  const key = (mapping: StatusMapping) => `${mapping.channel_type}/${mapping.vendor_status}`;
  return [...mappings].sort((a, b) => key(a).localeCompare(key(b)));
}

/** How Postgres's format_type() writes the contract spellings that differ from it. */
const POSTGRES_SPELLING: Record<string, string> = {
  'varchar(16)': 'character varying(16)',
  'varchar(32)': 'character varying(32)',
  'varchar(64)': 'character varying(64)',
  'varchar(128)': 'character varying(128)',
  timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
};

describe('dbt_project on DuckDB', () => {
  it('builds every export model with the same rows per tenant as Postgres', async () => {
    for (const model of EXPORT_MODELS) {
      const counts = duckdbCounts[model];
      expect(Object.keys(counts), model).toHaveLength(options.tenants);
      expect(counts, model).toEqual(await postgresCounts(model));
    }
  });

  it('computes the daily aggregate identically, to the last decimal', async () => {
    const postgres = await database.client.query<string[]>({ text: ENGAGEMENT_SQL, rowMode: 'array' });
    expect(duckdbEngagement.length).toBeGreaterThan(options.tenants);
    expect(duckdbEngagement).toEqual(sortedRows(postgres.rows));
  });
});

/**
 * The generated SQL (libs/generated) applied to the export models dbt just built: one tenant's rows
 * staged, merged, merged again, and some keys deleted, in a real Postgres and a real DuckDB.
 */
describe('generated SQL on the built export models', () => {
  const tenant = tenantId(1);
  const models = Object.keys(exportModels) as ExportModelName[];

  /** Source columns selected for staging, and the destination columns they land in. */
  function columnsOf(model: ExportModelName, sql: ModelSql) {
    const spec = exportModels[model];
    const source = spec.columns.map((c) => `"${c.name}"`).join(', ');
    const destination = spec.columns.map((c) => `"${sql.columns[c.name]}"`).join(', ');
    return { spec, source, destination };
  }

  /** Every exported column as comparable text; JSON through jsonb/json so formatting does not matter. */
  function comparable(model: ExportModelName, names: Record<string, string>, json: string): string {
    return exportModels[model].columns
      .map((c) => (c.type.kind === 'json' ? `CAST(CAST("${names[c.name]}" AS ${json}) AS VARCHAR)` : `CAST("${names[c.name]}" AS VARCHAR)`))
      .join(', ');
  }

  it('postgres: creates, merges idempotently, and deletes by key', async () => {
    const { client } = database;
    await client.query('CREATE SCHEMA dest');
    for (const model of models) {
      const sql = modelSql.postgres[model];
      const { spec, source, destination } = columnsOf(model, sql);
      const relations = { target: `"dest"."${sql.table}"`, staging: `"ferry_staging_${model}"`, deletedKeys: `"ferry_deleted_${model}"` };
      const run = async (statements: readonly string[]) => {
        let last = 0;
        for (const statement of statements) last = (await client.query(bindRelations(statement, relations))).rowCount ?? 0;
        return last;
      };
      const slice = `FROM ${SCHEMA}."${model}" WHERE "${spec.tenantColumn}" = '${tenant}'`;
      const expected = Number((await client.query(`SELECT count(*) AS n ${slice}`)).rows[0].n);
      expect(expected, model).toBeGreaterThan(0);

      await run(sql.createTable);
      await run(sql.createTable);
      await run(sql.createStaging);
      await client.query(bindRelations(`INSERT INTO {staging} (${destination}) SELECT ${source} ${slice}`, relations));
      expect(await run(sql.merge), `${model}: first merge inserts the slice`).toBe(expected);
      expect(await run(sql.merge), `${model}: the same rows again change nothing`).toBe(0);

      const identity = Object.fromEntries(spec.columns.map((c) => [c.name, c.name]));
      const difference = await client.query(
        `(SELECT ${comparable(model, identity, 'jsonb')} ${slice})
         EXCEPT (SELECT ${comparable(model, sql.columns, 'jsonb')} FROM ${relations.target})`,
      );
      expect(difference.rows, `${model}: destination equals the source slice`).toEqual([]);

      const keys = spec.primaryKey.map((k) => `"${sql.columns[k]}"`).join(', ');
      await run(sql.createDeletedKeys);
      await client.query(bindRelations(`INSERT INTO {deleted_keys} (${keys}) SELECT ${keys} FROM {target} ORDER BY ${keys} LIMIT 3`, relations));
      expect(await run(sql.deleteByKeys), `${model}: deletes exactly the given keys`).toBe(3);
      const left = Number((await client.query(`SELECT count(*) AS n FROM ${relations.target}`)).rows[0].n);
      expect(left, model).toBe(expected - 3);
      await run([...sql.dropStaging, ...sql.dropDeletedKeys]);
    }
  });

  it('duckdb: creates, merges idempotently, and deletes by key', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await connection.run(`ATTACH '${duckdbPath()}' AS source (READ_ONLY)`);
      await connection.run('CREATE SCHEMA dest');
      for (const model of models) {
        const sql = modelSql.duckdb[model];
        const { spec, source, destination } = columnsOf(model, sql);
        const relations = { target: `"dest"."${sql.table}"`, staging: `"ferry_staging_${model}"`, deletedKeys: `"ferry_deleted_${model}"` };
        const run = async (statements: readonly string[]) => {
          let last = 0;
          for (const statement of statements) last = Number((await connection.run(bindRelations(statement, relations))).rowsChanged);
          return last;
        };
        const slice = `FROM source.${SCHEMA}."${model}" WHERE "${spec.tenantColumn}" = '${tenant}'`;
        const expected = Number((await connection.runAndReadAll(`SELECT count(*) ${slice}`)).getRows()[0]![0]);
        expect(expected, model).toBeGreaterThan(0);

        await run(sql.createTable);
        await run(sql.createStaging);
        await connection.run(bindRelations(`INSERT INTO {staging} (${destination}) SELECT ${source} ${slice}`, relations));
        expect(await run(sql.merge), `${model}: first merge inserts the slice`).toBe(expected);
        expect(await run(sql.merge), `${model}: the same rows again change nothing`).toBe(0);

        const identity = Object.fromEntries(spec.columns.map((c) => [c.name, c.name]));
        const difference = await connection.runAndReadAll(
          `(SELECT ${comparable(model, identity, 'JSON')} ${slice})
           EXCEPT (SELECT ${comparable(model, sql.columns, 'JSON')} FROM ${relations.target})`,
        );
        expect(difference.getRows(), `${model}: destination equals the source slice`).toEqual([]);

        const keys = spec.primaryKey.map((k) => `"${sql.columns[k]}"`).join(', ');
        await run(sql.createDeletedKeys);
        await connection.run(bindRelations(`INSERT INTO {deleted_keys} (${keys}) SELECT ${keys} FROM {target} ORDER BY ${keys} LIMIT 3`, relations));
        expect(await run(sql.deleteByKeys), `${model}: deletes exactly the given keys`).toBe(3);
        const left = Number((await connection.runAndReadAll(`SELECT count(*) FROM ${relations.target}`)).getRows()[0]![0]);
        expect(left, model).toBe(expected - 3);
        await run([...sql.dropStaging, ...sql.dropDeletedKeys]);
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { createDestination } from '@ferry/destinations';
import { parseDbtProject } from '@ferry/generator';
import { loadIntoPostgres } from '@ferry/sample-data';
import { PostgresSource } from '@ferry/sources';
import { openStateStore, type ModelTransfer, type StateStore } from '@ferry/state';
import { syncAll, type DestinationTarget } from '@ferry/sync';
import type { Catalog } from '@ferry/dialects';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import {
  REPO_ROOT,
  copyDbtProject,
  createTempDatabase,
  postgresEnv,
  readDestinationTable,
  readSlice,
  runDbt,
  runFerry,
  workspaceScratchDir,
  type DestinationLocation,
  type SliceRow,
  type TempDatabase,
} from '../index.ts';

/**
 * Schema evolution as an analytics engineer drives it: edit a dbt model, `dbt build` it in the
 * source, `dbt parse`, `ferry generate` a new library, sync with it. After every step each
 * destination must equal the tenant's slice of the source, and keep what the contract promises:
 * new columns backfilled, widened types altered in place (or rebuilt where the warehouse cannot),
 * incompatible changes rebuilt in a shadow table, removed columns kept with their data.
 */
const TENANT = 'tenant_001';
const MODELS = ['messages', 'recipient_preferences'] as const;
type Model = (typeof MODELS)[number];
type Kind = 'postgres' | 'duckdb';
const KINDS: readonly Kind[] = ['postgres', 'duckdb'];
const SCHEMA = 'ferry';

let scratch: Awaited<ReturnType<typeof workspaceScratchDir>>;
let project: string;
let source: TempDatabase;
let destinationDb: TempDatabase;
let state: StateStore;
let locations: Record<Kind, DestinationLocation>;
let targets: DestinationTarget[];
let catalog: Catalog;
let release = 0;

/** dbt builds the edited models in the source, then the manifest goes through the real CLI. */
async function buildAndGenerate(select: readonly string[]): Promise<void> {
  await runDbt(['build', '--select', ...select, '--exclude', 'resource_type:test'], {
    projectDir: project,
    env: { ...postgresEnv(source.url), FERRY_DBT_SCHEMA: 'analytics' },
  });
  release += 1;
  const manifest = join(scratch.dir, `manifest-v${release}.json`);
  await writeFile(manifest, await parseDbtProject({ root: REPO_ROOT, projectDir: project }));
  // A new folder per release: the module cache would hand back the previous library under the same URL.
  const out = join(scratch.dir, `generated-v${release}`);
  const generated = await runFerry(['generate', '--manifest', manifest, '--out', out]);
  expect(generated.exitCode, generated.stderr).toBe(0);
  expect(generated.stderr).not.toMatch(/error/i);
  ({ catalog } = (await import(pathToFileURL(join(out, 'index.js')).href)) as { catalog: Catalog });
}

type Outcomes = Record<Kind, Record<Model, ModelTransfer>>;

async function sync(fullRefresh = false): Promise<Outcomes> {
  const results = await syncAll(targets, () => new PostgresSource({ url: source.url }), state, {
    catalog,
    fullRefresh,
    lookbackSeconds: 0,
    retry: { retries: 0, baseDelayMs: 10 },
    concurrency: 2,
  });
  const outcomes = {} as Outcomes;
  for (const result of results) {
    expect(result.error, result.destinationId).toBeNull();
    const kind = result.destinationId as Kind;
    outcomes[kind] = Object.fromEntries(result.models.map((m) => [m.model, m])) as Record<Model, ModelTransfer>;
  }
  return outcomes;
}

async function sourceSlice(model: Model): Promise<SliceRow[]> {
  const reader = new PostgresSource({ url: source.url });
  await reader.connect();
  try {
    return await readSlice(reader, catalog.exportModels[model]!, TENANT);
  } finally {
    await reader.close();
  }
}

/** Each destination table equals the tenant's slice read with the current spec, and holds nothing else. */
async function expectDestinationsEqualSource(model: Model): Promise<SliceRow[]> {
  const expected = await sourceSlice(model);
  expect(expected.length, model).toBeGreaterThan(0);
  for (const kind of KINDS) {
    const sql = catalog.modelSql[kind][model]!;
    const actual = await readDestinationTable(locations[kind], SCHEMA, catalog.exportModels[model]!, sql, TENANT);
    expect(actual, `${kind}: ${model}`).toEqual(expected);
    const [[count] = []] = await inDestination(kind, `SELECT CAST(count(*) AS VARCHAR) FROM ${SCHEMA}.${sql.table}`);
    expect(Number(count), `${kind}: ${model} holds only ${TENANT}'s rows`).toBe(expected.length);
  }
  return expected;
}

/** Reads a destination directly, not through Ferry, so the checks do not trust its introspection. */
async function inDestination(kind: Kind, sql: string, access: 'read' | 'write' = 'read'): Promise<(string | null)[][]> {
  if (kind === 'postgres') return (await destinationDb.client.query<(string | null)[]>({ text: sql, rowMode: 'array' })).rows;
  const location = locations.duckdb;
  const path = location.type === 'duckdb' ? location.path : '';
  const instance = await DuckDBInstance.create(path, access === 'read' ? { access_mode: 'READ_ONLY' } : {});
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRows().map((row) => row.map((v) => (v === null ? null : String(v))));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Column name -> type as the warehouse spells it, and whether it accepts NULL. */
async function columnsOf(kind: Kind, table: string): Promise<Map<string, { type: string; nullable: boolean }>> {
  const rows =
    kind === 'postgres'
      ? await inDestination(
          kind,
          `SELECT attname, format_type(atttypid, atttypmod), CAST(NOT attnotnull AS text) FROM pg_attribute
           WHERE attrelid = '${SCHEMA}.${table}'::regclass AND attnum > 0 AND NOT attisdropped`,
        )
      : await inDestination(
          kind,
          `SELECT column_name, data_type, CAST(is_nullable AS VARCHAR) FROM duckdb_columns()
           WHERE schema_name = '${SCHEMA}' AND table_name = '${table}'`,
        );
  return new Map(rows.map(([name, type, nullable]) => [name!, { type: type!, nullable: nullable === 'true' }]));
}

/**
 * Tags a destination table with a comment. An in-place ALTER keeps it; a table rebuilt in a shadow
 * copy and swapped in starts without one. (Catalog ids cannot tell: DuckDB renumbers them on open.)
 */
async function tag(model: Model): Promise<void> {
  for (const kind of KINDS) await inDestination(kind, `COMMENT ON TABLE ${SCHEMA}.${model} IS 'kept'`, 'write');
}

async function tagged(model: Model): Promise<Record<Kind, boolean>> {
  const [[postgres] = []] = await inDestination('postgres', `SELECT obj_description('${SCHEMA}.${model}'::regclass, 'pg_class')`);
  const [[duckdb] = []] = await inDestination(
    'duckdb',
    `SELECT comment FROM duckdb_tables() WHERE schema_name = '${SCHEMA}' AND table_name = '${model}'`,
  );
  return { postgres: postgres === 'kept', duckdb: duckdb === 'kept' };
}

/** `id inserted_at` of every row of a messages table, to follow the column once it left the model. */
async function insertedAt(kind: Kind, table: string): Promise<string[]> {
  const rows = await inDestination(kind, `SELECT CAST(id AS VARCHAR), CAST(inserted_at AS VARCHAR) FROM ${SCHEMA}.${table} ORDER BY 1`);
  return rows.map((row) => row.join(' '));
}

/** Tables of the destination schema whose name is LIKE `pattern`. */
async function tablesLike(kind: Kind, pattern: string): Promise<string[]> {
  const rows = await inDestination(
    kind,
    `SELECT table_name FROM information_schema.tables WHERE table_schema = '${SCHEMA}' AND table_name LIKE '${pattern.replaceAll('_', '\\_')}' ESCAPE '\\' ORDER BY 1`,
  );
  return rows.map(([name]) => String(name));
}

/** The primary key constraint's columns, in key order; '' for none (Ferry's DuckDB tables declare none). */
async function primaryKeyOf(kind: Kind, table: string): Promise<string> {
  const [[key] = []] = await inDestination(
    kind,
    kind === 'postgres'
      ? `SELECT string_agg(a.attname, ',' ORDER BY array_position(i.indkey::int2[], a.attnum))
         FROM pg_index AS i JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
         WHERE i.indrelid = '${SCHEMA}.${table}'::regclass AND i.indisprimary`
      : `SELECT array_to_string(constraint_column_names, ',') FROM duckdb_constraints()
         WHERE schema_name = '${SCHEMA}' AND table_name = '${table}' AND constraint_type = 'PRIMARY KEY'`,
  );
  return key ?? '';
}

/** The YAML entry of the model being edited, and a way to make new YAML nodes for it. */
interface YamlEdit {
  readonly model: YAMLMap;
  readonly columns: YAMLSeq<YAMLMap>;
  readonly node: (value: unknown) => YAMLMap;
}

/** Edits a model's SQL and its YAML entry in the copied dbt project, as an engineer would. */
async function editModel(model: Model, edit: { sql?: (sql: string) => string; yaml?: (yaml: YamlEdit) => void }) {
  const base = join(project, 'models', 'exports', model);
  if (edit.sql) await writeFile(`${base}.sql`, edit.sql(await readFile(`${base}.sql`, 'utf8')));
  if (edit.yaml) {
    const doc = parseDocument(await readFile(`${base}.yml`, 'utf8'));
    const node = (doc.get('models') as YAMLSeq<YAMLMap>).items.find((m) => m.get('name') === model)!;
    edit.yaml({ model: node, columns: node.get('columns') as YAMLSeq<YAMLMap>, node: (value) => doc.createNode(value) as YAMLMap });
    await writeFile(`${base}.yml`, doc.toString());
  }
}

function column(columns: YAMLSeq<YAMLMap>, name: string): YAMLMap {
  const found = columns.items.find((c) => c.get('name') === name);
  if (!found) throw new Error(`no column ${name} in the model's YAML`);
  return found;
}

/** Replaces text the model must contain, so an edit never silently misses. */
function replace(text: string, from: string | RegExp, to: string): string {
  if (!(typeof from === 'string' ? text.includes(from) : from.test(text))) throw new Error(`the model no longer contains ${from}`);
  return text.replace(from, to);
}

const MESSAGES_FROM = `from {{ ref('stg_messages') }}`;

beforeAll(async () => {
  scratch = await workspaceScratchDir();
  project = await copyDbtProject(join(scratch.dir, 'dbt_project'));
  [source, destinationDb] = await Promise.all([createTempDatabase('ferry_evo_src'), createTempDatabase('ferry_evo_dst')]);
  await loadIntoPostgres(source.client, { seed: 11, tenants: 2, messagesPerTenant: 100 });
  await buildAndGenerate(MODELS.map((m) => `+${m}`));
  locations = { postgres: { type: 'postgres', url: destinationDb.url }, duckdb: { type: 'duckdb', path: join(scratch.dir, 'customer.duckdb') } };
  targets = [
    {
      id: 'postgres',
      tenant: TENANT,
      models: MODELS,
      softDeletes: 'keep',
      open: () => createDestination({ id: 'postgres', type: 'postgres', url: destinationDb.url, schema: SCHEMA }),
    },
    {
      id: 'duckdb',
      tenant: TENANT,
      models: MODELS,
      softDeletes: 'keep',
      open: () => createDestination({ id: 'duckdb', type: 'duckdb', path: join(scratch.dir, 'customer.duckdb'), schema: SCHEMA }),
    },
  ];
  state = await openStateStore(join(scratch.dir, 'state.duckdb'));
  await state.migrate();
});

afterAll(async () => {
  await state?.close();
  await Promise.all([source?.drop(), destinationDb?.drop()]);
  await scratch?.remove();
});

describe('schema evolution: edit dbt model -> dbt build + parse -> ferry generate -> sync', () => {
  it('the baseline library creates both tables in both destinations', async () => {
    const outcomes = await sync();
    for (const kind of KINDS) for (const model of MODELS) expect(outcomes[kind][model].action, `${kind} ${model}`).toBe('create');
    for (const model of MODELS) await expectDestinationsEqualSource(model);
  });

  it('a new column is added in place and backfilled for the rows already there', async () => {
    await tag('messages');
    await editModel('messages', {
      sql: (sql) =>
        replace(
          sql,
          `as updated_at\n${MESSAGES_FROM}`,
          `as updated_at,\n    cast(extract(epoch from (delivered_at - sent_at)) as integer) as delivery_seconds\n${MESSAGES_FROM}`,
        ),
      yaml: ({ columns, node }) => {
        columns.add(node({ name: 'delivery_seconds', data_type: 'integer', description: 'Seconds from sent to delivered.' }));
      },
    });
    await buildAndGenerate(['messages']);

    const outcomes = await sync();
    const expected = await expectDestinationsEqualSource('messages');
    const position = catalog.exportModels.messages!.columns.findIndex((c) => c.name === 'delivery_seconds');
    // The existing rows' cursor did not move: only a backfill can have given them the new values.
    const backfilled = expected.filter((row) => row[position] !== null).length;
    expect(backfilled).toBeGreaterThan(0);
    for (const kind of KINDS) {
      expect(outcomes[kind].messages).toMatchObject({ action: 'evolve', rowsInserted: 0, rowsUpdated: backfilled, rowsDeleted: 0 });
      expect(outcomes[kind].messages.schemaChanges).toContain('add column delivery_seconds and backfill it');
      expect(outcomes[kind].recipient_preferences).toMatchObject({ action: 'incremental', schemaChanges: [] });
      expect((await columnsOf(kind, 'messages')).get('delivery_seconds')).toEqual({
        type: kind === 'postgres' ? 'integer' : 'INTEGER',
        nullable: true,
      });
    }
    expect(await tagged('messages'), 'altered, not rebuilt').toEqual({ postgres: true, duckdb: true });
  });

  it('widened types are altered in place where the warehouse can, and then hold wider values', async () => {
    await tag('messages');
    await tag('recipient_preferences');
    await editModel('messages', {
      sql: (sql) => {
        let edited = replace(sql, 'cast(vendor_status as varchar(32))', 'cast(vendor_status as varchar(64))');
        edited = replace(edited, 'cast(cost as numeric(12, 6))', 'cast(cost as numeric(18, 6))');
        return replace(edited, 'as integer) as delivery_seconds', 'as bigint) as delivery_seconds');
      },
      yaml: ({ columns }) => {
        column(columns, 'vendor_status').set('data_type', 'varchar(64)');
        column(columns, 'cost').set('data_type', 'numeric(18,6)');
        column(columns, 'delivery_seconds').set('data_type', 'bigint');
        // Messages sent through the API without a workflow: the model now allows a null key.
        column(columns, 'workflow_key').delete('constraints');
      },
    });
    // channel_type is part of recipient_preferences' primary key.
    await editModel('recipient_preferences', {
      sql: (sql) => replace(sql, 'cast(channel_type as varchar(16))', 'cast(channel_type as varchar(32))'),
      yaml: ({ columns }) => column(columns, 'channel_type').set('data_type', 'varchar(32)'),
    });
    await buildAndGenerate(['messages', 'recipient_preferences']);

    const outcomes = await sync();
    for (const kind of KINDS) {
      expect(outcomes[kind].messages).toMatchObject({ action: 'evolve', rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0 });
      expect(outcomes[kind].messages.schemaChanges).toEqual(
        expect.arrayContaining([
          'widen vendor_status in place',
          'widen cost in place',
          'widen delivery_seconds in place',
          'column workflow_key may now be null',
        ]),
      );
      const columns = await columnsOf(kind, 'messages');
      const types = ['vendor_status', 'cost', 'delivery_seconds'].map((c) => columns.get(c)?.type);
      expect(types).toEqual(kind === 'postgres' ? ['character varying(64)', 'numeric(18,6)', 'bigint'] : ['VARCHAR', 'DECIMAL(18,6)', 'BIGINT']);
      expect(columns.get('workflow_key')?.nullable, `${kind}: workflow_key accepts null`).toBe(true);
    }
    expect(await tagged('messages'), 'messages was altered, not rebuilt').toEqual({ postgres: true, duckdb: true });

    // A longer varchar key: Postgres retypes it in place; DuckDB keeps no varchar length, so there is nothing to change.
    for (const kind of KINDS) {
      expect(outcomes[kind].recipient_preferences).toMatchObject({ action: 'evolve', rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0 });
    }
    expect(await tagged('recipient_preferences')).toEqual({ postgres: true, duckdb: true });
    expect((await columnsOf('postgres', 'recipient_preferences')).get('channel_type')?.type).toBe('character varying(32)');
    for (const model of MODELS) await expectDestinationsEqualSource(model);

    // Values only the widened types (and the relaxed NOT NULL) can hold now arrive incrementally.
    const later = `clock_timestamp() + interval '1 hour'`;
    const changed = await source.client.query(
      `UPDATE analytics.messages
       SET vendor_status = repeat('x', 60), cost = 987654321.123456, delivery_seconds = 5000000000, workflow_key = NULL, updated_at = ${later}
       WHERE id IN (SELECT id FROM analytics.messages WHERE tenant_id = $1 ORDER BY id LIMIT 3)`,
      [TENANT],
    );
    expect(changed.rowCount).toBe(3);
    await source.client.query(
      `UPDATE analytics.recipient_preferences SET channel_type = 'in_app_weekly_digest', updated_at = ${later}
       WHERE (recipient_id, workflow_key, channel_type) IN (
         SELECT recipient_id, workflow_key, channel_type FROM analytics.recipient_preferences WHERE tenant_id = $1 ORDER BY 1, 2, 3 LIMIT 1)`,
      [TENANT],
    );
    const incremental = await sync();
    for (const kind of KINDS) {
      expect(incremental[kind].messages).toMatchObject({ action: 'incremental', rowsUpdated: 3 });
      expect(incremental[kind].recipient_preferences).toMatchObject({ action: 'incremental', rowsInserted: 1, rowsDeleted: 1 });
    }
    for (const model of MODELS) await expectDestinationsEqualSource(model);
  });

  it('an incompatible type change rebuilds the table in a shadow copy and swaps it in', async () => {
    await tag('messages');
    await editModel('messages', {
      sql: (sql) =>
        replace(
          sql,
          /cast\(extract\(epoch from \(delivered_at - sent_at\)\) as bigint\)/,
          'cast(extract(epoch from (delivered_at - sent_at)) as numeric(12, 3))',
        ),
      yaml: ({ columns }) => column(columns, 'delivery_seconds').set('data_type', 'numeric(12,3)'),
    });
    await buildAndGenerate(['messages']);

    const outcomes = await sync();
    const expected = await expectDestinationsEqualSource('messages');
    for (const kind of KINDS) {
      expect(outcomes[kind].messages).toMatchObject({ action: 'rebuild', rowsInserted: expected.length });
      expect(outcomes[kind].messages.schemaChanges).toContain(
        'column "delivery_seconds" changed type from bigint to numeric(12,3), which is not a widening',
      );
      expect(outcomes[kind].recipient_preferences.action).toBe('incremental');
      expect((await columnsOf(kind, 'messages')).get('delivery_seconds')?.type).toBe(kind === 'postgres' ? 'numeric(12,3)' : 'DECIMAL(12,3)');
    }
    expect(await tagged('messages'), 'a new table was swapped in').toEqual({ postgres: false, duckdb: false });
    const tables = await inDestination(
      'postgres',
      `SELECT table_name FROM information_schema.tables WHERE table_schema = '${SCHEMA}' AND table_name <> '_ferry_tables' ORDER BY 1`,
    );
    expect(tables.flat(), 'no shadow table is left behind').toEqual(['messages', 'recipient_preferences']);
  });

  it('a removed column stays in the destination, nullable, with its data, and is reported', async () => {
    const kept = (kind: Kind) => insertedAt(kind, 'messages');
    const before = { postgres: await kept('postgres'), duckdb: await kept('duckdb') };
    await tag('messages');
    expect(before.postgres.length).toBeGreaterThan(0);
    await editModel('messages', {
      sql: (sql) => replace(sql, /\n\s*cast\(inserted_at as timestamptz\) as inserted_at,/, ''),
      yaml: ({ columns }) => {
        columns.items.splice(columns.items.indexOf(column(columns, 'inserted_at')), 1);
      },
    });
    await buildAndGenerate(['messages']);
    expect(catalog.exportModels.messages!.columns.map((c) => c.name)).not.toContain('inserted_at');

    const outcomes = await sync();
    for (const kind of KINDS) {
      expect(outcomes[kind].messages).toMatchObject({ action: 'evolve', rowsDeleted: 0 });
      expect(outcomes[kind].messages.schemaChanges).toContain('column inserted_at left the model: kept (nullable), no longer updated');
      expect((await columnsOf(kind, 'messages')).get('inserted_at')).toMatchObject({ nullable: true });
      expect(await kept(kind), `${kind}: inserted_at keeps its values`).toEqual(before[kind]);
      expect((await state.getModelState(kind, 'messages'))?.retiredColumns).toEqual(['inserted_at']);
    }
    expect(await tagged('messages'), 'altered, not rebuilt').toEqual({ postgres: true, duckdb: true });
    await expectDestinationsEqualSource('messages');

    // A row the source adds later has no inserted_at to give: the retired column takes a null.
    const fresh = await source.client.query<{ id: string }>(
      `INSERT INTO analytics.messages
       SELECT (jsonb_populate_record(m, jsonb_build_object('id', gen_random_uuid(), 'updated_at', clock_timestamp() + interval '2 hours'))).*
       FROM analytics.messages AS m WHERE tenant_id = $1 ORDER BY id LIMIT 1
       RETURNING CAST(id AS text) AS id`,
      [TENANT],
    );
    const outcomesAfterInsert = await sync();
    for (const kind of KINDS) {
      expect(outcomesAfterInsert[kind].messages).toMatchObject({ action: 'incremental', rowsInserted: 1, rowsUpdated: 0 });
      const now = await kept(kind);
      expect(now).toContain(`${fresh.rows[0]!.id} `);
      expect(now.filter((r) => !r.startsWith(fresh.rows[0]!.id))).toEqual(before[kind]);
    }
    await expectDestinationsEqualSource('messages');
  });

  it('a full refresh keeps columns retired earlier in the rebuilt table, with their values', async () => {
    const before = { postgres: await insertedAt('postgres', 'messages'), duckdb: await insertedAt('duckdb', 'messages') };
    await tag('messages');
    const outcomes = await sync(true);
    await expectDestinationsEqualSource('messages');
    for (const kind of KINDS) {
      expect(outcomes[kind].messages).toMatchObject({ action: 'rebuild' });
      expect(await insertedAt(kind, 'messages'), `${kind}: inserted_at keeps its values through the rebuild`).toEqual(before[kind]);
      expect((await columnsOf(kind, 'messages')).get('inserted_at')?.nullable).toBe(true);
      expect((await state.getModelState(kind, 'messages'))?.retiredColumns).toEqual(['inserted_at']);
      expect(await tablesLike(kind, 'messages__ferry_%'), `${kind}: no copy of the old table was needed`).toEqual([]);
    }
    expect(await tagged('messages'), 'a new table was swapped in').toEqual({ postgres: false, duckdb: false });
  });

  it('a new primary key rebuilds the table; columns retired earlier keep their data in a retired copy', async () => {
    const before = { postgres: await insertedAt('postgres', 'messages'), duckdb: await insertedAt('duckdb', 'messages') };
    const keyConstraint = (key: string) => ({ postgres: key, duckdb: '' });
    for (const kind of KINDS) expect(await primaryKeyOf(kind, 'messages')).toBe(keyConstraint('id')[kind]);
    await tag('messages');
    await editModel('messages', {
      yaml: ({ model }) => model.setIn(['config', 'meta', 'ferry', 'primary_key'], ['tenant_id', 'id']),
    });
    await buildAndGenerate(['messages']);

    const outcomes = await sync();
    const expected = await expectDestinationsEqualSource('messages');
    for (const kind of KINDS) {
      expect(outcomes[kind].messages).toMatchObject({ action: 'rebuild', rowsInserted: expected.length });
      expect(outcomes[kind].messages.schemaChanges).toContain('the primary key changed from (id) to (tenant_id,id)');
      expect(outcomes[kind].messages.schemaChanges).toContain(
        'kept the previous table whole as messages__ferry_retired: its rows cannot be matched to the new key',
      );
      expect(await primaryKeyOf(kind, 'messages')).toBe(keyConstraint('tenant_id,id')[kind]);
      expect((await state.getModelState(kind, 'messages'))?.appliedSpec).toMatchObject({ primaryKey: ['tenant_id', 'id'] });
      expect((await columnsOf(kind, 'messages')).has('inserted_at')).toBe(false);
      expect(await insertedAt(kind, 'messages__ferry_retired'), `${kind}: the retired column's data survives the rebuild`).toEqual(before[kind]);
      expect((await state.getModelState(kind, 'messages'))?.retiredColumns).toEqual([]);
    }
    expect(await tagged('messages'), 'a new table was swapped in').toEqual({ postgres: false, duckdb: false });
  });
});

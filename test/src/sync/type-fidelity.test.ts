import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createDestination } from '@ferry/destinations';
import { DIALECT_NAMES, dialectFor, dialects, renderModelSql, type ModelSql } from '@ferry/dialects';
import type { LogicalType } from '@ferry/schema';
import { DuckDBSource, PostgresSource, sourceRelation, type Source, type SourceKind } from '@ferry/sources';
import { everyTypeModel } from '@ferry/sources/testing/models';
import { openStateStore, type StateStore } from '@ferry/state';
import { syncAll, type Catalog, type DestinationTarget } from '@ferry/sync';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDatabase, readDestinationTable, readSlice, type DestinationLocation, type SliceRow, type TempDatabase } from '../index.ts';

/**
 * Type fidelity end to end: one row per kind of awkward value, in every logical type, written into
 * a Postgres and a DuckDB source, synced by the engine into a Postgres and a DuckDB destination
 * (four pairs), then read back with plain SQL and compared with values written out by hand here,
 * and with the tenant's slice of the source.
 */

// A runner whose local zone is not UTC must not shift a single timestamp. DuckDB takes its
// default zone from the process when it first loads ICU, so this has to run before any instance
// exists; beforeAll checks that it took.
const LOCAL_ZONE = 'Asia/Kathmandu';
process.env.TZ = LOCAL_ZONE;

const TENANT = 'acme';
const SOURCE_KINDS: readonly SourceKind[] = ['postgres', 'duckdb'];
const DESTINATION_KINDS = ['postgres', 'duckdb'] as const;
type DestinationKind = (typeof DESTINATION_KINDS)[number];
type Value = string | null;

const MODEL = everyTypeModel;
const catalog: Catalog = {
  exportModels: { [MODEL.name]: MODEL },
  modelSql: Object.fromEntries(DIALECT_NAMES.map((name) => [name, { [MODEL.name]: renderModelSql(dialectFor(name), MODEL) }])) as Catalog['modelSql'],
};

// Columns, in model order: tenant_id, id, note (text), Label (varchar(32)), small, regular, big,
// amount (numeric(38,9)), ratio (real), weight (double), flag, day, at_time, local_at (timestamp),
// updated_at (timestamptz, the cursor), order (json), ref (uuid).
// Each row is what the destination must hold, as Postgres spells it with TimeZone UTC; floats are
// compared as the float they read back as, JSON as the value it parses to (see `comparable`).
const NESTED_JSON = String.raw`{"text": "größe 🚢 \"quoted\" back\\slash\nnew line", "escaped": "\ud83d\udea2 \u00e9", "big": 12345678901234567890123456789.123456789, "nested": {"deep": [true, false, null, {}, [], -0.5e-3]}, "c": null}`;
const LARGEST: Value[] = [
  TENANT, '1', `Ünïcödé 🚢 👩‍👩‍👧 e\u0301 שלום مرحبا "double" 'single' back\\slash, comma;\ttab`, '🚢'.repeat(32),
  '32767', '2147483647', '9223372036854775807', '99999999999999999999999999999.999999999',
  '3.4028235e+38', '1.7976931348623157e+308', 'true', '9999-12-31', '23:59:59.999999',
  '9999-12-31 23:59:59.999999', '2024-03-01 00:00:00+00', NESTED_JSON, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
];
const SMALLEST: Value[] = [
  TENANT, '2', '', 'line1\nline2\r\nline3',
  '-32768', '-2147483648', '-9223372036854775808', '-99999999999999999999999999999.999999999',
  '-1e-45', '5e-324', 'false', '0001-01-01', '00:00:00',
  '0001-01-01 00:00:00', '0001-01-01 00:00:00.000001+00', '[]', '00000000-0000-0000-0000-000000000000',
];
const NULLS: Value[] = [TENANT, '3', ...Array<Value>(15).fill(null)];
const LOOKALIKES: Value[] = [
  TENANT, '4', 'NULL', '\\N',
  '0', '-1', '0', '0.000000001',
  '0.1', '0.1', 'true', '2024-02-29', '12:00:00.5',
  '2024-02-29 23:59:59.999999', '2024-01-01 21:34:05.123456+00', '"just a string"', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
];
// The newest cursor of the first load: the next incremental read starts at it (>=), so this row is
// read again and must compare equal to what the destination holds, NaN and JSON null included.
const SPECIALS: Value[] = [
  TENANT, '5', ' padded ', 'a\n\\.\nb',
  null, null, null, '-0.000000001',
  'NaN', '-Infinity', null, '1970-01-01', '00:00:00.000001',
  '1969-12-31 23:59:59.999999', '2024-07-01 16:00:00.000001+00', 'null', null,
];
const SPECIALS_2: Value[] = [
  TENANT, '6', '"', '',
  null, null, null, '1.500000000',
  'Infinity', '-0', null, null, null,
  null, '2024-05-05 05:05:05.5+00', '{}', null,
];
const FIRST_LOAD = [LARGEST, SMALLEST, NULLS, LOOKALIKES, SPECIALS, SPECIALS_2];

const column = (name: string) => MODEL.columns.findIndex((c) => c.name === name);

/** Rows as written into the source, where the input differs from the stored value. */
const INPUT: ReadonlyMap<Value[], Value[]> = new Map([
  [LARGEST, LARGEST.with(column('ref'), 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11')],
  [LOOKALIKES, LOOKALIKES.with(column('updated_at'), '2024-01-02 03:04:05.123456+05:30')],
  [SPECIALS_2, SPECIALS_2.with(column('amount'), '1.5')],
]);
/** Written from a New York session without an offset: 12:00 EDT is 16:00 UTC. */
const NEW_YORK_INPUT = SPECIALS.with(column('updated_at'), '2024-07-01 12:00:00.000001');

/** Rows of tenants that differ from TENANT only by case or whitespace, or not at all alike: none may arrive. */
const OTHER_TENANTS: Value[][] = ['ACME', 'acme ', ' acme', 'other'].flatMap((tenant) => [LARGEST.with(0, tenant), NULLS.with(0, tenant)]);

/** The second load: one row changed (its cursor moving to the latest microsecond there is), one new. */
const UPDATED: Record<string, string> = {
  note: 'updated ✓ — “curly” ‘quotes’ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  amount: '-12345678901234567890123456789.123456789',
  weight: '2.2250738585072014e-308',
  local_at: '2000-01-01 00:00:00.000001',
  updated_at: '9999-12-31 23:59:59.999999+00',
};
const LOOKALIKES_UPDATED = LOOKALIKES.map((value, i) => UPDATED[MODEL.columns[i]!.name] ?? value);
const INSERTED: Value[] = [
  TENANT, '7', 'new row\r\n', 'x',
  '1', '2', '3', '4.000000005',
  '1.1754944e-38', '0.30000000000000004', 'false', '2000-02-29', '23:59:59',
  '2000-02-29 00:00:00', '2025-01-01 00:00:00.123+00', '{"k": "v", "n": [1, 2, 3]}', 'c0ffee00-0000-4000-8000-000000000001',
];
const SECOND_LOAD = [LARGEST, SMALLEST, NULLS, LOOKALIKES_UPDATED, SPECIALS, SPECIALS_2, INSERTED];

/** Column types as each destination engine reports them: no timestamp loses its zone, no numeric its scale. */
const DESTINATION_TYPES: Record<DestinationKind, Record<string, string>> = {
  postgres: {
    tenant_id: 'text', id: 'integer', note: 'text', Label: 'character varying(32)', small: 'smallint', regular: 'integer',
    big: 'bigint', amount: 'numeric(38,9)', ratio: 'real', weight: 'double precision', flag: 'boolean', day: 'date',
    at_time: 'time without time zone', local_at: 'timestamp(6) without time zone', updated_at: 'timestamp(6) with time zone',
    order: 'jsonb', ref: 'uuid',
  },
  duckdb: {
    tenant_id: 'VARCHAR', id: 'INTEGER', note: 'VARCHAR', Label: 'VARCHAR', small: 'SMALLINT', regular: 'INTEGER',
    big: 'BIGINT', amount: 'DECIMAL(38,9)', ratio: 'FLOAT', weight: 'DOUBLE', flag: 'BOOLEAN', day: 'DATE',
    at_time: 'TIME', local_at: 'TIMESTAMP', updated_at: 'TIMESTAMP WITH TIME ZONE', order: 'JSON', ref: 'UUID',
  },
};

/**
 * A value as the test compares it. Floats by the value they read back as: each engine picks its own
 * exact digits (`100` on Postgres is `100.0` on DuckDB), and -0 stays apart from 0. JSON by the
 * value it parses to: jsonb re-spaces and re-orders keys. The exact digits of a big JSON number,
 * which parsing would round, are checked as text separately.
 */
function comparable(row: SliceRow): unknown[] {
  return row.map((value, i) => {
    const type: LogicalType = MODEL.columns[i]!.type;
    if (value === null) return null;
    if (type.kind === 'real' || type.kind === 'double') {
      const number = DUCKDB_SPECIAL_FLOATS[value] ?? Number(value);
      const float = type.kind === 'real' ? Math.fround(number) : number;
      return Object.is(float, -0) ? '-0' : String(float);
    }
    return type.kind === 'json' ? JSON.parse(value) : value;
  });
}

/** DuckDB's own casts spell these so; Postgres and the transfer format as JavaScript does. */
const DUCKDB_SPECIAL_FLOATS: Readonly<Record<string, number>> = { nan: NaN, inf: Infinity, '-inf': -Infinity };

const byTenantAndId = (a: SliceRow, b: SliceRow) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : Number(a[1]) - Number(b[1]));

/** A source warehouse the test writes into as dbt would, and the engine reads from. */
interface SourceWarehouse {
  open(): Source;
  /** Runs the statements in order on one connection. */
  run(...statements: string[]): Promise<void>;
  close(): Promise<void>;
}

async function openWarehouse(kind: SourceKind, dir: string): Promise<SourceWarehouse> {
  if (kind === 'postgres') {
    const database = await createTempDatabase('ferry_fidelity_src');
    await hostileSessionDefaults(database);
    return {
      open: () => new PostgresSource({ url: database.url }),
      async run(...statements) {
        for (const sql of statements) await database.client.query(sql);
      },
      close: () => database.drop(),
    };
  }
  const path = join(dir, 'vendor.duckdb');
  return {
    open: () => new DuckDBSource({ path }),
    async run(...statements) {
      const instance = await DuckDBInstance.create(path);
      const connection = await instance.connect();
      try {
        for (const sql of statements) await connection.run(sql);
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    },
    close: async () => {},
  };
}

/**
 * Server defaults under which a session that does not pin its own settings would print another
 * zone, day-first dates and rounded floats: Ferry's sessions must not depend on them.
 */
async function hostileSessionDefaults(database: TempDatabase): Promise<void> {
  for (const setting of [`TimeZone = '${LOCAL_ZONE}'`, `DateStyle = 'SQL, DMY'`, 'extra_float_digits = -15', `IntervalStyle = 'sql_standard'`]) {
    await database.client.query(`ALTER DATABASE "${database.name}" SET ${setting}`);
  }
}

function sourceStatements(kind: SourceKind) {
  const dialect = dialects[kind];
  const relation = sourceRelation(kind, MODEL.source);
  const literal = (value: Value, i: number) =>
    value === null ? 'NULL' : `CAST('${value.replaceAll("'", "''")}' AS ${dialect.columnType(MODEL.columns[i]!.type)})`;
  return {
    create: [
      `CREATE SCHEMA ${dialect.quoteIdentifier(MODEL.source.schema)}`,
      `CREATE TABLE ${relation} (${MODEL.columns.map((c) => `${dialect.quoteIdentifier(c.name)} ${dialect.columnType(c.type)}`).join(', ')})`,
    ],
    insert: (rows: readonly Value[][]) => `INSERT INTO ${relation} VALUES ${rows.map((row) => `(${row.map(literal).join(', ')})`).join(', ')}`,
    update: (id: string, changes: Record<string, string>) =>
      `UPDATE ${relation} SET ${Object.entries(changes)
        .map(([name, value]) => `${dialect.quoteIdentifier(name)} = ${literal(value, column(name))}`)
        .join(', ')} WHERE tenant_id = '${TENANT}' AND id = ${id}`,
  };
}

/** Every row of the destination table, whatever its tenant, each column as text. */
async function readBack(kind: DestinationKind, location: DestinationLocation, sql: ModelSql): Promise<Value[][]> {
  const dialect = dialectFor(kind);
  const columns = MODEL.columns.map((c) => dialect.quoteIdentifier(sql.columns[c.name]!));
  const table = `${dialect.quoteIdentifier('ferry')}.${dialect.quoteIdentifier(sql.table)}`;
  if (location.type === 'postgres') {
    const database = await connectPostgres(location.url);
    try {
      await database.query(`SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET extra_float_digits = 3`);
      const result = await database.query<Value[]>({ text: `SELECT ${columns.map((c) => `${c}::text`).join(', ')} FROM ${table}`, rowMode: 'array' });
      return result.rows.sort(byTenantAndId);
    } finally {
      await database.end();
    }
  }
  return withDuckDB(location.path, async (connection) => {
    await connection.run(`SET TimeZone = 'UTC'`);
    const reader = await connection.runAndReadAll(`SELECT ${columns.map((c) => `CAST(${c} AS VARCHAR)`).join(', ')} FROM ${table}`);
    return (reader.getRows() as Value[][]).sort(byTenantAndId);
  });
}

/** Column name (as in the model) -> type as the destination engine reports it. */
async function destinationTypes(kind: DestinationKind, location: DestinationLocation, sql: ModelSql): Promise<Record<string, string>> {
  const byDestinationName = new Map(Object.entries(sql.columns).map(([model, destination]) => [destination, model]));
  let rows: [string, string][];
  if (location.type === 'postgres') {
    const database = await connectPostgres(location.url);
    try {
      const result = await database.query<[string, string]>({
        text: `SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
        values: [`ferry."${sql.table}"`],
        rowMode: 'array',
      });
      rows = result.rows;
    } finally {
      await database.end();
    }
  } else {
    rows = await withDuckDB(location.path, async (connection) => {
      const reader = await connection.runAndReadAll(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'ferry' AND table_name = '${sql.table}'`,
      );
      return reader.getRows() as [string, string][];
    });
  }
  expect(rows.length, kind).toBe(MODEL.columns.length);
  return Object.fromEntries(rows.map(([name, type]) => [byDestinationName.get(name) ?? name, type]));
}

async function connectPostgres(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

async function withDuckDB<T>(path: string, work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return await work(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe.each(SOURCE_KINDS)('%s source -> Postgres and DuckDB destinations: every logical type round-trips exactly', (sourceKind) => {
  let dir: string;
  let warehouse: SourceWarehouse;
  let destinationDb: TempDatabase;
  let state: StateStore;
  let locations: Record<DestinationKind, DestinationLocation>;
  let targets: DestinationTarget[];
  const statements = sourceStatements(sourceKind);

  async function sync() {
    const results = await syncAll(targets, () => warehouse.open(), state, {
      catalog,
      fullRefresh: false,
      lookbackSeconds: 0,
      retry: { retries: 0, baseDelayMs: 10 },
      concurrency: 2,
    });
    for (const result of results) expect(result.error, result.destinationId).toBeNull();
    return results.map((result) => ({ destination: result.destinationId, ...result.models[0]! }));
  }

  /** Each destination holds exactly `expected` (and nothing of another tenant), by hand and by the source's own slice. */
  async function expectDestinationsHold(expected: Value[][]): Promise<void> {
    const reader = warehouse.open();
    await reader.connect();
    let slice: SliceRow[];
    try {
      slice = (await readSlice(reader, MODEL, TENANT)).toSorted(byTenantAndId);
    } finally {
      await reader.close();
    }
    expect(slice.map(comparable), `${sourceKind} source slice`).toEqual(expected.map(comparable));

    for (const kind of DESTINATION_KINDS) {
      const pair = `${sourceKind} -> ${kind}`;
      const sql = catalog.modelSql[kind][MODEL.name]!;
      const rows = await readBack(kind, locations[kind], sql);
      expect(rows.map((row) => row[0]), `${pair}: only ${TENANT}'s rows`).toEqual(expected.map(() => TENANT));
      // Column by column, so a failure names the pair, the row and the column.
      rows.forEach((row, r) => {
        const [actual, wanted] = [comparable(row), comparable(expected[r]!)];
        MODEL.columns.forEach((c, i) => expect({ pair, id: row[1], column: c.name, value: actual[i] }).toEqual({ pair, id: row[1], column: c.name, value: wanted[i] }));
      });
      const json = rows.find((row) => row[1] === '1')![column('order')]!;
      expect(json, `${pair}: a JSON number keeps every digit`).toContain('12345678901234567890123456789.123456789');

      const mirrored = await readDestinationTable(locations[kind], 'ferry', MODEL, sql, TENANT);
      expect(mirrored.toSorted(byTenantAndId).map(comparable), `${pair}: destination equals the source slice`).toEqual(slice.map(comparable));
    }
  }

  beforeAll(async () => {
    const probe = await DuckDBInstance.create(':memory:');
    const connection = await probe.connect();
    const zone = (await connection.runAndReadAll(`SELECT current_setting('TimeZone')`)).getRows()[0]![0];
    connection.closeSync();
    probe.closeSync();
    expect(zone, 'DuckDB runs in a non-UTC local zone, so a session that forgets to pin UTC shows').toBe(LOCAL_ZONE);

    dir = await mkdtemp(join(tmpdir(), 'ferry-fidelity-'));
    warehouse = await openWarehouse(sourceKind, dir);
    destinationDb = await createTempDatabase('ferry_fidelity_dst');
    await hostileSessionDefaults(destinationDb);
    await warehouse.run(
      ...statements.create,
      statements.insert(FIRST_LOAD.filter((row) => row !== SPECIALS).map((row) => INPUT.get(row) ?? row)),
      statements.insert(OTHER_TENANTS),
      `SET TimeZone = 'America/New_York'`,
      statements.insert([NEW_YORK_INPUT]),
    );

    locations = { postgres: { type: 'postgres', url: destinationDb.url }, duckdb: { type: 'duckdb', path: join(dir, 'customer.duckdb') } };
    targets = DESTINATION_KINDS.map((kind) => {
      const id = `${kind}-customer`;
      const location = locations[kind];
      return {
        id,
        tenant: TENANT,
        models: [MODEL.name],
        softDeletes: 'keep',
        open: () =>
          createDestination(location.type === 'postgres' ? { id, type: 'postgres', url: location.url, schema: 'ferry' } : { id, type: 'duckdb', path: location.path, schema: 'ferry' }),
      };
    });
    state = await openStateStore(join(dir, 'state.duckdb'));
    await state.migrate();
  });

  afterAll(async () => {
    await state?.close();
    await Promise.all([warehouse?.close(), destinationDb?.drop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('backfills every value exactly: NULL vs "", extremes, microseconds, JSON, unicode', async () => {
    for (const outcome of await sync()) {
      expect(outcome, outcome.destination).toMatchObject({ action: 'create', rowsInserted: FIRST_LOAD.length });
    }
    await expectDestinationsHold(FIRST_LOAD);
  });

  it('creates destination columns that keep each type’s semantics', async () => {
    for (const kind of DESTINATION_KINDS) {
      const types = await destinationTypes(kind, locations[kind], catalog.modelSql[kind][MODEL.name]!);
      expect(types, `${sourceKind} -> ${kind}`).toEqual(DESTINATION_TYPES[kind]);
    }
  });

  it('carries an update and an insert incrementally with the same fidelity', async () => {
    await warehouse.run(statements.update('4', UPDATED), statements.insert([INSERTED]));
    for (const outcome of await sync()) {
      // The re-read newest row (NaN, -Infinity, JSON null) must compare equal to its copy, not count as updated.
      expect(outcome, outcome.destination).toMatchObject({ action: 'incremental', rowsInserted: 1, rowsUpdated: 1, rowsDeleted: 0 });
    }
    await expectDestinationsHold(SECOND_LOAD);
  });

  it('re-reading values already delivered changes nothing', async () => {
    for (const outcome of await sync()) {
      expect([outcome.rowsInserted, outcome.rowsUpdated, outcome.rowsDeleted], outcome.destination).toEqual([0, 0, 0]);
    }
    await expectDestinationsHold(SECOND_LOAD);
  });
});

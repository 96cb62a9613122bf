import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createDestination } from '@ferry/destinations';
import { dialectFor, dialects, type ModelSql } from '@ferry/dialects';
import { catalogOf } from '../harness/catalog.ts';
import { duckdb } from '../conformance/destinations/duckdb.ts';
import { postgres } from '../conformance/destinations/postgres.ts';
import { DuckDBSource, PostgresSource, sourceRelation, type Source, type SourceKind } from '@ferry/sources';
import { everyTypeModel } from '../index.ts';
import { openStateStore, type StateStore } from '@ferry/state';
import { binaryLoadCasts, syncAll, type DestinationTarget } from '@ferry/sync';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  byTenantAndId,
  column,
  comparable,
  createTempDatabase,
  FIRST_LOAD,
  INSERTED,
  LARGEST,
  LOOKALIKES,
  NULLS,
  readDestinationTable,
  readSlice,
  SECOND_LOAD,
  SPECIALS,
  SPECIALS_2,
  TENANT,
  UPDATED,
  type DestinationLocation,
  type SliceRow,
  type TempDatabase,
  type Value,
} from '../index.ts';

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

const SOURCE_KINDS: readonly SourceKind[] = ['postgres', 'duckdb'];
const DESTINATION_KINDS = ['postgres', 'duckdb'] as const;
type DestinationKind = (typeof DESTINATION_KINDS)[number];

const MODEL = everyTypeModel;
const catalog = catalogOf(MODEL);

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

/** Column types as each destination engine reports them (the conformance suite's expectations): no timestamp loses its zone, no numeric its scale. */
const DESTINATION_TYPES: Record<DestinationKind, Readonly<Record<string, string>>> = {
  postgres: postgres.expectations.everyTypeColumns,
  duckdb: duckdb.expectations.everyTypeColumns,
};

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
      expect(
        rows.map((row) => row[0]),
        `${pair}: only ${TENANT}'s rows`,
      ).toEqual(expected.map(() => TENANT));
      // Column by column, so a failure names the pair, the row and the column.
      rows.forEach((row, r) => {
        const [actual, wanted] = [comparable(row), comparable(expected[r]!)];
        MODEL.columns.forEach((c, i) => {
          expect({ pair, id: row[1], column: c.name, value: actual[i] }).toEqual({ pair, id: row[1], column: c.name, value: wanted[i] });
        });
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
          createDestination(
            location.type === 'postgres'
              ? { id, type: 'postgres', url: location.url, schema: 'ferry' }
              : { id, type: 'duckdb', path: location.path, schema: 'ferry' },
          ),
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

  it('loaded the Postgres destination in binary from a Postgres source (every column one type on both sides), else in CSV', async () => {
    // The backfill above is then what proves binary values exact: without this, a silent CSV fallback would pass it too.
    const source = warehouse.open();
    const destination = createDestination({ id: 'probe', type: 'postgres', url: destinationDb.url, schema: 'ferry' });
    await Promise.all([source.connect(), destination.connect()]);
    try {
      const sql = catalog.modelSql.postgres[MODEL.name]!;
      expect(await binaryLoadCasts(source, destination, MODEL, sql, sql.table)).toEqual(sourceKind === 'postgres' ? new Map() : undefined);
    } finally {
      await Promise.all([source.close(), destination.close()]);
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

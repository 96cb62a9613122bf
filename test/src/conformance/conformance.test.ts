import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChecks } from '@ferry/connections';
import { createDestination, destinationPermissionChecks, type Destination, type DestinationType } from '@ferry/destinations';
import { dialects } from '@ferry/dialects';
import { catalogOf } from '../harness/catalog.ts';
import { fingerprintOf, formatLogicalType, type ColumnSpec, type ExportModelSpec, type LogicalType } from '@ferry/schema';
import { DuckDBSource, PostgresSource, sourceRelation, type Source, type SourceKind } from '@ferry/sources';
import { createTempDatabase } from '../harness/postgres.ts';
import { everyTypeModel } from '../index.ts';
import { openStateStore, type ModelTransfer, type StateStore } from '@ferry/state';
import { syncAll, verifyDestination, type DestinationTarget, type ModelAction, type ModelVerification, type SoftDeleteMode } from '@ferry/sync';
import type { Catalog } from '@ferry/dialects';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  byTenantAndId,
  column as columnIndex,
  runOnDuckDB,
  comparable,
  FIRST_LOAD,
  INSERTED,
  readSlice,
  readThroughDestination,
  SECOND_LOAD,
  UPDATED,
  type SliceRow,
  type Value,
} from '../index.ts';
import type { Warehouse } from './conformance-destination.ts';
import { CONFORMANCE_DESTINATIONS } from './destinations/index.ts';

/**
 * One destination conformance suite: every destination type runs the same scenarios through the
 * real sync engine, and its expected differences are stated in CONFORMANCE_DESTINATIONS, a Record
 * over DestinationType, so a new destination type does not compile until it states them, and then
 * runs every scenario. Each step asserts the destination holds exactly the tenant's slice of the
 * source (and nothing of the other tenant, whose keys overlap) and what the engine reported.
 */
const TENANT = 'acme';
const MODEL = 'orders';

function column(name: string, type: LogicalType, nullable = true): ColumnSpec {
  return { name, destinationName: name, type, nullable, dataType: formatLogicalType(type) };
}

const INTEGER = { kind: 'integer' } as const;
const BIGINT = { kind: 'bigint' } as const;
const TEXT = { kind: 'text' } as const;
const TIMESTAMPTZ = { kind: 'timestamptz' } as const;

/** The model's versions, each one schema change after the previous. */
function version(types: { id?: LogicalType; amount?: LogicalType; größe?: LogicalType; score?: LogicalType; extra?: boolean } = {}): Catalog {
  const base = {
    name: MODEL,
    destinationName: MODEL,
    source: { schema: 'analytics', identifier: 'orders' },
    columns: [
      column('tenant_id', TEXT, false),
      column('id', types.id ?? INTEGER, false),
      column('order', INTEGER),
      column('select', TEXT),
      column('CamelCase', TEXT),
      column('größe', types.größe ?? { kind: 'varchar', length: 16 }),
      column('amount', types.amount ?? INTEGER),
      column('score', types.score ?? INTEGER),
      ...(types.extra ? [column('extra', TEXT)] : []),
      column('deleted_at', TIMESTAMPTZ),
      column('updated_at', TIMESTAMPTZ, false),
    ],
    primaryKey: ['id'],
    tenantColumn: 'tenant_id',
    cursor: 'updated_at',
    softDelete: 'deleted_at',
  } satisfies Omit<ExportModelSpec, 'fingerprint'>;
  const spec: ExportModelSpec = { ...base, fingerprint: fingerprintOf(base) };
  return catalogOf(spec);
}

const V1 = version();
const V2_EXTRA = version({ extra: true });
const V3_WIDER = version({ extra: true, amount: BIGINT, größe: { kind: 'varchar', length: 64 } });
const V4_WIDER_KEY = version({ extra: true, amount: BIGINT, größe: { kind: 'varchar', length: 64 }, id: BIGINT });
const V5_SCORE_TEXT = version({ extra: true, amount: BIGINT, größe: { kind: 'varchar', length: 64 }, id: BIGINT, score: TEXT });

/** Same ids in both tenants, so a merge or a delete that forgets the tenant shows. */
const SOURCE_SQL = `CREATE SCHEMA analytics;
  CREATE TABLE analytics.orders (tenant_id VARCHAR, id INTEGER, "order" INTEGER, "select" VARCHAR, "CamelCase" VARCHAR,
    "größe" VARCHAR, amount INTEGER, score INTEGER, extra VARCHAR, deleted_at TIMESTAMPTZ, updated_at TIMESTAMPTZ);
  INSERT INTO analytics.orders VALUES
    ('acme', 1, 10, 'a', 'Mixed', 'klein', 100, 1, 'x1', NULL, '2024-01-01 00:00:00+00'),
    ('acme', 2, 20, 'b', NULL, 'mittel', 200, 2, 'x2', NULL, '2024-01-01 00:00:00+00'),
    ('acme', 3, 30, 'c', 'Case', 'groß', 300, 3, 'x3', NULL, '2024-01-01 00:00:00+00'),
    ('acme', 4, 40, 'd', 'gone', 'weg', 400, 4, 'x4', '2024-01-01 00:00:00+00', '2024-01-01 00:00:00+00'),
    ('globex', 1, 11, 'g', 'Other', 'fremd', 110, 9, 'g1', NULL, '2024-01-01 00:00:00+00'),
    ('globex', 2, 12, 'h', 'Other', 'fremd', 120, 9, 'g2', NULL, '2024-01-01 00:00:00+00')`;

const MODES: readonly SoftDeleteMode[] = ['keep', 'delete'];
type Counts = Pick<ModelTransfer, 'rowsInserted' | 'rowsUpdated' | 'rowsDeleted'>;
const counts = (rowsInserted: number, rowsUpdated: number, rowsDeleted: number): Counts => ({ rowsInserted, rowsUpdated, rowsDeleted });

for (const type of Object.keys(CONFORMANCE_DESTINATIONS) as DestinationType[]) {
  const expected = CONFORMANCE_DESTINATIONS[type].expectations;

  describe(`destination conformance: ${type}`, () => {
    let dir: string;
    let sourcePath: string;
    let state: StateStore;
    let warehouse: Warehouse;
    let catalog = V1;
    /** One target per soft-delete mode; its id is the mode. */
    let targets: DestinationTarget[];

    async function changeSource(sql: string): Promise<void> {
      await runOnDuckDB(sourcePath, sql);
    }

    async function sync(next: Catalog, fullRefresh = false): Promise<Record<SoftDeleteMode, ModelTransfer>> {
      catalog = next;
      const results = await syncAll(targets, () => new DuckDBSource({ path: sourcePath }), state, {
        catalog,
        fullRefresh,
        lookbackSeconds: 0,
        retry: { retries: 0, baseDelayMs: 10 },
        concurrency: 2,
      });
      for (const result of results) expect(result.error, result.destinationId).toBeNull();
      return Object.fromEntries(results.map((r) => [r.destinationId, r.models[0]!])) as Record<SoftDeleteMode, ModelTransfer>;
    }

    function expectOutcome(outcomes: Record<SoftDeleteMode, ModelTransfer>, action: ModelAction, want: Record<SoftDeleteMode, Counts>): void {
      for (const mode of MODES) {
        const { rowsInserted, rowsUpdated, rowsDeleted } = outcomes[mode];
        expect({ action: outcomes[mode].action, rowsInserted, rowsUpdated, rowsDeleted }, mode).toEqual({ action, ...want[mode] });
      }
    }

    /** Each destination holds the tenant's slice (without soft-deleted rows when it deletes them), and no other row. */
    async function expectSlices(): Promise<void> {
      const spec = catalog.exportModels[MODEL]!;
      const source = new DuckDBSource({ path: sourcePath });
      await source.connect();
      let slice: SliceRow[];
      try {
        slice = await readSlice(source, spec, TENANT);
      } finally {
        await source.close();
      }
      const softDeleted = spec.columns.findIndex((c) => c.name === spec.softDelete);
      for (const target of targets) {
        const { dialect } = target.open();
        const sql = catalog.modelSql[dialect.name][MODEL]!;
        const want = target.softDeletes === 'delete' ? slice.filter((row) => row[softDeleted] === null) : slice;
        const [got, [[all] = []]] = await connected(
          target,
          async (d) => [await readThroughDestination(d, spec, sql, TENANT), await d.query(`SELECT COUNT(*) FROM ${d.relation(sql.table)}`)] as const,
        );
        expect(got, target.id).toEqual(want);
        expect(Number(all), `${target.id}: rows of any tenant`).toBe(want.length);
      }
    }

    async function connected<T>(target: DestinationTarget, use: (destination: Destination) => Promise<T>): Promise<T> {
      const destination = target.open();
      await destination.connect();
      try {
        return await use(destination);
      } finally {
        await destination.close();
      }
    }

    async function columnTypes(): Promise<Map<string, string>> {
      const table = await connected(targets[0]!, (d) => d.introspect(catalog.modelSql[d.dialect.name][MODEL]!.table));
      return new Map([...(table?.columns ?? [])].map(([name, { type }]) => [name, type]));
    }

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), `ferry-conformance-${type}-`));
      sourcePath = join(dir, 'source.duckdb');
      await changeSource(SOURCE_SQL);
      state = await openStateStore(join(dir, 'state.duckdb'));
      await state.migrate();
      warehouse = await CONFORMANCE_DESTINATIONS[type].open(dir);
      targets = MODES.map((mode) => ({
        id: mode,
        tenant: TENANT,
        models: [MODEL],
        softDeletes: mode,
        open: () => (warehouse.create ?? createDestination)(warehouse.config(mode, `Conformance_${mode}`)),
      }));
    });

    afterAll(async () => {
      await state?.close();
      await warehouse?.dispose();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('creates the table with the backfilled slice, under the names the destination folds to', async () => {
      expectOutcome(await sync(V1), 'create', { keep: counts(4, 0, 0), delete: counts(3, 0, 0) });
      await expectSlices();
      const names = [...(await columnTypes()).keys()];
      for (const [name, folded] of Object.entries(expected.folded)) {
        expect(targets[0]!.open().dialect.foldIdentifier(name), name).toBe(folded);
        expect(names, name).toContain(folded);
      }
    });

    it('a second run with no changes changes nothing', async () => {
      expectOutcome(await sync(V1), 'incremental', { keep: counts(0, 0, 0), delete: counts(0, 0, 0) });
      await expectSlices();
    });

    it('merges an update with a newer cursor and an insert, and ignores the other tenant', async () => {
      await changeSource(`UPDATE analytics.orders SET "select" = 'b2', "CamelCase" = 'Now', updated_at = '2024-01-02 00:00:00+00' WHERE id = 2;
        INSERT INTO analytics.orders VALUES
          ('acme', 5, 50, 'e', 'New', 'neu', 500, 5, 'x5', NULL, '2024-01-02 00:00:00+00'),
          ('globex', 3, 13, 'i', 'Other', 'fremd', 130, 9, 'g3', NULL, '2024-01-02 00:00:00+00');
        UPDATE analytics.orders SET "select" = 'changed', updated_at = '2024-01-02 00:00:00+00' WHERE tenant_id = 'globex' AND id = 1`);
      expectOutcome(await sync(V1), 'incremental', { keep: counts(1, 1, 0), delete: counts(1, 1, 0) });
      await expectSlices();
    });

    it('flags a soft-deleted row when keeping them, and removes it when deleting them', async () => {
      await changeSource(`UPDATE analytics.orders SET deleted_at = '2024-01-03 00:00:00+00', updated_at = '2024-01-03 00:00:00+00'
        WHERE tenant_id = 'acme' AND id = 3`);
      expectOutcome(await sync(V1), 'incremental', { keep: counts(0, 1, 0), delete: counts(0, 0, 1) });
      await expectSlices();
    });

    it('deletes a row that left the source', async () => {
      await changeSource(`DELETE FROM analytics.orders WHERE tenant_id = 'acme' AND id = 1`);
      expectOutcome(await sync(V1), 'incremental', { keep: counts(0, 0, 1), delete: counts(0, 0, 1) });
      await expectSlices();
    });

    it('finds a deletion and a backdated insert that leave the counts equal, and puts both right', async () => {
      // Row 5 leaves and row 7 arrives with a cursor long before the watermark: the counts stay equal.
      await changeSource(`DELETE FROM analytics.orders WHERE tenant_id = 'acme' AND id = 5;
        INSERT INTO analytics.orders VALUES ('acme', 7, 70, 'g', 'Late', 'spät', 700, 7, 'x7', NULL, '2023-06-01 00:00:00+00')`);
      expectOutcome(await sync(V1), 'incremental', { keep: counts(1, 0, 1), delete: counts(1, 0, 1) });
      await expectSlices();
      // And back: row 7 leaves, row 5 returns as it was, its cursor behind the watermark too.
      await changeSource(`DELETE FROM analytics.orders WHERE tenant_id = 'acme' AND id = 7;
        INSERT INTO analytics.orders VALUES ('acme', 5, 50, 'e', 'New', 'neu', 500, 5, 'x5', NULL, '2024-01-02 00:00:00+00')`);
      expectOutcome(await sync(V1), 'incremental', { keep: counts(1, 0, 1), delete: counts(1, 0, 1) });
      await expectSlices();
    });

    it('adds a new column and backfills it for existing rows', async () => {
      // Rows 2 and 5 are live in both; 3 and 4 are soft-deleted, held only when keeping them.
      expectOutcome(await sync(V2_EXTRA), 'evolve', { keep: counts(0, 4, 0), delete: counts(0, 2, 0) });
      await expectSlices();
    });

    it('widens integer -> bigint and varchar(16) -> varchar(64), then holds values only the wider types fit', async () => {
      expect((await columnTypes()).get(expected.folded.größe)).toBe(expected.varcharType.before);
      await changeSource(`ALTER TABLE analytics.orders ALTER amount TYPE BIGINT;
        UPDATE analytics.orders SET amount = 5000000000, "größe" = '${'ß'.repeat(40)}', updated_at = '2024-01-04 00:00:00+00'
        WHERE tenant_id = 'acme' AND id = 2`);
      // A rebuild reloads the slice: rows 2 and 5 live, 3 and 4 soft-deleted (held only when keeping them).
      const want =
        expected.widening === 'rebuild' ? { keep: counts(4, 0, 0), delete: counts(2, 0, 0) } : { keep: counts(0, 1, 0), delete: counts(0, 1, 0) };
      expectOutcome(await sync(V3_WIDER), expected.widening, want);
      expect((await columnTypes()).get(expected.folded.größe)).toBe(expected.varcharType.after);
      await expectSlices();
    });

    it('widens the key column integer -> bigint', async () => {
      await changeSource(`ALTER TABLE analytics.orders ALTER id TYPE BIGINT;
        INSERT INTO analytics.orders VALUES ('acme', 6000000000, 60, 'f', 'Big', 'riesig', 600, 6, 'x6', NULL, '2024-01-05 00:00:00+00')`);
      const outcomes = await sync(V4_WIDER_KEY);
      const want =
        expected.keyWidening === 'rebuild' ? { keep: counts(5, 0, 0), delete: counts(3, 0, 0) } : { keep: counts(1, 0, 0), delete: counts(1, 0, 0) };
      expectOutcome(outcomes, expected.keyWidening, want);
      await expectSlices();
    });

    it('rebuilds on a change that is not a widening (integer -> text)', async () => {
      await changeSource(`ALTER TABLE analytics.orders ALTER score TYPE VARCHAR;
        UPDATE analytics.orders SET score = 'seven', updated_at = '2024-01-06 00:00:00+00' WHERE tenant_id = 'acme' AND id = 5`);
      expectOutcome(await sync(V5_SCORE_TEXT), 'rebuild', { keep: counts(5, 0, 0), delete: counts(3, 0, 0) });
      await expectSlices();
    });

    it('a full refresh rebuilds the table with the same data', async () => {
      expectOutcome(await sync(V5_SCORE_TEXT, true), 'rebuild', { keep: counts(5, 0, 0), delete: counts(3, 0, 0) });
      await expectSlices();
      expectOutcome(await sync(V5_SCORE_TEXT), 'incremental', { keep: counts(0, 0, 0), delete: counts(0, 0, 0) });
      await expectSlices();
    });

    it("passes every permission check of `ferry destinations test` with Ferry's own SQL, and leaves no probe table", async () => {
      const destination = (warehouse.create ?? createDestination)(warehouse.config('checks', 'Conformance_checks'));
      await destination.connect();
      try {
        const { steps, cleanup } = destinationPermissionChecks(() => destination);
        const results = await runChecks(steps);
        await cleanup();
        expect(results.map((r) => `${r.name}: ${r.status}${r.status === 'pass' ? '' : ` (${r.detail})`}`)).toEqual(
          ['create schema', 'create table', 'write', 'merge', 'drop its own tables'].map((name) => `${name}: pass`),
        );
        expect(await destination.introspect('_ferry_connection_check')).toBeUndefined();
      } finally {
        await destination.close();
      }
    });
  });
}

/** everyTypeModel in a source of one kind, as dbt would write it. */
function everyTypeSource(kind: SourceKind): {
  create: string[];
  insert(rows: readonly Value[][]): string;
  update(id: string, changes: Record<string, string>): string;
} {
  const dialect = dialects[kind];
  const relation = sourceRelation(kind, everyTypeModel.source);
  const literal = (value: Value, i: number) =>
    value === null ? 'NULL' : `CAST('${value.replaceAll("'", "''")}' AS ${dialect.columnType(everyTypeModel.columns[i]!.type)})`;
  return {
    create: [
      `CREATE SCHEMA ${dialect.quoteIdentifier(everyTypeModel.source.schema)}`,
      `CREATE TABLE ${relation} (${everyTypeModel.columns.map((c) => `${dialect.quoteIdentifier(c.name)} ${dialect.columnType(c.type)}`).join(', ')})`,
    ],
    insert: (rows) => `INSERT INTO ${relation} VALUES ${rows.map((row) => `(${row.map(literal).join(', ')})`).join(', ')}`,
    update: (id, changes) =>
      `UPDATE ${relation} SET ${Object.entries(changes)
        .map(([name, value]) => `${dialect.quoteIdentifier(name)} = ${literal(value, columnIndex(name))}`)
        .join(', ')} WHERE tenant_id = '${TENANT}' AND id = ${id}`,
  };
}

/** A source warehouse for one describe block: SQL run on it as dbt would, and Sources reading it. */
interface VendorWarehouse {
  run(...statements: string[]): Promise<void>;
  open(): Source;
  dispose(): Promise<void>;
}

async function vendorWarehouse(kind: SourceKind, dir: string): Promise<VendorWarehouse> {
  if (kind === 'duckdb') {
    const path = join(dir, 'vendor.duckdb');
    return { run: (...statements) => runOnDuckDB(path, ...statements), open: () => new DuckDBSource({ path }), dispose: async () => undefined };
  }
  const database = await createTempDatabase('ferry_conformance_vendor');
  return {
    async run(...statements) {
      for (const sql of statements) await database.client.query(sql);
    },
    open: () => new PostgresSource({ url: database.url }),
    dispose: () => database.drop(),
  };
}

/**
 * Every destination type reads everyTypeModel from a DuckDB source; Postgres from a Postgres
 * source too, so verify digests rows inside the warehouses for both engines that can (DuckDB to
 * DuckDB, Postgres to Postgres) and in Ferry for every other pair.
 */
const EVERY_TYPE_RUNS: readonly { readonly type: DestinationType; readonly sourceKind: SourceKind }[] = [
  ...(Object.keys(CONFORMANCE_DESTINATIONS) as DestinationType[]).map((type) => ({ type, sourceKind: 'duckdb' as const })),
  { type: 'postgres', sourceKind: 'postgres' },
];

for (const { type, sourceKind } of EVERY_TYPE_RUNS) {
  const from = sourceKind === 'duckdb' ? '' : ` from a ${sourceKind} source`;
  describe(`destination conformance: ${type}: every logical type round-trips exactly${from}`, () => {
    const statements = everyTypeSource(sourceKind);
    const catalog = catalogOf(everyTypeModel);
    let dir: string;
    let vendor: VendorWarehouse;
    let state: StateStore;
    let warehouse: Warehouse;
    let target: DestinationTarget;

    async function changeSource(...sql: string[]): Promise<void> {
      await vendor.run(...sql);
    }

    async function sync(): Promise<ModelTransfer> {
      const [result] = await syncAll([target], () => vendor.open(), state, {
        catalog,
        fullRefresh: false,
        lookbackSeconds: 0,
        retry: { retries: 0, baseDelayMs: 10 },
        concurrency: 1,
      });
      expect(result?.error).toBeNull();
      return result!.models[0]!;
    }

    /** The destination holds exactly `rows`, column by column, so a failure names the row and the column. */
    async function expectHolds(rows: readonly Value[][]): Promise<void> {
      const destination = target.open();
      await destination.connect();
      let got: SliceRow[];
      try {
        got = (
          await readThroughDestination(destination, everyTypeModel, catalog.modelSql[destination.dialect.name][everyTypeModel.name]!, TENANT)
        ).toSorted(byTenantAndId);
      } finally {
        await destination.close();
      }
      const json = columnIndex('order');
      const wanted = target.open().capabilities.keepsJsonNull ? rows : rows.map((row) => (row[json] === 'null' ? row.with(json, null) : row));
      expect(
        got.map((row) => row[1]),
        'ids',
      ).toEqual(wanted.map((row) => row[1]));
      got.forEach((row, r) => {
        const [actual, expected] = [comparable(row), comparable(wanted[r]!)];
        everyTypeModel.columns.forEach((c, i) => {
          expect({ id: row[1], column: c.name, value: actual[i] }).toEqual({ id: row[1], column: c.name, value: expected[i] });
        });
      });
    }

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), `ferry-conformance-types-${type}-`));
      vendor = await vendorWarehouse(sourceKind, dir);
      await changeSource(...statements.create, statements.insert(FIRST_LOAD));
      state = await openStateStore(join(dir, 'state.duckdb'));
      await state.migrate();
      warehouse = await CONFORMANCE_DESTINATIONS[type].open(dir);
      target = {
        id: 'types',
        tenant: TENANT,
        models: [everyTypeModel.name],
        softDeletes: 'keep',
        open: () => (warehouse.create ?? createDestination)(warehouse.config('types', 'Conformance_types')),
      };
    });

    afterAll(async () => {
      await state?.close();
      await warehouse?.dispose();
      await vendor?.dispose();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('backfills every value exactly: NULL vs "", extremes, microseconds, numeric(38,9), JSON, long text', async () => {
      expect(await sync()).toMatchObject({ action: 'create', rowsInserted: FIRST_LOAD.length });
      await expectHolds(FIRST_LOAD);
    });

    it('keeps every digit of a JSON number where the warehouse can', async () => {
      const destination = target.open();
      await destination.connect();
      try {
        const sql = catalog.modelSql[destination.dialect.name][everyTypeModel.name]!;
        const q = (name: string) => destination.dialect.quoteIdentifier(sql.columns[name]!);
        // As the destination returns the text: parsing it in JavaScript would round the number.
        const [[json] = []] = await destination.query(`SELECT ${q('order')} FROM ${destination.relation(sql.table)} WHERE ${q('id')} = 1`);
        expect(json?.includes('12345678901234567890123456789.123456789')).toBe(destination.capabilities.keepsJsonNumberDigits);
      } finally {
        await destination.close();
      }
    });

    it('creates the columns its type mapping states', async () => {
      const destination = target.open();
      await destination.connect();
      try {
        const sql = catalog.modelSql[destination.dialect.name][everyTypeModel.name]!;
        const shape = await destination.introspect(sql.table);
        const types = Object.fromEntries(everyTypeModel.columns.map((c) => [c.name, shape?.columns.get(sql.columns[c.name]!)?.type]));
        expect(types).toEqual(CONFORMANCE_DESTINATIONS[type].expectations.everyTypeColumns);
      } finally {
        await destination.close();
      }
    });

    it('carries an update and an insert incrementally with the same fidelity', async () => {
      await changeSource(statements.update('4', UPDATED), statements.insert([INSERTED]));
      expect(await sync()).toMatchObject({ action: 'incremental', rowsInserted: 1, rowsUpdated: 1, rowsDeleted: 0 });
      await expectHolds(SECOND_LOAD);
    });

    it('a second run with no changes changes nothing, re-read NaN and JSON null included', async () => {
      expect(await sync()).toMatchObject({ action: 'incremental', rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0 });
      await expectHolds(SECOND_LOAD);
    });

    /** ferry verify on the block's destination: every column of every row compared with the slice. */
    async function verify(repair: boolean): Promise<ModelVerification> {
      const [outcome] = await verifyDestination(target, () => vendor.open(), state, {
        catalog,
        repair,
        retry: { retries: 0, baseDelayMs: 10 },
      });
      expect(outcome?.error).toBeNull();
      return outcome as ModelVerification;
    }

    it('verify finds the destination equal to the slice, every logical type compared', async () => {
      const verification = await verify(false);
      expect(verification).toMatchObject({
        result: 'equal',
        sourceRows: SECOND_LOAD.length,
        destinationRows: SECOND_LOAD.length,
        differingBuckets: 0,
      });
      const destination = target.open();
      // One engine on both sides: each warehouse digests its own rows, and its notes do not apply.
      const inWarehouses = destination.dialect.rowDigests?.family === vendor.open().rowDigestFamily;
      expect(verification.comparedIn).toBe(inWarehouses ? 'warehouses' : 'ferry');
      expect(verification.notes.length > 0).toBe(!inWarehouses && !destination.capabilities.keepsJsonNumberDigits);
    });

    it('verify finds a corrupted, a lost and a foreign row by key, and repair fixes exactly those', async () => {
      const destination = target.open();
      await destination.connect();
      try {
        const sql = catalog.modelSql[destination.dialect.name][everyTypeModel.name]!;
        const q = (name: string) => destination.dialect.quoteIdentifier(sql.columns[name]!);
        const table = destination.relation(sql.table);
        await destination.execute([
          // A value changed behind Ferry's back, its cursor untouched: no incremental sync would notice.
          `UPDATE ${table} SET ${q('big')} = ${q('big')} - 1 WHERE ${q('id')} = 1`,
          `DELETE FROM ${table} WHERE ${q('id')} = 2`,
          `INSERT INTO ${table} (${q('tenant_id')}, ${q('id')}) VALUES ('${TENANT}', 99)`,
        ]);
      } finally {
        await destination.close();
      }
      expect(await verify(false)).toMatchObject({
        result: 'different',
        missing: 1,
        extra: 1,
        different: 1,
        sampleKeys: { missing: ['["acme","2"]'], extra: ['["acme","99"]'], different: ['["acme","1"]'] },
      });
      expect(await verify(true)).toMatchObject({ result: 'repaired', repaired: { inserted: 2, deleted: 2 } });
      expect(await verify(false)).toMatchObject({ result: 'equal' });
      await expectHolds(SECOND_LOAD);
      const [latest] = await state.latestVerifications({ destinationId: target.id });
      expect(latest).toMatchObject({ model: everyTypeModel.name, result: 'equal', sourceRows: SECOND_LOAD.length });
    });
  });
}

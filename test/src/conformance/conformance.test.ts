import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createDestination, type Destination, type DestinationConfig, type DestinationType } from '@ferry/destinations';
import { DIALECT_NAMES, dialectFor, renderModelSql } from '@ferry/dialects';
import { fingerprintOf, formatLogicalType, type ColumnSpec, type ExportModelSpec, type LogicalType } from '@ferry/schema';
import { DuckDBSource } from '@ferry/sources';
import { openStateStore, type ModelTransfer, type StateStore } from '@ferry/state';
import { syncAll, type Catalog, type DestinationTarget, type ModelAction, type SoftDeleteMode } from '@ferry/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDatabase, readDestinationTable, readSlice, type DestinationLocation, type SliceRow } from '../index.ts';

/**
 * One destination conformance suite: every destination type runs the same scenarios through the
 * real sync engine, and its expected differences are stated in EXPECTATIONS, a Record over
 * DestinationType, so a new destination type does not compile until it states them, and then
 * runs every scenario. Each step asserts the destination holds exactly the tenant's slice of the
 * source (and nothing of the other tenant, whose keys overlap) and what the engine reported.
 */
const TENANT = 'acme';
const MODEL = 'orders';

/** Names each destination must keep distinct and addressable: reserved words, mixed case, non-ASCII. */
type AwkwardName = 'order' | 'select' | 'CamelCase' | 'größe';

interface Expectations {
  /** The column name the table holds for each awkward model column: the destination's identifier folding. */
  readonly folded: Readonly<Record<AwkwardName, string>>;
  /** The column type the table reports for größe as varchar(16), then widened to varchar(64). */
  readonly varcharType: { readonly before: string; readonly after: string };
  /** The action for widening non-key columns (integer -> bigint, varchar(16) -> varchar(64)). */
  readonly widening: ModelAction;
  /** The action for widening the primary-key column integer -> bigint. */
  readonly keyWidening: ModelAction;
}

const EXPECTATIONS: Readonly<Record<DestinationType, Expectations>> = {
  postgres: {
    folded: { order: 'order', select: 'select', CamelCase: 'camelcase', größe: 'größe' },
    varcharType: { before: 'character varying(16)', after: 'character varying(64)' },
    widening: 'evolve',
    keyWidening: 'evolve',
  },
  duckdb: {
    folded: { order: 'order', select: 'select', CamelCase: 'camelcase', größe: 'größe' },
    // DuckDB neither keeps nor enforces a varchar length: the widening changes nothing.
    varcharType: { before: 'VARCHAR', after: 'VARCHAR' },
    widening: 'evolve',
    // DuckDB refuses to change the type of a primary-key column in place.
    keyWidening: 'rebuild',
  },
};

/** A warehouse of one destination type for one describe block: configs for its targets, and a way to read them back. */
interface Warehouse {
  config(id: string, schema: string): DestinationConfig;
  location(id: string): DestinationLocation;
  dispose(): Promise<void>;
}

const WAREHOUSES: Readonly<Record<DestinationType, (dir: string) => Promise<Warehouse>>> = {
  async postgres() {
    const database = await createTempDatabase('ferry_conformance');
    return {
      config: (id, schema) => ({ id, type: 'postgres', url: database.url, schema }),
      location: () => ({ type: 'postgres', url: database.url }),
      dispose: () => database.drop(),
    };
  },
  async duckdb(dir) {
    const path = (id: string) => join(dir, `${id}.duckdb`);
    return {
      config: (id, schema) => ({ id, type: 'duckdb', path: path(id), schema }),
      location: (id) => ({ type: 'duckdb', path: path(id) }),
      dispose: async () => {},
    };
  },
};

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
  return {
    exportModels: { [spec.name]: spec },
    modelSql: Object.fromEntries(DIALECT_NAMES.map((name) => [name, { [spec.name]: renderModelSql(dialectFor(name), spec) }])) as Catalog['modelSql'],
  };
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

for (const type of Object.keys(EXPECTATIONS) as DestinationType[]) {
  const expected = EXPECTATIONS[type];

  describe(`destination conformance: ${type}`, () => {
    let dir: string;
    let sourcePath: string;
    let state: StateStore;
    let warehouse: Warehouse;
    let catalog = V1;
    /** One target per soft-delete mode; its id is the mode. */
    let targets: DestinationTarget[];

    async function changeSource(sql: string): Promise<void> {
      const instance = await DuckDBInstance.create(sourcePath);
      const connection = await instance.connect();
      try {
        await connection.run(sql);
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
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
        const { schema, dialect } = target.open();
        const sql = catalog.modelSql[dialect.name][MODEL]!;
        const want = target.softDeletes === 'delete' ? slice.filter((row) => row[softDeleted] === null) : slice;
        const got = await readDestinationTable(warehouse.location(target.id), schema, spec, sql, TENANT);
        expect(got, target.id).toEqual(want);
        const [[all] = []] = await connected(target, (d) => d.query(`SELECT COUNT(*) FROM ${d.relation(sql.table)}`));
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
      warehouse = await WAREHOUSES[type](dir);
      targets = MODES.map((mode) => ({
        id: mode,
        tenant: TENANT,
        models: [MODEL],
        softDeletes: mode,
        open: () => createDestination(warehouse.config(mode, `Conformance_${mode}`)),
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
      expectOutcome(await sync(V3_WIDER), expected.widening, { keep: counts(0, 1, 0), delete: counts(0, 1, 0) });
      expect((await columnTypes()).get(expected.folded.größe)).toBe(expected.varcharType.after);
      await expectSlices();
    });

    it('widens the key column integer -> bigint', async () => {
      await changeSource(`ALTER TABLE analytics.orders ALTER id TYPE BIGINT;
        INSERT INTO analytics.orders VALUES ('acme', 6000000000, 60, 'f', 'Big', 'riesig', 600, 6, 'x6', NULL, '2024-01-05 00:00:00+00')`);
      const outcomes = await sync(V4_WIDER_KEY);
      const want = expected.keyWidening === 'rebuild' ? { keep: counts(5, 0, 0), delete: counts(3, 0, 0) } : { keep: counts(1, 0, 0), delete: counts(1, 0, 0) };
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
  });
}

import { join } from 'node:path';
import { createDestination, type Destination } from '@ferry/destinations';
import type { ExportModelSpec } from '@ferry/schema';
import { DuckDBSource, PostgresSource, type Source } from '@ferry/sources';
import type { StateStore } from '@ferry/state';
import { syncAll, type KeyComparison, type SyncEvents } from '@ferry/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogOf } from '../harness/catalog.ts';
import { readDestinationTable, readSlice, type DestinationLocation } from '../harness/slices.ts';
import { createTempDatabase, openRedshiftTestWarehouse, runOnDuckDB, type RedshiftTestWarehouse, type TempDatabase } from '../index.ts';
import { columnOf, exportModelOf, openSyncScratch, type SyncScratch } from '../harness/sync-scratch.ts';

/**
 * Equal row counts prove nothing: a row deleted at the source and a row the incremental read
 * cannot see (a backdated cursor, a NULL cursor) leave both sides with the same count. Each
 * sync compares the key sets themselves, deletes what the source lost and re-reads what the
 * destination lacks, so after every sync the destination equals the slice. Run with a DuckDB
 * source (the Postgres and DuckDB destinations compare md5-sum key hashes) and a Postgres source
 * (the Postgres destination compares Postgres's own key hash, the DuckDB one md5-sum, listing every
 * key once the whole sets differ); a Redshift destination (Redshift's SQL on Postgres: no Redshift
 * runs here) pairs with either by md5, whose figures cannot be matched up across engines.
 */
const TENANT = 'acme';

const base = {
  name: 'orders',
  destinationName: 'orders',
  source: { schema: 'analytics', identifier: 'orders' },
  columns: [columnOf('tenant_id', 'text', false), columnOf('id', 'integer', false), columnOf('note', 'text'), columnOf('updated_at', 'timestamptz')],
  primaryKey: ['id'],
  tenantColumn: 'tenant_id',
  cursor: 'updated_at',
} satisfies Omit<ExportModelSpec, 'fingerprint'>;
const spec = exportModelOf(base);
const catalog = catalogOf(spec);

const SOURCE_SQL = `CREATE SCHEMA analytics;
  CREATE TABLE analytics.orders (tenant_id VARCHAR, id INTEGER, note VARCHAR, updated_at TIMESTAMPTZ);
  INSERT INTO analytics.orders VALUES
    ('acme', 1, 'one', '2024-06-01 00:00:00+00'), ('acme', 2, 'two', '2024-06-01 00:00:00+00'),
    ('acme', 3, 'three', '2024-06-02 00:00:00+00'), ('globex', 9, 'other tenant', '2024-06-02 00:00:00+00')`;

/** The key hash each destination must compare by, per source engine. */
const EXPECTED_HASH = {
  duckdb: { pg: 'md5-sum', duck: 'md5-sum', rs: 'md5' },
  postgres: { pg: 'postgres', duck: 'md5-sum', rs: 'md5' },
} as const;

type DestinationId = keyof (typeof EXPECTED_HASH)['postgres'];

/** A destination of the test: how it is opened, and where its table is read back from (schema, and the dialect of its SQL). */
interface TestedDestination {
  readonly id: DestinationId;
  readonly location: DestinationLocation;
  readonly schema: string;
  readonly dialect: 'postgres' | 'duckdb' | 'redshift';
  open(): Destination;
}

describe.each(['duckdb', 'postgres'] as const)('with a %s source, each sync compares key sets, not counts', (sourceKind) => {
  let scratch: SyncScratch;
  let dir: string;
  let sourcePath: string;
  let sourceDb: TempDatabase | undefined;
  let destinationDb: TempDatabase;
  let redshift: RedshiftTestWarehouse;
  let state: StateStore;
  let destinations: TestedDestination[];

  /** Whether the comparison into destination `id` lists every key once the whole sets differ (Dialect.slowKeyHashes). */
  const listsEveryKey = (id: string) => sourceKind === 'postgres' && id === 'duck';
  const openSource = (): Source => (sourceDb ? new PostgresSource({ url: sourceDb.url }) : new DuckDBSource({ path: sourcePath }));
  const onSource = async (sql: string) => {
    if (sourceDb) await sourceDb.client.query(sql);
    else await runOnDuckDB(sourcePath, sql);
  };

  /** One sync of every destination, failed or not. */
  function syncEach(events: SyncEvents = {}) {
    const targets = destinations.map(({ id, open }) => ({ id, tenant: TENANT, models: ['orders'], softDeletes: 'keep' as const, open }));
    const options = { catalog, fullRefresh: false, lookbackSeconds: 60, retry: { retries: 0, baseDelayMs: 10 }, concurrency: 1 };
    return syncAll(targets, openSource, state, options, events);
  }

  /** One sync of every destination, each of which must succeed. */
  async function sync() {
    const comparisons: (KeyComparison & { destination: string })[] = [];
    const results = await syncEach({ keysCompared: (destination, _model, comparison) => comparisons.push({ ...comparison, destination }) });
    for (const result of results) expect(result.error, result.models.map((m) => m.error).join('; ')).toBeNull();
    for (const comparison of comparisons) expect(comparison.hash).toBe(EXPECTED_HASH[sourceKind][comparison.destination as DestinationId]);
    return { models: results.map((r) => r.models[0]!), comparisons };
  }

  /** Each destination's rows of the tenant, in destination order. */
  const heldRows = () =>
    Promise.all(
      destinations.map(({ location, schema, dialect }) => readDestinationTable(location, schema, spec, catalog.modelSql[dialect].orders!, TENANT)),
    );

  async function expectEqualToSlice(): Promise<void> {
    const source = openSource();
    await source.connect();
    const expected = await readSlice(source, spec, TENANT).finally(() => source.close());
    const held = await heldRows();
    for (const [i, { id }] of destinations.entries()) expect(held[i], id).toEqual(expected);
  }

  beforeAll(async () => {
    scratch = await openSyncScratch('key-sets', SOURCE_SQL);
    ({ dir, sourcePath, destinationDb, state } = scratch);
    if (sourceKind === 'postgres') {
      sourceDb = await createTempDatabase('ferry_key_sets_source');
      await sourceDb.client.query(SOURCE_SQL);
    }
    redshift = await openRedshiftTestWarehouse();
    const rs = redshift.config('rs', 'ferry');
    if (rs.url === undefined || rs.schema === undefined) throw new Error('the Redshift test warehouse configures a url and a schema');
    const duck = join(dir, 'duck.duckdb');
    destinations = [
      {
        id: 'pg',
        location: { type: 'postgres', url: destinationDb.url },
        schema: 'ferry',
        dialect: 'postgres',
        open: () => createDestination({ id: 'pg', type: 'postgres', url: destinationDb.url, schema: 'ferry' }),
      },
      {
        id: 'duck',
        location: { type: 'duckdb', path: duck },
        schema: 'ferry',
        dialect: 'duckdb',
        open: () => createDestination({ id: 'duck', type: 'duckdb', path: duck, schema: 'ferry' }),
      },
      { id: 'rs', location: { type: 'postgres', url: rs.url }, schema: rs.schema, dialect: 'redshift', open: () => redshift.create(rs) },
    ];
    const { comparisons } = await sync();
    expect(comparisons).toHaveLength(0);
  });

  afterAll(async () => {
    await sourceDb?.drop();
    await redshift?.dispose();
    await scratch?.dispose();
  });

  it('gathers the statistics of a Postgres table never analyzed before its first merge, once', async () => {
    // Loaded whole, never vacuumed or analyzed (autovacuum off, or not come round yet): the
    // planner would guess its size when joining staged rows to it.
    const reltuples = async () =>
      Number((await destinationDb.client.query(`SELECT reltuples FROM pg_class WHERE oid = to_regclass('ferry.orders')`)).rows[0]?.reltuples);
    expect(await reltuples()).toBe(-1);
    await sync();
    expect(await reltuples()).toBe(3);
  });

  it('a deletion and a backdated insert (equal counts) are both found', async () => {
    // A day older than the watermark minus the lookback: no incremental read sees it.
    await onSource(
      `DELETE FROM analytics.orders WHERE id = 1; INSERT INTO analytics.orders VALUES ('acme', 4, 'backdated', '2024-05-01 00:00:00+00')`,
    );
    const { models, comparisons } = await sync();
    expect(comparisons).toHaveLength(3);
    for (const model of models) expect({ inserted: model.rowsInserted, deleted: model.rowsDeleted }).toEqual({ inserted: 1, deleted: 1 });
    for (const comparison of comparisons) expect(comparison).toMatchObject({ sourceRows: 3, destinationRows: 3, deleted: 1, missing: 1 });
    for (const comparison of comparisons) {
      if (listsEveryKey(comparison.destination)) {
        // Postgres hashes md5 more slowly than it exports keys: every source key is listed, the
        // missing row's bucket found afterwards (the re-read reads that bucket, not the table).
        expect(comparison).toMatchObject({ prefixLength: 0, differingBuckets: 1, keysListed: 3 });
      } else {
        // Equal counts, different sets: past the whole-set check, into buckets.
        expect(comparison.prefixLength).toBeGreaterThan(0);
      }
    }
    await expectEqualToSlice();
  });

  it('a row with a NULL cursor arrives', async () => {
    await onSource(`INSERT INTO analytics.orders VALUES ('acme', 5, 'no cursor', NULL)`);
    const { models } = await sync();
    for (const model of models) expect(model.rowsInserted).toBe(1);
    await expectEqualToSlice();
  });

  it('a late row committed inside the lookback window arrives through the plain incremental read', async () => {
    // Cursor 30 s before the watermark (2024-06-02): inside the 60 s lookback.
    await onSource(`INSERT INTO analytics.orders VALUES ('acme', 6, 'late', '2024-06-01 23:59:30+00')`);
    const { models, comparisons } = await sync();
    for (const model of models) expect(model.rowsInserted).toBe(1);
    // Found by the window, not by the key comparison: nothing was left to re-read.
    for (const comparison of comparisons) expect(comparison.missing).toBe(0);
    await expectEqualToSlice();
  });

  it('a key the source holds twice, out of reach of the incremental read, is refused with nothing changed', async () => {
    await onSource(`INSERT INTO analytics.orders VALUES ('acme', 2, 'two again', '2024-05-01 00:00:00+00')`);
    const before = await heldRows();
    const results = await syncEach();
    // DuckDB enforces no key: the comparison's figures catch it (every key listed, or by bucket).
    // Redshift neither, and its md5 figures cannot be matched up with the source's: the key listed
    // twice is named. Postgres lacks one key by its figures, re-reads that bucket and refuses both
    // rows at the merge (its duplicate-key guard), explained by the staged key.
    const errors = Object.fromEntries(results.map((r) => [r.destinationId, r.models.map((m) => m.error).join('; ')]));
    expect(errors.duck).toMatch(/the source holds a primary key of model orders in more than one row: make the key unique/);
    expect(errors.rs).toMatch(/the source holds a primary key of model orders in more than one row, \(id\) = \(2\): make the key unique/);
    expect(errors.pg).toMatch(
      /export model "orders" holds more than one row for primary key \(id\) = \(2\) for tenant "acme": the rows re-read for keys the destination lacked were not merged/,
    );
    expect(await heldRows()).toEqual(before);
    await onSource(`DELETE FROM analytics.orders WHERE id = 2 AND note = 'two again'`);
    await sync();
    await expectEqualToSlice();
  });

  it('with nothing changed, nothing moves and the key sets compare equal', async () => {
    const { models, comparisons } = await sync();
    for (const model of models) expect([model.rowsInserted, model.rowsUpdated, model.rowsDeleted]).toEqual([0, 0, 0]);
    for (const comparison of comparisons) expect(comparison).toMatchObject({ differingBuckets: 0, deleted: 0, missing: 0 });
    // Hashes that sum end the comparison at equal whole sets, before any bucket; md5 compares buckets.
    for (const comparison of comparisons) expect(comparison.prefixLength === 0, comparison.destination).toBe(comparison.hash !== 'md5');
    // A destination of the source's engine digests the read window on both sides and, equal,
    // does not read it; the others read it again (the lookback holds the newest row).
    const sameEngine = { pg: sourceKind === 'postgres', duck: sourceKind === 'duckdb', rs: false };
    const read = models.map((model, i) => [destinations[i]!.id, model.bytes > 0]);
    expect(read).toEqual(destinations.map(({ id }) => [id, !sameEngine[id]]));
    await expectEqualToSlice();
  });
});

import { dialects, renderModelSql } from '@ferry/dialects';
import { createDestination, type Destination } from '@ferry/destinations';
import { fingerprintOf, type ColumnSpec, type ExportModelSpec, type LogicalType } from '@ferry/schema';
import { openFixture, type SourceFixture } from '@ferry/test';
import type { ModelState, StateStore } from '@ferry/state';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KeyComparison } from './events.ts';
import { onCheckpoint } from './checkpoint.ts';
import { planModel } from './plan.ts';
import { checkSourceBeforeWriting, syncModel, typeChanges, type SoftDeleteMode } from './sync-model.ts';
import type { SchemaDiff } from './schema-diff.ts';

/**
 * One model synced from an in-memory DuckDB source into an in-memory DuckDB destination, in
 * process: the merge, the read window and the key comparison that finds deletes and rows the
 * window could not see. The state store is a stand-in that keeps what the sync recorded.
 */

const TENANT = 'acme';

function column(name: string, kind: 'text' | 'integer' | 'bigint' | 'timestamptz' | 'json', nullable = true): ColumnSpec {
  return { name, destinationName: name, type: { kind } as LogicalType, nullable, dataType: kind };
}

function exportModel(overrides: Partial<Omit<ExportModelSpec, 'fingerprint'>> = {}): ExportModelSpec {
  const model: Omit<ExportModelSpec, 'fingerprint'> = {
    name: 'orders',
    destinationName: 'orders',
    source: { schema: 'analytics', identifier: 'orders' },
    columns: [column('tenant_id', 'text', false), column('id', 'integer', false), column('note', 'text'), column('updated_at', 'timestamptz')],
    primaryKey: ['tenant_id', 'id'],
    tenantColumn: 'tenant_id',
    cursor: 'updated_at',
    ...overrides,
  };
  return { ...model, fingerprint: fingerprintOf(model) };
}

const orders = exportModel();
const softDeleting = exportModel({
  columns: [...orders.columns, column('deleted_at', 'timestamptz')],
  softDelete: 'deleted_at',
});

interface Run {
  readonly transfer: Awaited<ReturnType<typeof syncModel>>;
  readonly comparisons: KeyComparison[];
  /** The byte counts reported while reading the source, as `destination/model bytes`. */
  readonly progress: string[];
  /** The slice's row count announced before a whole-slice load, as `destination/model rows`. */
  readonly totals: string[];
  readonly state: Omit<ModelState, 'updatedAt'>;
}

let databases = 0;
let fixture: SourceFixture;
let destination: Destination;
let recorded: Omit<ModelState, 'updatedAt'>[];

const state = {
  async putModelState(model: Omit<ModelState, 'updatedAt'>) {
    recorded.push(model);
  },
} as unknown as StateStore;

beforeEach(async () => {
  fixture = await openFixture('duckdb');
  await fixture.createTable(softDeleting);
  databases += 1;
  destination = createDestination({ type: 'duckdb', id: 'acme-dw', path: `:memory:sync_model_${databases}`, schema: 'ferry' });
  await destination.connect();
  await destination.ensureSchema();
  recorded = [];
});

afterEach(async () => {
  await destination.close();
  await fixture.close();
});

/** Runs SQL on the source, as dbt would have changed the model. */
async function atSource(sql: string): Promise<void> {
  await fixture.execute(sql);
}

/** Plans and runs one sync of `spec`, from the state the last run recorded. */
async function sync(
  options: {
    spec?: ExportModelSpec;
    lookbackSeconds?: number;
    softDeletes?: SoftDeleteMode;
    fullRefresh?: boolean;
    to?: Destination;
    noListeners?: boolean;
  } = {},
): Promise<Run> {
  const spec = options.spec ?? orders;
  const sql = renderModelSql(dialects.duckdb, spec);
  const last = recorded.at(-1);
  const previous = last && { ...last, updatedAt: new Date() };
  const plan = planModel({
    spec,
    state: previous,
    table: await (options.to ?? destination).introspect(sql.table),
    fullRefresh: options.fullRefresh ?? false,
    destinationColumns: spec.columns.map((c) => sql.columns[c.name] as string),
  });
  const comparisons: KeyComparison[] = [];
  const progress: string[] = [];
  const totals: string[] = [];
  let leaseChecks = 0;
  const transfer = await syncModel({
    destinationId: 'acme-dw',
    tenant: TENANT,
    destination: options.to ?? destination,
    source: fixture.source,
    state,
    previous,
    spec,
    sql,
    plan,
    lookbackSeconds: options.lookbackSeconds ?? 0,
    softDeletes: options.softDeletes ?? 'keep',
    events: options.noListeners
      ? {}
      : {
          keysCompared: (destinationId, model, comparison) => {
            expect([destinationId, model]).toEqual(['acme-dw', spec.name]);
            expect(comparison.durationMs).toBeGreaterThanOrEqual(0);
            expect(comparison.durationMs).toBeLessThan(60_000);
            // Which steps ran is asserted below; how long they took, only that it adds up.
            const steps = Object.values(comparison.stepsMs);
            expect(steps.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(comparison.durationMs + steps.length);
            const ran = Object.fromEntries(Object.keys(comparison.stepsMs).map((step) => [step, 0]));
            comparisons.push({ ...comparison, durationMs: 0, stepsMs: ran });
          },
          modelProgress: (destinationId, model, read) => progress.push(`${destinationId}/${model} ${read.bytes}`),
          modelTotal: (destinationId, model, rows) => totals.push(`${destinationId}/${model} ${rows}`),
        },
    checkLease: () => void (leaseChecks += 1),
  });
  expect(leaseChecks).toBeGreaterThan(0);
  expect(transfer.durationMs).toBeGreaterThanOrEqual(0);
  expect(transfer.durationMs).toBeLessThan(60_000);
  return { transfer, comparisons, progress, totals, state: recorded.at(-1)! };
}

/** The tables in the destination database, `schema.table`: Ferry's scratch tables must be gone after a sync. */
async function tables(): Promise<string[]> {
  const rows = await destination.query(`SELECT table_schema || '.' || table_name FROM information_schema.tables ORDER BY 1`);
  return rows.map(([name]) => name as string);
}

/** The first hex digit of the key's hash: its bucket while a slice has at most 16 Ki keys (see key-buckets.ts). */
function bucketOf(tenant: string, id: number): string {
  return createHash('md5').update(`${tenant}|${id}`).digest('hex').slice(0, 1);
}

/** The destination table as `id:note` strings, by id. */
async function held(): Promise<string[]> {
  const rows = await destination.query(`SELECT id, note FROM ${destination.relation('orders')} ORDER BY id`);
  return rows.map(([id, note]) => `${id}:${note}`);
}

function counts(run: Run) {
  const { rowsInserted, rowsUpdated, rowsDeleted } = run.transfer;
  return { rowsInserted, rowsUpdated, rowsDeleted };
}

const SEED = `INSERT INTO analytics.orders VALUES
  ('acme', 1, 'one', '2024-06-01 10:00:00+00', NULL),
  ('acme', 2, 'two', '2024-06-01 11:00:00+00', NULL),
  ('acme', 3, 'three', '2024-06-01 12:00:00+00', NULL),
  ('globex', 4, 'not acme''s', '2024-06-02 00:00:00+00', NULL)`;

describe('the first sync', () => {
  it("creates the table with the tenant's rows and records the highest cursor as the watermark", async () => {
    await atSource(SEED);
    const run = await sync();
    expect(run.transfer).toMatchObject({ model: 'orders', action: 'create', rowsInserted: 3, rowsUpdated: 0, rowsDeleted: 0, error: null });
    expect(run.transfer.bytes).toBeGreaterThan(0);
    expect(run.progress.at(-1)).toBe(`acme-dw/orders ${run.transfer.bytes}`);
    expect(run.totals).toEqual(['acme-dw/orders 3']);
    expect(run.transfer.lagSeconds).toBeGreaterThan(0);
    expect(await held()).toEqual(['1:one', '2:two', '3:three']);
    expect(run.state).toMatchObject({
      destinationId: 'acme-dw',
      model: 'orders',
      watermark: '2024-06-01 12:00:00+00',
      appliedFingerprint: orders.fingerprint,
    });
  });

  it('records no watermark for a tenant without rows, and compares no keys for two empty sides', async () => {
    const first = await sync();
    expect(first.transfer).toMatchObject({ action: 'create', rowsInserted: 0 });
    expect(first.state.watermark).toBeNull();
    expect(first.transfer.lagSeconds).toBeNull();
    const second = await sync();
    expect(second.transfer).toMatchObject({ action: 'incremental', rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0 });
    expect(second.comparisons).toEqual([
      {
        hash: 'md5-sum',
        sourceRows: 0,
        destinationRows: 0,
        prefixLength: 0,
        differingBuckets: 0,
        keysListed: 0,
        deleted: 0,
        missing: 0,
        durationMs: 0,
        stepsMs: { wholeSets: 0 },
      },
    ]);
  });
});

describe('an incremental sync', () => {
  beforeEach(async () => {
    await atSource(SEED);
    await sync();
  });

  it('merges the rows changed since the watermark: new ones inserted, changed ones updated', async () => {
    await atSource(`UPDATE analytics.orders SET note = 'TWO', updated_at = '2024-06-01 13:00:00+00' WHERE id = 2;
      INSERT INTO analytics.orders VALUES ('acme', 5, 'five', '2024-06-01 14:00:00+00', NULL)`);
    const run = await sync();
    expect(run.transfer.action).toBe('incremental');
    expect(counts(run)).toEqual({ rowsInserted: 1, rowsUpdated: 1, rowsDeleted: 0 });
    expect(await held()).toEqual(['1:one', '2:TWO', '3:three', '5:five']);
    expect(run.state.watermark).toBe('2024-06-01 14:00:00+00');
    expect(run.transfer.schemaChanges).toEqual([]);
    expect(run.progress.at(-1)).toBe(`acme-dw/orders ${run.transfer.bytes}`);
  });

  it('reads from the watermark on: a row changed at exactly the watermark is read, an earlier one is not', async () => {
    await atSource(`UPDATE analytics.orders SET note = 'THREE' WHERE id = 3;
      UPDATE analytics.orders SET note = 'ONE' WHERE id = 1`);
    const run = await sync();
    expect(counts(run)).toEqual({ rowsInserted: 0, rowsUpdated: 1, rowsDeleted: 0 });
    expect(await held()).toEqual(['1:one', '2:two', '3:THREE']);
    expect(run.transfer.bytes).toBeLessThan(60);
  });

  it('re-reads the lookback before the watermark, and only when one is set', async () => {
    // A late commit: a change whose cursor is older than the watermark.
    await atSource(`UPDATE analytics.orders SET note = 'TWO' WHERE id = 2`);
    expect(counts(await sync())).toEqual({ rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0 });
    expect(await held()).toContain('2:two');
    const run = await sync({ lookbackSeconds: 3600 });
    expect(counts(run)).toEqual({ rowsInserted: 0, rowsUpdated: 1, rowsDeleted: 0 });
    expect(await held()).toEqual(['1:one', '2:TWO', '3:three']);
  });

  it('reads nothing when both sides hold the same window, and all of it once a row in it differs on either side', async () => {
    // The window from 11:00 (the 12:00 watermark less an hour) holds rows 2 and 3 on both sides.
    const quiet = await sync({ lookbackSeconds: 3600 });
    expect(quiet.progress).toEqual([]);
    expect(quiet.transfer.bytes).toBe(0);
    expect(quiet.state.watermark).toBe('2024-06-01 12:00:00+00');
    // Changed in the source without its cursor moving (a late commit): the digests differ.
    await atSource(`UPDATE analytics.orders SET note = 'TWO' WHERE id = 2`);
    const late = await sync({ lookbackSeconds: 3600 });
    expect(counts(late)).toEqual({ rowsInserted: 0, rowsUpdated: 1, rowsDeleted: 0 });
    expect(late.transfer.bytes).toBeGreaterThan(0);
    // Changed in the destination, outside Ferry: read again, and put back.
    await destination.execute([`UPDATE ${destination.relation('orders')} SET note = 'tampered' WHERE id = 3`]);
    const put = await sync({ lookbackSeconds: 3600 });
    expect(counts(put)).toEqual({ rowsInserted: 0, rowsUpdated: 1, rowsDeleted: 0 });
    expect(await held()).toEqual(['1:one', '2:TWO', '3:three']);
    // Outside the window, an edit is not the window's business (`ferry verify` finds those).
    await destination.execute([`UPDATE ${destination.relation('orders')} SET note = 'tampered' WHERE id = 1`]);
    expect((await sync({ lookbackSeconds: 3600 })).transfer.bytes).toBe(0);
  });

  it('reads the window without digesting it when the source holds rows newer than the watermark, after a crash too', async () => {
    const digests = vi.spyOn(fixture.source, 'rowBuckets');
    expect((await sync({ lookbackSeconds: 3600 })).transfer.bytes).toBe(0);
    expect(digests).toHaveBeenCalledTimes(1);
    // A crash after the merge committed, before the state store recorded the new watermark.
    await atSource(`INSERT INTO analytics.orders VALUES ('acme', 5, 'five', '2024-06-01 13:00:00+00', NULL)`);
    onCheckpoint(async (point) => {
      if (point === 'after-merge') throw new Error('crashed after the merge');
    });
    try {
      await expect(sync({ lookbackSeconds: 3600 })).rejects.toThrow('crashed after the merge');
    } finally {
      onCheckpoint(undefined);
    }
    expect(await held()).toContain('5:five');
    expect(digests).toHaveBeenCalledTimes(1);
    // Row 5 is newer than the recorded watermark: the window is read again, merged to no change,
    // and the watermark moves.
    const next = await sync({ lookbackSeconds: 3600 });
    expect(digests).toHaveBeenCalledTimes(1);
    expect(next.transfer.bytes).toBeGreaterThan(0);
    expect(counts(next)).toEqual({ rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0 });
    expect(next.state.watermark).toBe('2024-06-01 13:00:00+00');
    // Quiet again: digested, not read.
    expect((await sync({ lookbackSeconds: 3600 })).transfer.bytes).toBe(0);
    expect(digests).toHaveBeenCalledTimes(2);
  });

  it('reads the window of a model with JSON columns on DuckDB every time: its digest reads JSON numbers as doubles', async () => {
    const events = exportModel({
      name: 'events',
      destinationName: 'events',
      source: { schema: 'analytics', identifier: 'events' },
      columns: [column('tenant_id', 'text', false), column('id', 'integer', false), column('payload', 'json'), column('updated_at', 'timestamptz')],
    });
    await fixture.createTable(events);
    await atSource(`INSERT INTO analytics.events VALUES ('acme', 1, '{"amount":0.1}', '2024-06-01 12:00:00+00')`);
    expect((await sync({ spec: events })).transfer.action).toBe('create');
    // Rewritten late, cursor unchanged: json() reads both numbers as the same double.
    await atSource(`UPDATE analytics.events SET payload = '{"amount":0.10000000000000000001}'`);
    const run = await sync({ spec: events, lookbackSeconds: 60 });
    expect(run.transfer.bytes).toBeGreaterThan(0);
    expect(counts(run)).toEqual({ rowsInserted: 0, rowsUpdated: 1, rowsDeleted: 0 });
  });

  it('keeps the watermark when the newest rows read are older than it', async () => {
    await atSource(`DELETE FROM analytics.orders WHERE id = 3`);
    const run = await sync({ lookbackSeconds: 7200 });
    expect(counts(run)).toEqual({ rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 1 });
    expect(run.state.watermark).toBe('2024-06-01 12:00:00+00');
    const quiet = await sync();
    expect(quiet.state.watermark).toBe('2024-06-01 12:00:00+00');
  });

  it('deletes the rows the source lost, and reports what the key comparison found', async () => {
    await atSource(`DELETE FROM analytics.orders WHERE id IN (1, 4)`);
    const run = await sync();
    expect(counts(run)).toEqual({ rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 1 });
    expect(await held()).toEqual(['2:two', '3:three']);
    // Only the source keys that share the deleted key's bucket are listed.
    const listed = [2, 3].filter((id) => bucketOf(TENANT, id) === bucketOf(TENANT, 1)).length;
    expect(run.comparisons).toEqual([
      {
        hash: 'md5-sum',
        sourceRows: 2,
        destinationRows: 3,
        prefixLength: 1,
        differingBuckets: 1,
        keysListed: listed,
        deleted: 1,
        missing: 0,
        durationMs: 0,
        stepsMs: { wholeSets: 0, buckets: 0, listing: 0, matching: 0, deleting: 0 },
      },
    ]);
    expect(run.totals).toEqual([]);
    // The window held nothing new (both sides' digests of it agreed, so it was not read), and
    // nothing was missing, so nothing was re-read by key: no row moved.
    expect(run.progress).toEqual([]);
    expect(run.transfer.bytes).toBe(0);
    expect(await tables()).toEqual(['ferry.orders']);
  });

  it("empties the table once every one of the tenant's rows is gone", async () => {
    await atSource(`DELETE FROM analytics.orders WHERE tenant_id = 'acme'`);
    const run = await sync();
    expect(counts(run)).toEqual({ rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 3 });
    expect(await held()).toEqual([]);
    expect(run.comparisons[0]).toMatchObject({ sourceRows: 0, destinationRows: 3, deleted: 3, missing: 0 });
  });

  it('refills a table emptied outside Ferry, though no row changed since the watermark', async () => {
    await destination.execute([`DELETE FROM ${destination.relation('orders')}`]);
    const run = await sync();
    expect(counts(run)).toEqual({ rowsInserted: 3, rowsUpdated: 0, rowsDeleted: 0 });
    expect(await held()).toEqual(['1:one', '2:two', '3:three']);
    // The read from the watermark brought row 3 back first; the key comparison found the other two.
    expect(run.comparisons[0]).toMatchObject({ sourceRows: 3, destinationRows: 1, deleted: 0, missing: 2 });
    // With nothing at or after the watermark, the key comparison alone refills it.
    await destination.execute([`DELETE FROM ${destination.relation('orders')}`]);
    await atSource(`DELETE FROM analytics.orders WHERE id = 3`);
    const again = await sync();
    expect(counts(again)).toEqual({ rowsInserted: 2, rowsUpdated: 0, rowsDeleted: 0 });
    expect(again.comparisons[0]).toMatchObject({ sourceRows: 2, destinationRows: 0, deleted: 0, missing: 2 });
    expect(await held()).toEqual(['1:one', '2:two']);
  });

  it('re-reads nothing by key when the only difference is a deleted row, though its bucket holds others', async () => {
    const mate = Array.from({ length: 200 }, (_, i) => 100 + i).find((id) => bucketOf(TENANT, id) === bucketOf(TENANT, 1))!;
    await atSource(`INSERT INTO analytics.orders VALUES ('acme', ${mate}, 'mate', '2024-06-01 12:00:00+00', NULL)`);
    await sync();
    await atSource(`DELETE FROM analytics.orders WHERE id = 1`);
    const run = await sync();
    expect(counts(run)).toEqual({ rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 1 });
    expect(run.comparisons[0]).toMatchObject({ differingBuckets: 1, deleted: 1, missing: 0 });
    expect(run.comparisons[0]!.keysListed).toBeGreaterThanOrEqual(1);
    expect(run.progress).toEqual([]);
  });

  it('updates a held row that changed unseen (its cursor kept) when its bucket is re-read for a missing row', async () => {
    const late = Array.from({ length: 200 }, (_, i) => 100 + i).find((id) => bucketOf(TENANT, id) === bucketOf(TENANT, 1))!;
    await atSource(`UPDATE analytics.orders SET note = 'ONE' WHERE id = 1;
      INSERT INTO analytics.orders VALUES ('acme', ${late}, 'late', '2020-01-01 00:00:00+00', NULL)`);
    const run = await sync();
    expect(counts(run)).toEqual({ rowsInserted: 1, rowsUpdated: 1, rowsDeleted: 0 });
    expect(await held()).toEqual(['1:ONE', '2:two', '3:three', `${late}:late`]);
  });

  it('runs without any event listener', async () => {
    await atSource(`DELETE FROM analytics.orders WHERE id = 1;
      INSERT INTO analytics.orders VALUES ('acme', 6, 'backdated', '2020-01-01 00:00:00+00', NULL)`);
    expect(counts(await sync({ noListeners: true }))).toEqual({ rowsInserted: 1, rowsUpdated: 0, rowsDeleted: 1 });
    expect((await sync({ noListeners: true, fullRefresh: true })).transfer).toMatchObject({ action: 'rebuild', rowsInserted: 3 });
  });

  it('reads every row of a model without a soft-delete column for a destination that deletes soft-deleted rows', async () => {
    await atSource(`UPDATE analytics.orders SET note = 'TWO', updated_at = '2024-06-01 13:00:00+00' WHERE id = 2`);
    const run = await sync({ softDeletes: 'delete' });
    expect(counts(run)).toEqual({ rowsInserted: 0, rowsUpdated: 1, rowsDeleted: 0 });
  });

  it('merges the whole slice into a table it has no state for, recording no retired column', async () => {
    recorded = [];
    await atSource(`UPDATE analytics.orders SET note = 'ONE' WHERE id = 1`);
    const run = await sync();
    expect(run.transfer).toMatchObject({ action: 'full-merge', rowsInserted: 0, rowsUpdated: 1, schemaChanges: [] });
    expect(run.state).toMatchObject({ watermark: '2024-06-01 12:00:00+00', retiredColumns: [] });
  });

  it('finds and merges a row the window cannot see, whatever its cursor', async () => {
    await atSource(
      `INSERT INTO analytics.orders VALUES ('acme', 6, 'backdated', '2020-01-01 00:00:00+00', NULL), ('acme', 7, 'no cursor', NULL, NULL)`,
    );
    const run = await sync();
    expect(counts(run)).toEqual({ rowsInserted: 2, rowsUpdated: 0, rowsDeleted: 0 });
    expect(await held()).toEqual(['1:one', '2:two', '3:three', '6:backdated', '7:no cursor']);
    expect(run.comparisons).toHaveLength(1);
    expect(run.comparisons[0]).toMatchObject({ sourceRows: 5, destinationRows: 3, deleted: 0, missing: 2 });
    expect(run.comparisons[0]!.differingBuckets).toBeGreaterThan(0);
    expect(run.comparisons[0]!.keysListed).toBeGreaterThanOrEqual(2);
    // Neither row is in the window (which both sides' digests found unchanged, so it was not
    // read): only the re-read by key moved bytes, reported as they streamed.
    expect(run.progress).toEqual([`acme-dw/orders ${run.transfer.bytes}`]);
    expect(run.transfer.bytes).toBeGreaterThan(0);
    expect(run.state.watermark).toBe('2024-06-01 12:00:00+00');
    // Merged: the next sync finds both sides equal.
    expect((await sync()).comparisons[0]).toMatchObject({ differingBuckets: 0, keysListed: 0, missing: 0 });
  });

  it('deletes and repairs in the same sync, counting each once', async () => {
    await atSource(`DELETE FROM analytics.orders WHERE id = 1;
      INSERT INTO analytics.orders VALUES ('acme', 8, 'backdated', '2020-01-01 00:00:00+00', NULL)`);
    const run = await sync();
    expect(counts(run)).toEqual({ rowsInserted: 1, rowsUpdated: 0, rowsDeleted: 1 });
    expect(await held()).toEqual(['2:two', '3:three', '8:backdated']);
  });

  it('finds nothing to compare further when both key sets are equal', async () => {
    const run = await sync();
    expect(run.comparisons).toEqual([
      {
        hash: 'md5-sum',
        sourceRows: 3,
        destinationRows: 3,
        prefixLength: 0,
        differingBuckets: 0,
        keysListed: 0,
        deleted: 0,
        missing: 0,
        durationMs: 0,
        stepsMs: { wholeSets: 0 },
      },
    ]);
    expect(counts(run)).toEqual({ rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0 });
  });

  it('merges the whole slice after the cursor column changed, taking the new column as the watermark', async () => {
    const byId = exportModel({ cursor: 'id' });
    await atSource(`UPDATE analytics.orders SET note = 'ONE' WHERE id = 1`);
    const run = await sync({ spec: byId });
    expect(run.transfer.action).toBe('full-merge');
    expect(run.transfer.schemaChanges).toEqual([]);
    expect(counts(run)).toEqual({ rowsInserted: 0, rowsUpdated: 1, rowsDeleted: 0 });
    expect(run.state.watermark).toBe('3');
    expect(run.transfer.lagSeconds).toBeNull();
  });

  it('rebuilds the table on a full refresh, from the whole slice', async () => {
    await atSource(`UPDATE analytics.orders SET note = 'ONE' WHERE id = 1`);
    const run = await sync({ fullRefresh: true });
    expect(run.transfer).toMatchObject({
      action: 'rebuild',
      rowsInserted: 3,
      rowsUpdated: 0,
      rowsDeleted: 0,
      schemaChanges: ['full refresh requested'],
    });
    expect(await held()).toEqual(['1:ONE', '2:two', '3:three']);
    expect(run.state.watermark).toBe('2024-06-01 12:00:00+00');
  });
});

describe("a primary key held by more than one row (Ferry's DuckDB tables enforce none)", () => {
  const twoAgain = (cursor: string) => `INSERT INTO analytics.orders VALUES ('acme', 2, 'two again', '${cursor}', NULL)`;
  const tables = async () => (await destination.query(`SELECT table_name FROM duckdb_tables() WHERE schema_name = 'ferry' ORDER BY 1`)).flat();

  it('refuses a first load whose source holds a key twice, leaving no table behind', async () => {
    await atSource(SEED);
    await atSource(twoAgain('2024-06-01 11:30:00+00'));
    await expect(sync()).rejects.toThrow(
      /^export model "orders" holds more than one row for primary key \(tenant_id, id\) = \(acme, 2\) for tenant "acme": nothing was changed in the destination/,
    );
    expect(await tables()).toEqual([]);
  });

  it('refuses a rebuild the same way, keeping the table in place', async () => {
    await atSource(SEED);
    await sync();
    await atSource(twoAgain('2024-05-01 00:00:00+00'));
    await expect(sync({ fullRefresh: true })).rejects.toThrow(/holds more than one row for primary key/);
    expect(await tables()).toEqual(['orders']);
    expect(await held()).toEqual(['1:one', '2:two', '3:three']);
  });

  it('refuses an incremental sync when the source holds a key twice outside the read window', async () => {
    await atSource(SEED);
    await sync();
    // Backdated: the window does not read it, so no merge sees two staged rows for the key.
    await atSource(twoAgain('2024-05-01 00:00:00+00'));
    await expect(sync()).rejects.toThrow(/^tenant "acme": the source holds a primary key of model orders in more than one row/);
    expect(await held()).toEqual(['1:one', '2:two', '3:three']);
  });

  it('refuses an incremental sync when the destination holds a key twice, naming --full-refresh, which mends it', async () => {
    await atSource(SEED);
    await sync();
    await destination.execute([`INSERT INTO ${destination.relation('orders')} SELECT * FROM ${destination.relation('orders')} WHERE id = 2`]);
    await expect(sync()).rejects.toThrow(/holds a primary key in more than one row .*run `ferry sync --full-refresh` for model orders/);
    await sync({ fullRefresh: true });
    expect(await held()).toEqual(['1:one', '2:two', '3:three']);
  });
});

describe('soft-deleted rows', () => {
  const SOFT_SEED = `INSERT INTO analytics.orders VALUES
    ('acme', 1, 'one', '2024-06-01 10:00:00+00', NULL),
    ('acme', 2, 'two', '2024-06-01 11:00:00+00', NULL),
    ('acme', 3, 'three', '2024-06-01 12:00:00+00', '2024-06-01 12:00:00+00')`;

  it('are left out of a first load into a destination that deletes them', async () => {
    await atSource(SOFT_SEED);
    const run = await sync({ spec: softDeleting, softDeletes: 'delete' });
    expect(counts(run)).toEqual({ rowsInserted: 2, rowsUpdated: 0, rowsDeleted: 0 });
    expect(await held()).toEqual(['1:one', '2:two']);
  });

  it('are kept, flag and all, by a destination that keeps them', async () => {
    await atSource(SOFT_SEED);
    await sync({ spec: softDeleting });
    await atSource(`UPDATE analytics.orders SET deleted_at = '2024-06-01 13:00:00+00', updated_at = '2024-06-01 13:00:00+00' WHERE id = 2`);
    const run = await sync({ spec: softDeleting });
    expect(counts(run)).toEqual({ rowsInserted: 0, rowsUpdated: 1, rowsDeleted: 0 });
    expect(await held()).toEqual(['1:one', '2:two', '3:three']);
  });

  it('count once, as a deletion, when a held row is flagged; a new flagged row counts as nothing', async () => {
    await atSource(SOFT_SEED);
    await sync({ spec: softDeleting, softDeletes: 'delete' });
    await atSource(`UPDATE analytics.orders SET deleted_at = '2024-06-01 13:00:00+00', updated_at = '2024-06-01 13:00:00+00' WHERE id = 2;
      INSERT INTO analytics.orders VALUES ('acme', 9, 'born deleted', '2024-06-01 13:00:00+00', '2024-06-01 13:00:00+00'),
        ('acme', 10, 'ten', '2024-06-01 13:00:00+00', NULL)`);
    const run = await sync({ spec: softDeleting, softDeletes: 'delete' });
    expect(counts(run)).toEqual({ rowsInserted: 1, rowsUpdated: 0, rowsDeleted: 1 });
    expect(await held()).toEqual(['1:one', '10:ten']);
    expect(run.comparisons[0]).toMatchObject({ sourceRows: 2, destinationRows: 2, differingBuckets: 0, deleted: 0, missing: 0 });
  });

  it('that the merge does not take (older than the held row) count as no update, and are deleted once by the key comparison', async () => {
    await atSource(SOFT_SEED);
    await sync({ spec: softDeleting, softDeletes: 'delete' });
    await atSource(`UPDATE analytics.orders SET note = 'TWO', updated_at = '2024-06-01 14:00:00+00' WHERE id = 2`);
    await sync({ spec: softDeleting, softDeletes: 'delete' });
    // Row 2 is flagged with a cursor older than the held copy's (read through the lookback), row 1 changes.
    await atSource(`UPDATE analytics.orders SET deleted_at = '2024-06-01 15:00:00+00', updated_at = '2024-06-01 13:30:00+00' WHERE id = 2;
      UPDATE analytics.orders SET note = 'ONE', updated_at = '2024-06-01 15:00:00+00' WHERE id = 1`);
    const run = await sync({ spec: softDeleting, softDeletes: 'delete', lookbackSeconds: 7200 });
    expect(counts(run)).toEqual({ rowsInserted: 0, rowsUpdated: 1, rowsDeleted: 1 });
    expect(await held()).toEqual(['1:ONE']);
    expect(run.comparisons[0]).toMatchObject({ sourceRows: 1, destinationRows: 2, deleted: 1, missing: 0 });
  });
  it('that the window cannot see are re-read by key, and only the live ones merged', async () => {
    await atSource(SOFT_SEED);
    await sync({ spec: softDeleting, softDeletes: 'delete' });
    // Both late rows share a bucket, so the re-read of the live one's bucket meets the deleted one too.
    const deleted = Array.from({ length: 200 }, (_, i) => 100 + i).find((id) => bucketOf(TENANT, id) === bucketOf(TENANT, 4))!;
    await atSource(`INSERT INTO analytics.orders VALUES ('acme', 4, 'late', '2020-01-01 00:00:00+00', NULL),
      ('acme', ${deleted}, 'late and deleted', '2020-01-01 00:00:00+00', '2020-01-02 00:00:00+00')`);
    const run = await sync({ spec: softDeleting, softDeletes: 'delete' });
    expect(counts(run)).toEqual({ rowsInserted: 1, rowsUpdated: 0, rowsDeleted: 0 });
    expect(await held()).toEqual(['1:one', '2:two', '4:late']);
  });

  it('of a model without a cursor are deleted once flagged, and no watermark is kept', async () => {
    const noCursor = exportModel({ columns: softDeleting.columns, softDelete: 'deleted_at', cursor: undefined });
    await atSource(SOFT_SEED);
    expect((await sync({ spec: noCursor, softDeletes: 'delete' })).state.watermark).toBeNull();
    await atSource(`UPDATE analytics.orders SET deleted_at = '2024-06-01 13:00:00+00' WHERE id = 2;
      UPDATE analytics.orders SET note = 'ONE' WHERE id = 1`);
    const run = await sync({ spec: noCursor, softDeletes: 'delete' });
    expect(run.transfer).toMatchObject({ action: 'full-merge', lagSeconds: null });
    expect(counts(run)).toEqual({ rowsInserted: 0, rowsUpdated: 1, rowsDeleted: 1 });
    expect(run.state.watermark).toBeNull();
    expect(await held()).toEqual(['1:ONE']);
  });
});

describe('a sync after the model changed', () => {
  const withCode = exportModel({ columns: [...orders.columns, column('code', 'text')] });
  const wideKey = exportModel({ columns: orders.columns.map((c) => (c.name === 'id' ? column('id', 'bigint', false) : c)) });

  beforeEach(async () => {
    await atSource(`ALTER TABLE analytics.orders ADD COLUMN code VARCHAR;
      INSERT INTO analytics.orders VALUES
        ('acme', 1, 'one', '2024-06-01 10:00:00+00', NULL, 'A'),
        ('acme', 2, 'two', '2024-06-01 11:00:00+00', NULL, 'B')`);
  });

  const codes = async () =>
    (await destination.query(`SELECT id, code FROM ${destination.relation('orders')} ORDER BY id`)).map(([id, code]) => `${id}:${code}`);
  const ids = async () => (await destination.query(`SELECT id FROM ${destination.relation('orders')} ORDER BY id`)).flat();

  it('adds a new column and fills it for the rows already held, whatever their cursor', async () => {
    await sync();
    const run = await sync({ spec: withCode });
    expect(run.transfer).toMatchObject({ action: 'evolve', schemaChanges: ['add column code and backfill it'] });
    expect(counts(run)).toEqual({ rowsInserted: 0, rowsUpdated: 2, rowsDeleted: 0 });
    expect(await codes()).toEqual(['1:A', '2:B']);
    expect(run.state).toMatchObject({ appliedFingerprint: withCode.fingerprint, retiredColumns: [] });
  });

  it('keeps a column that left the model, nullable, with its values, and records it as retired', async () => {
    await sync({ spec: withCode });
    const run = await sync();
    expect(run.transfer).toMatchObject({
      action: 'evolve',
      schemaChanges: ['column code left the model: kept (nullable), no longer updated', 'rows changed since 2024-06-01 11:00:00+00'],
    });
    expect(run.state.retiredColumns).toEqual(['code']);
    await atSource(`INSERT INTO analytics.orders VALUES ('acme', 3, 'three', '2024-06-01 12:00:00+00', NULL, 'C')`);
    const next = await sync();
    expect(counts(next)).toEqual({ rowsInserted: 1, rowsUpdated: 0, rowsDeleted: 0 });
    expect(await codes()).toEqual(['1:A', '2:B', '3:null']);
    expect(next.state.retiredColumns).toEqual(['code']);
    // Back in the model: no longer retired, and filled again.
    const back = await sync({ spec: withCode });
    expect(back.state.retiredColumns).toEqual([]);
    expect(await codes()).toEqual(['1:A', '2:B', '3:C']);
  });

  it('keeps a retired column through a rebuild, by key, and says so', async () => {
    await sync({ spec: withCode });
    await sync();
    const run = await sync({ fullRefresh: true });
    expect(run.transfer).toMatchObject({ action: 'rebuild', schemaChanges: ['full refresh requested', 'kept retired column code with its values'] });
    expect(run.state.retiredColumns).toEqual(['code']);
    expect(await codes()).toEqual(['1:A', '2:B']);
  });

  it('keeps the old table whole beside the new one when the key changed, under a free name each time', async () => {
    await sync({ spec: withCode });
    const rekeyed = exportModel({ primaryKey: ['id', 'tenant_id'] });
    const run = await sync({ spec: rekeyed });
    expect(run.transfer.action).toBe('rebuild');
    expect(run.transfer.schemaChanges.at(-1)).toBe(
      'kept the previous table whole as orders__ferry_retired: its rows cannot be matched to the new key',
    );
    expect(run.state.retiredColumns).toEqual([]);
    expect(await held()).toEqual(['1:one', '2:two']);
    expect(await destination.introspect('orders__ferry_retired')).toBeDefined();
    await sync({ spec: exportModel({ ...rekeyed, columns: withCode.columns }) });
    const again = await sync({ spec: exportModel({ primaryKey: ['tenant_id', 'id'] }) });
    expect(again.transfer.schemaChanges.at(-1)).toBe(
      'kept the previous table whole as orders__ferry_retired_2: its rows cannot be matched to the new key',
    );
    expect((await destination.introspect('orders__ferry_retired_2'))?.columns.has('code')).toBe(true);
    await sync({ spec: withCode });
    const third = await sync({ spec: rekeyed });
    expect(third.transfer.schemaChanges.at(-1)).toBe(
      'kept the previous table whole as orders__ferry_retired_3: its rows cannot be matched to the new key',
    );
  });

  it('lets a column that was NOT NULL take NULLs once the model allows them', async () => {
    const strict = exportModel({ columns: orders.columns.map((c) => (c.name === 'note' ? { ...c, nullable: false } : c)) });
    await sync({ spec: strict });
    await atSource(`INSERT INTO analytics.orders VALUES ('acme', 3, NULL, '2024-06-01 12:00:00+00', NULL, NULL)`);
    const run = await sync();
    expect(run.transfer).toMatchObject({
      action: 'evolve',
      schemaChanges: ['column note may now be null', 'rows changed since 2024-06-01 11:00:00+00'],
    });
    expect(await held()).toEqual(['1:one', '2:two', '3:null']);
  });
  it('keeps every column that left the model, NOT NULL ones too, and lists them in order', async () => {
    await atSource(`ALTER TABLE analytics.orders ADD COLUMN batch VARCHAR; UPDATE analytics.orders SET batch = 'b' || CAST(id AS VARCHAR)`);
    const wider = exportModel({ columns: [...orders.columns, column('code', 'text', false), column('batch', 'text')] });
    await sync({ spec: wider });
    const run = await sync();
    expect(run.transfer.schemaChanges.slice(0, 2)).toEqual([
      'column code left the model: kept (nullable), no longer updated',
      'column batch left the model: kept (nullable), no longer updated',
    ]);
    expect(run.state.retiredColumns).toEqual(['batch', 'code']);
    // New rows leave the retired columns NULL, NOT NULL as code was.
    await atSource(`INSERT INTO analytics.orders VALUES ('acme', 3, 'three', '2024-06-01 12:00:00+00', NULL, 'C', 'b3')`);
    expect(counts(await sync())).toEqual({ rowsInserted: 1, rowsUpdated: 0, rowsDeleted: 0 });
    expect(await codes()).toEqual(['1:A', '2:B', '3:null']);
    // A rebuild keeps both, filled by key.
    const rebuilt = await sync({ fullRefresh: true });
    expect(rebuilt.transfer.schemaChanges).toEqual([
      'full refresh requested',
      'kept retired column batch with its values',
      'kept retired column code with its values',
    ]);
    expect(rebuilt.state.retiredColumns).toEqual(['batch', 'code']);
    expect(await codes()).toEqual(['1:A', '2:B', '3:null']);
    const batches = await destination.query(`SELECT batch FROM ${destination.relation('orders')} ORDER BY id`);
    expect(batches.flat()).toEqual(['b1', 'b2', null]);
  });

  it('widens a column in place, keeping its values', async () => {
    await atSource(`ALTER TABLE analytics.orders ADD COLUMN qty BIGINT; UPDATE analytics.orders SET qty = id * 10`);
    await sync({ spec: exportModel({ columns: [...orders.columns, column('qty', 'integer')] }) });
    expect((await destination.introspect('orders'))?.columns.get('qty')?.type).toBe('INTEGER');
    const run = await sync({ spec: exportModel({ columns: [...orders.columns, column('qty', 'bigint')] }) });
    expect(run.transfer).toMatchObject({ action: 'evolve', schemaChanges: ['widen qty in place', 'rows changed since 2024-06-01 11:00:00+00'] });
    expect((await destination.introspect('orders'))?.columns.get('qty')?.type).toBe('BIGINT');
    const qty = await destination.query(`SELECT qty FROM ${destination.relation('orders')} ORDER BY id`);
    expect(qty.flat()).toEqual(['10', '20']);
  });

  it('widens a key column in place: DuckDB tables declare no key constraint that would refuse it', async () => {
    await sync();
    const keyConstraints = () =>
      destination.query(`SELECT COUNT(*) FROM duckdb_constraints() WHERE table_name = 'orders' AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')`);
    expect(await keyConstraints()).toEqual([['0']]);
    const run = await sync({ spec: wideKey });
    expect(run.transfer).toMatchObject({ action: 'evolve', schemaChanges: ['widen id in place', 'rows changed since 2024-06-01 11:00:00+00'] });
    expect((await destination.introspect('orders'))?.columns.get('id')?.type).toBe('BIGINT');
    expect(await ids()).toEqual(['1', '2']);
  });

  it('names --full-refresh for a key column of a table an earlier Ferry created with a PRIMARY KEY, which rebuilds it without one', async () => {
    await sync();
    await destination.execute([`ALTER TABLE ${destination.relation('orders')} ADD PRIMARY KEY (tenant_id, id)`]);
    await expect(sync({ spec: wideKey })).rejects.toThrow(
      /declares a PRIMARY KEY .*cannot change a key column's type .*Fix: run `ferry sync --full-refresh` for this model once: it rebuilds the table without the constraint/,
    );
    expect((await destination.introspect('orders'))?.columns.get('id')?.type).toBe('INTEGER');
    const rebuilt = await sync({ spec: wideKey, fullRefresh: true });
    expect(rebuilt.transfer.action).toBe('rebuild');
    expect((await destination.introspect('orders'))?.columns.get('id')?.type).toBe('BIGINT');
    expect(await ids()).toEqual(['1', '2']);
  });

  it('leaves the table as it was when the merge that fills a new column fails', async () => {
    await sync();
    await atSource(`INSERT INTO analytics.orders VALUES ('acme', 2, 'two again', '2024-06-01 11:00:00+00', NULL, 'B')`);
    await expect(sync({ spec: withCode })).rejects.toThrow(
      /^export model "orders" holds more than one row for primary key \(tenant_id, id\) = \(acme, 2\) for tenant "acme": nothing was changed/,
    );
    expect((await destination.introspect('orders'))?.columns.has('code')).toBe(false);
  });

  it('changes the table before the merge, outside its transaction, where DDL does not take part in one', async () => {
    await sync();
    const nonTransactional = Object.create(destination, {
      capabilities: { value: { ...destination.capabilities, transactionalDdl: false } },
    }) as Destination;
    await atSource(`INSERT INTO analytics.orders VALUES ('acme', 2, 'two again', '2024-06-01 11:00:00+00', NULL, 'B')`);
    await expect(sync({ spec: withCode, to: nonTransactional })).rejects.toThrow(
      /^export model "orders" holds more than one row for primary key \(tenant_id, id\) = \(acme, 2\) for tenant "acme": nothing was changed/,
    );
    expect((await destination.introspect('orders'))?.columns.has('code')).toBe(true);
    await atSource(`DELETE FROM analytics.orders WHERE note = 'two again'`);
    const run = await sync({ spec: withCode, to: nonTransactional });
    expect(run.transfer.action).toBe('evolve');
    expect(await codes()).toEqual(['1:A', '2:B']);
  });
});

describe('a key comparison over many keys', () => {
  it('sizes its buckets for the larger side, so a mass delete differs in more than 16 buckets', async () => {
    await atSource(`INSERT INTO analytics.orders SELECT 'acme', i, 'n', TIMESTAMPTZ '2024-06-01 00:00:00+00', NULL FROM range(20000) AS r(i)`);
    await sync();
    await atSource(`DELETE FROM analytics.orders WHERE id >= 500`);
    const run = await sync();
    expect(counts(run)).toEqual({ rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 19_500 });
    expect(run.comparisons[0]).toMatchObject({ sourceRows: 500, destinationRows: 20_000, deleted: 19_500, missing: 0 });
    expect(run.comparisons[0]!.differingBuckets).toBeGreaterThan(16);
  });
});

describe('checkSourceBeforeWriting', () => {
  const refusing = exportModel({ nullCursor: 'refuse' });

  it('refuses a slice with NULL cursors when the model says refuse, counting them', async () => {
    await atSource(SEED);
    await expect(checkSourceBeforeWriting(fixture.source, refusing, TENANT)).resolves.toBeUndefined();
    await atSource(`INSERT INTO analytics.orders VALUES ('acme', 7, 'x', NULL, NULL), ('acme', 8, 'y', NULL, NULL), ('globex', 9, 'z', NULL, NULL)`);
    await expect(checkSourceBeforeWriting(fixture.source, refusing, TENANT)).rejects.toThrow(
      '2 row(s) of export model "orders" for tenant "acme" have a NULL updated_at, and the model\'s null_cursor is refuse: ' +
        'give them a cursor value in the dbt model, or set meta.ferry.null_cursor: always_read to re-read them on every sync',
    );
    await expect(checkSourceBeforeWriting(fixture.source, refusing, 'globex')).rejects.toThrow(
      '1 row(s) of export model "orders" for tenant "globex"',
    );
  });

  it('lets NULL cursors through for other models, and checks the exported columns of every model', async () => {
    await atSource(`INSERT INTO analytics.orders VALUES ('acme', 7, 'x', NULL, NULL)`);
    await expect(checkSourceBeforeWriting(fixture.source, orders, TENANT)).resolves.toBeUndefined();
    await expect(checkSourceBeforeWriting(fixture.source, exportModel({ nullCursor: 'always_read' }), TENANT)).resolves.toBeUndefined();
    const missing = exportModel({ columns: [...orders.columns, column('gone', 'text')] });
    await expect(checkSourceBeforeWriting(fixture.source, missing, TENANT)).rejects.toThrow(/gone/);
  });
});

describe('typeChanges', () => {
  const widening = (from: LogicalType, to: LogicalType) => ({ column: { ...column('c', 'text'), type: to }, from });
  const diff = (...widened: SchemaDiff['widened']): SchemaDiff => ({
    added: [],
    widened,
    retired: [],
    relaxed: [],
    incompatible: [],
    cursorChanged: false,
  });
  const longer = widening({ kind: 'varchar', length: 10 }, { kind: 'varchar', length: 20 });
  const toText = widening({ kind: 'varchar', length: 10 }, { kind: 'text' });
  const toBigint = widening({ kind: 'integer' }, { kind: 'bigint' });
  const destinationThat = (enforcesVarcharLength: boolean) => ({ capabilities: { enforcesVarcharLength } }) as unknown as Destination;

  it('alters every widened column where the warehouse enforces varchar lengths', () => {
    expect(typeChanges(destinationThat(true), diff(longer, toText, toBigint))).toEqual([longer, toText, toBigint]);
  });

  it('skips a longer varchar where the warehouse neither keeps nor enforces the length', () => {
    expect(typeChanges(destinationThat(false), diff(longer, toText, toBigint))).toEqual([toText, toBigint]);
  });

  it('has nothing to alter without a schema change', () => {
    expect(typeChanges(destinationThat(true), undefined)).toEqual([]);
    expect(typeChanges(destinationThat(false), diff())).toEqual([]);
  });
});

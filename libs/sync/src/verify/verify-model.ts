import { bindRelations, fromClause, type ModelSql, type Relations, type RowDigestQueries } from '@ferry/dialects';
import { transferCsvRecords, type Destination } from '@ferry/destinations';
import type { ExportModelSpec } from '@ferry/schema';
import type { ReadWindow, Source } from '@ferry/sources';
import type { Verification } from '@ferry/state';
import { countingBytes, csvRecords } from '../csv.ts';
import type { SyncEvents } from '../events.ts';
import type { SoftDeleteMode } from '../sync-model.ts';
import { compareBucketFigures } from '../bucket-figures.ts';
import { quotedKeyColumns } from '../key-comparison.ts';
import { oneStatement } from '../one-statement.ts';
import { BucketTally, rowReading, type RowReading, type TextRow } from './row-digests.ts';

/** Keys of each kind a verification keeps to show: enough to look at, never a table's worth. */
const SAMPLE_KEYS = 10;

export interface ModelVerifyInput {
  readonly destinationId: string;
  readonly tenant: string;
  readonly destination: Destination;
  readonly source: Source;
  readonly spec: ExportModelSpec;
  readonly sql: ModelSql;
  readonly softDeletes: SoftDeleteMode;
  /** Re-sync exactly the rows found missing, extra or different. */
  readonly repair: boolean;
  readonly events: SyncEvents;
  /** Throws when this process no longer holds the destination's lease: called before writing. */
  readonly checkLease: () => void;
}

/** What verifying one model found, and what repair changed. */
export type ModelVerification = Omit<Verification, 'destinationId' | 'verifiedAt'> & {
  readonly repaired: { readonly inserted: number; readonly deleted: number };
  /** Where rows were digested: inside both warehouses (one engine on both sides), or in Ferry. */
  readonly comparedIn: 'warehouses' | 'ferry';
};

/**
 * Compares every column of every row of a model's destination table with the tenant's slice
 * (the live rows only, for a destination that deletes soft-deleted rows), and names each row
 * missing, extra or different by key; with `repair`, re-syncs exactly those rows (see `repair`).
 *
 * Where source and destination are one engine (row-digests.ts in @ferry/dialects), each
 * warehouse hashes its own rows and only bucket figures, then the keys and hashes of differing
 * buckets, reach Ferry. Elsewhere both sides' rows stream through Ferry, which digests their
 * canonical text (row-digests.ts here).
 */
export async function verifyModel(input: ModelVerifyInput): Promise<ModelVerification> {
  const started = performance.now();
  const { destination, spec, sql } = input;
  if ((await destination.introspect(sql.table)) === undefined) {
    throw new Error(`the destination has no table ${sql.table} for model "${spec.name}" yet: run \`ferry sync\` first`);
  }
  const inWarehouses = warehouseDigests(input);
  const found = inWarehouses === undefined ? await compareInFerry(input) : await compareInWarehouses(input, inWarehouses);
  const figures = {
    model: spec.name,
    sourceRows: found.sourceRows,
    destinationRows: found.destinationRows,
    buckets: found.buckets,
    differingBuckets: found.differingBuckets,
    notes: found.notes,
    error: null,
    comparedIn: inWarehouses === undefined ? 'ferry' : 'warehouses',
  } as const;
  if (found.rows === undefined) {
    return {
      ...figures,
      result: 'equal',
      missing: 0,
      extra: 0,
      different: 0,
      sampleKeys: { missing: [], extra: [], different: [] },
      repaired: { inserted: 0, deleted: 0 },
      durationMs: Math.round(performance.now() - started),
    };
  }
  const { missing, extra, different } = found.rows;
  const repaired = input.repair ? await repair(input, found.rows) : { inserted: 0, deleted: 0 };
  return {
    ...figures,
    result: input.repair ? 'repaired' : 'different',
    missing: missing.length,
    extra: extra.length,
    different: different.length,
    sampleKeys: {
      missing: missing.slice(0, SAMPLE_KEYS).map(({ id }) => id),
      extra: extra.slice(0, SAMPLE_KEYS).map(({ id }) => id),
      different: different.slice(0, SAMPLE_KEYS).map(({ id }) => id),
    },
    repaired,
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * In-warehouse digests compare 256 buckets (2 hex digits of the key hash) first, so an equal
 * table costs one scan per side and a few hundred figures; only the buckets that differ are
 * split into finer ones, of a few rows each (see finePrefix), whose rows are then listed.
 */
const COARSE_PREFIX = 2;

/**
 * Hex digits of the fine buckets: about 4 rows each (at least 4 digits, the 65,536 of
 * VERIFY_BUCKETS; at most 6). Finer buckets cost more figures; coarser ones list more rows that
 * are equal along with those that differ (at 5M rows and 1% missing, 4 digits listed half the table).
 */
export function finePrefix(rows: number): number {
  return Math.min(6, Math.max(4, Math.floor(Math.log(Math.max(rows, 1) / 4) / Math.log(16))));
}

/** A row found differing: its key as JSON (what reports show) and as text values (what a delete by key takes). */
interface KeyedRow {
  readonly id: string;
  readonly key: TextRow;
}

interface DifferingRows {
  readonly missing: KeyedRow[];
  readonly extra: KeyedRow[];
  readonly different: KeyedRow[];
  /** Re-reads the source's rows of `keys` (ids), in the transfer format, for repair. */
  sourceRowsOf(ids: ReadonlySet<string>): AsyncIterable<TextRow>;
}

interface Comparison {
  readonly sourceRows: number;
  readonly destinationRows: number;
  readonly buckets: number;
  readonly differingBuckets: number;
  readonly notes: readonly string[];
  /** Undefined when every bucket agreed. */
  readonly rows: DifferingRows | undefined;
}

/** The destination dialect's in-warehouse digests, when the source's agree with them. */
function warehouseDigests(input: ModelVerifyInput): RowDigestQueries | undefined {
  const queries = input.destination.dialect.rowDigests;
  return queries !== undefined && queries.family === input.source.rowDigestFamily ? queries : undefined;
}

/** The window of the slice the destination should hold: its live rows, where soft-deleted rows are deleted. */
function sliceWindow(input: ModelVerifyInput): ReadWindow | undefined {
  return input.softDeletes === 'delete' && input.spec.softDelete !== undefined ? { liveOnly: true } : undefined;
}

async function compareInWarehouses(input: ModelVerifyInput, queries: RowDigestQueries): Promise<Comparison> {
  const { source, destination, spec, sql, tenant } = input;
  const keyColumns = quotedKeyColumns(destination.dialect, spec, sql);
  const columns = spec.columns.map(({ name, type }) => ({ column: destination.dialect.quoteIdentifier(sql.columns[name] as string), type }));
  const target = destination.relation(sql.table);

  /** Both sides' figures at `prefixLength`, within the coarse buckets given; the buckets whose figures differ. */
  async function compareBuckets(prefixLength: number, within?: readonly string[]) {
    const inBuckets = within && { prefixLength: COARSE_PREFIX, buckets: within };
    const from = inBuckets
      ? fromClause(target, destination.dialect.keyInBucketsCondition(keyColumns, inBuckets.prefixLength, inBuckets.buckets))
      : fromClause(target);
    const [sourceBuckets, destinationBuckets] = await Promise.all([
      source.rowBuckets(spec, tenant, prefixLength, { ...sliceWindow(input), ...(inBuckets && { keyBuckets: inBuckets }) }),
      destination.query(queries.bucketsQuery(from, keyColumns, columns, prefixLength)),
    ]);
    return compareBucketFigures(sourceBuckets, destinationBuckets);
  }

  const coarse = await compareBuckets(COARSE_PREFIX);
  const comparison = { sourceRows: coarse.sourceRows, destinationRows: coarse.destinationRows, buckets: coarse.buckets, notes: [] };
  if (coarse.differing.length === 0) return { ...comparison, differingBuckets: 0, rows: undefined };
  const fine = finePrefix(Math.max(coarse.sourceRows, coarse.destinationRows));
  const { differing } = await compareBuckets(fine, coarse.differing);
  if (differing.length === 0) {
    // The coarse figures differed, the finer ones within them do not: a side changed in between.
    throw new Error(
      `the source or the destination changed while model "${spec.name}" was verified (bucket figures moved between two reads): run the verification again`,
    );
  }
  const listed = { prefixLength: fine, buckets: differing };

  // The destination's keys and hashes of the differing buckets are held; the source's are matched against them as they stream by.
  const keyCount = spec.primaryKey.length;
  const held = new Map<string, { hash: string | null; key: TextRow }>();
  for await (const batch of destination.scan(
    queries.hashesInBucketsQuery(fromClause(target), keyColumns, columns, listed.prefixLength, listed.buckets),
  )) {
    for (const row of batch) {
      const key = row.slice(0, keyCount);
      held.set(JSON.stringify(key), { hash: row[keyCount] ?? null, key });
    }
  }
  const missing: KeyedRow[] = [];
  const different: KeyedRow[] = [];
  for await (const row of transferCsvRecords(
    source.exportRowHashesInBuckets(spec, tenant, listed.prefixLength, listed.buckets, sliceWindow(input)),
  )) {
    const key = row.slice(0, keyCount);
    const id = JSON.stringify(key);
    const found = held.get(id);
    held.delete(id);
    if (found === undefined) missing.push({ id, key });
    else if (found.hash !== row[keyCount]) different.push({ id, key: found.key });
  }
  const extra = [...held].map(([id, { key }]) => ({ id, key }));
  const keyIndexes = spec.primaryKey.map((k) => spec.columns.findIndex((c) => c.name === k));
  return {
    ...comparison,
    differingBuckets: differing.length,
    rows: {
      missing,
      extra,
      different,
      async *sourceRowsOf(ids) {
        const window = { ...sliceWindow(input), keyBuckets: listed };
        for await (const row of transferCsvRecords(source.exportCsv(spec, tenant, window))) {
          if (ids.has(JSON.stringify(keyIndexes.map((i) => row[i] ?? null)))) yield row;
        }
      },
    },
  };
}

/**
 * Both sides read once, in parallel, each row reduced to a digest of its canonical text and
 * tallied per key bucket; only bucket figures are kept. When figures differ, both sides are read
 * again keeping the rows of the differing buckets only: the destination's keys and digests are
 * held, the source's matched against them as they stream by.
 */
async function compareInFerry(input: ModelVerifyInput): Promise<Comparison> {
  const { destination, spec } = input;
  const reading = rowReading(spec, destination.capabilities, destination.type);
  const [sourceTally, destinationTally] = await Promise.all([tally(sourceRows(input), reading), tally(destinationRows(input), reading)]);
  const buckets = sourceTally.differing(destinationTally);
  const comparison = {
    sourceRows: sourceTally.rows,
    destinationRows: destinationTally.rows,
    buckets: sourceTally.occupied(destinationTally),
    differingBuckets: buckets.size,
    notes: reading.notes,
  };
  if (buckets.size === 0) return { ...comparison, rows: undefined };

  const keyIndexes = spec.primaryKey.map((k) => spec.columns.findIndex((c) => c.name === k));
  const keyOf = (row: TextRow) => keyIndexes.map((i) => row[i] ?? null);
  const held = new Map<string, { digest: Buffer; key: TextRow }>();
  for await (const row of destinationRows(input)) {
    const id = reading.keyOf(row);
    if (buckets.has(reading.bucketOf(id))) held.set(id, { digest: reading.digestOf(row), key: keyOf(row) });
  }
  const missing: KeyedRow[] = [];
  const different: KeyedRow[] = [];
  for await (const row of sourceRows(input)) {
    const id = reading.keyOf(row);
    if (!buckets.has(reading.bucketOf(id))) continue;
    const found = held.get(id);
    held.delete(id);
    if (found === undefined) missing.push({ id, key: keyOf(row) });
    else if (!found.digest.equals(reading.digestOf(row))) different.push({ id, key: found.key });
  }
  const extra = [...held].map(([id, { key }]) => ({ id, key }));
  return {
    ...comparison,
    rows: {
      missing,
      extra,
      different,
      async *sourceRowsOf(ids) {
        for await (const row of sourceRows(input)) {
          const id = reading.keyOf(row);
          if (buckets.has(reading.bucketOf(id)) && ids.has(id)) yield row;
        }
      },
    },
  };
}

/** The tenant's slice as text rows: the rows this destination should hold. */
async function* sourceRows(input: ModelVerifyInput): AsyncGenerator<TextRow> {
  const { source, spec, tenant, events, destinationId } = input;
  const csv = countingBytes(source.exportCsv(spec, tenant, sliceWindow(input)), (progress) =>
    events.modelProgress?.(destinationId, spec.name, progress),
  );
  yield* transferCsvRecords(csv);
}

/** Every row of the destination table (another tenant's row there is extra), its model columns only. */
async function* destinationRows(input: ModelVerifyInput): AsyncGenerator<TextRow> {
  const { destination, sql } = input;
  const select = bindRelations(oneStatement(sql.selectRows), { target: destination.relation(sql.table) });
  for await (const batch of destination.scan(select)) yield* batch;
}

async function tally(rows: AsyncIterable<TextRow>, reading: RowReading): Promise<BucketTally> {
  const tally = new BucketTally();
  for await (const row of rows) tally.add(reading.bucketOf(reading.keyOf(row)), reading.digestOf(row));
  return tally;
}

/**
 * Re-syncs the rows found differing: the source's version of each missing and different row is
 * staged as it is re-read, then one transaction deletes the extra and different rows by key and
 * merges the staged ones in. Retired columns of a re-synced row are left empty.
 */
async function repair(input: ModelVerifyInput, rows: DifferingRows): Promise<ModelVerification['repaired']> {
  const { destination, sql, spec } = input;
  const relations: Required<Relations> = {
    target: destination.relation(sql.table),
    staging: destination.scratchRelation(`staging_${spec.name}`),
    deletedKeys: destination.scratchRelation(`deleted_keys_${spec.name}`),
  };
  const bound = (statements: readonly string[]) => statements.map((s) => bindRelations(s, relations));
  const columns = spec.columns.map((c) => sql.columns[c.name] as string);
  const toDelete = [...rows.different, ...rows.extra].map(({ key }) => key);
  const resync = new Set([...rows.missing, ...rows.different].map(({ id }) => id));
  // Every helper table before the transaction: where DDL commits on its own (Snowflake), creating one inside would commit the deletes early.
  await destination.execute(bound([...sql.dropStaging, ...sql.createStaging, ...sql.dropDeletedKeys, ...sql.createDeletedKeys]));
  const staged = resync.size === 0 ? { rows: 0 } : await destination.loadCsv(relations.staging, columns, csvRecords(rows.sourceRowsOf(resync)));
  if (staged.rows < resync.size) {
    // Deleting the different rows without their source version in hand would lose them.
    await destination.execute(bound([...sql.dropStaging, ...sql.dropDeletedKeys]));
    throw new Error(
      `repair of model "${spec.name}" re-read ${staged.rows} of the ${resync.size} missing and different rows from the source, so it changed nothing: ` +
        'the source changed during the verification, or their keys read differently on the two sides; run `ferry verify --repair` again, or `ferry sync --full-refresh`',
    );
  }
  input.checkLease();
  const repaired = await destination.transaction(async (session) => {
    let deleted = 0;
    if (toDelete.length > 0) {
      await session.loadCsv(
        relations.deletedKeys,
        spec.primaryKey.map((k) => sql.columns[k] as string),
        csvRecords(toDelete),
      );
      deleted = await session.execute(bound(sql.deleteByKeys));
    }
    if (staged.rows > 0) await session.execute(bound(sql.merge));
    return { inserted: staged.rows, deleted };
  });
  await destination.execute(bound([...sql.dropStaging, ...sql.dropDeletedKeys]));
  return repaired;
}

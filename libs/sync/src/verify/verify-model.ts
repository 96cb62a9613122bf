import { bindRelations, type ModelSql, type Relations } from '@ferry/dialects';
import { transferCsvRecords, type Destination } from '@ferry/destinations';
import type { ExportModelSpec } from '@ferry/schema';
import type { Source } from '@ferry/sources';
import type { Verification } from '@ferry/state';
import { countingBytes, csvRecords } from '../csv.ts';
import type { SyncEvents } from '../events.ts';
import type { SoftDeleteMode } from '../sync-model.ts';
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
};

/**
 * Compares every column of every row of a model's destination table with the tenant's slice
 * (the live rows only, for a destination that deletes soft-deleted rows). Both sides are read
 * once, in parallel, each row reduced to a digest of its canonical text (see row-digests.ts) and
 * tallied per key bucket; only bucket figures are kept. When figures differ, both sides are read
 * again keeping the rows of the differing buckets only, to name each row missing, extra or
 * different; with `repair`, those rows are re-synced: the source's version of each missing and
 * different row is staged as it is read, and one transaction deletes the extra and different
 * rows by key and merges the staged ones in. Retired columns of a re-synced row are left empty.
 */
export async function verifyModel(input: ModelVerifyInput): Promise<ModelVerification> {
  const started = performance.now();
  const { destination, spec, sql } = input;
  const reading = rowReading(spec, destination.capabilities, destination.type);
  if ((await destination.introspect(sql.table)) === undefined) {
    throw new Error(`the destination has no table ${sql.table} for model "${spec.name}" yet: run \`ferry sync\` first`);
  }
  const [sourceTally, destinationTally] = await Promise.all([
    tally(sourceRows(input), reading),
    tally(destinationRows(input), reading),
  ]);
  const differing = sourceTally.differing(destinationTally);
  const figures = {
    model: spec.name,
    sourceRows: sourceTally.rows,
    destinationRows: destinationTally.rows,
    buckets: sourceTally.occupied(destinationTally),
    differingBuckets: differing.size,
    notes: reading.notes,
    error: null,
  };
  if (differing.size === 0) {
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
  const found = await drillDown(input, reading, differing);
  return {
    ...figures,
    result: input.repair ? 'repaired' : 'different',
    missing: found.missing.length,
    extra: found.extra.length,
    different: found.different.length,
    sampleKeys: {
      missing: found.missing.slice(0, SAMPLE_KEYS),
      extra: found.extra.slice(0, SAMPLE_KEYS),
      different: found.different.slice(0, SAMPLE_KEYS),
    },
    repaired: found.repaired,
    durationMs: Math.round(performance.now() - started),
  };
}

/** The tenant's slice as text rows: the rows this destination should hold. */
async function* sourceRows(input: ModelVerifyInput): AsyncGenerator<TextRow> {
  const { source, spec, tenant, events, destinationId } = input;
  const window = input.softDeletes === 'delete' && spec.softDelete !== undefined ? { liveOnly: true } : undefined;
  const csv = countingBytes(source.exportCsv(spec, tenant, window), (progress) => events.modelProgress?.(destinationId, spec.name, progress));
  yield* transferCsvRecords(csv);
}

/** Every row of the destination table (another tenant's row there is extra), its model columns only. */
async function* destinationRows(input: ModelVerifyInput): AsyncGenerator<TextRow> {
  const { destination, spec, sql } = input;
  const columns = spec.columns.map((c) => destination.dialect.quoteIdentifier(sql.columns[c.name] as string));
  for await (const batch of destination.scan(`SELECT ${columns.join(', ')} FROM ${destination.relation(sql.table)}`)) yield* batch;
}

async function tally(rows: AsyncIterable<TextRow>, reading: RowReading): Promise<BucketTally> {
  const tally = new BucketTally();
  for await (const row of rows) tally.add(reading.bucketOf(reading.keyOf(row)), reading.digestOf(row));
  return tally;
}

interface DrillDown {
  readonly missing: string[];
  readonly extra: string[];
  readonly different: string[];
  readonly repaired: ModelVerification['repaired'];
}

/**
 * Names the rows of the differing buckets: the destination's rows of those buckets are held
 * (key and digest), then the source's are matched against them as they stream by.
 */
async function drillDown(input: ModelVerifyInput, reading: RowReading, buckets: ReadonlySet<number>): Promise<DrillDown> {
  const held = new Map<string, { digest: Buffer; key: TextRow }>();
  const keyIndexes = input.spec.primaryKey.map((k) => input.spec.columns.findIndex((c) => c.name === k));
  for await (const row of destinationRows(input)) {
    const key = reading.keyOf(row);
    if (buckets.has(reading.bucketOf(key))) held.set(key, { digest: reading.digestOf(row), key: keyIndexes.map((i) => row[i] ?? null) });
  }
  const missing: string[] = [];
  const different: string[] = [];
  const toDelete: TextRow[] = [];
  async function* toResync(): AsyncGenerator<TextRow> {
    for await (const row of sourceRows(input)) {
      const key = reading.keyOf(row);
      if (!buckets.has(reading.bucketOf(key))) continue;
      const found = held.get(key);
      held.delete(key);
      if (found === undefined) {
        missing.push(key);
        yield row;
      } else if (!found.digest.equals(reading.digestOf(row))) {
        different.push(key);
        toDelete.push(found.key);
        yield row;
      }
    }
  }
  if (!input.repair) {
    for await (const _row of toResync());
    return { missing, extra: [...held.keys()], different, repaired: { inserted: 0, deleted: 0 } };
  }

  const { destination, sql, spec } = input;
  const relations: Required<Relations> = {
    target: destination.relation(sql.table),
    staging: destination.scratchRelation(`staging_${spec.name}`),
    deletedKeys: destination.scratchRelation(`deleted_keys_${spec.name}`),
  };
  const bound = (statements: readonly string[]) => statements.map((s) => bindRelations(s, relations));
  const columns = spec.columns.map((c) => sql.columns[c.name] as string);
  await destination.execute(bound([...sql.dropStaging, ...sql.createStaging]));
  const staged = await destination.loadCsv(relations.staging, columns, csvRecords(toResync()));
  const extra = [...held.keys()];
  for (const { key } of held.values()) toDelete.push(key);
  input.checkLease();
  const repaired = await destination.transaction(async (session) => {
    let deleted = 0;
    if (toDelete.length > 0) {
      await session.execute(bound([...sql.dropDeletedKeys, ...sql.createDeletedKeys]));
      await session.loadCsv(relations.deletedKeys, spec.primaryKey.map((k) => sql.columns[k] as string), csvRecords(toDelete));
      deleted = await session.execute(bound(sql.deleteByKeys));
    }
    if (staged.rows > 0) await session.execute(bound(sql.merge));
    return { inserted: staged.rows, deleted };
  });
  await destination.execute(bound([...sql.dropStaging, ...sql.dropDeletedKeys]));
  return { missing, extra, different, repaired };
}

import { bindRelations, type Dialect, type ModelSql, type Relations } from '@ferry/dialects';
import type { DestinationSession } from '@ferry/destinations';
import type { Source } from '@ferry/sources';
import type { ExportModelSpec } from '@ferry/schema';
import type { KeyComparison, SyncEvents } from './events.ts';

/** Keys per bucket the comparison aims for: a differing bucket costs listing about this many keys. */
const KEYS_PER_BUCKET = 1024;

/**
 * Finds and deletes destination rows whose key is gone from the tenant's source slice, without a
 * full reload. Runs after the merge, when the destination holds every source key (plus the deleted
 * ones), so:
 * 1. equal counts on both sides mean nothing was deleted (one COUNT per side);
 * 2. otherwise both sides hash their keys into buckets (md5 of the key text, grouped by its first
 *    hex digits, ~1k keys a bucket) and compare per-bucket counts and digests: one scan of the key
 *    columns per side, nothing but the bucket figures leaves the warehouse;
 * 3. only the source's keys of the differing buckets are copied (streamed, bulk-loaded) into a
 *    scratch table beside the destination table, and the warehouse finds the destination keys of
 *    those buckets that the copy lacks: the keys moved are proportional to the buckets touched
 *    by deletions, not to the table, and none is held in Ferry's memory.
 * Keys that appear in the source after the rows were read are ignored (the next run merges them).
 * With `liveOnly` (a destination that deletes soft-deleted rows, purged before this runs) the
 * source side leaves out soft-deleted rows too, so both sides count the same population.
 * What the comparison cost is reported to `events.keysCompared`.
 * @returns the number of destination rows deleted.
 */
export async function deleteMissingKeys(input: KeyComparisonInput): Promise<number> {
  const started = performance.now();
  const comparison = await compareAndDelete(input);
  input.events.keysCompared?.(input.destinationId, input.spec.name, { ...comparison, durationMs: Math.round(performance.now() - started) });
  return comparison.deleted;
}

interface KeyComparisonInput {
  readonly destinationId: string;
  readonly events: SyncEvents;
  readonly source: Source;
  readonly tenant: string;
  readonly spec: ExportModelSpec;
  readonly sql: ModelSql;
  readonly dialect: Dialect;
  readonly session: DestinationSession;
  readonly relations: Relations;
  /** A scratch table for the source's keys of the buckets that differ, shaped like `relations.deletedKeys`. */
  readonly keptKeys: string;
  readonly liveOnly: boolean;
}

async function compareAndDelete(input: KeyComparisonInput): Promise<Omit<KeyComparison, 'durationMs'>> {
  const { source, tenant, spec, sql, dialect, session, relations } = input;
  const rows = input.liveOnly ? { liveOnly: true } : undefined;
  const [sourceCount, [[destinationCount] = []]] = await Promise.all([
    source.count(spec, tenant, rows),
    session.query(`SELECT COUNT(*) FROM ${relations.target}`),
  ]);
  const rowsInDestination = Number(destinationCount ?? 0);
  const counted = { sourceRows: sourceCount, destinationRows: rowsInDestination, differingBuckets: 0, keysListed: 0, deleted: 0 };
  if (rowsInDestination <= sourceCount) return counted;

  const prefix = bucketPrefixLength(rowsInDestination);
  const keyColumns = spec.primaryKey.map((k) => dialect.quoteIdentifier(sql.columns[k] as string));
  const from = `FROM ${relations.target}`;
  const [sourceBuckets, destinationBuckets] = await Promise.all([
    source.keyBuckets(spec, tenant, prefix, rows),
    session.query(dialect.keyBucketsQuery(from, keyColumns, prefix)),
  ]);
  const inSource = new Map(sourceBuckets.map((b) => [b.bucket, `${b.count}/${b.checksum}`]));
  const differing = destinationBuckets
    .filter(([bucket, count, checksum]) => inSource.get(bucket as string) !== `${Number(count)}/${checksum}`)
    .map(([bucket]) => bucket as string);
  if (differing.length === 0) return counted;

  // The source's keys of the differing buckets are copied into a table beside the destination's
  // (bulk, streamed), and the warehouse itself finds the destination keys that table lacks.
  const bind = (statements: readonly string[], bound: Relations = relations) => statements.map((s) => bindRelations(s, bound));
  const kept = { ...relations, deletedKeys: input.keptKeys };
  const keyNames = spec.primaryKey.map((k) => sql.columns[k] as string);
  await session.execute([...bind(sql.dropDeletedKeys, kept), ...bind(sql.createDeletedKeys, kept), ...bind(sql.dropDeletedKeys), ...bind(sql.createDeletedKeys)]);
  const listed = await session.loadCsv(input.keptKeys, keyNames, source.exportKeysInBuckets(spec, tenant, prefix, differing, rows));
  const found = await session.execute([
    `INSERT INTO ${relations.deletedKeys} (${keyColumns.join(', ')})\n` +
      dialect.missingKeysQuery(relations.target, input.keptKeys, keyColumns, prefix, differing),
  ]);
  const deleted = found > 0 ? await session.execute(bind(sql.deleteByKeys)) : 0;
  await session.execute([...bind(sql.dropDeletedKeys), ...bind(sql.dropDeletedKeys, kept)]);
  return { ...counted, differingBuckets: differing.length, keysListed: listed.rows, deleted };
}

/** Hex digits of the key hash that make buckets of about KEYS_PER_BUCKET keys (1 to 6). */
export function bucketPrefixLength(keys: number): number {
  return Math.min(6, Math.max(1, Math.ceil(Math.log(Math.max(keys, 1) / KEYS_PER_BUCKET) / Math.log(16))));
}

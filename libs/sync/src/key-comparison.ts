import { bindRelations, fromClause, type Dialect, type KeyHash, type ModelSql, type Relations } from '@ferry/dialects';
import type { DestinationSession } from '@ferry/destinations';
import type { Source } from '@ferry/sources';
import type { ExportModelSpec } from '@ferry/schema';
import { compareBucketFigures } from './bucket-figures.ts';
import { oneStatement } from './one-statement.ts';
import type { KeyComparison, SyncEvents } from './events.ts';

/** Keys per bucket the comparison aims for: a differing bucket costs listing about this many keys. */
const KEYS_PER_BUCKET = 1024;

/**
 * Makes the destination hold exactly the tenant's source keys, without a full reload. Runs in
 * the merge's transaction, after the merge. Counts prove nothing (a row deleted and a row missing
 * make equal counts), so both sides always compare their key sets:
 * 1. both hash their keys into buckets (a hash of the key text both compute alike: md5, or the
 *    engine's own when both sides are one engine; grouped by its first hex digits, ~1k keys a
 *    bucket, sized from the destination's row estimate) and report per-bucket counts and
 *    digests: one scan of the key columns per side, nothing but the bucket figures leaves the
 *    warehouse; equal figures everywhere mean equal key sets, and their sums are the row counts;
 * 2. only the source's keys of the differing buckets are copied (streamed, bulk-loaded) into a
 *    scratch table beside the destination table, and the warehouse finds the destination keys of
 *    those buckets that the copy lacks (deleted from the source: deleted here) and counts the
 *    copied keys the destination lacks (rows an incremental read could not see: a backdated or
 *    NULL cursor, a late commit). The caller re-reads the rows of those buckets by key hash and
 *    merges them (see `missingRows`).
 * The keys moved are proportional to the buckets touched by differences, not to the table, and
 * none is held in Ferry's memory. With `liveOnly` (a destination that deletes soft-deleted rows,
 * purged before this runs) the source side leaves out soft-deleted rows too, so both sides count
 * the same population. What the comparison cost is reported to `events.keysCompared`.
 */
export async function reconcileKeys(input: KeyComparisonInput): Promise<KeyReconciliation> {
  const started = performance.now();
  const { missingRows, ...comparison } = await compareKeys(input);
  input.events.keysCompared?.(input.destinationId, input.spec.name, { ...comparison, durationMs: Math.round(performance.now() - started) });
  return { deleted: comparison.deleted, missingRows };
}

/** What the key comparison changed, and what it leaves to re-read. */
export interface KeyReconciliation {
  readonly deleted: number;
  /** The key buckets holding source rows the destination lacks; undefined when it lacks none. */
  readonly missingRows: { readonly prefixLength: number; readonly buckets: readonly string[]; readonly hash: KeyHash } | undefined;
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
  /**
   * A scratch table for the source's keys of the buckets that differ, shaped like
   * `relations.deletedKeys`. Both are created empty before the transaction (see helperTables in
   * sync-model.ts): DDL inside it would commit it early where DDL is not transactional.
   */
  readonly keptKeys: string;
  readonly liveOnly: boolean;
}

async function compareKeys(input: KeyComparisonInput): Promise<Omit<KeyComparison, 'durationMs'> & Pick<KeyReconciliation, 'missingRows'>> {
  const { source, tenant, spec, sql, dialect, session, relations } = input;
  const rows = input.liveOnly ? { liveOnly: true } : undefined;
  const prefix = bucketPrefixLength(await destinationRowsEstimate(input));
  // The cheapest hash both sides compute alike: the engine's own when both are the same engine.
  const hash = dialect.keyHashes.find((h) => source.keyHashes.includes(h)) ?? 'md5';
  const keyColumns = spec.primaryKey.map((k) => dialect.quoteIdentifier(sql.columns[k] as string));
  const from = fromClause(relations.target);
  const [sourceBuckets, destinationBuckets] = await Promise.all([
    source.keyBuckets(spec, tenant, prefix, rows, hash),
    session.query(dialect.keyBucketsQuery(from, keyColumns, prefix, hash)),
  ]);
  // A bucket differs when its figures differ, or when only one side has it. The bucket counts
  // add up to each side's rows: no separate count (a full pass over a table just changed).
  const { differing, sourceRows, destinationRows } = compareBucketFigures(sourceBuckets, destinationBuckets);
  const counted = { hash, sourceRows, destinationRows, differingBuckets: 0, keysListed: 0, deleted: 0, missing: 0, missingRows: undefined };
  if (differing.length === 0) return counted;

  // The source's keys of the differing buckets are copied into a table beside the destination's
  // (bulk, streamed), and the warehouse itself compares them with the destination's keys.
  const bind = (statements: readonly string[]) => statements.map((s) => bindRelations(s, relations));
  const keyNames = spec.primaryKey.map((k) => sql.columns[k] as string);
  const listed = await session.loadCsv(input.keptKeys, keyNames, source.exportKeysInBuckets(spec, tenant, prefix, differing, rows, hash));
  // Unanalyzed, Postgres took 700k copied keys for a few and walked the table in key order to
  // anti-join them (17 s at 5M rows, against 2 s for the hash join it picks knowing their number).
  if (dialect.refreshStatistics) await session.execute([dialect.refreshStatistics(input.keptKeys)]);
  const [[unmatched] = []] = await session.query(dialect.unmatchedKeysCountQuery(input.keptKeys, relations.target, keyColumns));
  if (relations.deletedKeys === undefined) throw new Error('the key comparison needs the deleted-keys table (relations.deletedKeys)');
  const found = await session.execute([
    dialect.insertMissingKeys(relations.deletedKeys, relations.target, input.keptKeys, keyColumns, prefix, differing, hash),
  ]);
  const deleted = found > 0 ? await session.execute(bind(sql.deleteByKeys)) : 0;
  const missing = Number(unmatched ?? 0);
  return {
    ...counted,
    differingBuckets: differing.length,
    keysListed: listed.rows,
    deleted,
    missing,
    missingRows: missing > 0 ? { prefixLength: prefix, buckets: differing, hash } : undefined,
  };
}

/**
 * About how many rows the destination table holds, to size the buckets: the warehouse's own
 * estimate where it keeps one (Postgres statistics; a COUNT there reads every row of a table the
 * merge just changed), else COUNT(*), which the other warehouses answer from metadata or
 * columnar storage. A wrong estimate costs speed (more keys listed), never correctness.
 */
async function destinationRowsEstimate(input: KeyComparisonInput): Promise<number> {
  const { dialect, session, relations, sql } = input;
  if (dialect.rowEstimateQuery) {
    const [[estimate] = []] = await session.query(dialect.rowEstimateQuery(relations.target));
    if (Number(estimate) > 0) return Number(estimate);
  }
  const [[count] = []] = await session.query(bindRelations(oneStatement(sql.countRows), relations));
  return Number(count ?? 0);
}

/** Hex digits of the key hash that make buckets of about KEYS_PER_BUCKET keys (1 to 6). */
export function bucketPrefixLength(keys: number): number {
  return Math.min(6, Math.max(1, Math.ceil(Math.log(Math.max(keys, 1) / KEYS_PER_BUCKET) / Math.log(16))));
}

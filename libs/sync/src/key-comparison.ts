import { bindRelations, checksWholeKeySetFirst, fromClause, type Dialect, type KeyHash, type ModelSql, type Relations } from '@ferry/dialects';
import type { DestinationSession } from '@ferry/destinations';
import type { Source } from '@ferry/sources';
import type { ExportModelSpec } from '@ferry/schema';
import { compareBucketFigures, type BucketComparison } from './bucket-figures.ts';
import { oneStatement } from './one-statement.ts';
import type { KeyComparison, KeyComparisonSteps, SyncEvents } from './events.ts';

/** Keys per bucket the comparison aims for: a differing bucket costs listing about this many keys. */
const KEYS_PER_BUCKET = 1024;
/**
 * When the buckets are sized from the differences, no more buckets than keys ÷ this (past that,
 * the figures cost more than the listing saves); rounding up to a whole hex digit can still make
 * them up to 16 times smaller.
 */
const MIN_KEYS_PER_BUCKET = 8;
/**
 * At most 16^4 = 65,536 buckets: both sides' figures are held in Ferry's memory to compare them
 * (at 16^5, 5M keys, that took 1 GB and longer than listing the keys of 65,536 buckets).
 */
const MAX_PREFIX_LENGTH = 4;

/**
 * Makes the destination hold exactly the tenant's source keys, without a full reload. Runs in
 * the merge's transaction, after the merge. Counts prove nothing (a row deleted and a row missing
 * make equal counts), so both sides always compare their key sets:
 * 1. both hash their keys into buckets (a hash of the key text both compute alike: md5, the
 *    engine's own when both sides are one engine; grouped by its first hex digits, ~1k keys a
 *    bucket, sized from the destination's row estimate) and report per-bucket counts and
 *    digests: one scan of the key columns per side, nothing but the bucket figures leaves the
 *    warehouse; equal figures everywhere mean equal key sets, and their sums are the row counts.
 *    A hash whose digest is a sum (Postgres's own, md5-sum) first compares the whole key sets as one
 *    bucket, a cheaper scan: equal, nothing more is done; else its counts bound the differences,
 *    and the buckets are sized from them. A source that computes the hash more slowly than it
 *    exports keys (Postgres's md5: Dialect.slowKeyHashes) skips the buckets: the whole set is the
 *    one differing bucket, and every key is listed;
 * 2. only the source's keys of the differing buckets are copied (streamed, bulk-loaded) into a
 *    scratch table beside the destination table, and the warehouse finds the destination keys of
 *    those buckets that the copy lacks (deleted from the source: deleted here) and counts the
 *    copied keys the destination lacks (rows an incremental read could not see: a backdated or
 *    NULL cursor, a late commit): from the figures where the destination enforces its key, else
 *    by a join, which with the figures refuses a key held twice on either side (see
 *    uniqueOnBothSides; for md5 pairs, whose figures cannot be matched up, uniqueByJoin). The caller re-reads the rows of those buckets by key hash and merges them (see
 *    `missingRows`; when every key was listed, the buckets that still differ after the deletes).
 * The keys moved are proportional to the buckets touched by differences, not to the table, and
 * none is held in Ferry's memory. With `liveOnly` (a destination that deletes soft-deleted rows,
 * purged before this runs) the source side leaves out soft-deleted rows too, so both sides count
 * the same population. What the comparison cost is reported to `events.keysCompared`.
 */
export async function reconcileKeys(input: KeyComparisonInput): Promise<KeyReconciliation> {
  const started = performance.now();
  const steps: { -readonly [step in keyof KeyComparisonSteps]: number } = {};
  const timed: TimedStep = async (step, work) => {
    const stepStarted = performance.now();
    try {
      return await work();
    } finally {
      steps[step] = (steps[step] ?? 0) + performance.now() - stepStarted;
    }
  };
  const { missingRows, ...comparison } = await compareKeys(input, timed);
  const stepsMs = Object.fromEntries(Object.entries(steps).map(([step, ms]) => [step, Math.round(ms)]));
  input.events.keysCompared?.(input.destinationId, input.spec.name, { ...comparison, durationMs: Math.round(performance.now() - started), stepsMs });
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
  /** The destination table refuses a second row for a key (DestinationCapabilities.enforcesPrimaryKey). */
  readonly uniqueKeys: boolean;
}

/** The model's primary key columns as the destination names them, quoted for its SQL. */
export function quotedKeyColumns(dialect: Dialect, spec: ExportModelSpec, sql: ModelSql): string[] {
  return spec.primaryKey.map((key) => dialect.quoteIdentifier(sql.columns[key] as string));
}

/** Runs one step of the comparison, adding its time to the step's. */
type TimedStep = <T>(step: keyof KeyComparisonSteps, work: () => Promise<T>) => Promise<T>;

async function compareKeys(
  input: KeyComparisonInput,
  timed: TimedStep,
): Promise<Omit<KeyComparison, 'durationMs' | 'stepsMs'> & Pick<KeyReconciliation, 'missingRows'>> {
  const { source, tenant, spec, sql, dialect, session, relations } = input;
  const rows = input.liveOnly ? { liveOnly: true } : undefined;
  // The cheapest hash both sides compute alike: the engine's own when both are the same engine.
  const hash = dialect.keyHashes.find((h) => source.keyHashes.includes(h)) ?? 'md5';
  const keyColumns = quotedKeyColumns(dialect, spec, sql);
  const from = fromClause(relations.target);
  const bucketFigures = async (prefixLength: number): Promise<BucketComparison> => {
    const [sourceBuckets, destinationBuckets] = await Promise.all([
      source.keyBuckets(spec, tenant, prefixLength, rows, hash),
      session.query(dialect.keyBucketsQuery(from, keyColumns, prefixLength, hash)),
    ]);
    // A bucket differs when its figures differ, or when only one side has it. The bucket counts
    // add up to each side's rows: no separate count (a full pass over a table just changed).
    return compareBucketFigures(sourceBuckets, destinationBuckets);
  };
  let prefix: number;
  let figures: BucketComparison | undefined;
  if (checksWholeKeySetFirst(hash)) {
    // One bucket first: when nothing changed (most syncs), that is all. Otherwise the counts say
    // how many keys at least differ, which sizes the buckets; or, where the source hashes keys
    // more slowly than it exports them, the whole set is the one differing bucket, listed whole.
    const whole = await timed('wholeSets', () => bucketFigures(0));
    if (whole.differing.length === 0) return unchanged(hash, 0, whole);
    if (source.slowKeyHashes.includes(hash)) {
      [prefix, figures] = [0, whole];
    } else {
      prefix = bucketPrefixLength(Math.max(whole.sourceRows, whole.destinationRows), Math.abs(whole.sourceRows - whole.destinationRows));
    }
  } else {
    prefix = bucketPrefixLength(await timed('buckets', () => destinationRowsEstimate(input)));
  }
  const { differing, differingDestinationRows, sourceRows, destinationRows } = figures ?? (await timed('buckets', () => bucketFigures(prefix)));
  const counted = unchanged(hash, prefix, { sourceRows, destinationRows });
  if (differing.length === 0) return counted;

  // The source's keys of the differing buckets are copied into a table beside the destination's
  // (bulk, streamed), and the warehouse itself compares them with the destination's keys.
  const bind = (statements: readonly string[]) => statements.map((s) => bindRelations(s, relations));
  const keyNames = spec.primaryKey.map((k) => sql.columns[k] as string);
  const listed = await timed('listing', async () => {
    const loaded = await session.loadCsv(input.keptKeys, keyNames, source.exportKeysInBuckets(spec, tenant, prefix, differing, rows, hash));
    // Unanalyzed, Postgres took 700k copied keys for a few and walked the table in key order to
    // anti-join them (17 s at 5M rows, against 2 s for the hash join it picks knowing their number).
    if (dialect.refreshStatistics) await session.execute([dialect.refreshStatistics(input.keptKeys)]);
    return loaded;
  });
  if (relations.deletedKeys === undefined) throw new Error('the key comparison needs the deleted-keys table (relations.deletedKeys)');
  const deletedKeys = relations.deletedKeys;
  const found = await timed('matching', () =>
    session.execute([dialect.insertMissingKeys(deletedKeys, relations.target, input.keptKeys, keyColumns, prefix, differing, hash)]),
  );
  const deleted = found > 0 ? await timed('deleting', () => session.execute(bind(sql.deleteByKeys))) : 0;
  let missing: number;
  if (input.uniqueKeys) {
    missing = lackedFromFigures(listed.rows, differingDestinationRows, found, relations.target);
  } else {
    // Where the key is not enforced, a key held twice would hide a missing one from that sum.
    const where = { model: spec.name, primaryKey: spec.primaryKey, tenant, target: relations.target };
    const [unmatched = 0, matched = 0] = await timed('matching', async () =>
      ((await session.query(dialect.listedKeyMatchesQuery(input.keptKeys, relations.target, keyColumns)))[0] ?? []).map(Number),
    );
    if (hash === 'md5') {
      // md5 pairs engines whose texts may differ for one value, so one key's bucket may differ by
      // side and the figures cannot be held against each other: the listed keys themselves say
      // whether the source holds a key twice, and the join whether the destination does.
      const [twice] = await timed('matching', () => session.query(dialect.duplicateKeyQuery(input.keptKeys, keyColumns)));
      missing = uniqueByJoin(listed.rows, unmatched, matched, twice, where);
    } else {
      // The figures hold both sides to unique keys where both render a key's text alike (Postgres and DuckDB).
      missing = uniqueOnBothSides(listed.rows, unmatched, differingDestinationRows, found, where);
    }
  }
  let missingRows: KeyReconciliation['missingRows'];
  if (missing > 0 && prefix === 0) {
    // Every key was listed: re-reading the whole set for a few missing rows would read every row.
    // With the deleted rows gone, the buckets that still differ are the ones holding them.
    const prefixLength = bucketPrefixLength(sourceRows, missing);
    const lacking = await timed('buckets', () => bucketFigures(prefixLength));
    missingRows = { prefixLength, buckets: lacking.differing, hash };
  } else if (missing > 0) {
    missingRows = { prefixLength: prefix, buckets: differing, hash };
  }
  return { ...counted, differingBuckets: differing.length, keysListed: listed.rows, deleted, missing, missingRows };
}

/**
 * The listed keys a destination that enforces its key lacks, without a second join of the two
 * tables: of its `inBuckets` keys in the differing buckets (unique), all but the `found` ones
 * matched one listed key each. A key listed twice (a source whose key is not unique) can only make
 * this larger: a re-read, never a missing row left out. Below zero, the table lost rows between
 * the figures and the anti-join (another writer; Postgres reads each statement's own snapshot):
 * refused, so the transaction rolls back and the sync is retried.
 */
export function lackedFromFigures(listed: number, inBuckets: number, found: number, target: string): number {
  const lacked = listed - (inBuckets - found);
  if (lacked < 0) {
    throw new Error(
      `the destination table ${target} lost rows while Ferry compared its keys (another writer changed it): nothing was changed; run the sync again`,
    );
  }
  return lacked;
}

/**
 * Where the destination does not enforce its key, the figures still say whether every key is held
 * once: with unique keys on both sides, the listed keys the destination holds (listed - lacked)
 * are its rows in the differing buckets that were not found deleted. More destination rows: a key
 * held twice there; fewer: a key the source listed twice. Either way no sync could settle which
 * row is right, and this one would exit clean while the sides differ: refused, so the transaction
 * rolls back. Returns `lacked`.
 */
export function uniqueOnBothSides(listed: number, lacked: number, inBuckets: number, found: number, where: KeyHeldTwiceWhere): number {
  const held = inBuckets - found;
  if (listed - lacked === held) return lacked;
  throw keyHeldTwice(held > listed - lacked ? 'destination' : 'source', where);
}

/**
 * The same check for an md5 pair, from the listed keys and their join with the destination table:
 * `twice`, a key listed more than once (the source holds it twice), else more pairs of a listed
 * key and a destination row (`matched`) than listed keys held (`listed - lacked`): the destination
 * holds one twice. Returns `lacked`.
 */
export function uniqueByJoin(
  listed: number,
  lacked: number,
  matched: number,
  twice: readonly (string | null)[] | undefined,
  where: KeyHeldTwiceWhere,
): number {
  if (twice !== undefined) throw keyHeldTwice('source', where, twice);
  if (matched > listed - lacked) throw keyHeldTwice('destination', where);
  return lacked;
}

interface KeyHeldTwiceWhere {
  readonly model: string;
  /** The model's primary key columns. */
  readonly primaryKey: readonly string[];
  readonly tenant: string;
  readonly target: string;
}

/** Names the side holding a primary key in more than one row, and the fix; `key`, its values where known. */
function keyHeldTwice(side: 'source' | 'destination', where: KeyHeldTwiceWhere, key?: readonly (string | null)[]): Error {
  const problem =
    side === 'destination'
      ? `the destination table ${where.target} holds a primary key in more than one row (written by something other than Ferry, or loaded before Ferry checked keys): run \`ferry sync --full-refresh\` for model ${where.model} to reload it`
      : `the source holds a primary key of model ${where.model} in more than one row${key ? `, (${where.primaryKey.join(', ')}) = (${key.join(', ')})` : ''}: make the key unique in the dbt model (a dbt \`unique\` test catches this at build time)`;
  // Thrown inside the merge's transaction, which rolls back; BigQuery keeps the merged rows (each
  // of its statements commits), but nowhere is a row deleted or the watermark moved.
  return new Error(`tenant "${where.tenant}": ${problem}. No row was deleted, and the next sync checks again`);
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

/** What a comparison that found both key sets equal reports. */
function unchanged(hash: KeyHash, prefixLength: number, rows: { readonly sourceRows: number; readonly destinationRows: number }) {
  const { sourceRows, destinationRows } = rows;
  return { hash, sourceRows, destinationRows, prefixLength, differingBuckets: 0, keysListed: 0, deleted: 0, missing: 0, missingRows: undefined };
}

/**
 * Hex digits of the key hash (1 to MAX_PREFIX_LENGTH) for comparing `keys` keys. Unless told how
 * many differ, buckets of about KEYS_PER_BUCKET keys. Told that at least `differences` differ:
 * about √(differences × keys) buckets, which minimises buckets reported plus keys listed (each
 * difference lists its bucket's keys ÷ buckets keys), and no more than keys ÷ MIN_KEYS_PER_BUCKET.
 */
export function bucketPrefixLength(keys: number, differences?: number): number {
  const rows = Math.max(keys, 1);
  const buckets =
    differences === undefined ? rows / KEYS_PER_BUCKET : Math.min(Math.sqrt(Math.max(differences, 1) * rows), rows / MIN_KEYS_PER_BUCKET);
  return Math.min(MAX_PREFIX_LENGTH, Math.max(1, Math.ceil(Math.log(buckets) / Math.log(16))));
}

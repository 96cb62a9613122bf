import { bindRelations, keepRetiredColumnsSql, type ModelSql, type Relations } from '@ferry/dialects';
import { besideTableName, type Destination, type DestinationSession } from '@ferry/destinations';
import { formatLogicalType, type ExportModelSpec } from '@ferry/schema';
import type { Source } from '@ferry/sources';
import type { ModelState, ModelTransfer, StateStore } from '@ferry/state';
import { binaryLoadCasts, countingBinaryRows } from './binary-load.ts';
import { countingBytes } from './csv.ts';
import { laterCursor, lagSeconds } from './cursor.ts';
import { quotedKeyColumns, reconcileKeys, type KeyReconciliation } from './key-comparison.ts';
import { checkpoint } from './checkpoint.ts';
import type { ModelPlan } from './plan.ts';
import type { SchemaDiff } from './schema-diff.ts';
import type { SyncEvents } from './events.ts';
import { unchangedWindow } from './unchanged-window.ts';

/** What a destination wants done with rows the source marks soft-deleted. */
export type SoftDeleteMode = 'keep' | 'delete';

export interface ModelSyncInput {
  readonly destinationId: string;
  readonly tenant: string;
  readonly destination: Destination;
  readonly source: Source;
  readonly state: StateStore;
  /** The model's state when the plan was made: what the last successful sync applied. */
  readonly previous: ModelState | undefined;
  readonly spec: ExportModelSpec;
  readonly sql: ModelSql;
  readonly plan: ModelPlan;
  readonly lookbackSeconds: number;
  readonly softDeletes: SoftDeleteMode;
  readonly events: SyncEvents;
  /** Throws when this process no longer holds the destination's lease: called before each write that must not race another runner. */
  readonly checkLease: () => void;
}

/**
 * Carries out one model's plan in one destination. The destination commits before the state
 * store records the new watermark, so a crash anywhere re-does work rather than losing it; the
 * merge is idempotent, so re-done work duplicates nothing.
 */
export async function syncModel(input: ModelSyncInput): Promise<ModelTransfer> {
  const started = Date.now();
  const { plan } = input;
  const { kept = [], ...result } = plan.action === 'create' || plan.action === 'rebuild' ? await loadShadow(input) : await mergeChanges(input);
  return {
    model: input.spec.name,
    action: plan.action,
    ...result,
    durationMs: Date.now() - started,
    schemaChanges: [...(plan.action === 'incremental' || plan.action === 'full-merge' ? [] : plan.reasons), ...kept],
    error: null,
  };
}

type LoadResult = Pick<ModelTransfer, 'rowsInserted' | 'rowsUpdated' | 'rowsDeleted' | 'bytes' | 'lagSeconds'> & {
  /** What a rebuild kept of columns that left the model, for the transfer's schema changes. */
  readonly kept?: readonly string[];
};

/**
 * What must hold at the source before the destination is touched (even opened: a DuckDB
 * destination's file is created on connect): every exported column exists, so a stale build or
 * catalog fails here by name rather than as a failed load; and, for a model whose null_cursor is
 * `refuse`, no row of the slice has a NULL cursor, which an incremental sync could not keep current.
 */
export async function checkSourceBeforeWriting(source: Source, spec: ExportModelSpec, tenant: string): Promise<void> {
  await source.checkColumns(spec);
  if (spec.nullCursor !== 'refuse') return;
  const rows = await source.count(spec, tenant, { nullCursorOnly: true });
  if (rows > 0) {
    throw new Error(
      `${rows} row(s) of export model "${spec.name}" for tenant "${tenant}" have a NULL ${spec.cursor}, and the model's null_cursor is refuse: ` +
        'give them a cursor value in the dbt model, or set meta.ferry.null_cursor: always_read to re-read them on every sync',
    );
  }
}

/** Helper tables are per model, so models of one destination never share one. */
function relationsFor(input: ModelSyncInput, target: string): Required<Relations> {
  const { destination, spec } = input;
  return {
    target,
    staging: destination.scratchRelation(`staging_${spec.name}`),
    deletedKeys: destination.scratchRelation(`deleted_keys_${spec.name}`),
  };
}

function bound(statements: readonly string[], relations: Relations): string[] {
  return statements.map((statement) => bindRelations(statement, relations));
}

function destinationColumns(input: ModelSyncInput): string[] {
  return input.spec.columns.map((c) => input.sql.columns[c.name] as string);
}

function sourceCsv(input: ModelSyncInput, window?: { since: string; lookbackSeconds: number }) {
  const { source, spec, tenant, events, destinationId } = input;
  return countingBytes(source.exportCsv(spec, tenant, window), (progress) => events.modelProgress?.(destinationId, spec.name, progress));
}

/**
 * create / rebuild: load the whole slice into a shadow table, then swap it in atomically, so
 * readers never see a missing, empty or half-loaded table.
 */
async function loadShadow(input: ModelSyncInput): Promise<LoadResult> {
  const { destination, sql, spec, state } = input;
  const shadow = besideTableName(destination.dialect, sql.table, 'shadow');
  const relations = { ...relationsFor(input, destination.relation(shadow)), staging: destination.relation(shadow) };
  await destination.dropTable(shadow);
  await destination.execute(bound(sql.createTable, relations));
  // A whole-slice load is the long one: its row count, cheap beside it, gives progress a total.
  input.events.modelTotal?.(input.destinationId, spec.name, await input.source.count(spec, input.tenant));
  const loaded = await loadSlice(input, relations.target, shadow);
  if (!destination.capabilities.enforcesPrimaryKey) await refuseDuplicateKeys(input, shadow);
  await checkpoint('after-load');
  const purged = input.softDeletes === 'delete' ? await destination.execute(bound(sql.purgeSoftDeleted, relations)) : 0;
  const watermark = await maxCursor(input, relations);
  const retired = await keepRetiredColumns(input, shadow);
  input.checkLease();
  await destination.swap(shadow, sql.table, retired.keepOldAs);
  await checkpoint('after-swap');
  input.checkLease();
  await state.putModelState({
    destinationId: input.destinationId,
    model: spec.name,
    watermark,
    appliedFingerprint: spec.fingerprint,
    appliedSpec: spec,
    retiredColumns: retired.inTable,
  });
  const kept = retired.keepOldAs
    ? [`kept the previous table whole as ${retired.keepOldAs}: its rows cannot be matched to the new key`]
    : retired.inTable.map((name) => `kept retired column ${name} with its values`);
  return {
    kept,
    rowsInserted: loaded.rows - purged,
    rowsUpdated: 0,
    rowsDeleted: 0,
    bytes: loaded.bytes,
    lagSeconds: lagSeconds(watermark, cursorKind(spec)),
  };
}

/**
 * Where the destination enforces no primary key (Snowflake, BigQuery, Redshift, DuckDB), a whole
 * load keeps every row of a key the source holds twice (a dbt fan-out), and no later sync could
 * mend it: the key is in the source, so the key comparison deletes nothing. Refused before the
 * swap, so the table in place stays as it was; the shadow table is dropped.
 */
async function refuseDuplicateKeys(input: ModelSyncInput, shadow: string): Promise<void> {
  const duplicate = await duplicateKeyIn(input, input.destination.relation(shadow));
  if (duplicate === undefined) return;
  await input.destination.dropTable(shadow);
  throw new Error(duplicateKeyMessage(input, duplicate, 'nothing was changed in the destination'));
}

/** One primary key more than one row of `relation` holds (its values), or undefined. */
async function duplicateKeyIn(input: ModelSyncInput, relation: string): Promise<readonly (string | null)[] | undefined> {
  const { destination, spec, sql } = input;
  const [duplicate] = await destination.query(destination.dialect.duplicateKeyQuery(relation, quotedKeyColumns(destination.dialect, spec, sql)));
  return duplicate;
}

/** Names the key held twice, what became of the sync (`outcome`), and the fix. */
function duplicateKeyMessage(input: ModelSyncInput, duplicate: readonly (string | null)[], outcome: string): string {
  const { spec, tenant } = input;
  return (
    `export model "${spec.name}" holds more than one row for primary key (${spec.primaryKey.join(', ')}) = (${duplicate.join(', ')}) for tenant "${tenant}": ` +
    `${outcome}. Make the key unique in the dbt model (a dbt \`unique\` test on it catches this at build time), or set meta.ferry.primary_key to columns that are unique together`
  );
}

/**
 * Runs the merge transaction `merge`. Every dialect's merge fails when staging holds a key twice
 * (rows the source holds twice), each in its own words (Postgres: "more than one row returned by
 * a subquery"); the failure is then explained by the staged key, read after the rollback, and
 * `outcome` (what the rollback left).
 */
async function mergeStaged<T>(input: ModelSyncInput, relations: Required<Relations>, outcome: string, merge: () => Promise<T>): Promise<T> {
  try {
    return await merge();
  } catch (error) {
    const duplicate = await duplicateKeyIn(input, relations.staging).catch(() => undefined);
    if (duplicate === undefined) throw error;
    throw new Error(duplicateKeyMessage(input, duplicate, outcome), { cause: error });
  }
}

/** The whole slice into `target` (the shadow table `table`): binary from Postgres to Postgres where the types allow, else CSV. */
async function loadSlice(input: ModelSyncInput, target: string, table: string): Promise<{ rows: number; bytes: number }> {
  const { source, destination, spec, sql, tenant, events, destinationId } = input;
  const casts = await binaryLoadCasts(source, destination, spec, sql, table);
  if (casts === undefined || !source.exportPostgresBinary || !destination.loadPostgresBinary) {
    return destination.loadCsv(target, destinationColumns(input), sourceCsv(input));
  }
  const rows = countingBinaryRows(source.exportPostgresBinary(spec, tenant, casts), (progress) =>
    events.modelProgress?.(destinationId, spec.name, progress),
  );
  return destination.loadPostgresBinary(target, destinationColumns(input), rows);
}

/**
 * Columns that left the model are never dropped, so a rebuild must not lose them. They are found
 * in the old table itself, not only in Ferry's state, which may be younger than the table (a new
 * state store, a forgotten destination). When the primary key is unchanged, they are added to the
 * shadow table and filled from the old table by key, so they stay where users query them.
 * Otherwise rows cannot be matched, and the old table is kept whole beside the new one as
 * `<table>__ferry_retired` (`_2`, `_3`... when that name is taken; clipped with a hash to fit, see besideTableName).
 */
async function keepRetiredColumns(input: ModelSyncInput, shadow: string): Promise<{ inTable: string[]; keepOldAs?: string }> {
  const { destination, sql, spec, previous } = input;
  const old = await destination.introspect(sql.table);
  if (!old) return { inTable: [] };
  const current = new Set(Object.values(sql.columns));
  const retired = [...old.columns.keys()].filter((name) => !current.has(name)).sort();
  if (retired.length === 0) return { inTable: [] };

  if (!previous || !sameKey(previous.appliedSpec as ExportModelSpec, spec)) {
    let keepOldAs = besideTableName(destination.dialect, sql.table, 'retired');
    for (let n = 2; (await destination.introspect(keepOldAs)) !== undefined; n += 1) {
      keepOldAs = besideTableName(destination.dialect, sql.table, `retired_${n}`);
    }
    return { inTable: [], keepOldAs };
  }
  await destination.execute(
    keepRetiredColumnsSql(
      destination.dialect,
      { shadow: destination.relation(shadow), old: destination.relation(sql.table) },
      retired.map((name) => ({ name, type: old.columns.get(name)?.type as string })),
      spec.primaryKey.map((key) => sql.columns[key] as string),
    ),
  );
  return { inTable: retired };
}

/** Same key columns, same types: rows of the old table match rows of the new one by key. */
function sameKey(applied: ExportModelSpec, current: ExportModelSpec): boolean {
  const keyOf = (spec: ExportModelSpec) =>
    spec.primaryKey
      .map((k) => spec.columns.find((c) => c.name === k))
      .map((c) => `${c?.destinationName} ${c ? formatLogicalType(c.type) : ''}`)
      .join(', ');
  return keyOf(applied) === keyOf(current);
}

/**
 * The widened columns whose type the warehouse must change. A longer varchar is nothing to do
 * where the warehouse neither keeps nor enforces the length (DuckDB).
 */
export function typeChanges(destination: Destination, diff: SchemaDiff | undefined): SchemaDiff['widened'] {
  const { enforcesVarcharLength } = destination.capabilities;
  return (diff?.widened ?? []).filter(({ column, from }) => enforcesVarcharLength || column.type.kind !== 'varchar' || from.kind !== 'varchar');
}

/** evolve / full-merge / incremental: stage the changed rows, merge them, delete what the source lost. */
async function mergeChanges(input: ModelSyncInput): Promise<LoadResult> {
  const { destination, sql, spec, plan, state, previous } = input;
  const relations = relationsFor(input, destination.relation(sql.table));
  const retired = new Set(previous?.retiredColumns ?? []);

  const evolve = async (session: DestinationSession) => {
    for (const column of plan.diff?.added ?? []) await session.execute(bound(sql.addColumn[column.name] ?? [], relations));
    for (const { column } of typeChanges(destination, plan.diff)) {
      await session.alterColumnType(sql.table, sql.columns[column.name] as string, destination.dialect.columnType(column.type));
    }
    // Retired columns carry their old spec, relaxed ones their new (nullable) spec: both were NOT NULL.
    const wereNotNull = [...(plan.diff?.retired ?? []).filter((c) => !c.nullable), ...(plan.diff?.relaxed ?? [])];
    for (const column of wereNotNull) {
      await session.dropNotNull(sql.table, destination.dialect.foldIdentifier(column.destinationName));
    }
  };
  // Where DDL is transactional, the schema changes commit with the merge that fills them: a load
  // that fails leaves the table as it was. Elsewhere DDL commits on its own, so it goes first.
  const evolveWithMerge = plan.diff !== undefined && destination.capabilities.transactionalDdl;
  if (plan.diff && !evolveWithMerge) {
    input.checkLease();
    await evolve(destination);
  }
  if (plan.diff) for (const column of plan.diff.retired) retired.add(destination.dialect.foldIdentifier(column.destinationName));
  // A column that came back into the model is no longer retired.
  for (const name of Object.values(sql.columns)) retired.delete(name);

  await destination.execute(bound([...sql.dropStaging, ...sql.createStaging], relations));
  const liveOnly = input.softDeletes === 'delete' && spec.softDelete !== undefined;
  const window = plan.since === undefined ? undefined : { since: plan.since, lookbackSeconds: input.lookbackSeconds };
  // Most syncs find nothing new: where both sides can digest the window alike, an unchanged one
  // is not read and merged again (the lookback alone is every row of the last few minutes).
  const unchanged = window !== undefined && (await unchangedWindow(input, relations, { ...window, ...(liveOnly ? { liveOnly } : {}) }));
  const staged = unchanged
    ? { rows: 0, bytes: 0 }
    : await destination.loadCsv(relations.staging, destinationColumns(input), sourceCsv(input, window));
  const stagedMax = unchanged ? null : await maxCursor(input, relations);
  await checkpoint('after-stage');

  await gatherMissingStatistics(destination, relations.target);
  const keptKeys = destination.scratchRelation(`kept_keys_${spec.name}`);
  const helpers = helperTables(input, relations, keptKeys);
  await destination.execute(helpers.create);
  input.checkLease();
  const applied = await mergeStaged(input, relations, 'nothing was changed in the destination', () =>
    destination.transaction(async (session) => {
      if (evolveWithMerge) await evolve(session);
      const [[newRows] = []] = await session.query(bound(sql.countNewRows, relations).join(';\n'));
      // Soft-deleted rows the destination does not hold (purged before, or never seen) pass
      // through the merge and the purge; they were neither inserted nor deleted.
      const passing = liveOnly ? await countOf(session, bound(sql.countNewSoftDeleted, relations)) : 0;
      // Held live rows the merge flags are then purged: one deletion each, not an update as well.
      const flagged = liveOnly ? await countOf(session, bound(sql.countLiveRowsFlagged, relations)) : 0;
      const changed = await session.execute(bound(sql.merge, relations));
      // Purged first, so the key comparison sees the rows the destination keeps: the live ones.
      const purged = liveOnly ? await session.execute(bound(sql.purgeSoftDeleted, relations)) : 0;
      const keys = await reconcileKeys({
        ...input,
        dialect: destination.dialect,
        session,
        relations,
        keptKeys,
        liveOnly,
        uniqueKeys: destination.capabilities.enforcesPrimaryKey,
      });
      const inserted = Number(newRows ?? 0);
      return {
        inserted: inserted - passing,
        updated: Math.max(0, changed - inserted - flagged),
        deleted: keys.deleted + purged - passing,
        missingRows: keys.missingRows,
      };
    }),
  );
  await checkpoint('after-merge');
  await destination.execute([...bound(sql.dropStaging, relations), ...helpers.drop]);
  // Rows the incremental read could not see (their cursor said nothing changed) are re-read by
  // key and merged before the watermark moves: a crash before that re-finds them next time.
  const repaired = applied.missingRows
    ? await mergeMissingRows(input, relations, applied.missingRows, liveOnly)
    : { inserted: 0, updated: 0, bytes: 0 };

  const watermark = laterCursor(plan.since === undefined ? null : (previous?.watermark ?? null), stagedMax, cursorKind(spec));
  input.checkLease();
  await state.putModelState({
    destinationId: input.destinationId,
    model: spec.name,
    watermark,
    appliedFingerprint: spec.fingerprint,
    appliedSpec: spec,
    retiredColumns: [...retired].sort(),
  });
  return {
    rowsInserted: applied.inserted + repaired.inserted,
    rowsUpdated: applied.updated + repaired.updated,
    rowsDeleted: applied.deleted,
    bytes: staged.bytes + repaired.bytes,
    lagSeconds: lagSeconds(watermark, cursorKind(spec)),
  };
}

/**
 * The key comparison's scratch tables (the source's keys of differing buckets, the keys to
 * delete), made empty before the merge's transaction and dropped after it: where DDL commits on
 * its own (Snowflake), creating them inside would commit the merge before the deletes.
 */
function helperTables(input: ModelSyncInput, relations: Required<Relations>, keptKeys: string): { create: string[]; drop: string[] } {
  const { sql } = input;
  const kept = { ...relations, deletedKeys: keptKeys };
  const drop = [...bound(sql.dropDeletedKeys, relations), ...bound(sql.dropDeletedKeys, kept)];
  return { create: [...drop, ...bound(sql.createDeletedKeys, relations), ...bound(sql.createDeletedKeys, kept)], drop };
}

/**
 * Re-reads the source rows of the key buckets that hold rows the destination lacks, whatever their
 * cursor, and merges them: the missing ones are inserted; those the destination holds already
 * merge to no change (the merge takes only newer, changed rows). Returns what it moved.
 */
async function mergeMissingRows(
  input: ModelSyncInput,
  relations: Required<Relations>,
  missingRows: NonNullable<KeyReconciliation['missingRows']>,
  liveOnly: boolean,
): Promise<{ inserted: number; updated: number; bytes: number }> {
  const { destination, sql, source, spec, tenant, events, destinationId } = input;
  await destination.execute(bound([...sql.dropStaging, ...sql.createStaging], relations));
  const window = { keyBuckets: missingRows, ...(liveOnly ? { liveOnly } : {}) };
  const rows = countingBytes(source.exportCsv(spec, tenant, window), (progress) => events.modelProgress?.(destinationId, spec.name, progress));
  const staged = await destination.loadCsv(relations.staging, destinationColumns(input), rows);
  input.checkLease();
  // The sync's merge and deletes committed already; the watermark has not moved, so the next sync finds these keys again.
  const merged = await mergeStaged(
    input,
    relations,
    'the rows re-read for keys the destination lacked were not merged (the rest of this sync was)',
    () =>
      destination.transaction(async (session) => {
        const [[newRows] = []] = await session.query(bound(sql.countNewRows, relations).join(';\n'));
        const changed = await session.execute(bound(sql.merge, relations));
        const inserted = Number(newRows ?? 0);
        return { inserted, updated: Math.max(0, changed - inserted) };
      }),
  );
  await destination.execute(bound(sql.dropStaging, relations));
  return { ...merged, bytes: staged.bytes };
}

/**
 * Gathers the planner's statistics of `relation` if the warehouse has none for it: a table loaded
 * whole and never analyzed since (autovacuum off, or not come round yet). Without them Postgres
 * guessed a 5M-row table's size and hash-joined all of it to count 52k staged rows (2.3 s, against
 * 0.3 s through the key's index). Where the warehouse keeps no such statistics, nothing to do.
 */
async function gatherMissingStatistics(destination: Destination, relation: string): Promise<void> {
  const { rowEstimateQuery, refreshStatistics } = destination.dialect;
  if (rowEstimateQuery === undefined || refreshStatistics === undefined) return;
  const [[estimate] = []] = await destination.query(rowEstimateQuery(relation));
  // Never analyzed: -1 from Postgres 14, 0 before it (as for an empty table, cheap to analyze).
  if (Number(estimate) <= 0) await destination.execute([refreshStatistics(relation)]);
}

/** The one value of a generated counting query; 0 where the model renders none (no soft-delete column). */
async function countOf(session: DestinationSession, statements: readonly string[]): Promise<number> {
  if (statements.length === 0) return 0;
  const [[count] = []] = await session.query(statements.join(';\n'));
  return Number(count ?? 0);
}

async function maxCursor(input: ModelSyncInput, relations: Relations): Promise<string | null> {
  if (input.sql.maxCursor.length === 0) return null;
  const [[value] = []] = await input.destination.query(bound(input.sql.maxCursor, relations).join(';\n'));
  return value ?? null;
}

function cursorKind(spec: ExportModelSpec) {
  return spec.columns.find((c) => c.name === spec.cursor)?.type.kind ?? 'timestamp';
}

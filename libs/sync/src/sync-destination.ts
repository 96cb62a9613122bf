import type { Catalog, ModelSql } from '@ferry/dialects';
import { besideTableName, type Destination } from '@ferry/destinations';
import type { Source } from '@ferry/sources';
import type { ExportModelSpec } from '@ferry/schema';
import type { ModelState, ModelTransfer, StateStore } from '@ferry/state';
import type { DestinationResult, SyncEvents } from './events.ts';
import { planModel, type ModelPlan } from './plan.ts';
import { holdLease, type Lease } from './lease.ts';
import { nearest } from './nearest.ts';
import { withRetries, type RetryPolicy } from './retry.ts';
import { withModelConnections } from './model-connections.ts';
import { syncModel, typeChanges, type SoftDeleteMode } from './sync-model.ts';
import { checkTableOwner } from './table-owners.ts';
import { verificationDue, verifyModels, type ModelVerificationOutcome, type VerifyPolicy } from './verify/verify-destination.ts';

/**
 * One destination to sync: who it is for, what it gets, and how to reach it. `Model` is the
 * catalog's model names: the workspace's generated `ExportModelName`, or `string` for a catalog
 * loaded at run time whose names the config was checked against.
 */
export interface DestinationTarget<Model extends string = string> {
  readonly id: string;
  /** The recipient's value in each model's tenant column. */
  readonly tenant: string;
  /** Export model names, keys of the catalog. */
  readonly models: readonly Model[];
  readonly softDeletes: SoftDeleteMode;
  /** A fresh, unconnected client for each attempt. */
  open(): Destination;
  /**
   * Opens what the destination's connections pass through (an SSH tunnel): once per transfer,
   * before its first connection, closed after its last. Absent for a direct connection.
   */
  openRoute?(): Promise<ConnectionRoute>;
}

/** What a destination's connections pass through during one transfer, such as an SSH tunnel. */
export interface ConnectionRoute {
  /** Why the route failed, if it did: added to the error of a model that failed on it. */
  readonly problem: string | undefined;
  close(): Promise<void>;
}

export interface SyncOptions<Model extends string = string> {
  /** The generated catalog: each model's spec and SQL per dialect. */
  readonly catalog: Catalog<Model>;
  readonly fullRefresh: boolean;
  readonly lookbackSeconds: number;
  readonly retry: RetryPolicy;
  /** When a sync verifies the models it synced, repairing what differs (never, when absent). */
  readonly verify?: VerifyPolicy;
  /**
   * Asked once the destination's lease is held, for a transfer a schedule started: whether it is
   * still due. Another runner may have synced it between the schedule being read and the lease
   * being taken; then nothing is started.
   */
  readonly stillDue?: (destinationId: string) => Promise<boolean>;
}

/** The plan for every model of a destination, without changing anything. */
export async function planDestination<Model extends string>(
  target: DestinationTarget<Model>,
  state: StateStore,
  options: Pick<SyncOptions<Model>, 'fullRefresh' | 'catalog'>,
): Promise<ModelPlan[]> {
  const route = await target.openRoute?.();
  try {
    const destination = target.open();
    // Planning changes nothing: a DuckDB file that is not there yet is not created to find it empty.
    if (!(await destination.exists())) {
      return target.models.map((model) => planModel({ ...planInput(options, destination, model), state: undefined, table: undefined }));
    }
    await destination.connect();
    try {
      const plans: ModelPlan[] = [];
      for (const model of target.models) plans.push(await planFor(destination, model, await state.getModelState(target.id, model), options));
      return plans;
    } finally {
      await destination.close();
    }
  } finally {
    await route?.close();
  }
}

async function planFor<Model extends string>(
  destination: Destination,
  model: Model,
  state: ModelState | undefined,
  options: Pick<SyncOptions<Model>, 'fullRefresh' | 'catalog'>,
): Promise<ModelPlan> {
  const { spec, sql } = catalogEntry(options.catalog, destination, model);
  const table = await destination.introspect(sql.table);
  const plan = planModel({ ...planInput(options, destination, model), state, table });
  // What the destination cannot change in place, it gets by a rebuild in a shadow table.
  const cannot = inPlaceLimits(destination, spec, plan, table?.declaresKey === true);
  if (cannot.length > 0) return { ...plan, action: 'rebuild', reasons: [...plan.reasons, ...cannot] };
  return plan;
}

function planInput<Model extends string>(options: Pick<SyncOptions<Model>, 'fullRefresh' | 'catalog'>, destination: Destination, model: Model) {
  const { spec, sql } = catalogEntry(options.catalog, destination, model);
  return { spec, fullRefresh: options.fullRefresh, destinationColumns: spec.columns.map((c) => sql.columns[c.name] as string) };
}

/**
 * Runs one transfer: every model of the destination, one after another. A failing model is
 * recorded and the others still run; transient failures are retried with backoff. Each attempt
 * opens its own source and destination connections, so concurrent destinations never share one.
 */
export async function syncDestination<Model extends string>(
  target: DestinationTarget<Model>,
  openSource: () => Source,
  state: StateStore,
  options: SyncOptions<Model>,
  events: SyncEvents = {},
): Promise<DestinationResult> {
  const lease = await holdLease(state, target.id);
  try {
    // Under the lease, so two runners cannot both claim a new destination for different tenants.
    const known = (await state.listDestinations()).find((d) => d.id === target.id);
    if (known && known.tenant !== target.tenant) {
      // Its tables hold the other tenant's rows: syncing would mix two tenants in one destination.
      throw new Error(
        `destination "${target.id}" was synced for tenant "${known.tenant}" but is now configured for "${target.tenant}": ` +
          'give the new recipient a new destination id (and schema), or drop the old tables and forget its state first',
      );
    }
    if (options.stillDue && !(await options.stillDue(target.id))) {
      throw new Error(`destination "${target.id}" is no longer due: another runner synced it since its schedule was read`);
    }
    return await runTransfer(target, openSource, state, options, events, lease);
  } finally {
    await lease.release();
  }
}

async function runTransfer<Model extends string>(
  target: DestinationTarget<Model>,
  openSource: () => Source,
  state: StateStore,
  options: SyncOptions<Model>,
  events: SyncEvents,
  lease: Lease,
): Promise<DestinationResult> {
  await state.upsertDestination({ id: target.id, type: target.open().type, tenant: target.tenant });
  // Holding the lease, any transfer still 'running' belongs to a process that died.
  await state.abandonRunningTransfers(target.id);
  const transferId = await state.startTransfer(target.id);
  events.destinationStarted?.(target.id, transferId);
  const warnings: string[] = [];
  const note = (warning: string) => {
    warnings.push(warning);
    events.warning?.(target.id, warning);
  };
  const emptyTenant = await emptyTenantWarning(target, openSource, state, options);
  if (emptyTenant) note(emptyTenant);
  const outcomes: ModelTransfer[] = [];
  let error: string | null = null;
  let route: ConnectionRoute | undefined;
  try {
    // Inside the transfer, so a bastion that is down fails it like any unreachable warehouse; retried like a connection.
    const { openRoute } = target;
    if (openRoute) {
      route = await withRetries(
        options.retry,
        () => openRoute.call(target),
        (attempt, delayMs, cause) => events.retrying?.(target.id, attempt, delayMs, cause),
      );
    }
    for (const model of target.models) {
      lease.check();
      const outcome = await withRetries(
        options.retry,
        () =>
          withModelConnections(target, openSource, options.catalog, model, async ({ source, destination, spec, sql }) => {
            await destination.ensureSchema();
            await checkTableOwner(destination, sql.table, { destinationId: target.id, tenant: target.tenant, model }, { claim: true });
            const leftover = await removeLeftoverShadow(destination, sql.table);
            if (leftover) note(leftover);
            // Read once: under the lease nothing else writes it before this sync does.
            const previous = await state.getModelState(target.id, model);
            const plan = await planFor(destination, model, previous, options);
            events.modelStarted?.(target.id, plan);
            return syncModel({
              destinationId: target.id,
              tenant: target.tenant,
              destination,
              source,
              state,
              previous,
              spec,
              sql,
              plan,
              lookbackSeconds: options.lookbackSeconds,
              softDeletes: target.softDeletes,
              events,
              checkLease: () => lease.check(),
            });
          }),
        (attempt, delayMs, cause) => events.retrying?.(target.id, attempt, delayMs, cause),
      ).catch((cause: Error): ModelTransfer => failedModel(model, cause, route?.problem));
      outcomes.push(outcome);
      await state.recordModelTransfer(transferId, outcome);
      events.modelFinished?.(target.id, outcome);
    }
  } catch (cause) {
    error = (cause as Error).message;
  } finally {
    await route?.close().catch(() => {});
  }
  const failed = outcomes.filter((o) => o.error !== null);
  error ??= failed.length > 0 ? `${failed.length} of ${outcomes.length} model(s) failed: ${failed.map((o) => o.model).join(', ')}` : null;
  const verifications = error === null ? await verifyIfDue(target, openSource, state, options, events, lease) : [];
  const unverified = verifications.filter((v) => v.result === 'failed');
  if (unverified.length > 0) error = `the verification of ${unverified.map((v) => `${v.model} failed: ${v.error}`).join('; ')}`;
  const status = error === null ? 'succeeded' : 'failed';
  await state.finishTransfer(transferId, status, error ?? undefined, warnings);
  const result: DestinationResult = { destinationId: target.id, transferId, status, models: outcomes, verifications, error };
  events.destinationFinished?.(target.id, result);
  return result;
}

/**
 * After a transfer whose models all succeeded: verifies, repairing what differs, each model
 * whose verification `sync.verify` says is due. A verification that cannot finish fails the
 * transfer: a sync must not report success while it cannot say the destination is right.
 */
async function verifyIfDue<Model extends string>(
  target: DestinationTarget<Model>,
  openSource: () => Source,
  state: StateStore,
  options: SyncOptions<Model>,
  events: SyncEvents,
  lease: Lease,
): Promise<ModelVerificationOutcome[]> {
  const policy = options.verify ?? { kind: 'never' };
  if (policy.kind === 'never') return [];
  const latest = new Map((await state.latestVerifications({ destinationId: target.id })).map((v) => [v.model, v]));
  const now = new Date();
  const due: Model[] = [];
  for (const model of target.models) {
    const last = latest.get(model);
    const syncsSince = last === undefined ? 0 : await state.countSucceededTransfers(target.id, last.verifiedAt);
    if (verificationDue(policy, last, syncsSince, now)) due.push(model);
  }
  if (due.length === 0) return [];
  return verifyModels(target, due, openSource, state, { catalog: options.catalog, repair: true, retry: options.retry }, events, lease);
}

/**
 * A shadow table of `table` left by a sync that was killed before its swap (the lease is held, so
 * no running transfer owns it): dropped, and said so. A rebuild drops its shadow anyway, but an
 * incremental sync would otherwise keep a stale copy of the table forever.
 */
async function removeLeftoverShadow(destination: Destination, table: string): Promise<string | undefined> {
  const shadow = besideTableName(destination.dialect, table, 'shadow');
  if ((await destination.introspect(shadow)) === undefined) return undefined;
  await destination.dropTable(shadow);
  return `dropped ${destination.relation(shadow)}, left by an earlier sync that did not finish`;
}

function catalogEntry<Model extends string>(
  catalog: Catalog<Model>,
  destination: Destination,
  model: Model,
): { spec: ExportModelSpec; sql: ModelSql } {
  return { spec: catalog.exportModels[model], sql: catalog.modelSql[destination.dialect.name][model] };
}

/**
 * On a destination's first sync: a tenant value with no row in any of its models is most likely
 * misspelt (`Acme` for `acme`), and would sync "successfully" forever with nothing. Says so, naming
 * the closest tenant values the source has. Never fails the transfer: the check is advice.
 */
export async function emptyTenantWarning<Model extends string>(
  target: DestinationTarget<Model>,
  openSource: () => Source,
  state: StateStore,
  options: Pick<SyncOptions<Model>, 'catalog'>,
): Promise<string | undefined> {
  const states = await Promise.all(target.models.map((model) => state.getModelState(target.id, model)));
  if (states.some((s) => s !== undefined)) return undefined;
  return tenantWithoutRows(target, openSource, options).catch(() => undefined); // the sync itself reports a source that cannot be read
}

/**
 * Whether the target's tenant has no row in any of its models, as a warning naming the closest
 * tenant values the source has; undefined when it has rows. `ferry destinations test` asks at any time.
 * @throws when the source cannot be read.
 */
export async function tenantWithoutRows<Model extends string>(
  target: Pick<DestinationTarget<Model>, 'tenant' | 'models'>,
  openSource: () => Source,
  options: Pick<SyncOptions<Model>, 'catalog'>,
): Promise<string | undefined> {
  const source = openSource();
  try {
    await source.connect();
    const specs = target.models.map((model) => options.catalog.exportModels[model]);
    for (const spec of specs) if ((await source.count(spec, target.tenant)) > 0) return undefined;
    const [first] = specs;
    const near = first ? nearest(await source.tenantValues(first, 10_000), target.tenant, 3) : [];
    return (
      `tenant "${target.tenant}" has no rows in any model this destination receives (${target.models.join(', ')}): check the destination's tenant value` +
      (near.length > 0
        ? `; the closest tenant values the source has: ${near.map((v) => `"${v}"`).join(', ')}`
        : '; the source has no tenant values at all')
    );
  } finally {
    await source.close().catch(() => {});
  }
}

/**
 * @param declaresKey the table declares a key constraint its destination's own tables do not
 *   (a DuckDB table an earlier Ferry created), which refuses a key column's type change
 */
function inPlaceLimits(destination: Destination, spec: ExportModelSpec, plan: ModelPlan, declaresKey: boolean): string[] {
  if (plan.action !== 'evolve' || !plan.diff) return [];
  const { capabilities, type } = destination;
  const reasons: string[] = [];
  for (const { column } of typeChanges(destination, plan.diff)) {
    const inKey = spec.primaryKey.includes(column.name);
    if (inKey && declaresKey) {
      reasons.push(`the table declares a primary key, so ${type} cannot change the type of key column ${column.destinationName} in place`);
    } else if (inKey ? !capabilities.alterPrimaryKeyColumnTypeInPlace : !capabilities.alterColumnTypeInPlace) {
      reasons.push(`${type} cannot change the type of ${inKey ? 'key ' : ''}column ${column.destinationName} in place`);
    }
  }
  if (plan.diff.added.length > 0 && !capabilities.addColumnWithPrimaryKey) {
    reasons.push(`${type} cannot add a column to a table with a primary key`);
  }
  return reasons;
}

function failedModel(model: string, cause: Error, routeProblem: string | undefined): ModelTransfer {
  return {
    model,
    action: 'failed',
    rowsInserted: 0,
    rowsUpdated: 0,
    rowsDeleted: 0,
    bytes: 0,
    durationMs: 0,
    lagSeconds: null,
    schemaChanges: [],
    // A warehouse driver only sees its connection cut; the route knows why.
    error: routeProblem === undefined ? cause.message : `${cause.message} (${routeProblem})`,
  };
}

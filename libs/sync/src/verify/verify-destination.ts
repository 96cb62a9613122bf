import type { Catalog } from '@ferry/dialects';
import type { Source } from '@ferry/sources';
import type { StateStore, Verification } from '@ferry/state';
import type { SyncEvents } from '../events.ts';
import { holdLease, type Lease } from '../lease.ts';
import { mapConcurrently, withRetries, type RetryPolicy } from '../retry.ts';
import type { ConnectionRoute, DestinationTarget } from '../sync-destination.ts';
import { withModelConnections } from '../model-connections.ts';
import { checkTableOwner } from '../table-owners.ts';
import { verifyModel, type ModelVerification } from './verify-model.ts';

/**
 * When syncs verify what they wrote (`sync.verify` in ferry.yaml): never, on the first sync at
 * least DAILY_HOURS after a model's last verification, or on every n-th sync.
 */
export type VerifyPolicy = { readonly kind: 'never' } | { readonly kind: 'daily' } | { readonly kind: 'every'; readonly syncs: number };

/** Hours a daily verification waits: less than a day, so a nightly job that starts a little earlier still verifies. */
export const DAILY_HOURS = 20;

/**
 * Whether the sync finishing now should verify a model, given its last verification and the
 * successful syncs of the destination since (this one not counted).
 */
export function verificationDue(policy: VerifyPolicy, last: Verification | undefined, syncsSince: number, now: Date): boolean {
  if (policy.kind === 'never') return false;
  if (last === undefined || last.result === 'failed' || last.result === 'different') return true;
  if (policy.kind === 'daily') return now.getTime() - last.verifiedAt.getTime() >= DAILY_HOURS * 3600_000;
  return syncsSince + 1 >= policy.syncs;
}

export interface VerifyOptions<Model extends string = string> {
  readonly catalog: Catalog<Model>;
  readonly repair: boolean;
  readonly retry: RetryPolicy;
}

/** A model's verification as the runner reports it: the record kept, or why there is none. */
export type ModelVerificationOutcome = ModelVerification | (Pick<Verification, 'model' | 'error'> & { readonly result: 'failed' });

/**
 * Verifies (and with `repair`, repairs) the target's models, holding the destination's lease so
 * no sync writes meanwhile. Each model's verification is recorded in the state store, a failed
 * one too; one failing never stops the others.
 */
export async function verifyDestination<Model extends string>(
  target: DestinationTarget<Model>,
  openSource: () => Source,
  state: StateStore,
  options: VerifyOptions<Model>,
  events: SyncEvents = {},
): Promise<ModelVerificationOutcome[]> {
  const lease = await holdLease(state, target.id);
  try {
    return await verifyModels(target, target.models, openSource, state, options, events, lease);
  } finally {
    await lease.release();
  }
}

/** One destination's verifications, or why it could not start (its lease held by a sync, the state store down). */
export interface DestinationVerification {
  readonly destinationId: string;
  readonly outcomes: readonly ModelVerificationOutcome[];
  readonly error: string | null;
}

/**
 * Verifies destinations concurrently, at most `concurrency` at a time: where source and
 * destination are one engine the work is in the warehouses, and Ferry mostly waits. One
 * destination that cannot start fails its own models only.
 */
export async function verifyAll<Model extends string>(
  targets: readonly DestinationTarget<Model>[],
  openSource: () => Source,
  state: StateStore,
  options: VerifyOptions<Model> & { readonly concurrency: number },
  events: SyncEvents = {},
): Promise<DestinationVerification[]> {
  return mapConcurrently(targets, options.concurrency, async (target) => {
    try {
      return { destinationId: target.id, outcomes: await verifyDestination(target, openSource, state, options, events), error: null };
    } catch (error) {
      const message = (error as Error).message;
      return {
        destinationId: target.id,
        outcomes: target.models.map((model) => ({ model, result: 'failed' as const, error: message })),
        error: message,
      };
    }
  });
}

/** The models' verifications, under a lease the caller holds (a sync that verifies what it wrote). */
export async function verifyModels<Model extends string>(
  target: DestinationTarget<Model>,
  models: readonly Model[],
  openSource: () => Source,
  state: StateStore,
  options: VerifyOptions<Model>,
  events: SyncEvents,
  lease: Lease,
): Promise<ModelVerificationOutcome[]> {
  const outcomes: ModelVerificationOutcome[] = [];
  let route: ConnectionRoute | undefined;
  try {
    route = await target.openRoute?.();
    for (const model of models) {
      lease.check();
      const outcome = await withRetries(
        options.retry,
        () =>
          withModelConnections(target, openSource, options.catalog, model, async ({ source, destination, spec, sql }) => {
            // Repair writes: never into a table another destination owns.
            await checkTableOwner(destination, sql.table, { destinationId: target.id, tenant: target.tenant, model }, { claim: false });
            events.verifyStarted?.(target.id, model);
            return verifyModel({
              destinationId: target.id,
              tenant: target.tenant,
              destination,
              source,
              spec,
              sql,
              softDeletes: target.softDeletes,
              repair: options.repair,
              events,
              checkLease: () => lease.check(),
            });
          }),
        (attempt, delayMs, cause) => events.retrying?.(target.id, attempt, delayMs, cause),
      ).catch((cause: Error): ModelVerificationOutcome => ({ model, result: 'failed', error: withRoute(cause.message, route?.problem) }));
      await state.recordVerification(recordOf(target.id, outcome));
      events.verified?.(target.id, outcome);
      outcomes.push(outcome);
    }
  } finally {
    await route?.close().catch(() => {});
  }
  return outcomes;
}

function withRoute(message: string, problem: string | undefined): string {
  return problem ? `${message} (${problem})` : message;
}

function recordOf(destinationId: string, outcome: ModelVerificationOutcome): Omit<Verification, 'verifiedAt'> {
  if ('sourceRows' in outcome) {
    const { repaired: _repaired, comparedIn: _comparedIn, ...verification } = outcome;
    return { destinationId, ...verification };
  }
  return {
    destinationId,
    model: outcome.model,
    result: 'failed',
    sourceRows: 0,
    destinationRows: 0,
    buckets: 0,
    differingBuckets: 0,
    missing: 0,
    extra: 0,
    different: 0,
    sampleKeys: { missing: [], extra: [], different: [] },
    notes: [],
    durationMs: 0,
    error: outcome.error,
  };
}

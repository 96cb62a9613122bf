import type { ExportModelSpec } from '@ferry/schema';
import type { TableShape } from '@ferry/destinations';
import type { ModelState } from '@ferry/state';
import { diffSpecs, hasChanges, type SchemaDiff } from './schema-diff.ts';

/**
 * What the next sync does to one model in one destination:
 * - create: the table is missing; load it in a shadow table and swap it in.
 * - rebuild: a full refresh was asked for, or the model changed incompatibly; shadow load and swap.
 * - evolve: add and backfill new columns, widen types in place, keep retired columns; then merge everything.
 * - full-merge: merge the whole slice (models without a cursor, or a table Ferry has no state for).
 * - incremental: merge the rows changed since the watermark (minus the lookback).
 */
export type ModelAction = 'create' | 'rebuild' | 'evolve' | 'full-merge' | 'incremental';

export interface ModelPlan {
  readonly model: string;
  readonly action: ModelAction;
  /** Why, in words a user reads in `ferry plan`. */
  readonly reasons: readonly string[];
  readonly diff?: SchemaDiff;
  /** Read rows from this watermark on; undefined reads the whole slice. */
  readonly since?: string;
}

export interface PlanInput {
  readonly spec: ExportModelSpec;
  readonly state: ModelState | undefined;
  /** The destination table, or undefined when it does not exist. */
  readonly table: TableShape | undefined;
  readonly fullRefresh: boolean;
  /** Destination column names as this dialect folds them, for comparing with `table`. */
  readonly destinationColumns: readonly string[];
}

export function planModel(input: PlanInput): ModelPlan {
  const { spec, state, table } = input;
  const model = spec.name;
  if (!table) {
    const renamedFrom = (state?.appliedSpec as ExportModelSpec | undefined)?.destinationName;
    const reasons = !state
      ? ['first sync: backfill']
      : renamedFrom !== undefined && renamedFrom !== spec.destinationName
        ? [`the destination table was renamed from ${renamedFrom} to ${spec.destinationName}: creating it; ${renamedFrom} is left as it is`]
        : ['the destination table is missing (dropped outside Ferry?): creating it again'];
    return { model, action: 'create', reasons };
  }
  if (input.fullRefresh) return { model, action: 'rebuild', reasons: ['full refresh requested'] };
  if (!state) {
    const missing = input.destinationColumns.filter((c) => !table.columns.has(c));
    if (missing.length > 0) {
      return {
        model,
        action: 'rebuild',
        reasons: [`the table exists without Ferry state and lacks column(s) ${missing.join(', ')}`],
      };
    }
    return { model, action: 'full-merge', reasons: ['the table exists but Ferry has no state for it: merging the whole slice'] };
  }

  const diff = diffSpecs(state.appliedSpec as ExportModelSpec, spec);
  if (diff.incompatible.length > 0) return { model, action: 'rebuild', reasons: [...diff.incompatible], diff };
  if (hasChanges(diff)) {
    const reasons = [
      ...diff.added.map((c) => `add column ${c.destinationName} and backfill it`),
      ...diff.widened.map((w) => `widen ${w.column.destinationName} in place`),
      ...diff.retired.map((c) => `column ${c.destinationName} left the model: kept (nullable), no longer updated`),
      ...diff.relaxed.map((c) => `column ${c.destinationName} may now be null`),
    ];
    // New columns need values for existing rows, so everything is re-read and merged.
    if (diff.added.length > 0 || diff.cursorChanged) return { model, action: 'evolve', reasons, diff };
    return withWindow({ model, action: 'evolve', reasons, diff }, spec, state);
  }
  if (diff.cursorChanged) return { model, action: 'full-merge', reasons: ['the cursor column changed'] };
  return withWindow({ model, action: 'incremental', reasons: [] }, spec, state);
}

function withWindow(plan: ModelPlan, spec: ExportModelSpec, state: ModelState): ModelPlan {
  if (spec.cursor === undefined) {
    return {
      ...plan,
      action: plan.action === 'incremental' ? 'full-merge' : plan.action,
      reasons: [...plan.reasons, 'no cursor: comparing the whole slice'],
    };
  }
  if (state.watermark === null) return { ...plan, reasons: [...plan.reasons, 'no watermark yet: reading the whole slice'] };
  return { ...plan, since: state.watermark, reasons: [...plan.reasons, `rows changed since ${state.watermark}`] };
}

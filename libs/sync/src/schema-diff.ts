import { formatLogicalType, type ColumnSpec, type ExportModelSpec, type LogicalType } from '@ferry/schema';

/** How the model's current spec differs from the one its destination table was built for. */
export interface SchemaDiff {
  /** Columns new to the model: added (nullable) and backfilled. */
  readonly added: readonly ColumnSpec[];
  /** Columns whose type widened: altered in place where the destination can. */
  readonly widened: readonly { readonly column: ColumnSpec; readonly from: LogicalType }[];
  /** Columns that left the model: kept in the table, nullable, and reported. */
  readonly retired: readonly ColumnSpec[];
  /** Columns that were NOT NULL and may now be null. */
  readonly relaxed: readonly ColumnSpec[];
  /** Why the table cannot be evolved in place and must be rebuilt; empty when it can. */
  readonly incompatible: readonly string[];
  /** The cursor column changed: the watermark no longer means anything. */
  readonly cursorChanged: boolean;
}

/**
 * Compares the spec a destination table was built for with the current one. Matching is by
 * destination name, since that is what the table holds.
 */
export function diffSpecs(applied: ExportModelSpec, current: ExportModelSpec): SchemaDiff {
  const before = new Map(applied.columns.map((c) => [c.destinationName, c]));
  const after = new Map(current.columns.map((c) => [c.destinationName, c]));
  const added: ColumnSpec[] = [];
  const widened: { column: ColumnSpec; from: LogicalType }[] = [];
  const relaxed: ColumnSpec[] = [];
  const incompatible: string[] = [];

  for (const column of current.columns) {
    const old = before.get(column.destinationName);
    if (!old) {
      added.push(column);
      continue;
    }
    if (formatLogicalType(old.type) !== formatLogicalType(column.type)) {
      if (isWidening(old.type, column.type)) widened.push({ column, from: old.type });
      else {
        incompatible.push(
          `column "${column.name}" changed type from ${formatLogicalType(old.type)} to ${formatLogicalType(column.type)}, which is not a widening`,
        );
      }
    }
    if (!old.nullable && column.nullable) relaxed.push(column);
  }
  const retired = applied.columns.filter((c) => !after.has(c.destinationName));

  const keyOf = (spec: ExportModelSpec) => spec.primaryKey.map((k) => spec.columns.find((c) => c.name === k)?.destinationName ?? k).join(',');
  if (keyOf(applied) !== keyOf(current)) {
    incompatible.push(`the primary key changed from (${keyOf(applied)}) to (${keyOf(current)})`);
  }
  if (applied.destinationName !== current.destinationName) {
    incompatible.push(`the destination table was renamed from ${applied.destinationName} to ${current.destinationName}`);
  }
  return { added, widened, retired, relaxed, incompatible, cursorChanged: applied.cursor !== current.cursor };
}

export function hasChanges(diff: SchemaDiff): boolean {
  return diff.added.length + diff.widened.length + diff.retired.length + diff.relaxed.length + diff.incompatible.length > 0;
}

const INTEGER_WIDTH: Partial<Record<LogicalType['kind'], number>> = { smallint: 1, integer: 2, bigint: 3 };
/** Decimal digits each integer kind needs, for integer -> numeric widening. */
const INTEGER_DIGITS: Partial<Record<LogicalType['kind'], number>> = { smallint: 5, integer: 10, bigint: 19 };

/**
 * Whether every value of `from` is exactly representable in `to`, so the column can be altered
 * in place: smallint -> integer -> bigint, integers -> numeric wide enough, varchar(n) ->
 * varchar(m >= n) or text, numeric(p,s) -> numeric with at least as many integer and fraction
 * digits, real -> double.
 */
export function isWidening(from: LogicalType, to: LogicalType): boolean {
  const fromWidth = INTEGER_WIDTH[from.kind];
  const toWidth = INTEGER_WIDTH[to.kind];
  if (fromWidth !== undefined && toWidth !== undefined) return toWidth > fromWidth;
  if (fromWidth !== undefined && to.kind === 'numeric') return to.precision - to.scale >= (INTEGER_DIGITS[from.kind] ?? Infinity);
  if (from.kind === 'varchar') return to.kind === 'text' || (to.kind === 'varchar' && to.length >= from.length);
  if (from.kind === 'numeric' && to.kind === 'numeric') {
    return to.scale >= from.scale && to.precision - to.scale >= from.precision - from.scale;
  }
  return from.kind === 'real' && to.kind === 'double';
}

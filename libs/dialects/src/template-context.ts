import type { ExportModelSpec, LogicalType } from '@ferry/schema';
import type { Dialect } from './dialect.ts';
import type { DestinationNames } from './destination-names.ts';

/** One column as templates see it: name folded and quoted, type in the dialect's spelling. */
export interface TemplateColumn {
  /** The column's name in the dbt model. */
  readonly sourceName: string;
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
  readonly logicalType: LogicalType;
}

/**
 * What every template of a model renders from. Templates read the column lists directly and
 * build aliased expressions (key match, update list, "newer and changed") through the helpers
 * in templates.ts, which read this context.
 */
export interface TemplateContext {
  readonly dialect: Dialect;
  readonly columns: readonly TemplateColumn[];
  /** Primary key columns, in key order. */
  readonly keyColumns: readonly TemplateColumn[];
  /** The columns a merge may update: all but the key. */
  readonly updateColumns: readonly TemplateColumn[];
  /** The quoted cursor column, when the model has one. */
  readonly cursor: string | undefined;
  /** Every column is a key column: a merge can only insert. */
  readonly insertOnly: boolean;
  /** The quoted soft-delete column, and whether it is a boolean (deleted when true) or a time (deleted when set). */
  readonly softDelete: { readonly name: string; readonly isBoolean: boolean } | undefined;
}

/** The context for one model in one dialect, from names already folded and checked. */
export function templateContext(dialect: Dialect, model: ExportModelSpec, names: DestinationNames): TemplateContext {
  const bySourceName = new Map(
    names.columns.map(({ column, name }): [string, TemplateColumn] => [
      column.name,
      {
        sourceName: column.name,
        name: dialect.quoteIdentifier(name),
        type: dialect.columnType(column.type),
        notNull: !column.nullable,
        logicalType: column.type,
      },
    ]),
  );
  const columnNamed = (sourceName: string, role: string): TemplateColumn => {
    const column = bySourceName.get(sourceName);
    if (!column) throw new Error(`export model "${model.name}": its ${role} "${sourceName}" is not one of its exported columns`);
    return column;
  };
  const keyColumns = model.primaryKey.map((name) => columnNamed(name, 'primary key column'));
  const updateColumns = [...bySourceName.values()].filter((column) => !keyColumns.includes(column));
  return {
    dialect,
    columns: [...bySourceName.values()],
    keyColumns,
    updateColumns,
    cursor: model.cursor === undefined ? undefined : columnNamed(model.cursor, 'cursor').name,
    insertOnly: updateColumns.length === 0,
    softDelete:
      model.softDelete === undefined
        ? undefined
        : (() => {
            const column = columnNamed(model.softDelete, 'soft-delete column');
            return { name: column.name, isBoolean: column.logicalType.kind === 'boolean' };
          })(),
  };
}

/** The context of add_column: the model's, plus the one column to add. */
export interface AddColumnContext extends TemplateContext {
  readonly column: TemplateColumn;
}

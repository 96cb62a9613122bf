import { fingerprintOf, type ColumnSpec, type ExportModelSpec, type LogicalType } from '@ferry/schema';

function column(name: string, type: LogicalType, dataType: string, nullable = true): ColumnSpec {
  return { name, destinationName: name, type, nullable, dataType };
}

function exportModel(model: Omit<ExportModelSpec, 'fingerprint'>): ExportModelSpec {
  return { ...model, fingerprint: fingerprintOf(model) };
}

/**
 * The test fixture: a composite key, a cursor, a soft-delete column, a reserved word (`order`),
 * a mixed-case name (`userId`) and a column of every logical type.
 */
export const ordersModel: ExportModelSpec = exportModel({
  name: 'orders',
  destinationName: 'orders',
  source: { schema: 'analytics', identifier: 'orders' },
  columns: [
    column('tenant_id', { kind: 'text' }, 'text', false),
    column('order_id', { kind: 'bigint' }, 'bigint', false),
    column('order', { kind: 'varchar', length: 32 }, 'varchar(32)'),
    column('userId', { kind: 'uuid' }, 'uuid'),
    column('quantity', { kind: 'smallint' }, 'smallint'),
    column('line_count', { kind: 'integer' }, 'integer'),
    column('amount', { kind: 'numeric', precision: 38, scale: 9 }, 'numeric(38,9)'),
    column('discount_rate', { kind: 'real' }, 'real'),
    column('weight_kg', { kind: 'double' }, 'double precision'),
    column('is_gift', { kind: 'boolean' }, 'boolean'),
    column('ship_date', { kind: 'date' }, 'date'),
    column('ship_time', { kind: 'time' }, 'time'),
    column('placed_at', { kind: 'timestamp' }, 'timestamp'),
    column('attributes', { kind: 'json' }, 'jsonb'),
    column('note', { kind: 'text' }, 'text'),
    column('updated_at', { kind: 'timestamptz' }, 'timestamptz', false),
    column('deleted_at', { kind: 'timestamptz' }, 'timestamptz'),
  ],
  primaryKey: ['tenant_id', 'order_id'],
  tenantColumn: 'tenant_id',
  cursor: 'updated_at',
  softDelete: 'deleted_at',
});

/** A model without a cursor: a full-refresh model, where staging always wins. */
export function withoutCursor(model: ExportModelSpec): ExportModelSpec {
  return exportModel({ ...model, cursor: undefined });
}

/** A model without some columns, e.g. those a warehouse under test cannot hold. */
export function withoutColumns(model: ExportModelSpec, ...names: readonly string[]): ExportModelSpec {
  return exportModel({ ...model, columns: model.columns.filter((c) => !names.includes(c.name)) });
}

/** A model whose every column is a key column: merges can only insert. */
export const orderTagsModel: ExportModelSpec = exportModel({
  name: 'order_tags',
  destinationName: 'order_tags',
  source: { schema: 'analytics', identifier: 'order_tags' },
  columns: [
    column('tenant_id', { kind: 'text' }, 'text', false),
    column('order_id', { kind: 'bigint' }, 'bigint', false),
    column('tag', { kind: 'text' }, 'text', false),
  ],
  primaryKey: ['tenant_id', 'order_id', 'tag'],
  tenantColumn: 'tenant_id',
});

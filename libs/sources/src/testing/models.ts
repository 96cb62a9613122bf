import { fingerprintOf, type ColumnSpec, type ExportModelSpec, type LogicalType } from '@ferry/schema';

function column(name: string, type: LogicalType, dataType: string, nullable = true): ColumnSpec {
  return { name, destinationName: name, type, nullable, dataType };
}

function exportModel(model: Omit<ExportModelSpec, 'fingerprint'>): ExportModelSpec {
  return { ...model, fingerprint: fingerprintOf(model) };
}

/** One column of every logical type, a mixed-case name and a reserved word, keyed by tenant and id. */
export const everyTypeModel = exportModel({
  name: 'every_type',
  destinationName: 'every_type',
  source: { database: 'vendor', schema: 'analytics', identifier: 'every_type' },
  columns: [
    column('tenant_id', { kind: 'text' }, 'text', false),
    column('id', { kind: 'integer' }, 'integer', false),
    column('note', { kind: 'text' }, 'text'),
    column('Label', { kind: 'varchar', length: 32 }, 'varchar(32)'),
    column('small', { kind: 'smallint' }, 'smallint'),
    column('regular', { kind: 'integer' }, 'integer'),
    column('big', { kind: 'bigint' }, 'bigint'),
    column('amount', { kind: 'numeric', precision: 38, scale: 9 }, 'numeric(38,9)'),
    column('ratio', { kind: 'real' }, 'real'),
    column('weight', { kind: 'double' }, 'double precision'),
    column('flag', { kind: 'boolean' }, 'boolean'),
    column('day', { kind: 'date' }, 'date'),
    column('at_time', { kind: 'time' }, 'time'),
    column('local_at', { kind: 'timestamp' }, 'timestamp'),
    column('updated_at', { kind: 'timestamptz' }, 'timestamptz'),
    column('order', { kind: 'json' }, 'jsonb'),
    column('ref', { kind: 'uuid' }, 'uuid'),
  ],
  primaryKey: ['tenant_id', 'id'],
  tenantColumn: 'tenant_id',
  cursor: 'updated_at',
});

/** A model keyed by uuid and text, as the hard-delete key comparison sees it. */
export const compositeKeyModel = exportModel({
  name: 'composite_key',
  destinationName: 'composite_key',
  source: { schema: 'analytics', identifier: 'composite_key' },
  columns: [
    column('tenant_id', { kind: 'varchar', length: 64 }, 'varchar(64)', false),
    column('ref', { kind: 'uuid' }, 'uuid', false),
    column('code', { kind: 'text' }, 'text', false),
    column('seq', { kind: 'bigint' }, 'bigint', false),
  ],
  primaryKey: ['ref', 'code'],
  tenantColumn: 'tenant_id',
});

/** The same rows keyed by a bigint alone. */
export const bigintKeyModel = exportModel({ ...compositeKeyModel, name: 'bigint_key', primaryKey: ['seq'] });

/** A model whose cursor is an integer version rather than a timestamp. */
export const versionedModel = exportModel({
  name: 'versioned',
  destinationName: 'versioned',
  source: { schema: 'analytics', identifier: 'versioned' },
  columns: [
    column('tenant_id', { kind: 'text' }, 'text', false),
    column('id', { kind: 'integer' }, 'integer', false),
    column('version', { kind: 'bigint' }, 'bigint', false),
    column('day', { kind: 'date' }, 'date', false),
  ],
  primaryKey: ['tenant_id', 'id'],
  tenantColumn: 'tenant_id',
  cursor: 'version',
});

/** The versioned model read by its date column instead. */
export const datedModel = exportModel({ ...versionedModel, name: 'dated', cursor: 'day' });

/** The versioned model without a cursor: it can only be read in full. */
export const fullRefreshModel = exportModel({ ...versionedModel, name: 'full_refresh', cursor: undefined });

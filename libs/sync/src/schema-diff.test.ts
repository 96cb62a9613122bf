import { describe, expect, it } from 'vitest';
import { parseDataType, type ExportModelSpec } from '@ferry/schema';
import { diffSpecs, isWidening } from './schema-diff.ts';

const t = parseDataType;

describe('isWidening', () => {
  it.each([
    ['smallint', 'integer', true],
    ['integer', 'bigint', true],
    ['bigint', 'integer', false],
    ['integer', 'numeric(12,2)', true],
    ['bigint', 'numeric(18,0)', false],
    ['varchar(64)', 'varchar(255)', true],
    ['varchar(64)', 'text', true],
    ['varchar(64)', 'varchar(32)', false],
    ['text', 'varchar(64)', false],
    ['numeric(12,6)', 'numeric(18,6)', true],
    ['numeric(12,6)', 'numeric(14,8)', true],
    ['numeric(12,6)', 'numeric(12,8)', false],
    ['real', 'double precision', true],
    ['timestamp', 'timestamptz', false],
    ['integer', 'text', false],
  ])('%s -> %s is %s', (from, to, expected) => {
    expect(isWidening(t(from), t(to))).toBe(expected);
  });
});

function spec(columns: [string, string, boolean?][], primaryKey = ['id']): ExportModelSpec {
  return {
    name: 'orders',
    destinationName: 'orders',
    source: { schema: 'analytics', identifier: 'orders' },
    columns: columns.map(([name, type, nullable = true]) => ({ name, destinationName: name, type: t(type), nullable, dataType: type })),
    primaryKey,
    tenantColumn: 'tenant_id',
    cursor: 'updated_at',
    fingerprint: 'x',
  };
}

describe('diffSpecs', () => {
  const base = spec([
    ['id', 'bigint', false],
    ['tenant_id', 'text', false],
    ['status', 'varchar(16)'],
    ['note', 'text', false],
    ['updated_at', 'timestamptz', false],
  ]);

  it('sees added, widened, retired and relaxed columns', () => {
    const next = spec([
      ['id', 'bigint', false],
      ['tenant_id', 'text', false],
      ['status', 'varchar(64)'],
      ['priority', 'smallint'],
      ['updated_at', 'timestamptz', true],
    ]);
    const diff = diffSpecs(base, next);
    expect(diff.added.map((c) => c.name)).toEqual(['priority']);
    expect(diff.widened.map((w) => w.column.name)).toEqual(['status']);
    expect(diff.retired.map((c) => c.name)).toEqual(['note']);
    expect(diff.relaxed.map((c) => c.name)).toEqual(['updated_at']);
    expect(diff.incompatible).toEqual([]);
  });

  it('calls a narrowed type or a new primary key incompatible', () => {
    const narrowed = spec([
      ['id', 'integer', false],
      ['tenant_id', 'text', false],
      ['status', 'varchar(16)'],
      ['note', 'text', false],
      ['updated_at', 'timestamptz', false],
    ]);
    expect(diffSpecs(base, narrowed).incompatible).toEqual(['column "id" changed type from bigint to integer, which is not a widening']);
    const rekeyed = { ...base, primaryKey: ['tenant_id', 'id'] };
    expect(diffSpecs(base, rekeyed).incompatible).toEqual(['the primary key changed from (id) to (tenant_id,id)']);
  });
});

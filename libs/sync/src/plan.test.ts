import { describe, expect, it } from 'vitest';
import { fingerprintOf, parseDataType, type ExportModelSpec } from '@ferry/schema';
import type { ModelState } from '@ferry/state';
import { planModel, type PlanInput } from './plan.ts';

function model(overrides: Partial<Omit<ExportModelSpec, 'fingerprint'>> = {}): ExportModelSpec {
  const base: Omit<ExportModelSpec, 'fingerprint'> = {
    name: 'orders',
    destinationName: 'orders',
    source: { schema: 'analytics', identifier: 'orders' },
    columns: [
      { name: 'tenant_id', destinationName: 'tenant_id', type: parseDataType('text'), nullable: false, dataType: 'text' },
      { name: 'id', destinationName: 'id', type: parseDataType('integer'), nullable: false, dataType: 'integer' },
      { name: 'updated_at', destinationName: 'updated_at', type: parseDataType('timestamptz'), nullable: false, dataType: 'timestamptz' },
    ],
    primaryKey: ['id'],
    tenantColumn: 'tenant_id',
    cursor: 'updated_at',
    ...overrides,
  };
  return { ...base, fingerprint: fingerprintOf(base) };
}

function applied(spec: ExportModelSpec, watermark: string | null = '2024-05-01 12:00:00.000001+00'): ModelState {
  return { destinationId: 'acme', model: spec.name, watermark, appliedFingerprint: spec.fingerprint, appliedSpec: spec, retiredColumns: [], updatedAt: new Date() };
}

const table = { columns: new Map([['tenant_id', { type: 'text', nullable: false }], ['id', { type: 'integer', nullable: false }], ['updated_at', { type: 'timestamptz', nullable: false }]]) };

function plan(input: Partial<PlanInput>) {
  const spec = input.spec ?? model();
  return planModel({ spec, state: undefined, table: undefined, fullRefresh: false, destinationColumns: ['tenant_id', 'id', 'updated_at'], ...input });
}

describe('planModel', () => {
  it('creates a missing table, saying why', () => {
    expect(plan({})).toMatchObject({ action: 'create', reasons: ['first sync: backfill'] });
    expect(plan({ state: applied(model()) })).toMatchObject({
      action: 'create',
      reasons: ['the destination table is missing (dropped outside Ferry?): creating it again'],
    });
    expect(plan({ spec: model({ destinationName: 'purchases' }), state: applied(model()) })).toMatchObject({
      action: 'create',
      reasons: ['the destination table was renamed from orders to purchases: creating it; orders is left as it is'],
    });
  });

  it('reads from the watermark when nothing changed, and rebuilds on request', () => {
    const spec = model();
    expect(plan({ spec, state: applied(spec), table })).toEqual({
      model: 'orders',
      action: 'incremental',
      reasons: ['rows changed since 2024-05-01 12:00:00.000001+00'],
      since: '2024-05-01 12:00:00.000001+00',
    });
    expect(plan({ spec, state: applied(spec), table, fullRefresh: true })).toMatchObject({ action: 'rebuild', reasons: ['full refresh requested'] });
  });

  it('merges the whole slice of a table it has no state for, and rebuilds one that lacks columns', () => {
    expect(plan({ table })).toMatchObject({ action: 'full-merge' });
    expect(plan({ table, destinationColumns: ['tenant_id', 'id', 'updated_at', 'note'] })).toMatchObject({
      action: 'rebuild',
      reasons: ['the table exists without Ferry state and lacks column(s) note'],
    });
  });
});

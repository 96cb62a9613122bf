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
  return {
    destinationId: 'acme',
    model: spec.name,
    watermark,
    appliedFingerprint: spec.fingerprint,
    appliedSpec: spec,
    retiredColumns: [],
    updatedAt: new Date(),
  };
}

const table = {
  columns: new Map([
    ['tenant_id', { type: 'text', nullable: false }],
    ['id', { type: 'integer', nullable: false }],
    ['updated_at', { type: 'timestamptz', nullable: false }],
  ]),
};

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

describe('planModel for a table Ferry has synced before', () => {
  const WATERMARK = '2024-05-01 12:00:00.000001+00';
  const columns = model().columns;
  const note = { name: 'note', destinationName: 'note', type: parseDataType('varchar(10)'), nullable: true, dataType: 'varchar(10)' };
  const withNote = model({ columns: [...columns, note] });

  it('re-reads everything to backfill a new column', () => {
    const result = plan({ spec: withNote, state: applied(model()), table });
    expect(result).toMatchObject({ action: 'evolve', reasons: ['add column note and backfill it'] });
    expect(result.since).toBeUndefined();
    expect(result.diff?.added.map((c) => c.name)).toEqual(['note']);
  });

  it('widens a column in place and reads only from the watermark', () => {
    const wider = model({ columns: [...columns, { ...note, type: parseDataType('varchar(20)'), dataType: 'varchar(20)' }] });
    expect(plan({ spec: wider, state: applied(withNote), table })).toMatchObject({
      action: 'evolve',
      reasons: ['widen note in place', `rows changed since ${WATERMARK}`],
      since: WATERMARK,
    });
  });

  it('keeps a column that left the model, and one that may now be null, reading from the watermark', () => {
    expect(plan({ spec: model(), state: applied(withNote), table })).toMatchObject({
      action: 'evolve',
      reasons: ['column note left the model: kept (nullable), no longer updated', `rows changed since ${WATERMARK}`],
      since: WATERMARK,
    });
    const relaxed = model({ columns: columns.map((c) => (c.name === 'updated_at' ? { ...c, nullable: true } : c)) });
    expect(plan({ spec: relaxed, state: applied(model()), table })).toMatchObject({
      action: 'evolve',
      reasons: ['column updated_at may now be null', `rows changed since ${WATERMARK}`],
      since: WATERMARK,
    });
  });

  it('lists every change, in the order added, widened, retired, relaxed', () => {
    const before = model({ columns: [...columns, note, { ...note, name: 'gone', destinationName: 'gone' }] });
    const after = model({
      columns: [
        ...columns.map((c) => (c.name === 'updated_at' ? { ...c, nullable: true } : c)),
        { ...note, type: parseDataType('text'), dataType: 'text' },
        { ...note, name: 'fresh', destinationName: 'fresh' },
      ],
    });
    expect(plan({ spec: after, state: applied(before), table }).reasons).toEqual([
      'add column fresh and backfill it',
      'widen note in place',
      'column gone left the model: kept (nullable), no longer updated',
      'column updated_at may now be null',
    ]);
  });

  it('rebuilds a table whose change cannot be made in place, saying why', () => {
    const retyped = model({ columns: columns.map((c) => (c.name === 'id' ? { ...c, type: parseDataType('text'), dataType: 'text' } : c)) });
    const result = plan({ spec: retyped, state: applied(model()), table });
    expect(result).toMatchObject({ action: 'rebuild', reasons: ['column "id" changed type from integer to text, which is not a widening'] });
    expect(result.diff?.incompatible).toEqual(result.reasons);
    expect(result.since).toBeUndefined();
  });

  it('merges the whole slice when the cursor column changed, as the watermark means nothing for the new one', () => {
    const result = plan({ spec: model({ cursor: 'id' }), state: applied(model()), table });
    expect(result).toEqual({ model: 'orders', action: 'full-merge', reasons: ['the cursor column changed'] });
    const widenedToo = plan({
      spec: model({ cursor: 'id', columns: [...columns, { ...note, type: parseDataType('text'), dataType: 'text' }] }),
      state: applied(withNote),
      table,
    });
    expect(widenedToo).toMatchObject({ action: 'evolve', reasons: ['widen note in place'] });
    expect(widenedToo.since).toBeUndefined();
  });

  it('compares the whole slice of a model without a cursor, evolving it first when it changed', () => {
    const noCursor = model({ cursor: undefined });
    expect(plan({ spec: noCursor, state: applied(noCursor), table })).toEqual({
      model: 'orders',
      action: 'full-merge',
      reasons: ['no cursor: comparing the whole slice'],
    });
    const evolved = plan({ spec: noCursor, state: applied(model({ cursor: undefined, columns: [...columns, note] })), table });
    expect(evolved).toMatchObject({
      action: 'evolve',
      reasons: ['column note left the model: kept (nullable), no longer updated', 'no cursor: comparing the whole slice'],
    });
    expect(evolved.since).toBeUndefined();
  });

  it('reads the whole slice while no watermark was recorded yet', () => {
    const spec = model();
    expect(plan({ spec, state: applied(spec, null), table })).toEqual({
      model: 'orders',
      action: 'incremental',
      reasons: ['no watermark yet: reading the whole slice'],
    });
  });

  it('creates a missing table even when a full refresh was asked for', () => {
    const spec = model();
    expect(plan({ spec, state: applied(spec), fullRefresh: true })).toMatchObject({ action: 'create' });
  });

  it('does not call a table renamed when the state does not say what it was called', () => {
    const spec = model();
    expect(plan({ spec, state: { ...applied(spec), appliedSpec: {} } })).toMatchObject({
      action: 'create',
      reasons: ['the destination table is missing (dropped outside Ferry?): creating it again'],
    });
  });

  it('names every column a stateless table lacks', () => {
    expect(plan({ table, destinationColumns: ['tenant_id', 'id', 'updated_at', 'note', 'label'] })).toEqual({
      model: 'orders',
      action: 'rebuild',
      reasons: ['the table exists without Ferry state and lacks column(s) note, label'],
    });
    expect(plan({ table })).toEqual({
      model: 'orders',
      action: 'full-merge',
      reasons: ['the table exists but Ferry has no state for it: merging the whole slice'],
    });
  });
});

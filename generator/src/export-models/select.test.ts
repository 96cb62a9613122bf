import { describe, expect, it } from 'vitest';
import { parseManifest } from '../manifest/load.ts';
import { GeneratorError } from '../problems.ts';
import { fixtureManifest, ordersModel, type FixtureModel } from '../testing/manifest-fixture.ts';
import { selectExportModels } from './select.ts';

function select(models: FixtureModel[]) {
  return selectExportModels(parseManifest(fixtureManifest(models)));
}

/** The problems a selection fails with, as the user reads them. */
function problemsOf(models: FixtureModel[]): string {
  try {
    select(models);
  } catch (error) {
    expect(error).toBeInstanceOf(GeneratorError);
    return (error as GeneratorError).message;
  }
  throw new Error('expected the selection to fail');
}

function withOrders(change: (model: FixtureModel) => void): FixtureModel[] {
  const model = ordersModel();
  change(model);
  return [model];
}

describe('selectExportModels', () => {
  it('turns an export model into a spec: types, nullability, keys, PII left out and reported', () => {
    const { models, notes } = select([ordersModel(), { name: 'internal_only', columns: [{ name: 'x' }] }]);
    expect(models.map((m) => m.name)).toEqual(['orders']);
    const [orders] = models;
    expect(orders?.columns.map((c) => c.name)).toEqual(['id', 'tenant_id', 'status', 'amount', 'attempts', 'payload', 'updated_at', 'deleted_at']);
    expect(orders?.columns.find((c) => c.name === 'amount')?.type).toEqual({ kind: 'numeric', precision: 18, scale: 4 });
    expect(orders?.columns.find((c) => c.name === 'payload')?.type).toEqual({ kind: 'json' });
    expect(orders?.columns.find((c) => c.name === 'id')?.nullable).toBe(false);
    expect(orders?.columns.find((c) => c.name === 'status')?.nullable).toBe(true);
    expect(orders).toMatchObject({ primaryKey: ['id'], tenantColumn: 'tenant_id', cursor: 'updated_at', softDelete: 'deleted_at' });
    expect(orders?.source).toEqual({ database: 'warehouse', schema: 'analytics', identifier: 'orders' });
    expect(notes).toEqual([
      { model: 'orders', message: 'left out PII column "email"' },
      { model: 'orders', message: 'left out PII column "phone"' },
    ]);
  });

  it('reads settings from legacy top-level meta as well as config.meta', () => {
    const legacy = { ...ordersModel(), metaIn: 'meta' as const };
    expect(select([legacy]).models[0]?.cursor).toBe('updated_at');
  });

  it('takes the primary key from a model-level or column-level dbt constraint', () => {
    const modelLevel = withOrders((m) => {
      delete m.ferry?.primary_key;
      m.constraints = [{ type: 'primary_key', columns: ['tenant_id', 'id'] }];
    });
    expect(select(modelLevel).models[0]?.primaryKey).toEqual(['tenant_id', 'id']);
    const columnLevel = withOrders((m) => {
      delete m.ferry?.primary_key;
      m.columns[0]!.constraints = [{ type: 'primary_key' }];
    });
    expect(select(columnLevel).models[0]?.primaryKey).toEqual(['id']);
  });

  it('renames tables and columns with destination_name and changes the fingerprint', () => {
    const base = select([ordersModel()]).models[0]!;
    const renamed = select(
      withOrders((m) => {
        m.ferry!.destination_name = 'customer_orders';
        m.columns[2]!.ferry = { destination_name: 'order_status' };
      }),
    ).models[0]!;
    expect(renamed.destinationName).toBe('customer_orders');
    expect(renamed.columns[2]).toMatchObject({ name: 'status', destinationName: 'order_status' });
    expect(renamed.fingerprint).not.toBe(base.fingerprint);
    expect(select([ordersModel()]).models[0]!.fingerprint).toBe(base.fingerprint);
  });

  it.each<[string, (m: FixtureModel) => void, RegExp]>([
    [
      'no contract',
      (m) => (m.contract = false),
      /model "orders": an export model needs an enforced dbt contract[\s\S]*fix: add `config: \{contract: \{enforced: true\}\}`/,
    ],
    ['no primary key', (m) => delete m.ferry?.primary_key, /model "orders": has no primary key[\s\S]*fix: set meta.ferry.primary_key/],
    ['no tenant column', (m) => delete m.ferry?.tenant_column, /model "orders": has no tenant column[\s\S]*fix: set meta.ferry.tenant_column/],
    ['column without data_type', (m) => (m.columns[3]!.data_type = null), /model "orders", column "amount": has no data_type/],
    [
      'unknown type',
      (m) => (m.columns[3]!.data_type = 'geography'),
      /model "orders", column "amount": data_type "geography" is not supported[\s\S]*fix: use one of: text/,
    ],
    [
      'unbounded numeric',
      (m) => (m.columns[3]!.data_type = 'numeric'),
      /column "amount": data_type "numeric" is not supported[\s\S]*declare a precision and scale/,
    ],
    ['PII primary key', (m) => (m.columns[0]!.tags = ['pii']), /model "orders", column "id": is the primary key but is marked PII/],
    ['PII tenant column', (m) => (m.columns[1]!.ferry = { pii: true }), /model "orders", column "tenant_id": is the tenant column but is marked PII/],
    [
      'missing key column',
      (m) => (m.ferry!.primary_key = ['nope']),
      /model "orders", column "nope": is named as the primary key but the model declares no such column/,
    ],
    [
      'cursor of a non-orderable type',
      (m) => (m.ferry!.cursor = 'payload'),
      /column "payload": is the cursor but its type json has no usable order[\s\S]*fix: use a timestamp/,
    ],
    [
      'a cursor the contract lets be NULL',
      (m) => (m.columns.find((c) => c.name === 'updated_at')!.constraints = []),
      /column "updated_at": is the cursor but the contract lets it be NULL[\s\S]*fix: add `constraints: \[\{type: not_null\}\]` to the column, or set meta.ferry.null_cursor: always_read/,
    ],
    [
      'null_cursor without a cursor',
      (m) => ((m.ferry!.null_cursor = 'refuse'), delete m.ferry!.cursor),
      /model "orders": sets meta.ferry.null_cursor but has no cursor/,
    ],
    ['an unknown null_cursor', (m) => (m.ferry!.null_cursor = 'ignore'), /model "orders": meta.ferry.null_cursor: Invalid option/],
    [
      'soft delete of a wrong type',
      (m) => (m.ferry!.soft_delete = 'status'),
      /column "status": is the soft-delete column but its type varchar\(16\)/,
    ],
    ['misspelt setting', (m) => (m.ferry!.tenant_col = 'tenant_id'), /model "orders": meta.ferry: Unrecognized key: "tenant_col"/],
  ])('rejects %s with a message naming the model, column and fix', (_, change, expected) => {
    expect(problemsOf(withOrders(change))).toMatch(expected);
  });

  it('takes a nullable cursor with null_cursor, and records it; a NOT NULL cursor needs none', () => {
    for (const setting of ['always_read', 'refuse'] as const) {
      const [orders] = select(
        withOrders((m) => ((m.columns.find((c) => c.name === 'updated_at')!.constraints = []), (m.ferry!.null_cursor = setting))),
      ).models;
      expect(orders).toMatchObject({ cursor: 'updated_at', nullCursor: setting });
    }
    expect(select([ordersModel()]).models[0]).not.toHaveProperty('nullCursor');
  });

  it('reports every problem of every model at once', () => {
    const second = { ...ordersModel(), name: 'refunds', ferry: { export: true } };
    const message = problemsOf(withOrders((m) => (m.contract = false)).concat(second));
    expect(message).toMatch(/model "orders": an export model needs an enforced dbt contract/);
    expect(message).toMatch(/model "refunds": has no tenant column/);
    expect(message).toMatch(/model "refunds": has no primary key/);
  });

  it('rejects two models exporting to the same destination table', () => {
    const twin = { ...ordersModel(), name: 'orders_v2', ferry: { ...ordersModel().ferry, destination_name: 'Orders' } };
    expect(problemsOf([ordersModel(), twin])).toMatch(/model "orders_v2": exports to the same destination table "Orders" as model "orders"/);
  });
});

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Catalog } from '@ferry/dialects';
import { describe, expect, it } from 'vitest';
import { generate, renderGeneratedFiles } from './generate.ts';
import { GENERATED_HEADER } from './emit/generated-file.ts';
import { fixtureManifest, ordersModel, type FixtureModel } from './testing/manifest-fixture.ts';

async function manifestFile(models: FixtureModel[], reverse = false): Promise<string> {
  const manifest = fixtureManifest(models) as { nodes: Record<string, unknown> };
  if (reverse) manifest.nodes = Object.fromEntries(Object.entries(manifest.nodes).reverse());
  const path = join(await mkdtemp(join(tmpdir(), 'ferry-gen-')), 'manifest.json');
  await writeFile(path, JSON.stringify(manifest));
  return path;
}

const refunds: FixtureModel = {
  name: 'refunds',
  ferry: { export: true, tenant_column: 'tenant_id', primary_key: ['tenant_id', 'refund_id'] },
  columns: [
    { name: 'tenant_id', data_type: 'text' },
    { name: 'refund_id', data_type: 'bigint' },
    { name: 'amount', data_type: 'numeric(38,9)' },
  ],
};

describe('generate', () => {
  it('is deterministic: same manifest, any node order -> identical files', async () => {
    const a = await renderGeneratedFiles(await manifestFile([ordersModel(), refunds]));
    const b = await renderGeneratedFiles(await manifestFile([ordersModel(), refunds], true));
    expect(b.files).toEqual(a.files);
    expect(a.files.map((f) => f.path)).toContain('models/orders.js');
    expect(a.files.map((f) => f.path)).toContain('sql/bigquery/refunds.js');
    for (const file of a.files) expect(file.content.startsWith(GENERATED_HEADER)).toBe(true);
    expect(a.files.map((f) => f.content).join('\n')).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  });

  it('emits row interfaces with exact TypeScript types and no PII', async () => {
    const { files } = await renderGeneratedFiles(await manifestFile([ordersModel(), refunds]));
    const orders = files.find((f) => f.path === 'models/orders.d.ts')!.content;
    expect(orders).toContain('export interface OrdersRow {');
    expect(orders).toMatch(/readonly id: string;/);
    expect(orders).toMatch(/readonly amount: string \| null;/);
    expect(orders).toMatch(/readonly attempts: number \| null;/);
    expect(orders).toMatch(/readonly payload: JsonValue \| null;/);
    expect(orders).toMatch(/readonly updated_at: string;/);
    expect(orders).not.toMatch(/email|phone/);
    const refundsFile = files.find((f) => f.path === 'models/refunds.d.ts')!.content;
    const refundsSpec = files.find((f) => f.path === 'models/refunds.js')!.content;
    expect(refundsFile).toMatch(/readonly refund_id: string;/);
    expect(refundsSpec).toMatch(/primaryKey: \["tenant_id", "refund_id"\]/);
  });

  it('writes nothing when the manifest has an error', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'ferry-gen-out-')), 'src');
    await generate({ manifestPath: await manifestFile([ordersModel()]), outDir: out });
    const broken = { ...refunds, contract: false };
    await expect(generate({ manifestPath: await manifestFile([ordersModel(), broken]), outDir: out })).rejects.toThrow(
      /model "refunds": an export model needs an enforced dbt contract/,
    );
    const check = await generate({ manifestPath: await manifestFile([ordersModel()]), outDir: out, check: true });
    expect(check.drift).toEqual({ added: [], changed: [], removed: [] });
  });

  it('rejects columns that collide after a dialect folds their case, naming the dialect', async () => {
    const model = ordersModel();
    model.columns.push({ name: 'Status', data_type: 'text' });
    await expect(renderGeneratedFiles(await manifestFile([model]))).rejects.toThrow(
      /model "orders": .*"status".*"Status"|model "orders": .*"Status".*"status"/,
    );
    await expect(renderGeneratedFiles(await manifestFile([model]))).rejects.toThrow(/postgres/);
  });

  it('reports every identifier problem of every model and dialect in one run', async () => {
    const model = ordersModel();
    model.columns.push(
      { name: 'Status', data_type: 'text' },
      { name: 'x'.repeat(64), data_type: 'text' },
      { name: 'y'.repeat(74), data_type: 'text' },
    );
    const error = await renderGeneratedFiles(await manifestFile([model])).then(
      () => undefined,
      (e: Error) => e,
    );
    const text = String(error?.message) + JSON.stringify((error as { problems?: unknown }).problems);
    expect(text).toMatch(/both become "status"/);
    expect(text).toContain(`column "${'x'.repeat(64)}" becomes`);
    expect(text).toContain(`column "${'y'.repeat(74)}" becomes`);
  });

  it('carries a column named __proto__ (or any name dbt accepts) exactly, never as a prototype', async () => {
    const model = ordersModel();
    model.columns.push({ name: '__proto__', data_type: 'text' }, { name: 'constructor', data_type: 'integer' });
    const path = await manifestFile([model]);
    const { models, files, notes } = await renderGeneratedFiles(path);
    const names = models[0]!.columns.map((c) => c.name);
    expect(names).toContain('__proto__');
    expect(names).toContain('constructor');
    // Every declared column is carried, or left out as PII with a note.
    expect(names.length + notes.length).toBe(model.columns.length);
    // The emitted modules, loaded as the runtime loads them, hold the column too.
    const out = join(await mkdtemp(join(tmpdir(), 'ferry-gen-proto-')), 'src');
    await generate({ manifestPath: path, outDir: out });
    await writeFile(join(out, '..', 'package.json'), '{ "type": "module" }\n');
    const { catalog } = (await import(pathToFileURL(join(out, 'index.js')).href)) as { catalog: Catalog };
    const spec = catalog.exportModels.orders!;
    expect(spec.columns.map((c) => c.name)).toEqual(names);
    expect(Object.hasOwn(catalog.modelSql.postgres.orders!.columns, '__proto__')).toBe(true);
    expect(Object.hasOwn(catalog.modelSql.postgres.orders!.addColumn, '__proto__')).toBe(true);
    expect(files.find((f) => f.path === 'sql/postgres/orders.js')!.content).toContain('["__proto__"]');
  });
});

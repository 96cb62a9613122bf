import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});

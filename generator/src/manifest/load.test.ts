import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureManifest, ordersModel } from '../testing/manifest-fixture.ts';
import { loadManifest, parseManifest } from './load.ts';
import { formatManifest } from './normalize.ts';

describe('loadManifest', () => {
  it('names a missing file and how to produce it', async () => {
    await expect(loadManifest('/nonexistent/manifest.json')).rejects.toThrow(
      /Cannot read the dbt manifest \/nonexistent\/manifest.json \(no such file\)[\s\S]*npx ferry manifest update/,
    );
  });

  it('rejects a file that is not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-manifest-'));
    await writeFile(join(dir, 'manifest.json'), '{"metadata": ');
    await expect(loadManifest(join(dir, 'manifest.json'))).rejects.toThrow(/is not valid JSON/);
  });

  it('rejects an unsupported schema version, naming it', () => {
    expect(() => parseManifest(fixtureManifest([ordersModel()], 'v11'))).toThrow(
      /Field at "metadata.dbt_schema_version": schema version v11 is not supported \(Ferry reads v12\)/,
    );
    expect(() => parseManifest({ nodes: {} })).toThrow(/does not look like a dbt manifest.json/);
  });

  it('reports invalid fields as Field at "<path>"', () => {
    const manifest = fixtureManifest([ordersModel()]) as { nodes: Record<string, Record<string, unknown>> };
    const node = manifest.nodes['model.fixture.orders']!;
    (node.columns as Record<string, Record<string, unknown>>).amount!.data_type = 42;
    delete node.schema;
    expect(() => parseManifest(manifest)).toThrow(/Field at "nodes.model.fixture.orders.(columns.amount.data_type|schema)"/);
  });
});

describe('formatManifest', () => {
  it('drops run-specific fields and keeps everything about the project', () => {
    const manifest = fixtureManifest([ordersModel()]) as {
      metadata: Record<string, unknown>;
      nodes: Record<string, Record<string, unknown>>;
      disabled?: unknown;
    };
    manifest.metadata.generated_at = '2026-01-01T00:00:00Z';
    manifest.metadata.invocation_id = 'abc';
    manifest.nodes['model.fixture.orders']!.created_at = 1795839406.5;
    manifest.disabled = { 'model.fixture.old': [{ name: 'old', created_at: 1 }] };
    const text = formatManifest(manifest);
    expect(text).not.toMatch(/generated_at|invocation_id|created_at/);
    expect(JSON.parse(text).nodes['model.fixture.orders'].columns.amount.data_type).toBe('numeric(18,4)');
    expect(manifest.metadata.generated_at).toBe('2026-01-01T00:00:00Z');
  });
});

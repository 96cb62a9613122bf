import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXAMPLE_PROJECT,
  buildSampleDuckDBSource,
  createTempDatabase,
  runFerry,
  controlPlaneCredentials,
  startFerryServer,
  type FerryServerProcess,
  type TempDatabase,
} from '../index.ts';

/**
 * A destination stored through `ferry serve` that ferry.yaml no longer allows (its product was
 * removed) fails on its own: `ferry sync` syncs every other destination and exits 1 naming it,
 * the server keeps answering for the others, and the stored one can still be deleted.
 */
let dir: string;
let database: TempDatabase;
let configFile: string;
let env: Record<string, string>;
let apiKey: string;
let server: FerryServerProcess | undefined;

function config(products: Record<string, string[]>) {
  return stringify({
    project: EXAMPLE_PROJECT,
    source: { type: 'duckdb', path: join(dir, 'ferry_source.duckdb') },
    products,
    destinations: [{ id: 'acme-duckdb', tenant: 'tenant_001', models: ['messages'], type: 'duckdb', path: 'acme.duckdb' }],
  });
}

async function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: { error?: { message: string } } & Record<string, unknown> }> {
  const response = await fetch(`${server?.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json().catch(() => ({}))) as { error?: { message: string } } & Record<string, unknown> };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-unusable-'));
  [, database] = await Promise.all([
    buildSampleDuckDBSource(dir, { seed: 31, tenants: 2, messagesPerTenant: 10 }),
    createTempDatabase('ferry_unusable'),
  ]);
  configFile = join(dir, 'ferry.yaml');
  await writeFile(configFile, config({ everything: ['messages', 'recipients'] }));
  ({ env, apiKey } = await controlPlaneCredentials(configFile, dir, database.url));
  server = await startFerryServer({ configFile, cwd: dir, env, args: ['--no-scheduler'] });
  expect((await api('POST', '/recipients', { id: 'globex', name: 'Globex', tenant: 'tenant_002' })).status).toBe(201);
  const created = await api('POST', '/destinations', {
    id: 'globex-pg',
    recipient: 'globex',
    type: 'postgres',
    url: database.url,
    schema: 'globex',
    product: 'everything',
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  // The product goes from ferry.yaml: the stored destination can no longer be synced.
  await writeFile(configFile, config({ engagement: ['messages'] }));
});

afterAll(async () => {
  await server?.stop();
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a stored destination that ferry.yaml no longer allows', () => {
  it('fails alone in ferry sync: the others sync, the run exits 1 naming it and why', async () => {
    const sync = await runFerry(['sync', '-c', configFile], { cwd: dir, env });
    expect(sync.exitCode, sync.stderr).toBe(1);
    expect(sync.stdout).toContain('1 of 2 destination(s) synced.');
    expect(sync.stdout).toMatch(/✗ globex-pg: destination "globex-pg" \(created through the API\): product: no product "everything"/);
  });

  it('is left out by the server, which answers for the others, says why it cannot be read, and lets it be deleted', async () => {
    const list = await api('GET', '/destinations');
    expect(list.status).toBe(200);
    expect((list.json as unknown as { id: string }[]).map((d) => d.id)).toEqual(['acme-duckdb']);
    const read = await api('GET', '/destinations/globex-pg');
    expect(read.status).toBe(409);
    expect(read.json.error?.message).toMatch(/stored but cannot be used/);
    expect((await api('DELETE', '/destinations/globex-pg')).status).toBe(204);
    expect(server?.stderr()).toMatch(/unusable stored destination or recipient, left out/);
  });

  it('once deleted, ferry sync succeeds again', async () => {
    const sync = await runFerry(['sync', '-c', configFile], { cwd: dir, env });
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(sync.stdout).toContain('1 of 1 destination(s) synced.');
  });
});

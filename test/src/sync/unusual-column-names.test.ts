import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDestination } from '@ferry/destinations';
import { fingerprintOf, type ColumnSpec, type ExportModelSpec } from '@ferry/schema';
import { DuckDBSource } from '@ferry/sources';
import { openStateStore, type StateStore } from '@ferry/state';
import { syncAll } from '@ferry/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogOf } from '../harness/catalog.ts';
import { readDestinationTable, readSlice, type DestinationLocation } from '../harness/slices.ts';
import { createTempDatabase, runOnDuckDB, type TempDatabase } from '../index.ts';

/**
 * Column names dbt accepts that JavaScript objects treat specially (`__proto__`, `constructor`,
 * `toString`) are data like any other: every value arrives, in Postgres and DuckDB.
 */
const TENANT = 'acme';
const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'] as const;

function column(name: string, kind: 'text' | 'integer' | 'timestamptz', nullable = true): ColumnSpec {
  return { name, destinationName: name, type: { kind } as ColumnSpec['type'], nullable, dataType: kind };
}

const base = {
  name: 'odd_names',
  destinationName: 'odd_names',
  source: { schema: 'analytics', identifier: 'odd_names' },
  columns: [column('tenant_id', 'text', false), column('id', 'integer', false), ...NAMES.map((n) => column(n, 'text')), column('updated_at', 'timestamptz', false)],
  primaryKey: ['id'],
  tenantColumn: 'tenant_id',
  cursor: 'updated_at',
} satisfies Omit<ExportModelSpec, 'fingerprint'>;
const spec: ExportModelSpec = { ...base, fingerprint: fingerprintOf(base) };
const catalog = catalogOf(spec);

let dir: string;
let sourcePath: string;
let destinationDb: TempDatabase;
let state: StateStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-odd-names-'));
  sourcePath = join(dir, 'vendor.duckdb');
  const quoted = NAMES.map((n) => `"${n}" VARCHAR`).join(', ');
  await runOnDuckDB(
    sourcePath,
    `CREATE SCHEMA analytics;
     CREATE TABLE analytics.odd_names (tenant_id VARCHAR, id INTEGER, ${quoted}, updated_at TIMESTAMPTZ);
     INSERT INTO analytics.odd_names VALUES
       ('acme', 1, 'proto value', 'ctor value', 'str value', NULL, '2024-01-01 00:00:00+00'),
       ('acme', 2, '', NULL, 'x', 'own', '2024-01-01 00:00:00+00')`,
  );
  destinationDb = await createTempDatabase('ferry_odd_names');
  state = await openStateStore(join(dir, 'state.duckdb'));
  await state.migrate();
});

afterAll(async () => {
  await state?.close();
  await destinationDb?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('columns named like JavaScript object internals', () => {
  it('arrive with every value in Postgres and DuckDB', async () => {
    const targets = [
      { id: 'pg', tenant: TENANT, models: ['odd_names'], softDeletes: 'keep' as const, open: () => createDestination({ id: 'pg', type: 'postgres', url: destinationDb.url, schema: 'ferry' }) },
      { id: 'duck', tenant: TENANT, models: ['odd_names'], softDeletes: 'keep' as const, open: () => createDestination({ id: 'duck', type: 'duckdb', path: join(dir, 'duck.duckdb'), schema: 'ferry' }) },
    ];
    const results = await syncAll(targets, () => new DuckDBSource({ path: sourcePath }), state, {
      catalog,
      fullRefresh: false,
      lookbackSeconds: 0,
      retry: { retries: 0, baseDelayMs: 10 },
      concurrency: 2,
    });
    for (const result of results) expect(result.error, result.models.map((m) => m.error).join('; ')).toBeNull();

    const source = new DuckDBSource({ path: sourcePath });
    await source.connect();
    const expected = await readSlice(source, spec, TENANT).finally(() => source.close());
    expect(expected).toHaveLength(2);
    const locations: [DestinationLocation, 'postgres' | 'duckdb'][] = [
      [{ type: 'postgres', url: destinationDb.url }, 'postgres'],
      [{ type: 'duckdb', path: join(dir, 'duck.duckdb') }, 'duckdb'],
    ];
    for (const [location, dialect] of locations) {
      expect(await readDestinationTable(location, 'ferry', spec, catalog.modelSql[dialect].odd_names!, TENANT), dialect).toEqual(expected);
    }
  });
});

import { join } from 'node:path';
import { createDestination } from '@ferry/destinations';
import type { ExportModelSpec } from '@ferry/schema';
import { DuckDBSource } from '@ferry/sources';
import type { StateStore } from '@ferry/state';
import { syncAll } from '@ferry/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogOf } from '../harness/catalog.ts';
import { readDestinationTable, readSlice, type DestinationLocation } from '../harness/slices.ts';
import type { TempDatabase } from '../index.ts';
import { columnOf, exportModelOf, openSyncScratch, type SyncScratch } from '../harness/sync-scratch.ts';

/**
 * Column names dbt accepts that JavaScript objects treat specially (`__proto__`, `constructor`,
 * `toString`) are data like any other: every value arrives, in Postgres and DuckDB.
 */
const TENANT = 'acme';
const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'] as const;

const base = {
  name: 'odd_names',
  destinationName: 'odd_names',
  source: { schema: 'analytics', identifier: 'odd_names' },
  columns: [
    columnOf('tenant_id', 'text', false),
    columnOf('id', 'integer', false),
    ...NAMES.map((n) => columnOf(n, 'text')),
    columnOf('updated_at', 'timestamptz', false),
  ],
  primaryKey: ['id'],
  tenantColumn: 'tenant_id',
  cursor: 'updated_at',
} satisfies Omit<ExportModelSpec, 'fingerprint'>;
const spec = exportModelOf(base);
const catalog = catalogOf(spec);

let scratch: SyncScratch;
let dir: string;
let sourcePath: string;
let destinationDb: TempDatabase;
let state: StateStore;

beforeAll(async () => {
  const quoted = NAMES.map((n) => `"${n}" VARCHAR`).join(', ');
  scratch = await openSyncScratch(
    'odd-names',
    `CREATE SCHEMA analytics;
     CREATE TABLE analytics.odd_names (tenant_id VARCHAR, id INTEGER, ${quoted}, updated_at TIMESTAMPTZ);
     INSERT INTO analytics.odd_names VALUES
       ('acme', 1, 'proto value', 'ctor value', 'str value', NULL, '2024-01-01 00:00:00+00'),
       ('acme', 2, '', NULL, 'x', 'own', '2024-01-01 00:00:00+00')`,
  );
  ({ dir, sourcePath, destinationDb, state } = scratch);
});

afterAll(async () => {
  await scratch?.dispose();
});

describe('columns named like JavaScript object internals', () => {
  it('arrive with every value in Postgres and DuckDB', async () => {
    const targets = [
      {
        id: 'pg',
        tenant: TENANT,
        models: ['odd_names'],
        softDeletes: 'keep' as const,
        open: () => createDestination({ id: 'pg', type: 'postgres', url: destinationDb.url, schema: 'ferry' }),
      },
      {
        id: 'duck',
        tenant: TENANT,
        models: ['odd_names'],
        softDeletes: 'keep' as const,
        open: () => createDestination({ id: 'duck', type: 'duckdb', path: join(dir, 'duck.duckdb'), schema: 'ferry' }),
      },
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

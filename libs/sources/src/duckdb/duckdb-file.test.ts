import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSource } from '../create-source.ts';
import { SourceConnectionError } from '../source-errors.ts';
import { collectCsv } from '@ferry/test';
import { versionedModel } from '@ferry/test';

describe('duckdb source opened from a database file', () => {
  let dir: string;
  let path: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-duckdb-source-'));
    path = join(dir, 'vendor.duckdb');
    // As dbt-duckdb would leave it: the catalog is named after the file, not after the spec's database.
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    await connection.run('CREATE SCHEMA analytics');
    await connection.run('CREATE TABLE analytics.versioned (tenant_id VARCHAR, id INTEGER, version BIGINT, day DATE)');
    await connection.run(`INSERT INTO analytics.versioned VALUES ('acme', 1, 10, '2024-01-01'), ('globex', 2, 20, '2024-01-02')`);
    connection.closeSync();
    instance.closeSync();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const digest = async () =>
    createHash('sha256')
      .update(await readFile(path))
      .digest('hex');

  it('reads a tenant slice without changing the file, and releases it on close', async () => {
    const before = await digest();
    const source = createSource({ type: 'duckdb', path });
    await source.connect();
    expect(
      await collectCsv(
        source.exportCsv({ ...versionedModel, source: { database: 'elsewhere', schema: 'analytics', identifier: 'versioned' } }, 'acme'),
      ),
    ).toBe('acme,1,10,2024-01-01\n');
    expect(await source.count(versionedModel, 'globex')).toBe(1);
    await source.close();
    expect(await digest()).toBe(before);
    // Closed means closed: a writer can open the file again.
    const writer = await DuckDBInstance.create(path);
    writer.closeSync();
  });

  it('names a file that is not a DuckDB database, and leaves it alone', async () => {
    const notDuckdb = join(dir, 'notes.duckdb');
    await writeFile(notDuckdb, 'these are not the rows you are looking for\n');
    const source = createSource({ type: 'duckdb', path: notDuckdb });
    const error = await source.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SourceConnectionError);
    expect((error as Error).message).toMatch(new RegExp(`^cannot open the DuckDB source file ${notDuckdb} read-only: .+ If another process`, 's'));
    expect(await readFile(notDuckdb, 'utf8')).toBe('these are not the rows you are looking for\n');
  });
});

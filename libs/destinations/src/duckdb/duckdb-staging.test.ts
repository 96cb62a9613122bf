import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBDestination } from './duckdb-destination.ts';

/**
 * Where a failed load went wrong decides the advice: a staging disk that cannot be written names
 * the setting that moves it (TMPDIR for the CLI, stagingDirectory for the library), and a source
 * that fails mid-stream is reported as the source's error, not as a staging problem.
 */
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-duckdb-staging-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadInto(destination: DuckDBDestination, csv: AsyncIterable<Buffer>): Promise<unknown> {
  await destination.connect();
  try {
    await destination.ensureSchema();
    await destination.execute([`CREATE TABLE IF NOT EXISTS ${destination.relation('t')} (id INTEGER)`]);
    return await destination.loadCsv(destination.relation('t'), ['id'], csv).catch((error: Error) => error);
  } finally {
    await destination.close();
  }
}

async function* rows(): AsyncGenerator<Buffer> {
  yield Buffer.from('1\n');
}

describe('DuckDB staging failures', () => {
  it('names TMPDIR when the system temporary folder cannot take the CSV', async () => {
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = join(dir, 'no-such-folder');
    try {
      const error = await loadInto(new DuckDBDestination({ type: 'duckdb', id: 'tmp', path: join(dir, 'a.duckdb'), schema: 'ferry' }), rows());
      expect(String(error)).toMatch(
        /cannot create a staging folder in .*no-such-folder.*; free space there or point TMPDIR to a writable disk with room/,
      );
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    }
  });

  it('names stagingDirectory when the library was given one', async () => {
    const destination = new DuckDBDestination({
      type: 'duckdb',
      id: 'lib',
      path: join(dir, 'b.duckdb'),
      schema: 'ferry',
      stagingDirectory: join(dir, 'missing'),
    });
    expect(String(await loadInto(destination, rows()))).toContain('free space there or give stagingDirectory a writable disk with room');
  });

  it("passes a source's failure on as it is, with no staging advice", async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('1\n');
      throw new Error('relation "analytics.orders" does not exist');
    }
    const error = await loadInto(new DuckDBDestination({ type: 'duckdb', id: 'src', path: join(dir, 'c.duckdb'), schema: 'ferry' }), failing());
    expect(String(error)).toBe('Error: relation "analytics.orders" does not exist');
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBDestination } from './duckdb-destination.ts';
import { duckdbModule } from './duckdb-module.ts';

/**
 * DuckDB runs inside Ferry's process: destinations synced at once share the machine's cores, so
 * each one's DuckDB gets its share of them rather than a thread per core.
 */
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-duckdb-threads-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (name: string) => ({ id: name, type: 'duckdb' as const, path: join(dir, `${name}.duckdb`), schema: 'ferry' }) as never;

async function threadsOf(config: ReturnType<typeof duckdbModule.config>): Promise<number> {
  const destination = new DuckDBDestination(config);
  await destination.connect();
  try {
    const [[threads]] = (await destination.query(`SELECT current_setting('threads')`)) as [[unknown]];
    return Number(threads);
  } finally {
    await destination.close();
  }
}

describe('DuckDB threads', () => {
  it('gives each destination its share of the cores: cores / concurrency, at least one', () => {
    const cores = availableParallelism();
    expect(duckdbModule.config(entry('a'), undefined, { concurrency: 1 })).toMatchObject({ threads: cores });
    expect(duckdbModule.config(entry('a'), undefined, { concurrency: cores * 4 })).toMatchObject({ threads: 1 });
    expect(duckdbModule.config(entry('a'), undefined, { concurrency: 2 })).toMatchObject({ threads: Math.max(1, Math.floor(cores / 2)) });
    // Without a share (a connection check, the library used on its own): DuckDB's own default.
    expect(duckdbModule.config(entry('a'))).not.toHaveProperty('threads');
  });

  it("sets DuckDB's threads setting to that share when it opens the file", async () => {
    expect(await threadsOf({ ...duckdbModule.config(entry('one')), threads: 1 })).toBe(1);
    expect(await threadsOf({ ...duckdbModule.config(entry('two')), threads: 2 })).toBe(2);
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@ferry/test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStateStore } from './open-state-store.ts';
import { StateStoreError } from './state-store-error.ts';

describe('openStateStore with a DuckDB file', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-state-open-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the file and its folders', async () => {
    const file = join(dir, 'project', '.ferry', 'state.duckdb');
    const store = await openStateStore(file);
    await store.migrate();
    await store.close();
    expect((await stat(file)).isFile()).toBe(true);
  });

  it('uses the default file when no location is given', async () => {
    const file = join(dir, '.ferry', 'state.duckdb');
    const store = await openStateStore(undefined, { defaultFile: file });
    await store.migrate();
    await store.close();
    expect((await stat(file)).isFile()).toBe(true);
  });

  it('says which file is locked when another process holds it', async () => {
    const file = join(dir, 'state.duckdb');
    const holder = await holdDuckDbFile(file);
    try {
      const opening = openStateStore(file);
      await expect(opening).rejects.toThrow(StateStoreError);
      await expect(opening).rejects.toThrow(`The Ferry state file ${file} is locked by another process (PID ${holder.pid})`);
    } finally {
      holder.kill();
      await once(holder, 'exit');
    }
  });
});

describe('openStateStore', () => {
  it('opens an in-memory store for :memory:', async () => {
    const store = await openStateStore(':memory:');
    await store.migrate();
    await store.upsertDestination({ id: 'acme-duckdb', type: 'duckdb', tenant: 'acme' });
    expect(await store.listDestinations()).toEqual([{ id: 'acme-duckdb', type: 'duckdb', tenant: 'acme' }]);
    await store.close();
  });

  it('asks for FERRY_STATE_URL or a file when given neither', async () => {
    await expect(openStateStore(undefined)).rejects.toThrow(/No state store given: set FERRY_STATE_URL/);
    await expect(openStateStore('  ')).rejects.toThrow(/No state store given/);
  });

  it('rejects URLs of other engines without showing their password', async () => {
    const opening = openStateStore('mysql://ferry:hunter2-secret@db.example.com/ferry');
    await expect(opening).rejects.toThrow('Unsupported state store mysql://ferry:***@db.example.com/ferry: use a postgres:// URL');
    await expect(opening).rejects.not.toThrow(/hunter2/);
  });

  it('rejects a schema name that is not a plain lowercase identifier', async () => {
    await expect(openStateStore(':memory:', { schema: 'Ferry-State' })).rejects.toThrow(/Invalid state schema name "Ferry-State"/);
  });
});

/** A separate process holding `file` open, as a concurrent `ferry sync` would. */
async function holdDuckDbFile(file: string): Promise<ChildProcess> {
  const script = `
    import { DuckDBInstance } from '@duckdb/node-api';
    const instance = await DuckDBInstance.create(${JSON.stringify(file)});
    const connection = await instance.connect();
    await connection.run('CREATE TABLE held (id INTEGER)');
    console.log('holding');
    // The timer keeps both reachable: a collected instance closes the file and frees its lock.
    setInterval(() => [instance, connection], 60_000);`;
  // Run from the repository so the script resolves @duckdb/node-api from its node_modules.
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const [ready] = (await Promise.race([once(child.stdout!, 'data'), once(child, 'exit')])) as unknown[];
  if (ready === null || typeof ready === 'number') throw new Error(`The process meant to hold ${file} exited early (code ${String(ready)}).`);
  return child;
}

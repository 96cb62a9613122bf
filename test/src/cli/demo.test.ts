import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { exportModels, modelSql, type ExportModelName } from '@ferry/generated';
import { parse } from 'yaml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runFerry, snapshotTree } from '../index.ts';

/**
 * `ferry demo`, the first thing a new user runs: the whole loop on DuckDB with no servers must
 * succeed, verify every model of both sandbox destinations, and leave a ferry.yaml that
 * `ferry status` reads back.
 */
const MODELS = Object.keys(exportModels).sort() as ExportModelName[];

let dir: string;
let demo: Awaited<ReturnType<typeof runFerry>>;
let config: { destinations: { id: string; tenant: string; path: string; schema: string }[] };

beforeAll(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'ferry-demo-')), 'demo');
  demo = await runFerry(['demo', '--dir', dir, '--messages', '200']);
  config = parse(await readFile(join(dir, 'ferry.yaml'), 'utf8'));
});

afterAll(async () => {
  if (dir) await rm(join(dir, '..'), { recursive: true, force: true });
});

/** The verification table `ferry demo` prints: a header line, then one row per destination and model. */
function verificationTable(stdout: string): Record<string, string>[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => line.startsWith('DESTINATION '));
  expect(start, stdout).toBeGreaterThan(-1);
  const header = lines[start]!.split(/ {2,}/);
  const rows: Record<string, string>[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break;
    const cells = line.split(/ {2,}/);
    rows.push(Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])));
  }
  return rows;
}

it('succeeds, and its verification finds every model of both destinations equal to the tenant slice', () => {
  expect(demo.exitCode, demo.stderr).toBe(0);
  expect(config.destinations).toHaveLength(2);

  const rows = verificationTable(demo.stdout);
  const expected = config.destinations.flatMap((d) => MODELS.map((model) => `${d.id} ${d.tenant} ${model}`));
  expect(rows.map((r) => `${r.DESTINATION} ${r.TENANT} ${r.MODEL}`).sort()).toEqual(expected.sort());
  for (const row of rows) {
    expect(row.RESULT, `${row.DESTINATION} ${row.MODEL}`).toBe('equal');
    expect(Number(row['SOURCE ROWS']), `${row.DESTINATION} ${row.MODEL}`).toBeGreaterThan(0);
    expect(row['DESTINATION ROWS']).toBe(row['SOURCE ROWS']);
  }
  expect(demo.stdout.trimEnd().split('\n').at(-1)).toMatch(/^Done: both syncs succeeded and every destination equals its tenant's slice\./);
});

it('logs human lines even piped, one per model, destination and sync, and each verification', () => {
  const lines = demo.stderr.split('\n').filter((line) => line.trim() !== '');
  expect(
    lines.filter((line) => line.startsWith('{')),
    'no JSON log lines',
  ).toEqual([]);
  for (const { id } of config.destinations) {
    for (const model of MODELS) {
      // The backfill, then the incremental sync.
      expect(
        lines.filter((line) => line.startsWith(`  ✓ ${id} ${model} (`)),
        `${id} ${model}`,
      ).toHaveLength(2);
      // sync.verify is daily by default: the first sync verified each model.
      expect(
        lines.filter((line) => line.startsWith(`  ✓ ${id} ${model}: verified equal`)),
        `${id} ${model} verified`,
      ).toHaveLength(1);
    }
    expect(lines.filter((line) => line === `✓ ${id}: transfer succeeded`)).toHaveLength(2);
  }
  expect(lines.filter((line) => /^\s*[✗!]/.test(line))).toEqual([]);
});

interface StatusTransfer {
  destinationId: string;
  status: string;
  startedAt: string;
  models: { model: string; action: string; rowsInserted: number; rowsUpdated: number; rowsDeleted: number; error: string | null }[];
}

it('leaves a ferry.yaml that `ferry status --json` reads: both syncs of both destinations, and row counts that add up to the tables', async () => {
  const status = await runFerry(['status', '-c', join(dir, 'ferry.yaml'), '--json']);
  expect(status.exitCode, status.stderr).toBe(0);
  const transfers = JSON.parse(status.stdout) as StatusTransfer[];

  for (const destination of config.destinations) {
    const mine = transfers.filter((t) => t.destinationId === destination.id).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    expect(mine.map((t) => t.status)).toEqual(['succeeded', 'succeeded']);
    const [backfill, incremental] = mine as [StatusTransfer, StatusTransfer];
    expect(backfill.models.map((m) => `${m.model}:${m.action}`).sort()).toEqual(MODELS.map((m) => `${m}:create`));
    expect(incremental.models.map((m) => m.model).sort()).toEqual(MODELS);
    // The demo changed the source between the syncs, so the second one must have moved rows.
    expect(incremental.models.reduce((n, m) => n + m.rowsInserted + m.rowsUpdated + m.rowsDeleted, 0)).toBeGreaterThan(0);

    const counts = await tableCounts(join(dir, destination.path), destination.schema);
    for (const model of MODELS) {
      const reported = mine.flatMap((t) => t.models).filter((m) => m.model === model);
      for (const m of reported) expect(m.error).toBeNull();
      const net = reported.reduce((n, m) => n + m.rowsInserted - m.rowsDeleted, 0);
      expect(net, `${destination.id} ${model}: inserted minus deleted`).toBe(counts[model]);
    }
  }
});

/** Rows per model table in a destination DuckDB file, read directly rather than through Ferry. */
async function tableCounts(path: string, schema: string): Promise<Record<string, number>> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const counts: Record<string, number> = {};
    for (const model of MODELS) {
      const reader = await connection.runAndReadAll(`SELECT count(*) FROM "${schema}"."${modelSql.duckdb[model].table}"`);
      counts[model] = Number(reader.getRows()[0]![0]);
    }
    return counts;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

it('runs again in its own folder, but never replaces a folder it did not make', async () => {
  const again = await runFerry(['demo', '--dir', dir, '--messages', '20']);
  expect(again.exitCode, again.stderr).toBe(0);

  const mine = join(dir, '..', 'mine');
  await mkdir(mine);
  await writeFile(join(mine, 'notes.txt'), 'precious');
  const refused = await runFerry(['demo', '--dir', mine]);
  expect(refused.exitCode).toBe(1);
  expect(refused.stderr).toContain('holds files ferry demo did not write (notes.txt)');
  expect(await snapshotTree(mine)).toEqual({ 'notes.txt': 'precious' });

  // Files named like the demo's, in a folder the demo did not mark as its own, are the user's.
  const handWritten = join(dir, '..', 'hand-written');
  await mkdir(handWritten);
  await writeFile(join(handWritten, 'ferry.yaml'), 'source: {type: duckdb, path: mine.duckdb}\n');
  await writeFile(join(handWritten, 'state.duckdb'), 'not really');
  const kept = await runFerry(['demo', '--dir', handWritten]);
  expect(kept.exitCode).toBe(1);
  expect(kept.stderr).toContain('holds files ferry demo did not write (ferry.yaml, state.duckdb)');
  expect(await snapshotTree(handWritten)).toEqual({ 'ferry.yaml': 'source: {type: duckdb, path: mine.duckdb}\n', 'state.duckdb': 'not really' });

  // Bad numbers are refused before anything is touched.
  const empty = join(dir, '..', 'empty');
  const bad = await runFerry(['demo', '--dir', empty, '--tenants', '1']);
  expect(bad.exitCode).toBe(1);
  expect(bad.stderr).toContain("option '--tenants <count>' argument '1' is invalid. expected a whole number of at least 2.");
  await expect(readdir(empty)).rejects.toThrow(/ENOENT/);
});

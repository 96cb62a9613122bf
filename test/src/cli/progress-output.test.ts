import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createDestination, type DestinationConfig } from '@ferry/destinations';
import { catalog, exportModels, modelSql, type ExportModelName } from '@ferry/generated';
import { tenantId } from '@ferry/sample-data';
import { createSource } from '@ferry/sources';
import { openStateStore, type StateStore } from '@ferry/state';
import { syncAll, type DestinationResult, type DestinationTarget } from '@ferry/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createReporter } from '../../../apps/cli/src/output/reporter.ts';
import { buildSampleDuckDBSource } from '../index.ts';

/**
 * The progress `ferry sync` draws on a terminal. CI has no terminal, so the reporter writes to a
 * test double that says it is one and records every byte; the sync behind it is real (DuckDB
 * source and destination, a Postgres destination that refuses connections). The JSON logs of the
 * non-terminal mode are checked through the CLI in plan-status.test.ts and cli-errors.test.ts.
 */
const PASSWORD = 's3cr3t-hunter2-XYZ';
const MODELS = Object.keys(exportModels).sort() as ExportModelName[];
const SPINNER = /^ {2}[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] /;

let dir: string;
let state: StateStore;
let sourcePath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-progress-'));
  sourcePath = await buildSampleDuckDBSource(dir, { seed: 3, tenants: 1, messagesPerTenant: 80 });
  state = await openStateStore(join(dir, 'state.duckdb'));
  await state.migrate();
});

afterAll(async () => {
  await state?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A stand-in for a terminal on stderr: claims to be a TTY and keeps what is written to it. */
function recordingTtyStream(): { stream: NodeJS.WriteStream; written: () => string } {
  let text = '';
  const stream = {
    isTTY: true,
    columns: 120,
    write(chunk: string | Uint8Array) {
      text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    },
  };
  return { stream: stream as unknown as NodeJS.WriteStream, written: () => text };
}

/**
 * The lines left on screen once everything written has been applied: the reporter erases its
 * live lines with "cursor up n, clear to end" (ESC[nA ESC[J), and must never erase more than it drew.
 */
function finalScreen(written: string): string[] {
  const lines: string[] = [];
  for (const part of written.split(/(\x1b\[\d+A\x1b\[J)/)) {
    const erase = /^\x1b\[(\d+)A\x1b\[J$/.exec(part);
    if (erase) {
      const count = Number(erase[1]);
      expect(count, 'erases no more lines than are on screen').toBeLessThanOrEqual(lines.length);
      lines.splice(lines.length - count, count);
    } else if (part !== '') {
      expect(part.endsWith('\n'), `writes whole lines: ${JSON.stringify(part)}`).toBe(true);
      lines.push(...part.slice(0, -1).split('\n'));
    }
  }
  return lines;
}

function target(config: DestinationConfig, models: readonly string[]): DestinationTarget {
  return { id: config.id, tenant: tenantId(0), models, softDeletes: 'keep', open: () => createDestination(config) };
}

it('on a terminal: a live line per model while it runs, then one ✓ or ✗ line per model and destination, no password', async () => {
  const terminal = recordingTtyStream();
  const sandboxPath = join(dir, 'sandbox.duckdb');
  const results: DestinationResult[] = await syncAll(
    [
      target({ id: 'sandbox', type: 'duckdb', path: sandboxPath, schema: 'ferry' }, MODELS),
      target({ id: 'refused', type: 'postgres', url: `postgres://ferry:${PASSWORD}@127.0.0.1:1/analytics`, schema: 'ferry' }, ['messages']),
    ],
    () => createSource({ type: 'duckdb', path: sourcePath }),
    state,
    { catalog, fullRefresh: false, lookbackSeconds: 300, retry: { retries: 1, baseDelayMs: 10 }, concurrency: 2 },
    createReporter(terminal.stream),
  );
  expect(results.map((r) => [r.destinationId, r.status])).toEqual([
    ['sandbox', 'succeeded'],
    ['refused', 'failed'],
  ]);

  const written = terminal.written();
  expect(written).not.toContain(PASSWORD);
  // Not JSON: the terminal gets text for people.
  expect(written).not.toContain('"level"');
  const drawn = written.split(/\x1b\[\d+A\x1b\[J/).flatMap((part) => part.split('\n'));
  for (const model of MODELS) {
    expect(
      drawn.some((line) => SPINNER.test(line) && line.includes(` sandbox ${model} (create) `)),
      `live line for ${model}`,
    ).toBe(true);
  }
  // A backfill knows its total: rows read against it, and the share done.
  expect(
    drawn.some((line) => SPINNER.test(line) && / of [\d,]+ rows \(\d+%\)/.test(line)),
    'a live line with rows of a total',
  ).toBe(true);

  const screen = finalScreen(written);
  expect(
    screen.filter((line) => SPINNER.test(line)),
    'no live line is left behind',
  ).toEqual([]);
  const counts = await tableCounts(sandboxPath);
  expect(screen.filter((line) => line.includes(' sandbox'))).toEqual([
    ...MODELS.map((model) => expect.stringMatching(new RegExp(`^ {2}✓ sandbox ${model} \\(create\\): \\+${counts[model]} ~0 -0 rows, \\d`))),
    '✓ sandbox: transfer succeeded',
  ]);
  expect(screen.filter((line) => line.includes('refused'))).toEqual([
    expect.stringMatching(/^! refused: .*ECONNREFUSED.* — retry 1 in \d+ ms$/),
    expect.stringMatching(/^ {2}✗ refused messages: destination "refused" \(postgres\): .*127\.0\.0\.1:1/),
    '✗ refused: 1 of 1 model(s) failed: messages',
  ]);
});

async function tableCounts(path: string): Promise<Record<string, number>> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const counts: Record<string, number> = {};
    for (const model of MODELS) {
      const reader = await connection.runAndReadAll(`SELECT count(*) FROM ferry."${modelSql.duckdb[model].table}"`);
      counts[model] = Number(reader.getRows()[0]![0]);
    }
    return counts;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

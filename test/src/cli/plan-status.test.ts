import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { exportModels, modelSql, type ExportModelName } from '@ferry/generated';
import { tenantId } from '@ferry/sample-data';
import type { ExportModelSpec } from '@ferry/schema';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_PROJECT, buildSampleDuckDBSource, createTempDatabase, parseLogLines, runFerry, type TempDatabase } from '../index.ts';

/**
 * `ferry plan`, `ferry sync` and `ferry status` on one configuration, through the real CLI: the
 * plan before the first sync, the sync, and what plan and status say afterwards.
 */
const MODELS = Object.keys(exportModels).sort() as ExportModelName[];
const SCHEMA = 'ferry_plan';
const DESTINATIONS = ['sandbox-duckdb', 'acme-postgres'];

let dir: string;
let destinationDb: TempDatabase;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-plan-status-'));
  const sourcePath = await buildSampleDuckDBSource(dir, { seed: 5, tenants: 2, messagesPerTenant: 80 });
  destinationDb = await createTempDatabase('ferry_cli_plan');
  const config = {
    project: EXAMPLE_PROJECT,
    source: { type: 'duckdb', path: basename(sourcePath) },
    sync: { retries: 0 },
    products: { everything: MODELS },
    destinations: [
      { id: DESTINATIONS[0], tenant: tenantId(0), product: 'everything', type: 'duckdb', path: 'sandbox.duckdb', schema: SCHEMA },
      { id: DESTINATIONS[1], tenant: tenantId(1), product: 'everything', type: 'postgres', url: destinationDb.url, schema: SCHEMA },
    ],
  };
  await writeFile(join(dir, 'ferry.yaml'), stringify(config));
});

afterAll(async () => {
  await destinationDb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ferry = (...args: string[]) => runFerry([...args, '-c', 'ferry.yaml'], { cwd: dir });

/** `ferry plan`'s table as `destination model action why` rows. */
function planRows(stdout: string): { destination: string; model: string; action: string; why: string }[] {
  const [header, ...lines] = stdout.trimEnd().split('\n');
  expect(header?.split(/ {2,}/)).toEqual(['DESTINATION', 'MODEL', 'ACTION', 'WHY']);
  return lines.map((line) => {
    const [destination = '', model = '', action = '', why = ''] = line.split(/ {2,}/);
    return { destination, model, action, why };
  });
}

async function postgresTables(): Promise<string[]> {
  const result = await destinationDb.client.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> '_ferry_tables'",
    [SCHEMA],
  );
  return result.rows.map((r) => r.table_name);
}

async function duckdbTables(): Promise<string[]> {
  const path = join(dir, 'sandbox.duckdb');
  if (!existsSync(path)) return [];
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll("SELECT table_name FROM duckdb_tables() WHERE table_name <> '_ferry_tables'"))
      .getRows()
      .map((r) => String(r[0]));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('before the first sync', () => {
  it('plan: create, for every model of every destination, and no table is made', async () => {
    const plan = await ferry('plan');
    expect(plan.exitCode, plan.stderr).toBe(0);
    const rows = planRows(plan.stdout);
    expect(rows.map((r) => `${r.destination} ${r.model}`).sort()).toEqual(DESTINATIONS.flatMap((d) => MODELS.map((m) => `${d} ${m}`)).sort());
    for (const row of rows) expect([row.action, row.why], `${row.destination} ${row.model}`).toEqual(['create', 'first sync: backfill']);
    expect(await postgresTables()).toEqual([]);
    // Plan only looks: no DuckDB destination file, no state file.
    expect(existsSync(join(dir, 'sandbox.duckdb'))).toBe(false);
    expect(existsSync(join(dir, '.ferry'))).toBe(false);
  });

  it('status: no transfers yet', async () => {
    const status = await ferry('status');
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toBe('No transfers yet. Run `ferry sync`.\n\nNo verifications yet. Run `ferry verify`, or set sync.verify in ferry.yaml.');
    const json = await ferry('status', '--json');
    expect(JSON.parse(json.stdout)).toEqual([]);
    expect(existsSync(join(dir, '.ferry'))).toBe(false);
  });
});

describe('after a sync', () => {
  let sync: Awaited<ReturnType<typeof runFerry>>;
  beforeAll(async () => {
    sync = await ferry('sync');
  });

  it('sync: exit 0, every destination synced, progress as JSON lines on a non-terminal stderr', async () => {
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(sync.stdout).toBe(`${DESTINATIONS.length} of ${DESTINATIONS.length} destination(s) synced.`);
    const logs = parseLogLines(sync.stderr);
    for (const destination of DESTINATIONS) {
      const mine = logs.filter((l) => l.destination === destination);
      expect(mine[0]?.event).toBe('transfer.started');
      expect(mine.at(-1)).toMatchObject({ event: 'transfer.finished', status: 'succeeded', level: 30 });
      const started = mine.filter((l) => l.event === 'model.started');
      expect(started.map((l) => [l.model, l.action])).toEqual(MODELS.map((m) => [m, 'create']));
      const finished = mine.filter((l) => l.event === 'model.finished');
      expect(finished.map((l) => l.model)).toEqual(MODELS);
      for (const line of finished) expect(line.rowsInserted as number, `${destination} ${line.model}`).toBeGreaterThan(0);
    }
    expect((await postgresTables()).length).toBe(MODELS.length);
    expect((await duckdbTables()).length).toBe(MODELS.length);
  });

  it('plan: incremental from the watermark for models with a cursor, full-merge for those without', async () => {
    const plan = await ferry('plan');
    expect(plan.exitCode, plan.stderr).toBe(0);
    const rows = planRows(plan.stdout);
    expect(rows).toHaveLength(DESTINATIONS.length * MODELS.length);
    for (const row of rows) {
      const spec: ExportModelSpec = exportModels[row.model as ExportModelName];
      if (spec.cursor) {
        expect(row.action, row.model).toBe('incremental');
        expect(row.why, row.model).toMatch(/^rows changed since \d{4}-\d{2}-\d{2}/);
      } else {
        expect([row.action, row.why], row.model).toEqual(['full-merge', 'no cursor: comparing the whole slice']);
      }
    }
    // Both kinds occur, or this test would not cover what it says.
    expect(new Set(rows.map((r) => r.action))).toEqual(new Set(['incremental', 'full-merge']));
  });

  it('plan honours --destination, --model and --full-refresh, and names a destination that does not exist', async () => {
    const plan = await ferry('plan', '-d', 'acme-postgres', '-m', 'messages', '--full-refresh');
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(planRows(plan.stdout)).toEqual([{ destination: 'acme-postgres', model: 'messages', action: 'rebuild', why: 'full refresh requested' }]);

    const unknown = await ferry('plan', '-d', 'acme');
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toBe(`error: no destination "acme" in ferry.yaml (destinations: ${DESTINATIONS.join(', ')})`);
  });

  it('status: the transfer of each destination, per model, as a table and as JSON', async () => {
    const table = await ferry('status');
    expect(table.exitCode, table.stderr).toBe(0);
    const [transferTable = '', verifications = ''] = table.stdout.split('\n\n');
    const lines = transferTable.split('\n');
    expect(lines[0]).toMatch(/^STARTED +DESTINATION +STATUS +MODEL +ACTION +\+INS +~UPD +-DEL +BYTES +TIME +LAG +NOTES$/);
    for (const destination of DESTINATIONS) {
      const mine = lines.filter((line) => line.split(/ {2,}/)[1] === destination);
      // A model whose table is named otherwise (daily_channel_engagement's is daily_engagement) shows both names.
      const shown = (m: ExportModelName) => (exportModels[m].destinationName === m ? m : `${m} (table ${exportModels[m].destinationName})`);
      expect(mine.map((line) => line.split(/ {2,}/).slice(2, 5))).toEqual(MODELS.map((m) => ['succeeded', shown(m), 'create']));
    }
    expect(transferTable).toContain('daily_channel_engagement (table daily_engagement)');
    // sync.verify is daily by default: the first sync verified every model it wrote.
    const verified = verifications.split('\n').slice(2);
    expect(verifications.split('\n')[1]).toMatch(/^VERIFIED AT +DESTINATION +MODEL +RESULT +SOURCE ROWS +DEST ROWS +TIME +DETAILS$/);
    for (const destination of DESTINATIONS) {
      const mine = verified.filter((line) => line.split(/ {2,}/)[1] === destination);
      expect(mine.map((line) => line.split(/ {2,}/).slice(2, 4))).toEqual([...MODELS].sort().map((m) => [m, 'equal']));
    }

    const json = await ferry('status', '--json', '-d', 'acme-postgres');
    expect(json.exitCode, json.stderr).toBe(0);
    const transfers = JSON.parse(json.stdout) as { destinationId: string; status: string; models: { model: string; rowsInserted: number }[] }[];
    expect(transfers.map((t) => [t.destinationId, t.status])).toEqual([['acme-postgres', 'succeeded']]);
    const inserted = Object.fromEntries(transfers[0]!.models.map((m) => [m.model, m.rowsInserted]));
    for (const model of MODELS) {
      const table = (await destinationDb.client.query(`SELECT count(*)::int AS n FROM ${SCHEMA}."${modelSql.postgres[model].table}"`)).rows[0].n;
      expect(inserted[model], model).toBe(table);
    }
  });
});

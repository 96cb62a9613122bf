import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { exportModels } from '@ferry/generated';
import { tenantId } from '@ferry/sample-data';
import { openStateStore, type ManagedDestination, type StateStore, type Transfer } from '@ferry/state';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { destinationSchema, type DestinationConfigEntry, type Schedule } from '../../../apps/cli/src/config/schema.ts';
import { isDue, scheduledDestinations } from '../../../apps/cli/src/control-plane/schedules.ts';
import { Scheduler } from '../../../apps/cli/src/serve/scheduler.ts';
import { loadConfig } from '../../../apps/cli/src/config/load.ts';
import { withManagedDestinations } from '../../../apps/cli/src/control-plane/managed-destinations.ts';
import { ServerMetrics } from '../../../apps/cli/src/serve/metrics.ts';
import { TransferRunner } from '../../../apps/cli/src/serve/transfers.ts';
import {
  EXAMPLE_PROJECT,
  buildSampleDuckDBSource,
  createTempDatabase,
  parseLogLines,
  runFerry,
  startFerryServer,
  type FerryServerProcess,
  type TempDatabase,
} from '../index.ts';

/**
 * Schedules: the scheduler `ferry serve` runs (in process, with a clock the test moves), `ferry
 * sync --due` (what cron runs instead), two `ferry serve` processes sharing one state store,
 * where each due destination must be synced once, by one of them, and the real scheduler and
 * runner when another runner syncs a destination between the due check and the start.
 */

const MODELS = Object.keys(exportModels).sort();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

// ---------------------------------------------------------------------------------------------
// (a) The Scheduler in process: real state store, real schedule arithmetic, a recording runner.
// ---------------------------------------------------------------------------------------------

/**
 * A runner double with the two members the Scheduler uses (`running`, `start`). Like
 * TransferRunner it refuses a destination it is syncing already, records each transfer's start in
 * the state store (what schedules count from) before `start` resolves, and keeps the transfer
 * running until the test calls `finish`.
 */
class RecordingRunnerDouble {
  /** Each start, in order. */
  readonly starts: string[] = [];
  /** The most transfers that ran at once. */
  maxRunning = 0;
  /** Destinations whose start fails, as one whose lease another process holds does. */
  readonly refused = new Set<string>();
  readonly #inFlight = new Map<string, { finish: () => void; finished: Promise<void> }>();
  readonly #state: StateStore;

  constructor(state: StateStore) {
    this.#state = state;
  }

  get running(): readonly string[] {
    return [...this.#inFlight.keys()];
  }

  async start(id: string): Promise<{ transferId: string }> {
    if (this.#inFlight.has(id)) throw new Error(`destination "${id}" is syncing already`);
    if (this.refused.has(id)) throw new Error(`destination "${id}" is being synced by another ferry process`);
    let finish!: () => void;
    const release = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const transferId = this.#state.startTransfer(id);
    const finished = release.then(async () => {
      await this.#state.finishTransfer(await transferId, 'succeeded');
      this.#inFlight.delete(id);
    });
    this.#inFlight.set(id, { finish, finished });
    this.maxRunning = Math.max(this.maxRunning, this.#inFlight.size);
    this.starts.push(id);
    return { transferId: await transferId };
  }

  /** Lets a running transfer finish, and waits until it has. */
  async finish(id: string): Promise<void> {
    const transfer = this.#inFlight.get(id);
    if (!transfer) throw new Error(`${id} is not running`);
    transfer.finish();
    await transfer.finished;
  }

  async finishAll(): Promise<void> {
    await Promise.all(this.running.map((id) => this.finish(id)));
  }

  startsOf(id: string): number {
    return this.starts.filter((started) => started === id).length;
  }

  asTransferRunner(): TransferRunner {
    return this as unknown as TransferRunner;
  }
}

function destination(id: string, schedule: Schedule): DestinationConfigEntry {
  return destinationSchema.parse({
    id,
    tenant: `tenant_${id}`,
    type: 'duckdb',
    path: `${id}.duckdb`,
    schema: 'ferry',
    models: [MODELS[0]],
    schedule,
  });
}

describe('the scheduler, in process with a fake clock', () => {
  let state: StateStore;
  let runner: RecordingRunnerDouble;
  let clock: Date;
  let destinations: DestinationConfigEntry[];
  let dueCalls: number;
  const errors: string[] = [];

  /** What `ferry serve` passes as `due`: the destinations' schedules, pauses and last starts, from the state store. */
  async function due(now: Date): Promise<string[]> {
    dueCalls += 1;
    const managed = new Map((await state.controlPlane.listDestinations()).map((d): [string, ManagedDestination] => [d.id, d]));
    const scheduled = await scheduledDestinations(destinations, managed, state);
    return [...scheduled].filter(([, s]) => isDue(s, now)).map(([id]) => id);
  }

  function scheduler(concurrency: number): Scheduler {
    return new Scheduler({ runner: runner.asTransferRunner(), due, now: () => clock, concurrency, onError: (error) => errors.push(error.message) });
  }

  /** When the destination's last transfer started, as the state store (its clock) recorded it. */
  async function lastStart(id: string): Promise<number> {
    const started = (await state.controlPlane.lastTransferStarts()).get(id);
    if (!started) throw new Error(`${id} never started`);
    return started.getTime();
  }

  beforeEach(async () => {
    state = await openStateStore(':memory:');
    await state.migrate();
    runner = new RecordingRunnerDouble(state);
    // The state store stamps starts with its own (real) clock: the fake one starts there, and tests set it from the starts recorded.
    clock = new Date();
    dueCalls = 0;
    errors.length = 0;
  });

  afterEach(async () => {
    await runner.finishAll();
    await state.close();
  });

  it('starts each due destination once per tick; never a manual or a paused one', async () => {
    destinations = [destination('hourly', '1h'), destination('manual', 'manual'), destination('paused', '1h'), destination('quarter', '15m')];
    // A destination created through the API, paused there.
    await state.controlPlane.createDestination({ id: 'paused', recipientId: 'acme', entry: { type: 'duckdb' }, schedule: '1h' });
    await state.controlPlane.setPaused('paused', true);
    const ticker = scheduler(10);

    expect(await ticker.tick()).toEqual(['hourly', 'quarter']);
    // Still running: not started again. Two ticks at once are one tick.
    const [first, second] = await Promise.all([ticker.tick(), ticker.tick()]);
    expect(first).toEqual([]);
    expect(second).toBe(first);
    expect(dueCalls).toBe(2);
    await runner.finishAll();
    // Finished, but just started: not due.
    expect(await ticker.tick()).toEqual([]);

    // Much later: both due again; manual and paused still not.
    clock = new Date(clock.getTime() + 30 * 24 * HOUR);
    expect(await ticker.tick()).toEqual(['hourly', 'quarter']);
    await runner.finishAll();
    // The state store stamps starts with its own (real) clock: the fake one is set from them.
    clock = new Date((await lastStart('quarter')) + 15 * MINUTE);
    expect(await ticker.tick()).toEqual(['quarter']);
    expect(runner.startsOf('manual')).toBe(0);
    expect(runner.startsOf('paused')).toBe(0);
    expect(errors).toEqual([]);

    // Resumed, it is due at once (it never ran); quarter is still running, hourly not due yet.
    await state.controlPlane.setPaused('paused', false);
    expect(await ticker.tick()).toEqual(['paused']);
    expect(runner.starts).toEqual(['hourly', 'quarter', 'hourly', 'quarter', 'quarter', 'paused']);
  });

  it('does not start a destination still running past its interval again; it starts once that transfer has finished', async () => {
    destinations = [destination('quarter', '15m')];
    const ticker = scheduler(4);
    expect(await ticker.tick()).toEqual(['quarter']);
    const started = await lastStart('quarter');

    clock = new Date(started + 16 * MINUTE);
    expect(await due(clock)).toEqual(['quarter']);
    expect(await ticker.tick()).toEqual([]);
    clock = new Date(started + 45 * MINUTE);
    expect(await ticker.tick()).toEqual([]);
    expect(runner.startsOf('quarter')).toBe(1);
    expect(errors).toEqual([]);

    await runner.finish('quarter');
    expect(await ticker.tick()).toEqual(['quarter']);
    expect(runner.startsOf('quarter')).toBe(2);
  });

  it('runs no more than `concurrency` transfers at once, counting those started otherwise (the API)', async () => {
    destinations = ['d1', 'd2', 'd3', 'd4', 'd5'].map((id) => destination(id, '15m'));
    const ticker = scheduler(2);

    expect(await ticker.tick()).toEqual(['d1', 'd2']);
    expect(await ticker.tick()).toEqual([]);
    await runner.finish('d1');
    expect(await ticker.tick()).toEqual(['d3']);
    await runner.finishAll();
    // A transfer triggered through the API takes a slot too.
    await runner.start('d5');
    expect(await ticker.tick()).toEqual(['d4']);
    expect(await ticker.tick()).toEqual([]);
    await runner.finishAll();
    expect(await ticker.tick()).toEqual([]);

    expect(runner.starts).toEqual(['d1', 'd2', 'd3', 'd5', 'd4']);
    expect(runner.maxRunning).toBe(2);
  });

  it('reports a start that fails (another process syncs it) and still starts the others', async () => {
    destinations = ['d1', 'd2', 'd3'].map((id) => destination(id, '1h'));
    runner.refused.add('d1');
    const ticker = scheduler(4);
    expect(await ticker.tick()).toEqual(['d2', 'd3']);
    expect(errors).toEqual(['destination "d1" is being synced by another ferry process']);
    // Still due at the next tick (it has not run): tried again.
    runner.refused.clear();
    expect(await ticker.tick()).toEqual(['d1']);
  });

  it.each([
    ['15m', 15 * MINUTE],
    ['1h', HOUR],
    ['6h', 6 * HOUR],
    ['12h', 12 * HOUR],
    ['24h', 24 * HOUR],
  ] as const)(
    'makes a %s destination due again once the clock reaches its interval from the last start, not a millisecond before',
    async (schedule, interval) => {
      destinations = [destination('scheduled', schedule)];
      const ticker = scheduler(4);
      expect(await ticker.tick()).toEqual(['scheduled']);
      await runner.finish('scheduled');
      const first = await lastStart('scheduled');

      clock = new Date(first + interval - 1);
      expect(await ticker.tick()).toEqual([]);
      clock = new Date(first + interval);
      expect(await ticker.tick()).toEqual(['scheduled']);
      await runner.finish('scheduled');
      // Counted from the new start now.
      expect(await lastStart('scheduled')).toBeGreaterThan(first);
      expect(await ticker.tick()).toEqual([]);
      expect(runner.startsOf('scheduled')).toBe(2);
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Shared by (b) and (c): a DuckDB source with every export model, in a scratch folder.
// ---------------------------------------------------------------------------------------------

function ferryConfig(sourcePath: string, destinations: Record<string, unknown>[]) {
  return {
    project: EXAMPLE_PROJECT,
    source: { type: 'duckdb', path: basename(sourcePath) },
    sync: { retries: 0, verify: 'never' },
    products: { everything: MODELS },
    destinations,
  };
}

async function transfersIn(location: string): Promise<Transfer[]> {
  const store = await openStateStore(location);
  try {
    await store.migrate();
    return await store.recentTransfers({ limit: 500 });
  } finally {
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// (b) `ferry sync --due`, through the built CLI.
// ---------------------------------------------------------------------------------------------

describe('ferry sync --due', () => {
  let dir: string;
  const MANUAL = 'acme-manual';
  const HOURLY = 'acme-hourly';
  // An empty FERRY_STATE_URL counts as unset: the state is the workspace's DuckDB file, whatever the environment says.
  const ferry = (...args: string[]) => runFerry([...args, '-c', 'ferry.yaml'], { cwd: dir, env: { FERRY_STATE_URL: '' } });
  const stateFile = () => join(dir, '.ferry', 'state.duckdb');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-sync-due-'));
    const sourcePath = await buildSampleDuckDBSource(dir, { seed: 7, tenants: 2, messagesPerTenant: 20 });
    const config = ferryConfig(sourcePath, [
      { id: MANUAL, tenant: tenantId(0), product: 'everything', type: 'duckdb', path: 'manual.duckdb', schema: 'ferry', schedule: 'manual' },
      { id: HOURLY, tenant: tenantId(1), product: 'everything', type: 'duckdb', path: 'hourly.duckdb', schema: 'ferry', schedule: '1h' },
    ]);
    await writeFile(join(dir, 'ferry.yaml'), stringify(config));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('syncs only the destinations due: the 1h one (never synced), not the manual one', async () => {
    const sync = await ferry('sync', '--due');
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(sync.stdout).toBe('1 of 1 destination(s) synced.');
    const logs = parseLogLines(sync.stderr);
    expect(new Set(logs.map((line) => line.destination).filter(Boolean))).toEqual(new Set([HOURLY]));
    expect(logs.find((line) => line.event === 'transfer.finished')).toMatchObject({ destination: HOURLY, status: 'succeeded' });

    const transfers = await transfersIn(stateFile());
    expect(transfers.map((t) => [t.destinationId, t.status])).toEqual([[HOURLY, 'succeeded']]);
    expect(transfers[0]!.models.map((m) => m.model)).toEqual(MODELS);
    expect(existsSync(join(dir, 'hourly.duckdb'))).toBe(true);
    expect(existsSync(join(dir, 'manual.duckdb'))).toBe(false);
  });

  it('run again at once: nothing is due, it says so and exits 0', async () => {
    const sync = await ferry('sync', '--due');
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(sync.stdout).toBe('No destination is due.');
    expect(await transfersIn(stateFile())).toHaveLength(1);
  });

  it('refuses --due with -d (exit 1), syncing nothing', async () => {
    const sync = await ferry('sync', '--due', '-d', HOURLY);
    expect(sync.exitCode).toBe(1);
    expect(sync.stderr).toMatch(/--due picks destinations by their schedules: leave out -d/);
    expect(sync.stdout).toBe('');
    expect(await transfersIn(stateFile())).toHaveLength(1);
  });

  it('a manual destination syncs when named, and is still never due', async () => {
    const named = await ferry('sync', '-d', MANUAL);
    expect(named.exitCode, named.stderr).toBe(0);
    expect(named.stdout).toBe('1 of 1 destination(s) synced.');
    const due = await ferry('sync', '--due');
    expect(due.exitCode, due.stderr).toBe(0);
    expect(due.stdout).toBe('No destination is due.');
    expect((await transfersIn(stateFile())).map((t) => [t.destinationId, t.status])).toEqual([
      [MANUAL, 'succeeded'],
      [HOURLY, 'succeeded'],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// (c) Two `ferry serve` processes on one Postgres state store.
// ---------------------------------------------------------------------------------------------

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('two ferry serve processes sharing a Postgres state store', () => {
  const DESTINATIONS = ['acme-quarter', 'globex-quarter'];
  const EXTERNAL_HOLDER = 'schedules-test';
  let dir: string;
  let stateDb: TempDatabase;
  let env: Record<string, string>;
  const servers: FerryServerProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-serve-schedules-'));
    const sourcePath = await buildSampleDuckDBSource(dir, { seed: 9, tenants: 2, messagesPerTenant: 20 });
    const config = ferryConfig(
      sourcePath,
      DESTINATIONS.map((id, i) => ({
        id,
        tenant: tenantId(i),
        product: 'everything',
        type: 'duckdb',
        path: `${id}.duckdb`,
        schema: 'ferry',
        schedule: '15m',
      })),
    );
    await writeFile(join(dir, 'ferry.yaml'), stringify(config));
    stateDb = await createTempDatabase('ferry_serve_schedules');
    env = { FERRY_STATE_URL: stateDb.url, FERRY_LOG_FORMAT: 'json' };
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop('SIGKILL')));
    await stateDb?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('syncs each due destination exactly once, by one server: both see it due, the lease lets one run it', async () => {
    // Leases held by a third party while the servers start: both servers see both destinations due,
    // tick after tick, and are refused; released, the two servers race for each destination.
    const store = await openStateStore(stateDb.url);
    try {
      await store.migrate();
      for (const id of DESTINATIONS) expect(await store.acquireLease(id, EXTERNAL_HOLDER, 120)).toBeUndefined();

      servers.push(...(await Promise.all([0, 1].map(() => startFerryServer({ configFile: 'ferry.yaml', cwd: dir, env, args: ['--tick', '1'] })))));
      const refusals = (server: FerryServerProcess, id: string) =>
        server
          .logs()
          .filter((line) => line.msg === 'scheduler' && String(line.error).includes(`destination "${id}" is being synced by another ferry process`));
      await waitFor(
        'both servers to find both destinations due and leased',
        () => servers.every((s) => DESTINATIONS.every((id) => refusals(s, id).length > 0)),
        60_000,
      );
      expect(await store.recentTransfers()).toEqual([]);

      for (const id of DESTINATIONS) await store.releaseLease(id, EXTERNAL_HOLDER);
      await new Promise((resolve) => setTimeout(resolve, 8_000));
    } finally {
      await store.close();
    }
    const exits = await Promise.all(servers.map((server) => server.stop('SIGTERM')));
    expect(exits, servers.map((s) => s.stderr()).join('\n---\n')).toEqual([
      { exitCode: 0, signal: undefined },
      { exitCode: 0, signal: undefined },
    ]);

    const transfers = await transfersIn(stateDb.url);
    const why = JSON.stringify(
      transfers.map((t) => [t.destinationId, t.status, t.startedAt, t.finishedAt, t.error]),
      null,
      1,
    );
    for (const id of DESTINATIONS) {
      const mine = transfers.filter((t) => t.destinationId === id).toSorted((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
      expect(
        mine.filter((t) => t.status === 'succeeded'),
        `${id}: ${why}`,
      ).toHaveLength(1);
      expect(
        mine.filter((t) => t.status === 'running'),
        why,
      ).toEqual([]);
      for (let i = 1; i < mine.length; i++) {
        expect(mine[i - 1]!.finishedAt!.getTime(), `${id}: transfers overlap: ${why}`).toBeLessThanOrEqual(mine[i]!.startedAt.getTime());
      }
    }
    // Each transfer was run by one server: its reporter logged the start, the other's did not.
    const startedBy = servers.map((server) => server.logs().filter((line) => line.event === 'transfer.started'));
    for (const id of DESTINATIONS) {
      expect(
        startedBy.flat().filter((line) => line.destination === id),
        `${id}: ${why}`,
      ).toHaveLength(1);
    }
  });

  it('stops gracefully on a first SIGINT too, like on SIGTERM (exit 0, not 130)', async () => {
    const server = await startFerryServer({ configFile: 'ferry.yaml', cwd: dir, env, args: ['--no-scheduler'] });
    servers.push(server);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await server.stop('SIGINT'), server.stderr()).toEqual({ exitCode: 0, signal: undefined });
    expect(server.logs().filter((line) => line.msg === 'stopping')).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// (d) The real Scheduler and TransferRunner, racing another runner between the due check and the start.
// ---------------------------------------------------------------------------------------------

describe("ferry serve's scheduler, when another runner syncs a destination it found due", () => {
  const ID = 'acme-quarter';
  let dir: string;
  let stateDb: TempDatabase;
  let state: StateStore | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-serve-recheck-'));
    const sourcePath = await buildSampleDuckDBSource(dir, { seed: 3, tenants: 1, messagesPerTenant: 10 });
    const config = ferryConfig(sourcePath, [
      { id: ID, tenant: tenantId(0), product: 'everything', type: 'duckdb', path: `${ID}.duckdb`, schema: 'ferry', schedule: '15m' },
    ]);
    await writeFile(join(dir, 'ferry.yaml'), stringify(config));
    stateDb = await createTempDatabase('ferry_serve_recheck');
  });

  afterAll(async () => {
    await state?.close();
    await stateDb?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('does not sync it again right after (its schedule counts from that transfer)', async () => {
    const configFile = join(dir, 'ferry.yaml');
    const env = { ...process.env, FERRY_STATE_URL: stateDb.url, FERRY_LOG_FORMAT: 'json' };
    state = await openStateStore(stateDb.url);
    await state.migrate();
    const runner = new TransferRunner({ configFile, state, env, metrics: new ServerMetrics(state), events: {} });
    const errors: string[] = [];
    let raced = false;
    const scheduler = new Scheduler({
      runner,
      now: () => new Date(),
      concurrency: 4,
      onError: (error) => errors.push(error.message),
      // What `ferry serve` computes; then, before the scheduler starts what it found, another
      // runner (a second server, cron's `ferry sync --due`, a `ferry sync -d`) syncs the destination.
      async due(now) {
        const combined = await withManagedDestinations(await loadConfig(configFile, env), state!);
        const scheduled = await scheduledDestinations(combined.destinations, combined.controlPlane.managed, state!);
        const due = [...scheduled].filter(([, s]) => isDue(s, now)).map(([id]) => id);
        if (!raced) {
          raced = true;
          const other = await runFerry(['sync', '-d', ID, '-c', 'ferry.yaml'], { cwd: dir, env: { FERRY_STATE_URL: stateDb.url } });
          expect(other.exitCode, other.stderr).toBe(0);
        }
        return due;
      },
    });

    const started = await scheduler.tick().catch((error: Error) => [`tick failed: ${error.message}`]);
    await runner.drain();
    const transfers = await state.recentTransfers({ destinationId: ID });
    expect(raced).toBe(true);
    expect(
      transfers.map((t) => [t.status, t.startedAt.toISOString()]),
      `the scheduler started ${JSON.stringify(started)} seconds after another runner's transfer ${errors.join('; ')}`,
    ).toHaveLength(1);
    expect(transfers[0]!.status).toBe('succeeded');
  });
});

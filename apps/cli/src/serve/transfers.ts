import type { StateStore } from '@ferry/state';
import type { DestinationResult, SyncEvents } from '@ferry/sync';
import type { ServerMetrics } from './metrics.ts';
import { ApiError } from './route.ts';

/** A transfer the server started: its id once the engine recorded it, and its end. */
export interface StartedTransfer {
  readonly transferId: string;
  readonly done: Promise<DestinationResult>;
}

/**
 * Runs the server's transfers, one destination at a time each: a destination already syncing in
 * this server is refused (409), and the lease in the state store refuses one that another
 * server or a CLI run is syncing. Each transfer loads ferry.yaml and the catalog afresh, so a
 * change deployed while the server runs is picked up by the next transfer.
 */
export class TransferRunner {
  readonly #running = new Map<string, Promise<DestinationResult>>();
  readonly #configFile: string;
  readonly #state: StateStore;
  readonly #env: NodeJS.ProcessEnv;
  readonly #metrics: ServerMetrics;
  readonly #events: SyncEvents;

  constructor(options: { configFile: string; state: StateStore; env: NodeJS.ProcessEnv; metrics: ServerMetrics; events: SyncEvents }) {
    this.#configFile = options.configFile;
    this.#state = options.state;
    this.#env = options.env;
    this.#metrics = options.metrics;
    this.#events = options.events;
  }

  get running(): readonly string[] {
    return [...this.#running.keys()];
  }

  /** Every transfer this server runs, settled: for a clean shutdown. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#running.values()]);
  }

  /**
   * Starts a transfer of one destination; resolves once the engine has recorded it.
   * @throws ApiError 409 when the destination is syncing already (here, or elsewhere by its lease), or cannot start
   */
  async start(destinationId: string, options: { readonly stillDue?: () => Promise<boolean> } = {}): Promise<StartedTransfer> {
    if (this.#running.has(destinationId))
      throw new ApiError(409, `destination "${destinationId}" is syncing already: wait for that transfer to finish`);
    let started!: (transferId: string | null) => void;
    const transferId = new Promise<string | null>((resolve) => {
      started = resolve;
    });
    const startedAt = performance.now();
    this.#metrics.transferStarted();
    const done = this.#run(destinationId, started, options.stillDue).then(
      (result) => {
        this.#metrics.transferFinished(result, (performance.now() - startedAt) / 1000);
        return result;
      },
      (error: Error): DestinationResult => {
        const result: DestinationResult = { destinationId, transferId: null, status: 'failed', models: [], verifications: [], error: error.message };
        this.#metrics.transferFinished(result, (performance.now() - startedAt) / 1000);
        return result;
      },
    );
    this.#running.set(destinationId, done);
    void done.finally(() => {
      this.#running.delete(destinationId);
      started(null);
    });
    const id = await transferId;
    if (id === null) {
      const result = await done;
      throw new ApiError(409, `destination "${destinationId}" could not start a transfer: ${result.error ?? 'unknown reason'}`);
    }
    return { transferId: id, done };
  }

  async #run(destinationId: string, started: (transferId: string) => void, stillDue?: () => Promise<boolean>): Promise<DestinationResult> {
    const [{ syncAll }, { loadConfig }, { openRuntime }] = await Promise.all([
      import('@ferry/sync'),
      import('../config/load.ts'),
      import('../runtime.ts'),
    ]);
    const runtime = await openRuntime(await loadConfig(this.#configFile, this.#env), { destination: destinationId }, this.#env, {
      state: this.#state,
    });
    try {
      const events: SyncEvents = {
        ...this.#events,
        destinationStarted: (id, transferId) => {
          this.#events.destinationStarted?.(id, transferId);
          started(transferId);
        },
      };
      const options = { ...runtime.options, concurrency: 1, ...(stillDue ? { stillDue } : {}) };
      const [result] = await syncAll(runtime.targets, runtime.openSource, runtime.state, options, events);
      if (!result) throw new Error(`destination "${destinationId}" receives no export model: give it a product or models`);
      return result;
    } finally {
      await runtime.close();
    }
  }
}

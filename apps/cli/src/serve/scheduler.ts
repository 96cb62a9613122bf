import type { TransferRunner } from './transfers.ts';

export interface SchedulerOptions {
  readonly runner: TransferRunner;
  /** The destinations due at `now`, paused and manual ones left out (see control-plane/schedules.ts). */
  readonly due: (now: Date) => Promise<readonly string[]>;
  /** The clock: injected so tests can move time. */
  readonly now: () => Date;
  /** At most this many transfers at once (ferry.yaml's sync.concurrency). */
  readonly concurrency: number;
  readonly onError: (error: Error) => void;
}

/**
 * Starts the transfers that are due, a tick at a time. A destination still syncing is not started
 * again (an overrun never doubles), and no more than `concurrency` run at once: the rest wait for
 * the next tick.
 */
export class Scheduler {
  readonly #options: SchedulerOptions;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<readonly string[]> | undefined;

  constructor(options: SchedulerOptions) {
    this.#options = options;
  }

  /** Starts what is due now; resolves to the destinations started. One tick at a time. */
  tick(): Promise<readonly string[]> {
    this.#ticking ??= this.#tick().finally(() => {
      this.#ticking = undefined;
    });
    return this.#ticking;
  }

  async #tick(): Promise<readonly string[]> {
    const { runner, due, now, concurrency } = this.#options;
    const running = new Set(runner.running);
    const candidates = (await due(now())).filter((id) => !running.has(id));
    const started: string[] = [];
    for (const id of candidates.slice(0, Math.max(0, concurrency - running.size))) {
      try {
        // Asked again under the lease: another runner may have synced it since `due` was read.
        await runner.start(id, { stillDue: async () => (await due(now())).includes(id) });
        started.push(id);
      } catch (error) {
        // Syncing elsewhere (its lease is taken) or refused: the next tick looks again.
        this.#options.onError(error as Error);
      }
    }
    return started;
  }

  /** Ticks every `intervalMs` until stopped. */
  start(intervalMs: number): void {
    const run = () => {
      this.tick().catch((error: Error) => this.#options.onError(error));
    };
    run();
    this.#timer = setInterval(run, intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#ticking?.catch(() => {});
  }
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StateStore } from '@ferry/state';
import type { DestinationResult } from '@ferry/sync';

/** What `/metrics` serves, in Prometheus' text format. */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #transfers = new Counter({
    name: 'ferry_transfers_total',
    help: 'Transfers this server ran, by outcome',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly #rows = new Counter({
    name: 'ferry_rows_total',
    help: 'Rows written to destinations, by destination and operation (inserted, updated, deleted)',
    labelNames: ['destination', 'operation'],
    registers: [this.registry],
  });
  readonly #bytes = new Counter({
    name: 'ferry_bytes_total',
    help: 'Bytes read from the source, by destination',
    labelNames: ['destination'],
    registers: [this.registry],
  });
  readonly #duration = new Histogram({
    name: 'ferry_transfer_duration_seconds',
    help: 'How long transfers took, by outcome',
    labelNames: ['status'],
    buckets: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600],
    registers: [this.registry],
  });
  readonly #running = new Gauge({ name: 'ferry_transfers_running', help: 'Transfers running in this server now', registers: [this.registry] });

  constructor(state: StateStore) {
    collectDefaultMetrics({ register: this.registry, prefix: 'ferry_process_' });
    // Read from the state store at each scrape: they count transfers of every runner (cron, other servers), not only this one's.
    new Gauge({
      name: 'ferry_destination_lag_seconds',
      help: "Cursor lag after each destination's last successful transfer: the largest of its models'",
      labelNames: ['destination'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [destination, last] of await lastSuccesses(state)) {
          const lags = last.models.map((m) => m.lagSeconds).filter((lag): lag is number => lag !== null);
          if (lags.length > 0) this.set({ destination }, Math.max(...lags));
        }
      },
    });
    new Gauge({
      name: 'ferry_destination_last_success_timestamp_seconds',
      help: "When each destination's last successful transfer finished (Unix time)",
      labelNames: ['destination'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [destination, last] of await lastSuccesses(state)) {
          if (last.finishedAt) this.set({ destination }, last.finishedAt.getTime() / 1000);
        }
      },
    });
  }

  transferStarted(): void {
    this.#running.inc();
  }

  transferFinished(result: DestinationResult, seconds: number): void {
    this.#running.dec();
    // Refused before it started (syncing elsewhere, no longer due): no transfer to count.
    if (result.transferId === null) return;
    this.#transfers.inc({ status: result.status });
    this.#duration.observe({ status: result.status }, seconds);
    const destination = result.destinationId;
    for (const model of result.models) {
      this.#rows.inc({ destination, operation: 'inserted' }, model.rowsInserted);
      this.#rows.inc({ destination, operation: 'updated' }, model.rowsUpdated);
      this.#rows.inc({ destination, operation: 'deleted' }, model.rowsDeleted);
      this.#bytes.inc({ destination }, model.bytes);
    }
  }
}

async function lastSuccesses(state: StateStore) {
  const destinations = await state.listDestinations();
  const last = await Promise.all(destinations.map((d) => state.recentTransfers({ destinationId: d.id, status: 'succeeded', limit: 1 })));
  return destinations.flatMap((d, i) => (last[i]?.[0] ? [[d.id, last[i][0]] as const] : []));
}

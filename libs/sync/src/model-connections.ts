import type { Catalog, ModelSql } from '@ferry/dialects';
import type { Destination } from '@ferry/destinations';
import type { ExportModelSpec } from '@ferry/schema';
import type { Source } from '@ferry/sources';
import type { DestinationTarget } from './sync-destination.ts';
import { checkSourceBeforeWriting } from './sync-model.ts';

/** What one attempt at one model works with: fresh connections, the model's spec and its SQL for the destination. */
export interface ModelConnections {
  readonly source: Source;
  readonly destination: Destination;
  readonly spec: ExportModelSpec;
  readonly sql: ModelSql;
}

/**
 * Runs `work` on fresh connections for one model (each attempt gets its own, so concurrent
 * destinations never share one), closing both after. One after the other, source first, checked
 * (see checkSourceBeforeWriting): opening a DuckDB destination creates its file, which must not
 * happen when there is nothing to read; and a connect still pending when the other fails would
 * open after close() and leak.
 */
export async function withModelConnections<Model extends string, T>(
  target: DestinationTarget<Model>,
  openSource: () => Source,
  catalog: Catalog<Model>,
  model: Model,
  work: (connections: ModelConnections) => Promise<T>,
): Promise<T> {
  const destination = target.open();
  const source = openSource();
  try {
    const spec = catalog.exportModels[model];
    await source.connect();
    await checkSourceBeforeWriting(source, spec, target.tenant);
    await destination.connect();
    return await work({ source, destination, spec, sql: catalog.modelSql[destination.dialect.name][model] });
  } finally {
    await Promise.all([destination.close().catch(() => {}), source.close().catch(() => {})]);
  }
}

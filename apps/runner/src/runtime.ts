import { join } from 'node:path';
import { createDestination } from '@ferry/destinations';
import { destinationConfig } from './config/destination-config.ts';
import { createSource, type Source } from '@ferry/sources';
import { openStateStore, type StateStore } from '@ferry/state';
import { exportModels, modelSql } from '@ferry/generated';
import type { DestinationTarget, SyncOptions } from '@ferry/sync';
import { modelsOf, type LoadedConfig } from './config/load.ts';
import { dirname } from 'node:path';

/** Everything a command needs, built from ferry.yaml. */
export interface Runtime {
  readonly config: LoadedConfig;
  readonly state: StateStore;
  readonly targets: readonly DestinationTarget[];
  openSource(): Source;
  readonly options: SyncOptions & { readonly concurrency: number };
}

export interface Selection {
  readonly destination?: string;
  readonly model?: string;
  readonly fullRefresh?: boolean;
}

/**
 * The state store: FERRY_STATE_URL, else ferry.yaml's state.url, else an embedded DuckDB file
 * (state.path, default .ferry/state.duckdb next to ferry.yaml).
 */
export function stateLocation(config: LoadedConfig, env: NodeJS.ProcessEnv = process.env): string {
  return env.FERRY_STATE_URL ?? config.state.url ?? config.state.path ?? join(dirname(config.file), '.ferry', 'state.duckdb');
}

export async function openRuntime(config: LoadedConfig, selection: Selection = {}, env: NodeJS.ProcessEnv = process.env): Promise<Runtime> {
  const targets = config.destinations
    .filter((d) => selection.destination === undefined || d.id === selection.destination)
    .map((entry): DestinationTarget => {
      const models = modelsOf(config, entry).filter((m) => selection.model === undefined || m === selection.model);
      return {
        id: entry.id,
        tenant: entry.tenant,
        models,
        softDeletes: entry.soft_deletes,
        open: () => createDestination(destinationConfig(entry)),
      };
    });
  if (selection.destination !== undefined && targets.length === 0) {
    throw new Error(
      `no destination "${selection.destination}" in ${config.file} (destinations: ${config.destinations.map((d) => d.id).join(', ')})`,
    );
  }
  if (selection.model !== undefined && targets.every((t) => t.models.length === 0)) {
    throw new Error(`no selected destination receives model "${selection.model}"`);
  }
  const state = await openStateStore(stateLocation(config, env));
  await state.migrate();
  return {
    config,
    state,
    targets: targets.filter((t) => t.models.length > 0),
    openSource: () => createSource(config.source),
    options: {
      catalog: { exportModels, modelSql },
      fullRefresh: selection.fullRefresh ?? false,
      lookbackSeconds: config.sync.lookback,
      retry: { retries: config.sync.retries, baseDelayMs: 500 },
      concurrency: config.sync.concurrency,
    },
  };
}

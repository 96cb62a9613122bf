import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openVault } from '@ferry/connections';
import { createDestination, type Via } from '@ferry/destinations';
import { createSource, sourceModule, type Source } from '@ferry/sources';
import { openStateStore, type StateStore } from '@ferry/state';
import type { DestinationTarget, SyncOptions, VerifyPolicy } from '@ferry/sync';
import { destinationConfig } from './config/destination-config.ts';
import { ConfigError, didYouMean, modelsOf, withCatalog, type CatalogedConfig, type LoadedConfig } from './config/load.ts';
import { registerSecretFields, resolveSecretReferences } from './config/secret-references.ts';
import { destinationTunnel, openSshTunnel, sourceTunnelRoute } from './connections/tunnels.ts';
import { SourceTunnel, TunneledSource } from './connections/tunneled-source.ts';
import { redactSecrets } from './output/redact.ts';
import { withManagedDestinations, type ControlPlaneView } from './control-plane/managed-destinations.ts';
import { dueDestinations } from './control-plane/schedules.ts';

/** Everything a command needs, built from ferry.yaml. */
export interface Runtime {
  /** ferry.yaml with `${secret:name}` references resolved, and the workspace's catalog. */
  readonly config: CatalogedConfig;
  readonly state: StateStore;
  /** Recipients and API-created destinations (the latter are in `config.destinations` too). */
  readonly controlPlane: ControlPlaneView;
  /** Destinations stored through `ferry serve` that cannot be used (when none was selected): each fails on its own. */
  readonly invalid: readonly InvalidDestination[];
  /** The selected destinations: paused ones only when named. */
  readonly targets: readonly DestinationTarget[];
  openSource(): Source;
  readonly options: SyncOptions & { readonly concurrency: number };
  /** Closes the source's tunnel, if any, and the state store. */
  close(): Promise<void>;
}

export interface Selection {
  readonly destination?: string;
  readonly model?: string;
  readonly fullRefresh?: boolean;
  /** Only the destinations whose schedule makes them due at this time (`ferry sync --due`). */
  readonly due?: Date;
}

/**
 * The state store: FERRY_STATE_URL, else ferry.yaml's state.url, else an embedded DuckDB file
 * (state.path, default .ferry/state.duckdb next to ferry.yaml).
 */
export function stateLocation(config: LoadedConfig, env: NodeJS.ProcessEnv = process.env): string {
  // An empty variable counts as unset, as in a shell.
  return env.FERRY_STATE_URL || config.state.url || config.state.path || join(dirname(config.file), '.ferry', 'state.duckdb');
}

/**
 * The state store, migrated, recording errors scrubbed of secrets. Its own URL's password is
 * masked from here on.
 */
export async function openState(config: LoadedConfig, env: NodeJS.ProcessEnv = process.env, options: LookOnly = {}): Promise<StateStore> {
  registerSecretFields({ state: { url: env.FERRY_STATE_URL } });
  const location = stateLocation(config, env);
  // A command that only looks (plan, status) must not leave a state file behind: no file means no state yet.
  const missingFile = options.lookOnly === true && !/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && location !== ':memory:' && !existsSync(location);
  const state = scrubbingErrors(await openStateStore(missingFile ? ':memory:' : location));
  try {
    await state.migrate();
  } catch (error) {
    await state.close();
    throw error;
  }
  return state;
}

export interface InvalidDestination {
  readonly destinationId: string;
  readonly problem: string;
}

/** For commands that change nothing (plan, status): they create no state file. */
export interface LookOnly {
  readonly lookOnly?: boolean;
}

export async function openRuntime(
  parsed: LoadedConfig,
  selection: Selection = {},
  env: NodeJS.ProcessEnv = process.env,
  options: LookOnly & { readonly state?: StateStore } = {},
): Promise<Runtime> {
  // Before the state store opens: a stale catalog or an unknown model leaves nothing behind.
  const loaded = await withCatalog(parsed);
  await checkSelectionFirst(loaded, selection, env, options.state);
  const state = options.state ?? (await openState(loaded, env, options));
  // A store the caller lent (`ferry serve`'s) stays open when this runtime closes.
  const closeState = options.state ? async () => {} : () => state.close();
  let config: CatalogedConfig;
  const invalid: InvalidDestination[] = [];
  let controlPlane: ControlPlaneView;
  /** With --due, the destinations due now; undefined otherwise. */
  let due: ReadonlySet<string> | undefined;
  try {
    // A stored destination that cannot be used fails alone (see `invalid`), never every other one's run.
    const { controlPlane: view, ...combined } = await withManagedDestinations(loaded, state, loaded.catalog, {
      onInvalid: (problem, destinationId) => invalid.push({ destinationId: destinationId ?? '', problem }),
    });
    const own = invalid.filter((i) => i.destinationId === selection.destination).map((i) => i.problem);
    if (own.length > 0) throw new ConfigError(loaded.file, own);
    controlPlane = view;
    checkSelection({ ...combined, catalog: loaded.catalog }, selection);
    if (selection.due) due = new Set(await dueDestinations(combined.destinations, view.managed, state, selection.due));
    // Only what the command may connect to: another destination's missing secret must not stop this one.
    const selected = (path: readonly PropertyKey[]) =>
      path[0] !== 'destinations' || selection.destination === undefined || combined.destinations[path[1] as number]?.id === selection.destination;
    const resolved = await resolveSecretReferences(combined, openVault(state, env), selected);
    config = { ...resolved, workspace: loaded.workspace, catalog: loaded.catalog };
  } catch (error) {
    await closeState();
    throw error;
  }
  const chosen = config.destinations.filter((d) => {
    if (selection.destination !== undefined) return d.id === selection.destination;
    // A paused destination is synced only when named (-d): not by `ferry sync` for all, nor by a schedule.
    if ((controlPlane.managed.get(d.id)?.pausedAt ?? null) !== null) return false;
    return due === undefined || due.has(d.id);
  });
  const targets = chosen.map((entry): DestinationTarget => {
    const models = modelsOf(config, entry).filter((m) => selection.model === undefined || m === selection.model);
    const target = { id: entry.id, tenant: entry.tenant, models, softDeletes: entry.soft_deletes };
    const route = destinationTunnel(entry);
    const share = { concurrency: config.sync.concurrency };
    if (route === undefined) return { ...target, open: () => createDestination(destinationConfig(entry, undefined, share)) };
    // Set while the transfer's tunnel is open; the engine connects only then (it may build a destination before, to read its type).
    let via: Via | undefined;
    return {
      ...target,
      open: () => createDestination(destinationConfig(entry, via, share)),
      openRoute: async () => {
        const opened = await openSshTunnel(route.ssh, route.target);
        via = opened.via;
        return opened.tunnel;
      },
    };
  });
  const source = config.source;
  const sourceReader = sourceModule(source.type);
  const sourceRoute = sourceTunnelRoute(source);
  const sourceTunnel = sourceRoute && new SourceTunnel(() => openSshTunnel(sourceRoute.ssh, sourceRoute.target));
  return {
    config,
    state,
    controlPlane,
    invalid: invalid.filter((i) => selection.destination === undefined && i.destinationId !== ''),
    targets: targets.filter((t) => t.models.length > 0),
    openSource: () =>
      sourceTunnel
        ? new TunneledSource(sourceTunnel, source.type, (via) => createSource(sourceReader.config(source, via)))
        : createSource(sourceReader.config(source)),
    options: {
      catalog: config.catalog,
      fullRefresh: selection.fullRefresh ?? false,
      lookbackSeconds: config.sync.lookback,
      retry: { retries: config.sync.retries, baseDelayMs: 500 },
      concurrency: config.sync.concurrency,
      verify: verifyPolicy(config.sync.verify),
    },
    close: async () => {
      await sourceTunnel?.close();
      await closeState();
    },
  };
}

/**
 * checkSelection before anything is created: against ferry.yaml, then, only if that fails, with
 * the destinations stored through `ferry serve` too (the store opened to look only, so a typo in
 * -d or -m leaves no state file behind).
 */
async function checkSelectionFirst(config: CatalogedConfig, selection: Selection, env: NodeJS.ProcessEnv, lent?: StateStore): Promise<void> {
  try {
    checkSelection(config, selection);
    return;
  } catch (error) {
    if (selection.destination === undefined && selection.model === undefined) throw error;
  }
  const state = lent ?? (await openState(config, env, { lookOnly: true }));
  try {
    checkSelection({ ...(await withManagedDestinations(config, state, config.catalog)), catalog: config.catalog }, selection);
  } finally {
    if (!lent) await state.close();
  }
}

/**
 * Throws when the selection names a destination the config does not have, a model the catalog
 * does not have (when the config comes with its catalog), or a model no selected destination
 * receives: each says which, and what there is instead.
 */
export function checkSelection(config: LoadedConfig & { readonly catalog?: CatalogedConfig['catalog'] }, selection: Selection): void {
  const selected = config.destinations.filter((d) => selection.destination === undefined || d.id === selection.destination);
  if (selection.destination !== undefined && selected.length === 0) {
    throw new Error(`no destination "${selection.destination}" in ${config.file} (destinations: ${config.destinations.map((d) => d.id).join(', ')})`);
  }
  const model = selection.model;
  if (model === undefined || selected.some((d) => modelsOf(config, d).includes(model))) return;
  if (config.catalog && !Object.hasOwn(config.catalog.exportModels, model)) {
    const known = Object.keys(config.catalog.exportModels);
    const near = didYouMean(known, model);
    throw new Error(
      `no export model "${model}" in the generated catalog${near ? `: did you mean "${near}"?` : ''} (export models: ${known.join(', ') || 'none'})`,
    );
  }
  const receivers = config.destinations.filter((d) => modelsOf(config, d).includes(model)).map((d) => d.id);
  if (receivers.length === 0) {
    throw new Error(`no destination in ${config.file} receives model "${model}": add it to a product or to a destination's \`models\``);
  }
  throw new Error(`destination "${selection.destination}" does not receive model "${model}" (destinations that do: ${receivers.join(', ')})`);
}

/** ferry.yaml's `sync.verify` (checked by the config schema): never, daily, every N syncs. */
export function verifyPolicy(setting: string): VerifyPolicy {
  if (setting === 'never' || setting === 'daily') return { kind: setting };
  return { kind: 'every', syncs: Number.parseInt(setting.replace(/^every /, ''), 10) };
}

/**
 * The store, with every error it records scrubbed of secrets first: `ferry status` may run in
 * another process, which could not know what to mask.
 */
function scrubbingErrors(state: StateStore): StateStore {
  return new Proxy(state, {
    get(target, property) {
      if (property === 'recordModelTransfer') {
        return ((transferId, outcome) =>
          target.recordModelTransfer(transferId, {
            ...outcome,
            error: outcome.error === null ? null : redactSecrets(outcome.error),
          })) satisfies StateStore['recordModelTransfer'];
      }
      if (property === 'finishTransfer') {
        return ((transferId, status, error, warnings) =>
          target.finishTransfer(
            transferId,
            status,
            error === undefined ? undefined : redactSecrets(error),
            warnings?.map(redactSecrets),
          )) satisfies StateStore['finishTransfer'];
      }
      const value: unknown = Reflect.get(target, property, target);
      // The store keeps its connection in private fields, which only the store itself may reach.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

import { access, constants } from 'node:fs/promises';
import { dirname } from 'node:path';
import { checkReachable, runChecks, type CheckResult, type CheckStep, type SshTunnel } from '@ferry/connections';
import {
  createDestination,
  destinationModule,
  destinationPermissionChecks,
  type Destination,
  type DestinationAddress,
  type Via,
} from '@ferry/destinations';
import { sourceModule, type Source } from '@ferry/sources';
import { destinationConfig } from '../config/destination-config.ts';
import { modelsOf } from '../config/load.ts';
import type { DestinationConfigEntry } from '../config/schema.ts';
import type { Runtime } from '../runtime.ts';
import { destinationTunnel, openSshTunnel } from './tunnels.ts';

/** A tenant no recipient has: reading its slice proves read access without reading anyone's rows. */
const NO_TENANT = '__ferry_connection_check__';

/**
 * Checks everything a sync needs from one destination, in the order a sync needs it: the SSH
 * tunnel, reachability, authentication, TLS, then each permission on a probe table (dropped
 * again). Each result arrives through `onResult` as it is known.
 */
export async function checkDestination(entry: DestinationConfigEntry, onResult: (result: CheckResult) => void): Promise<CheckResult[]> {
  let tunnel: SshTunnel | undefined;
  let via: Via | undefined;
  let destination: Destination | undefined;
  const connected = () => destination as Destination;
  const permissions = destinationPermissionChecks(connected);
  const module = destinationModule(entry.type);
  const steps: CheckStep[] = [];
  const route = destinationTunnel(entry);
  if (route) {
    const { ssh, target } = route;
    steps.push({
      name: 'ssh tunnel',
      run: async () => {
        ({ tunnel, via } = await openSshTunnel(ssh, target));
        return `logged in to ${tunnel.bastion}; its host key matches ${ssh.host_key}`;
      },
    });
  }
  steps.push(
    { name: 'reachable', run: () => (tunnel ? tunnel.checkForward() : reachable(module.address(entry))) },
    {
      name: 'authentication',
      run: async () => {
        destination = createDestination(destinationConfig(entry, via));
        await destination.connect();
        return `logged in${'user' in entry ? ` as ${entry.user}` : ''}`;
      },
    },
    { name: 'tls', run: () => module.tls(connected(), via) },
    ...permissions.steps,
  );
  try {
    return await runChecks(steps, onResult);
  } finally {
    await permissions.cleanup();
    await destination?.close().catch(() => {});
    await tunnel?.close();
  }
}

/** Whether anything answers at the address, before any driver logs in. */
async function reachable(address: DestinationAddress): Promise<string> {
  switch (address.kind) {
    case 'network':
      return checkReachable(address.host, address.port, address.timeout);
    case 'memory':
      return 'an in-memory database';
    case 'file': {
      const folder = dirname(address.path);
      try {
        await access(folder, constants.W_OK);
      } catch {
        throw new Error(`the folder ${folder} does not exist or Ferry cannot write to it: create it, or fix path`);
      }
      return `the folder ${folder} is writable`;
    }
  }
}

/**
 * Checks the source: reachability (through its tunnel, when it has one), authentication, and
 * read access to every export model a destination receives.
 */
export async function checkSource(runtime: Runtime, onResult: (result: CheckResult) => void): Promise<CheckResult[]> {
  const { config } = runtime;
  let source: Source | undefined;
  const models = [...new Set(config.destinations.flatMap((d) => modelsOf(config, d)))].sort();
  const steps: CheckStep[] = [];
  const entry = config.source;
  const module = sourceModule(entry.type);
  const address = module.address(entry);
  // Through a bastion, the tunnel is opened (and checked) by the login.
  if (address !== undefined && !entry.ssh) steps.push({ name: 'reachable', run: () => reachable(address) });
  steps.push({
    name: entry.ssh ? 'ssh tunnel and authentication' : 'authentication',
    run: async () => {
      source = runtime.openSource();
      await source.connect();
      return module.loggedIn(entry);
    },
  });
  const tls = module.tls(entry);
  if (tls !== undefined) steps.push({ name: 'tls', run: async () => tls });
  for (const model of models) {
    const spec = config.catalog.exportModels[model];
    if (spec === undefined) continue; // openRuntime refused models the catalog lacks
    steps.push({
      name: `read ${model}`,
      run: async () => {
        // Every exported column, as the generated catalog names it: a stale build or catalog fails here.
        await (source as Source).checkColumns(spec);
        await (source as Source).count(spec, NO_TENANT);
        return `can read ${spec.source.schema}.${spec.source.identifier} and its ${spec.columns.length} exported columns`;
      },
    });
  }
  try {
    return await runChecks(steps, onResult);
  } finally {
    await source?.close().catch(() => {});
  }
}

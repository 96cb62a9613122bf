import { destinationModule, type DestinationConfig, type ResourceShare, type Via } from '@ferry/destinations';
import type { DestinationConfigEntry } from './schema.ts';

/**
 * The destination client's config for a ferry.yaml entry, as its module maps it.
 * @param via where to connect instead of the warehouse's address: the local end of its SSH tunnel
 * @param share how many destinations the sync runs at once (see DestinationModule.config)
 */
export function destinationConfig(entry: DestinationConfigEntry, via?: Via, share?: ResourceShare): DestinationConfig {
  return destinationModule(entry.type).config(entry, via, share);
}

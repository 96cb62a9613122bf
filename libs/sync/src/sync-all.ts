import type { Source } from '@ferry/sources';
import type { StateStore } from '@ferry/state';
import type { DestinationResult, SyncEvents } from './events.ts';
import { mapConcurrently } from './retry.ts';
import { syncDestination, type DestinationTarget, type SyncOptions } from './sync-destination.ts';

/**
 * Syncs destinations concurrently, at most `concurrency` at a time. One destination failing —
 * even unreachable — never stops the others; the results say which succeeded.
 */
export async function syncAll<Model extends string>(
  targets: readonly DestinationTarget<Model>[],
  openSource: () => Source,
  state: StateStore,
  options: SyncOptions<NoInfer<Model>> & { readonly concurrency: number },
  events: SyncEvents = {},
): Promise<DestinationResult[]> {
  return mapConcurrently(targets, options.concurrency, async (target) => {
    try {
      return await syncDestination(target, openSource, state, options, events);
    } catch (error) {
      // The destination could not start (state store down, lease taken, tenant changed): report it, keep going with the rest.
      const result: DestinationResult = {
        destinationId: target.id,
        transferId: null,
        status: 'failed',
        models: [],
        verifications: [],
        error: (error as Error).message,
      };
      events.destinationFinished?.(target.id, result);
      return result;
    }
  });
}

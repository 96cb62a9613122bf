/** The named points in a sync where a destination holds work the state store does not know about yet. */
export type SyncCheckpoint = 'after-load' | 'after-swap' | 'after-stage' | 'after-merge';

let hook: ((point: SyncCheckpoint) => Promise<void>) | undefined;

/**
 * Injects a function the engine awaits at each checkpoint: how the crash-safety tests stop a real
 * `ferry sync` at an exact moment (test/bin/ferry-paused.mjs) and kill it there. Nothing else
 * sets one; without it a checkpoint does nothing.
 */
export function onCheckpoint(next: ((point: SyncCheckpoint) => Promise<void>) | undefined): void {
  hook = next;
}

export async function checkpoint(point: SyncCheckpoint): Promise<void> {
  await hook?.(point);
}

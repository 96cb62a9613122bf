import type { ManagedDestination, StateStore } from '@ferry/state';
import type { DestinationConfigEntry, Schedule } from '../config/schema.ts';

/** Each schedule's interval in seconds; null: only when asked (`ferry sync -d`, the API). */
export const SCHEDULE_SECONDS: Record<Schedule, number | null> = {
  '15m': 15 * 60,
  '1h': 3600,
  '6h': 6 * 3600,
  '12h': 12 * 3600,
  '24h': 24 * 3600,
  manual: null,
};

/** What the scheduler needs to know about one destination. */
export interface ScheduledDestination {
  readonly schedule: Schedule;
  readonly paused: boolean;
  /** When its last transfer started, whatever its outcome; null before the first. */
  readonly lastStartedAt: Date | null;
}

/**
 * When the destination's next scheduled transfer is due: at once before its first, then one
 * interval after the last one started (a failed transfer is retried at the next interval, not in
 * a loop). null: never (manual or paused).
 */
export function nextRunAt(destination: ScheduledDestination): Date | null {
  const interval = SCHEDULE_SECONDS[destination.schedule];
  if (interval === null || destination.paused) return null;
  if (destination.lastStartedAt === null) return new Date(0);
  return new Date(destination.lastStartedAt.getTime() + interval * 1000);
}

export function isDue(destination: ScheduledDestination, now: Date): boolean {
  const next = nextRunAt(destination);
  return next !== null && next.getTime() <= now.getTime();
}

/** Each destination's schedule, whether it is paused, and when its last transfer started, by id. */
export async function scheduledDestinations(
  destinations: readonly DestinationConfigEntry[],
  managed: ReadonlyMap<string, ManagedDestination>,
  state: StateStore,
): Promise<Map<string, ScheduledDestination>> {
  const starts = await state.controlPlane.lastTransferStarts();
  return new Map(
    destinations.map((d) => [
      d.id,
      { schedule: d.schedule, paused: (managed.get(d.id)?.pausedAt ?? null) !== null, lastStartedAt: starts.get(d.id) ?? null },
    ]),
  );
}

/** The destinations due at `now` (paused and manual ones never are), in the order given. */
export async function dueDestinations(
  destinations: readonly DestinationConfigEntry[],
  managed: ReadonlyMap<string, ManagedDestination>,
  state: StateStore,
  now: Date,
): Promise<string[]> {
  const scheduled = await scheduledDestinations(destinations, managed, state);
  return [...scheduled].filter(([, schedule]) => isDue(schedule, now)).map(([id]) => id);
}

import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import type { StateStore } from '@ferry/state';

/** How long a lease lasts unless renewed, and how often the holder renews it. */
const LEASE_SECONDS = 120;
const LEASE_RENEW_MS = 30_000;

/** A destination leased to this process: no other ferry process syncs it meanwhile. */
export interface Lease {
  /**
   * Throws when the lease was lost (renewals failed until another process took it). Called
   * before every write that must not race another runner: a merge, a swap, a watermark.
   */
  check(): void;
  /** Stops renewing and gives the lease up; never throws, since the lease expires anyway. */
  release(): Promise<void>;
}

/**
 * Takes the destination's lease in the state store and renews it in the background until
 * released, so two ferry processes sharing a state store never sync one destination at once.
 */
export async function holdLease(state: StateStore, destinationId: string): Promise<Lease> {
  const holder = [hostname(), process.pid, randomUUID().slice(0, 8), LOCAL_PROCESSES ?? 'elsewhere'].join('/');
  let taken = await state.acquireLease(destinationId, holder, LEASE_SECONDS);
  // A ferry killed on this machine cannot renew its lease; waiting for it to expire would only delay the converging run.
  if (taken && holderIsDeadHere(taken.holder)) taken = await state.acquireLease(destinationId, holder, LEASE_SECONDS, taken.holder);
  if (taken) {
    throw new Error(
      `destination "${destinationId}" is being synced by another ferry process (${taken.holder.split('/').slice(0, 2).join(', pid ')}); ` +
        `run again when it has finished (its lease lasts until ${taken.expiresAt.toISOString()} unless renewed)`,
    );
  }

  let lost: string | undefined;
  let renewing: Promise<void> = Promise.resolve();
  const renew = setInterval(() => {
    renewing = state.acquireLease(destinationId, holder, LEASE_SECONDS).then(
      (other) => {
        if (!other) return;
        lost = `another ferry process (${other.holder}) took over destination "${destinationId}" after this one's lease expired`;
        clearInterval(renew);
      },
      // A failed renewal is retried at the next tick; the lease outlives several of them.
      () => {},
    );
  }, LEASE_RENEW_MS);
  renew.unref();
  return {
    check() {
      if (lost) throw new Error(lost);
    },
    async release() {
      clearInterval(renew);
      // A renewal still in flight would otherwise land after the release and hold the lease on.
      await renewing;
      await state.releaseLease(destinationId, holder).catch(() => {});
    },
  };
}

/**
 * Which processes `process.kill(pid, 0)` can see: the boot and the pid namespace. A hostname
 * alone does not say it, since containers sharing the host's network share its hostname while
 * their pids are private. Undefined off Linux, where a dead holder waits for its lease to expire.
 */
const LOCAL_PROCESSES = (() => {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const pidNamespace = readlinkSync('/proc/self/ns/pid');
    return createHash('sha256').update(`${boot} ${pidNamespace}`).digest('hex').slice(0, 12);
  } catch {
    return undefined;
  }
})();

/** True when `holder` names a process this one can see, and that process no longer runs. */
function holderIsDeadHere(holder: string): boolean {
  const [host, pid, , processes] = holder.split('/');
  if (LOCAL_PROCESSES === undefined || processes !== LOCAL_PROCESSES || host !== hostname() || !/^\d+$/.test(pid ?? '')) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

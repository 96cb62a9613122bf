/** Error codes that say "try again", not "you are wrong": connection loss, restarts, lock conflicts. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '08000',
  '08003',
  '08006', // connection exceptions
]);

export function isTransient(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = (cause as { cause?: unknown }).cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (/Connection terminated|connection (?:was )?(?:closed|reset)/i.test(cause.message)) return true;
  }
  return false;
}

export interface RetryPolicy {
  /** Attempts after the first. */
  readonly retries: number;
  /** Delay before the first retry; doubles each time, with jitter. */
  readonly baseDelayMs: number;
}

/** Runs `work`, retrying transient failures with exponential backoff; other errors fail at once. */
export async function withRetries<T>(
  policy: RetryPolicy,
  work: (attempt: number) => Promise<T>,
  onRetry?: (attempt: number, delayMs: number, error: Error) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt > policy.retries || !isTransient(error)) throw error;
      const delayMs = Math.round(policy.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
      onRetry?.(attempt, delayMs, error as Error);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** Runs tasks with at most `limit` at a time; results in input order. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

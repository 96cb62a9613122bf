import { z } from 'zod';

/** A whole number of seconds from 1 to `max`, for a ferry.yaml field named `what`. */
export function seconds(what: string, max: number) {
  return z.number().int().min(1, `${what}: at least 1 (seconds)`).max(max, `${what}: at most ${max} (seconds)`);
}

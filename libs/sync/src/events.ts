import type { ModelTransfer } from '@ferry/state';
import type { ModelPlan } from './plan.ts';

/**
 * What the engine reports while it works. The CLI turns these into progress bars on a TTY and
 * structured JSON logs otherwise; nothing here ever carries a credential.
 */
export interface SyncEvents {
  destinationStarted?(destinationId: string, transferId: string): void;
  modelStarted?(destinationId: string, plan: ModelPlan): void;
  /** Bytes read from the source so far for the model's current load. */
  modelProgress?(destinationId: string, model: string, bytes: number): void;
  modelFinished?(destinationId: string, outcome: ModelTransfer): void;
  /** A model's destination keys were compared with the source's to find hard deletes. */
  keysCompared?(destinationId: string, model: string, comparison: KeyComparison): void;
  destinationFinished?(destinationId: string, result: DestinationResult): void;
  /** An attempt failed with a transient error and will be retried after `delayMs`. */
  retrying?(destinationId: string, attempt: number, delayMs: number, error: Error): void;
}

export interface DestinationResult {
  readonly destinationId: string;
  readonly transferId: string | null;
  readonly status: 'succeeded' | 'failed';
  readonly models: readonly ModelTransfer[];
  readonly error: string | null;
}

/** What finding hard deletes cost: how far the comparison had to go, and how long it took. */
export interface KeyComparison {
  readonly sourceRows: number;
  readonly destinationRows: number;
  /** Buckets whose count or digest differed: 0 when the counts alone showed nothing was deleted. */
  readonly differingBuckets: number;
  /** Keys listed from both sides, those of the differing buckets only. */
  readonly keysListed: number;
  readonly deleted: number;
  readonly durationMs: number;
}

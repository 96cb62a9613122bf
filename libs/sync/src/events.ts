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

import type { KeyHash } from '@ferry/dialects';
import type { ModelTransfer } from '@ferry/state';
import type { StreamProgress } from './csv.ts';
import type { ModelPlan } from './plan.ts';
import type { ModelVerificationOutcome } from './verify/verify-destination.ts';

/**
 * What the engine reports while it works. The CLI turns these into progress bars on a TTY and
 * structured JSON logs otherwise; nothing here ever carries a credential.
 */
export interface SyncEvents {
  destinationStarted?(destinationId: string, transferId: string): void;
  modelStarted?(destinationId: string, plan: ModelPlan): void;
  /** Bytes and rows read from the source so far for the model's current load (or verification). */
  modelProgress?(destinationId: string, model: string, progress: StreamProgress): void;
  /** The rows the model's current load will read, when the source counted them first (a whole-slice load). */
  modelTotal?(destinationId: string, model: string, rows: number): void;
  modelFinished?(destinationId: string, outcome: ModelTransfer): void;
  /** A model's destination keys were compared with the source's to find hard deletes. */
  keysCompared?(destinationId: string, model: string, comparison: KeyComparison): void;
  /** A model's full comparison with its slice began (ferry verify, or a sync whose sync.verify is due). */
  verifyStarted?(destinationId: string, model: string): void;
  /** A model's verification finished (recorded in the state store). */
  verified?(destinationId: string, outcome: ModelVerificationOutcome): void;
  /** Something the user should look at that did not fail the transfer (a tenant with no rows). */
  warning?(destinationId: string, message: string): void;
  destinationFinished?(destinationId: string, result: DestinationResult): void;
  /** An attempt failed with a transient error and will be retried after `delayMs`. */
  retrying?(destinationId: string, attempt: number, delayMs: number, error: Error): void;
}

export interface DestinationResult {
  readonly destinationId: string;
  readonly transferId: string | null;
  readonly status: 'succeeded' | 'failed';
  readonly models: readonly ModelTransfer[];
  /** The verifications the sync ran after its models (see sync.verify); empty when none was due. */
  readonly verifications: readonly ModelVerificationOutcome[];
  readonly error: string | null;
}

/**
 * What comparing the key sets of source and destination found and cost: how far it had to go,
 * the rows it deleted (gone from the source) and the rows the destination lacked (re-read).
 */
export interface KeyComparison {
  /** The key hash both sides bucketed by: md5 (sorted digests), md5-sum (Postgres and DuckDB), or Postgres's own. */
  readonly hash: KeyHash;
  readonly sourceRows: number;
  readonly destinationRows: number;
  /**
   * Hex digits of the key hash that made the buckets compared last: 0 when the whole key sets
   * were compared as one bucket and found equal (hashes with a summed digest check that first).
   */
  readonly prefixLength: number;
  /** Buckets whose count or digest differed: 0 when the two key sets are equal. */
  readonly differingBuckets: number;
  /** Keys of the differing buckets listed from the source. */
  readonly keysListed: number;
  readonly deleted: number;
  /** Source keys the destination did not hold: their rows are re-read and merged. */
  readonly missing: number;
  readonly durationMs: number;
  /** Where `durationMs` went: the steps that ran (see reconcileKeys), in milliseconds. */
  readonly stepsMs: KeyComparisonSteps;
}

/**
 * The steps of a key comparison: the whole key sets compared as one bucket (hashes with a summed
 * digest), the bucket figures of both sides, the source's keys of the differing buckets copied
 * beside the destination table, the warehouse matching them with the destination's keys (those
 * deleted from the source found, those the destination lacks counted), and the rows found deleted.
 */
export interface KeyComparisonSteps {
  readonly wholeSets?: number;
  readonly buckets?: number;
  readonly listing?: number;
  readonly matching?: number;
  readonly deleting?: number;
}

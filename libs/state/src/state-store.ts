import type { ControlPlaneStore } from './control-plane.ts';

/** What Ferry remembers about one export model in one destination. */
export interface ModelState {
  readonly destinationId: string;
  readonly model: string;
  /** Highest cursor value durably applied (canonical text), or null before the first load / for cursor-less models. */
  readonly watermark: string | null;
  /** Fingerprint of the ExportModelSpec the destination table was last brought in line with. */
  readonly appliedFingerprint: string;
  /** That ExportModelSpec, as JSON: what the engine diffs the current spec against. */
  readonly appliedSpec: unknown;
  /** Destination columns that left the model and are kept (nullable) in the table. */
  readonly retiredColumns: readonly string[];
  readonly updatedAt: Date;
}

export type TransferStatus = 'running' | 'succeeded' | 'failed' | 'abandoned';

/** One model's part of a transfer. */
export interface ModelTransfer {
  readonly model: string;
  /** What the transfer did: create, rebuild, add-columns, incremental, full-refresh ... */
  readonly action: string;
  readonly rowsInserted: number;
  readonly rowsUpdated: number;
  readonly rowsDeleted: number;
  readonly bytes: number;
  readonly durationMs: number;
  /** Cursor lag after the transfer: source's max cursor minus the new watermark, in seconds (null when unknown). */
  readonly lagSeconds: number | null;
  readonly schemaChanges: readonly string[];
  readonly error: string | null;
}

/** One run of syncing one destination. */
export interface Transfer {
  readonly id: string;
  readonly destinationId: string;
  readonly status: TransferStatus;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly error: string | null;
  /** What the user should look at that did not fail the transfer (a tenant with no rows). */
  readonly warnings: readonly string[];
  readonly models: readonly ModelTransfer[];
}

/** What a verification of one model found: `different` lists rows to repair, `repaired` says they were. */
export type VerificationResult = 'equal' | 'different' | 'repaired' | 'failed';

/**
 * One full comparison of a model's destination table with its tenant's slice: every column of
 * every row, by digest (see @ferry/sync verify). Keys only, never values, in `sampleKeys`.
 */
export interface Verification {
  readonly destinationId: string;
  readonly model: string;
  readonly result: VerificationResult;
  readonly sourceRows: number;
  readonly destinationRows: number;
  /** Key-hash buckets compared, and those whose digests differed. */
  readonly buckets: number;
  readonly differingBuckets: number;
  /** Rows the source has and the destination lacks / holds and the source lacks / holds with other values. */
  readonly missing: number;
  readonly extra: number;
  readonly different: number;
  /** Up to a few keys of each kind (primary-key values as JSON arrays), to look at. */
  readonly sampleKeys: { readonly missing: readonly string[]; readonly extra: readonly string[]; readonly different: readonly string[] };
  /** What the comparison could not compare exactly, as the destination documents it (BigQuery's JSON numbers). */
  readonly notes: readonly string[];
  readonly durationMs: number;
  readonly error: string | null;
  readonly verifiedAt: Date;
}

/** A destination as the state store knows it (its connection lives in ferry.yaml, not here). */
export interface DestinationRecord {
  readonly id: string;
  readonly type: string;
  readonly tenant: string;
}

/** Who holds a destination's lease, when `acquireLease` finds it taken. */
export interface LeaseHolder {
  readonly holder: string;
  readonly expiresAt: Date;
}

/**
 * A credential as the state store keeps it: ciphertext only. Sealing and opening happen in
 * @ferry/connections, which holds the master keys; the store never sees a key or a plaintext.
 */
export interface StoredSecret {
  readonly name: string;
  /** Fingerprint of the master key that sealed it (not secret): which key opening it needs. */
  readonly keyId: string;
  /** The sealed value, as text. */
  readonly sealed: string;
  readonly updatedAt: Date;
}

/**
 * Ferry's control-plane state. One implementation, one SQL code path, over two engines: Postgres
 * for production (FERRY_STATE_URL) and an embedded DuckDB file needing no server.
 */
export interface StateStore {
  /** Recipients, destinations, API keys and audit log of the control plane (`ferry serve`). */
  readonly controlPlane: ControlPlaneStore;
  /** Creates Ferry's tables when missing (idempotent, safe to run concurrently with readers). */
  migrate(): Promise<void>;
  /** Releases the store's connections or file; closing twice is harmless. */
  close(): Promise<void>;

  upsertDestination(destination: DestinationRecord): Promise<void>;
  listDestinations(): Promise<DestinationRecord[]>;

  getModelState(destinationId: string, model: string): Promise<ModelState | undefined>;
  /** Writes a model's state. Called only after the destination committed what it describes. */
  putModelState(state: Omit<ModelState, 'updatedAt'>): Promise<void>;
  /** Forgets a model's state (next sync starts from scratch). */
  deleteModelState(destinationId: string, model: string): Promise<void>;

  /** Records a transfer as running and returns its id. */
  startTransfer(destinationId: string): Promise<string>;
  /** Records one model's outcome within a running transfer. */
  recordModelTransfer(transferId: string, outcome: ModelTransfer): Promise<void>;
  finishTransfer(transferId: string, status: Exclude<TransferStatus, 'running'>, error?: string, warnings?: readonly string[]): Promise<void>;
  /**
   * Takes the destination's lease for `holder` for `seconds`, or renews it when `holder` has it
   * already. One process syncs a destination at a time: two would race on its helper tables and
   * watermarks. A lease its holder stopped renewing (the process died) can be taken once it
   * expires, or at once by naming it in `replacing` (when the caller knows that process is gone).
   * Resolves to undefined when `holder` has the lease, else to who has it.
   */
  acquireLease(destinationId: string, holder: string, seconds: number, replacing?: string): Promise<LeaseHolder | undefined>;
  /** Gives the lease up, if `holder` has it. */
  releaseLease(destinationId: string, holder: string): Promise<void>;
  /** Marks transfers still 'running' from a process that died as 'abandoned'; returns how many. */
  abandonRunningTransfers(destinationId: string): Promise<number>;
  /**
   * Transfers with their models (in model name order), most recent first: all destinations' or
   * one's, of any status or one, `limit` of them (default 20).
   */
  recentTransfers(options?: { destinationId?: string; status?: TransferStatus; limit?: number }): Promise<Transfer[]>;
  /** One transfer with its models, by id. */
  getTransfer(id: string): Promise<Transfer | undefined>;

  /** Records a verification (its `verifiedAt` is the store's clock). */
  recordVerification(verification: Omit<Verification, 'verifiedAt'>): Promise<void>;
  /** The latest verification of each model: all destinations' or one's, by destination and model. */
  latestVerifications(options?: { destinationId?: string }): Promise<Verification[]>;
  /** How many transfers of a destination finished successfully after `since` (all of them without it). */
  countSucceededTransfers(destinationId: string, since?: Date): Promise<number>;

  /** Stores a secret's ciphertext, replacing any under that name. */
  putSecret(secret: Omit<StoredSecret, 'updatedAt'>): Promise<void>;
  getSecret(name: string): Promise<StoredSecret | undefined>;
  /** Every stored secret, by name. */
  listSecrets(): Promise<StoredSecret[]>;
  /** Resolves to false when there was no such secret. */
  deleteSecret(name: string): Promise<boolean>;
  /**
   * Compare-and-swap: replaces the secret only if its ciphertext is still `expectedSealed`, and
   * resolves to whether it did. Key rotation re-seals with it, so a secret set (or deleted)
   * while the rotation ran is never overwritten with the value the rotation read.
   */
  replaceSecret(name: string, expectedSealed: string, next: Omit<StoredSecret, 'name' | 'updatedAt'>): Promise<boolean>;
}

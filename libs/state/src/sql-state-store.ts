import type { SqlParam, SqlRow, StateDriver } from './driver/driver.ts';
import { applyMigrations } from './migrations.ts';
import type { ControlPlaneStore } from './control-plane.ts';
import { SqlControlPlane } from './sql-control-plane.ts';
import type {
  DestinationRecord,
  LeaseHolder,
  ModelState,
  ModelTransfer,
  StateStore,
  StoredSecret,
  Transfer,
  TransferStatus,
  Verification,
  VerificationResult,
} from './state-store.ts';
import { StateStoreError } from './state-store-error.ts';
import type { StateTables } from './state-tables.ts';
import { newTransferId } from './transfer-id.ts';

/** How many transfers `recentTransfers` returns unless asked for another number. */
export const DEFAULT_RECENT_TRANSFERS = 20;

/** Why a transfer left 'running' without finishing; stored as its error. */
const ABANDONED_ERROR = 'The process running this transfer ended before finishing it; the next transfer resumes from the last committed watermarks.';

interface DestinationRow extends SqlRow {
  id: string;
  type: string;
  tenant: string;
}

interface ModelStateRow extends SqlRow {
  destination_id: string;
  model: string;
  watermark: string | null;
  applied_fingerprint: string;
  applied_spec: string;
  retired_columns: string;
  updated_at: Date;
}

interface TransferRow extends SqlRow {
  id: string;
  destination_id: string;
  status: string;
  started_at: Date;
  finished_at: Date | null;
  error: string | null;
  /** JSON array; NULL while running, and for transfers recorded before migration 3. */
  warnings: string | null;
}

interface ModelTransferRow extends SqlRow {
  transfer_id: string;
  model: string;
  action: string;
  rows_inserted: number;
  rows_updated: number;
  rows_deleted: number;
  bytes: number;
  duration_ms: number;
  lag_seconds: number | null;
  schema_changes: string;
  error: string | null;
}

interface VerificationRow extends SqlRow {
  destination_id: string;
  model: string;
  verified_at: Date;
  result: string;
  source_rows: number;
  destination_rows: number;
  buckets: number;
  differing_buckets: number;
  missing: number;
  extra: number;
  different: number;
  sample_keys: string;
  notes: string;
  duration_ms: number;
  error: string | null;
}

interface SecretRow extends SqlRow {
  name: string;
  key_id: string;
  sealed: string;
  updated_at: Date;
}

/**
 * The state store, written once over any `StateDriver`. Every statement is standard SQL that
 * Postgres and DuckDB both run as written: `$n` parameters, `INSERT ... ON CONFLICT DO UPDATE`,
 * `RETURNING`, TIMESTAMPTZ stamped by the database clock, JSON kept as TEXT. Watermarks are
 * TEXT too, so they come back exactly as written, microseconds included.
 */
export class SqlStateStore implements StateStore {
  readonly #driver: StateDriver;
  readonly #tables: StateTables;
  readonly controlPlane: ControlPlaneStore;

  constructor(driver: StateDriver, tables: StateTables) {
    this.#driver = driver;
    this.#tables = tables;
    this.controlPlane = new SqlControlPlane(driver, tables);
  }

  migrate(): Promise<void> {
    return applyMigrations(this.#driver, this.#tables);
  }

  close(): Promise<void> {
    return this.#driver.close();
  }

  async upsertDestination(destination: DestinationRecord): Promise<void> {
    await this.#driver.query(
      `INSERT INTO ${this.#tables.destinations} (id, type, tenant, first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
       ON CONFLICT (id) DO UPDATE SET type = excluded.type, tenant = excluded.tenant, last_seen_at = excluded.last_seen_at`,
      [destination.id, destination.type, destination.tenant],
    );
  }

  async listDestinations(): Promise<DestinationRecord[]> {
    const rows = await this.#driver.query<DestinationRow>(`SELECT id, type, tenant FROM ${this.#tables.destinations} ORDER BY id`);
    return rows.map(({ id, type, tenant }) => ({ id, type, tenant }));
  }

  async getModelState(destinationId: string, model: string): Promise<ModelState | undefined> {
    const [row] = await this.#driver.query<ModelStateRow>(
      `SELECT destination_id, model, watermark, applied_fingerprint, applied_spec, retired_columns, updated_at
       FROM ${this.#tables.modelStates} WHERE destination_id = $1 AND model = $2`,
      [destinationId, model],
    );
    return (
      row && {
        destinationId: row.destination_id,
        model: row.model,
        watermark: row.watermark,
        appliedFingerprint: row.applied_fingerprint,
        appliedSpec: JSON.parse(row.applied_spec) as unknown,
        retiredColumns: JSON.parse(row.retired_columns) as string[],
        updatedAt: row.updated_at,
      }
    );
  }

  async putModelState(state: Omit<ModelState, 'updatedAt'>): Promise<void> {
    await this.#driver.query(
      `INSERT INTO ${this.#tables.modelStates}
         (destination_id, model, watermark, applied_fingerprint, applied_spec, retired_columns, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, CURRENT_TIMESTAMP)
       ON CONFLICT (destination_id, model) DO UPDATE SET
         watermark = excluded.watermark,
         applied_fingerprint = excluded.applied_fingerprint,
         applied_spec = excluded.applied_spec,
         retired_columns = excluded.retired_columns,
         updated_at = excluded.updated_at`,
      [
        state.destinationId,
        state.model,
        state.watermark,
        state.appliedFingerprint,
        JSON.stringify(state.appliedSpec ?? null),
        JSON.stringify(state.retiredColumns),
      ],
    );
  }

  async deleteModelState(destinationId: string, model: string): Promise<void> {
    await this.#driver.query(`DELETE FROM ${this.#tables.modelStates} WHERE destination_id = $1 AND model = $2`, [destinationId, model]);
  }

  async startTransfer(destinationId: string): Promise<string> {
    const id = newTransferId();
    await this.#driver.query(
      `INSERT INTO ${this.#tables.transfers} (id, destination_id, status, started_at) VALUES ($1, $2, 'running', CURRENT_TIMESTAMP)`,
      [id, destinationId],
    );
    return id;
  }

  async recordModelTransfer(transferId: string, outcome: ModelTransfer): Promise<void> {
    // No foreign key to do this check (see migrations.ts), and an orphan row would never be reported.
    const [transfer] = await this.#driver.query(`SELECT id FROM ${this.#tables.transfers} WHERE id = $1`, [transferId]);
    if (!transfer) {
      throw new StateStoreError(
        `Cannot record model ${outcome.model} in transfer ${transferId}: no such transfer in ${this.#driver.location}. Start it with startTransfer first.`,
      );
    }
    await this.#driver.query(
      `INSERT INTO ${this.#tables.modelTransfers}
         (transfer_id, model, action, rows_inserted, rows_updated, rows_deleted, bytes, duration_ms, lag_seconds, schema_changes, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (transfer_id, model) DO UPDATE SET
         action = excluded.action,
         rows_inserted = excluded.rows_inserted,
         rows_updated = excluded.rows_updated,
         rows_deleted = excluded.rows_deleted,
         bytes = excluded.bytes,
         duration_ms = excluded.duration_ms,
         lag_seconds = excluded.lag_seconds,
         schema_changes = excluded.schema_changes,
         error = excluded.error`,
      [
        transferId,
        outcome.model,
        outcome.action,
        outcome.rowsInserted,
        outcome.rowsUpdated,
        outcome.rowsDeleted,
        outcome.bytes,
        outcome.durationMs,
        outcome.lagSeconds,
        JSON.stringify(outcome.schemaChanges),
        outcome.error,
      ],
    );
  }

  async finishTransfer(
    transferId: string,
    status: Exclude<TransferStatus, 'running'>,
    error?: string,
    warnings: readonly string[] = [],
  ): Promise<void> {
    const updated = await this.#driver.query(
      `UPDATE ${this.#tables.transfers} SET status = $2, finished_at = CURRENT_TIMESTAMP, error = $3, warnings = $4 WHERE id = $1 RETURNING id`,
      [transferId, status, error ?? null, JSON.stringify(warnings)],
    );
    if (updated.length === 0) {
      throw new StateStoreError(`Cannot finish transfer ${transferId}: no such transfer in ${this.#driver.location}.`);
    }
  }

  async acquireLease(destinationId: string, holder: string, seconds: number, replacing?: string): Promise<LeaseHolder | undefined> {
    if (!Number.isInteger(seconds) || seconds < 1) {
      throw new StateStoreError(`A lease lasts a positive whole number of seconds, got ${seconds}.`);
    }
    // now() rather than CURRENT_TIMESTAMP: DuckDB binds CURRENT_TIMESTAMP in an ON CONFLICT
    // clause as a column name. The database clock decides expiry, so runners' clocks may differ.
    const taken = await this.#driver.query(
      `INSERT INTO ${this.#tables.destinationLeases} AS lease (destination_id, holder, expires_at)
       VALUES ($1, $2, now() + $3 * INTERVAL '1 second')
       ON CONFLICT (destination_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE lease.holder = excluded.holder OR lease.expires_at < now() OR lease.holder = $4
       RETURNING holder`,
      [destinationId, holder, seconds, replacing ?? null],
    );
    if (taken.length > 0) return undefined;
    const [current] = await this.#driver.query<{ holder: string; expires_at: Date }>(
      `SELECT holder, expires_at FROM ${this.#tables.destinationLeases} WHERE destination_id = $1`,
      [destinationId],
    );
    // Released between the two statements: try again rather than report a holder that is gone.
    return current ? { holder: current.holder, expiresAt: current.expires_at } : this.acquireLease(destinationId, holder, seconds, replacing);
  }

  async releaseLease(destinationId: string, holder: string): Promise<void> {
    await this.#driver.query(`DELETE FROM ${this.#tables.destinationLeases} WHERE destination_id = $1 AND holder = $2`, [destinationId, holder]);
  }

  async abandonRunningTransfers(destinationId: string): Promise<number> {
    const abandoned = await this.#driver.query(
      `UPDATE ${this.#tables.transfers} SET status = 'abandoned', finished_at = CURRENT_TIMESTAMP, error = $2
       WHERE destination_id = $1 AND status = 'running' RETURNING id`,
      [destinationId, ABANDONED_ERROR],
    );
    return abandoned.length;
  }

  async recentTransfers(options: { destinationId?: string; status?: TransferStatus; limit?: number } = {}): Promise<Transfer[]> {
    const limit = options.limit ?? DEFAULT_RECENT_TRANSFERS;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new StateStoreError(`recentTransfers needs a positive whole number as its limit, got ${limit}.`);
    }
    const conditions: string[] = [];
    const params: SqlParam[] = [limit];
    if (options.destinationId !== undefined) {
      params.push(options.destinationId);
      conditions.push(`destination_id = $${params.length}`);
    }
    if (options.status !== undefined) {
      params.push(options.status);
      conditions.push(`status = $${params.length}`);
    }
    // The id breaks ties between transfers started in the same microsecond: it sorts by creation time.
    return this.#transfers(
      `SELECT id, destination_id, status, started_at, finished_at, error, warnings FROM ${this.#tables.transfers}
       ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY started_at DESC, id DESC LIMIT $1`,
      params,
    );
  }

  async getTransfer(id: string): Promise<Transfer | undefined> {
    const [transfer] = await this.#transfers(
      `SELECT id, destination_id, status, started_at, finished_at, error, warnings FROM ${this.#tables.transfers} WHERE id = $1`,
      [id],
    );
    return transfer;
  }

  /** The transfers a query selects, with their models. */
  async #transfers(sql: string, params: readonly SqlParam[]): Promise<Transfer[]> {
    const transfers = await this.#driver.query<TransferRow>(sql, params);
    const models = await this.#modelTransfers(transfers.map((transfer) => transfer.id));
    return transfers.map((row) => ({
      id: row.id,
      destinationId: row.destination_id,
      status: row.status as TransferStatus,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      error: row.error,
      warnings: row.warnings === null ? [] : (JSON.parse(row.warnings) as string[]),
      models: models.get(row.id) ?? [],
    }));
  }

  async recordVerification(v: Omit<Verification, 'verifiedAt'>): Promise<void> {
    await this.#driver.query(
      `INSERT INTO ${this.#tables.verifications}
         (destination_id, model, verified_at, result, source_rows, destination_rows, buckets, differing_buckets,
          missing, extra, different, sample_keys, notes, duration_ms, error)
       VALUES ($1, $2, CURRENT_TIMESTAMP, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        v.destinationId,
        v.model,
        v.result,
        v.sourceRows,
        v.destinationRows,
        v.buckets,
        v.differingBuckets,
        v.missing,
        v.extra,
        v.different,
        JSON.stringify(v.sampleKeys),
        JSON.stringify(v.notes),
        v.durationMs,
        v.error,
      ],
    );
  }

  async latestVerifications(options: { destinationId?: string } = {}): Promise<Verification[]> {
    const [filter, params]: [string, SqlParam[]] =
      options.destinationId === undefined ? ['', []] : ['WHERE destination_id = $1', [options.destinationId]];
    const rows = await this.#driver.query<VerificationRow>(
      `SELECT * FROM (
         SELECT *, ROW_NUMBER() OVER (PARTITION BY destination_id, model ORDER BY verified_at DESC) AS latest
         FROM ${this.#tables.verifications} ${filter}
       ) AS ranked WHERE latest = 1 ORDER BY destination_id, model`,
      params,
    );
    return rows.map((row) => ({
      destinationId: row.destination_id,
      model: row.model,
      result: row.result as VerificationResult,
      sourceRows: row.source_rows,
      destinationRows: row.destination_rows,
      buckets: row.buckets,
      differingBuckets: row.differing_buckets,
      missing: row.missing,
      extra: row.extra,
      different: row.different,
      sampleKeys: JSON.parse(row.sample_keys) as Verification['sampleKeys'],
      notes: JSON.parse(row.notes) as string[],
      durationMs: row.duration_ms,
      error: row.error,
      verifiedAt: row.verified_at,
    }));
  }

  async countSucceededTransfers(destinationId: string, since?: Date): Promise<number> {
    const [filter, params]: [string, SqlParam[]] =
      since === undefined ? ['', [destinationId]] : [' AND finished_at > CAST($2 AS TIMESTAMPTZ)', [destinationId, since.toISOString()]];
    const [row] = await this.#driver.query<{ transfers: number }>(
      `SELECT COUNT(*) AS transfers FROM ${this.#tables.transfers} WHERE destination_id = $1 AND status = 'succeeded'${filter}`,
      params,
    );
    return Number(row?.transfers ?? 0);
  }

  async putSecret(secret: Omit<StoredSecret, 'updatedAt'>): Promise<void> {
    await this.#driver.query(
      `INSERT INTO ${this.#tables.secrets} (name, key_id, sealed, updated_at) VALUES ($1, $2, $3, CURRENT_TIMESTAMP)
       ON CONFLICT (name) DO UPDATE SET key_id = excluded.key_id, sealed = excluded.sealed, updated_at = excluded.updated_at`,
      [secret.name, secret.keyId, secret.sealed],
    );
  }

  async getSecret(name: string): Promise<StoredSecret | undefined> {
    const [row] = await this.#driver.query<SecretRow>(`SELECT name, key_id, sealed, updated_at FROM ${this.#tables.secrets} WHERE name = $1`, [name]);
    return row && storedSecret(row);
  }

  async listSecrets(): Promise<StoredSecret[]> {
    const rows = await this.#driver.query<SecretRow>(`SELECT name, key_id, sealed, updated_at FROM ${this.#tables.secrets} ORDER BY name`);
    return rows.map(storedSecret);
  }

  async deleteSecret(name: string): Promise<boolean> {
    const deleted = await this.#driver.query(`DELETE FROM ${this.#tables.secrets} WHERE name = $1 RETURNING name`, [name]);
    return deleted.length > 0;
  }

  async replaceSecret(name: string, expectedSealed: string, next: Omit<StoredSecret, 'name' | 'updatedAt'>): Promise<boolean> {
    // One statement, so the comparison and the write are atomic on both engines.
    const replaced = await this.#driver.query(
      `UPDATE ${this.#tables.secrets} SET key_id = $3, sealed = $4, updated_at = CURRENT_TIMESTAMP
       WHERE name = $1 AND sealed = $2 RETURNING name`,
      [name, expectedSealed, next.keyId, next.sealed],
    );
    return replaced.length > 0;
  }

  /** The model outcomes of the given transfers, by transfer id, each list in model order. */
  async #modelTransfers(transferIds: readonly string[]): Promise<Map<string, ModelTransfer[]>> {
    const byTransfer = new Map<string, ModelTransfer[]>();
    if (transferIds.length === 0) return byTransfer;
    const placeholders = transferIds.map((_, index) => `$${index + 1}`).join(', ');
    const rows = await this.#driver.query<ModelTransferRow>(
      `SELECT transfer_id, model, action, rows_inserted, rows_updated, rows_deleted, bytes, duration_ms, lag_seconds, schema_changes, error
       FROM ${this.#tables.modelTransfers} WHERE transfer_id IN (${placeholders}) ORDER BY transfer_id, model`,
      transferIds,
    );
    for (const row of rows) {
      const outcomes = byTransfer.get(row.transfer_id) ?? [];
      outcomes.push({
        model: row.model,
        action: row.action,
        rowsInserted: row.rows_inserted,
        rowsUpdated: row.rows_updated,
        rowsDeleted: row.rows_deleted,
        bytes: row.bytes,
        durationMs: row.duration_ms,
        lagSeconds: row.lag_seconds,
        schemaChanges: JSON.parse(row.schema_changes) as string[],
        error: row.error,
      });
      byTransfer.set(row.transfer_id, outcomes);
    }
    return byTransfer;
  }
}

function storedSecret(row: SecretRow): StoredSecret {
  return { name: row.name, keyId: row.key_id, sealed: row.sealed, updatedAt: row.updated_at };
}

import type { StateDriver } from './driver/driver.ts';
import { StateStoreError } from './state-store-error.ts';
import type { StateTables } from './state-tables.ts';

/** One step of the state schema; applied once, in version order, recorded in schema_version. */
interface Migration {
  readonly version: number;
  readonly description: string;
  statements(tables: StateTables): string[];
}

/**
 * Append only: a released migration never changes, a new one gets the next version.
 *
 * Standard SQL both engines run as written. JSON is kept as TEXT (DuckDB's JSON type is an
 * extension, and the store never queries inside it). No foreign keys: DuckDB refuses to UPDATE
 * a row another table references, and finishing a transfer updates its row.
 */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'destinations, model states, transfers, destination leases',
    statements: (t) => [
      `CREATE TABLE ${t.destinations} (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        tenant TEXT NOT NULL,
        first_seen_at TIMESTAMPTZ NOT NULL,
        last_seen_at TIMESTAMPTZ NOT NULL
      )`,
      `CREATE TABLE ${t.modelStates} (
        destination_id TEXT NOT NULL,
        model TEXT NOT NULL,
        watermark TEXT,
        applied_fingerprint TEXT NOT NULL,
        applied_spec TEXT NOT NULL,
        retired_columns TEXT NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (destination_id, model)
      )`,
      `CREATE TABLE ${t.transfers} (
        id TEXT PRIMARY KEY,
        destination_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        error TEXT
      )`,
      `CREATE INDEX transfers_by_destination ON ${t.transfers} (destination_id, started_at)`,
      `CREATE TABLE ${t.modelTransfers} (
        transfer_id TEXT NOT NULL,
        model TEXT NOT NULL,
        action TEXT NOT NULL,
        rows_inserted BIGINT NOT NULL,
        rows_updated BIGINT NOT NULL,
        rows_deleted BIGINT NOT NULL,
        bytes BIGINT NOT NULL,
        duration_ms BIGINT NOT NULL,
        lag_seconds DOUBLE PRECISION,
        schema_changes TEXT NOT NULL,
        error TEXT,
        PRIMARY KEY (transfer_id, model)
      )`,
      `CREATE TABLE ${t.destinationLeases} (
        destination_id TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    description: 'secrets (ciphertext only, sealed by @ferry/connections)',
    statements: (t) => [
      `CREATE TABLE ${t.secrets} (
        name TEXT PRIMARY KEY,
        key_id TEXT NOT NULL,
        sealed TEXT NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      )`,
    ],
  },
  {
    version: 3,
    description: 'verifications (full comparisons of destination tables with their slices), transfer warnings',
    statements: (t) => [
      `ALTER TABLE ${t.transfers} ADD COLUMN warnings TEXT`,
      `CREATE TABLE ${t.verifications} (
        destination_id TEXT NOT NULL,
        model TEXT NOT NULL,
        verified_at TIMESTAMPTZ NOT NULL,
        result TEXT NOT NULL CHECK (result IN ('equal', 'different', 'repaired', 'failed')),
        source_rows BIGINT NOT NULL,
        destination_rows BIGINT NOT NULL,
        buckets BIGINT NOT NULL,
        differing_buckets BIGINT NOT NULL,
        missing BIGINT NOT NULL,
        extra BIGINT NOT NULL,
        different BIGINT NOT NULL,
        sample_keys TEXT NOT NULL,
        notes TEXT NOT NULL,
        duration_ms BIGINT NOT NULL,
        error TEXT
      )`,
      `CREATE INDEX verifications_by_model ON ${t.verifications} (destination_id, model, verified_at)`,
    ],
  },
  {
    version: 4,
    description: 'control plane: recipients, managed destinations, API keys and magic links (hashed), audit log',
    statements: (t) => [
      `CREATE TABLE ${t.recipients} (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        tenant TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      )`,
      `CREATE TABLE ${t.managedDestinations} (
        id TEXT PRIMARY KEY,
        recipient_id TEXT NOT NULL,
        entry TEXT NOT NULL,
        schedule TEXT NOT NULL,
        paused_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      )`,
      `CREATE TABLE ${t.apiKeys} (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        hash TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        revoked_at TIMESTAMPTZ
      )`,
      `CREATE TABLE ${t.auditLog} (
        id TEXT PRIMARY KEY,
        occurred_at TIMESTAMPTZ NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        details TEXT NOT NULL
      )`,
      `CREATE INDEX audit_log_by_time ON ${t.auditLog} (occurred_at)`,
      `CREATE TABLE ${t.magicLinks} (
        id TEXT PRIMARY KEY,
        recipient_id TEXT NOT NULL,
        tenant TEXT NOT NULL,
        token_hash TEXT NOT NULL,
        destination_types TEXT NOT NULL,
        product TEXT NOT NULL,
        schedule TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        used_at TIMESTAMPTZ,
        destination_id TEXT,
        status_token_hash TEXT
      )`,
      `CREATE INDEX magic_links_by_recipient ON ${t.magicLinks} (recipient_id, created_at)`,
    ],
  },
];

const LATEST_VERSION = MIGRATIONS.reduce((latest, migration) => Math.max(latest, migration.version), 0);

/**
 * Brings the state schema to the latest version, in one transaction that other processes
 * migrating the same store wait for. An up-to-date store runs no DDL, so a database user
 * without CREATE privileges can use one migrated beforehand.
 */
export async function applyMigrations(driver: StateDriver, tables: StateTables): Promise<void> {
  await driver.transaction(
    async (tx) => {
      const versioned = await tx.query(`SELECT 1 AS found FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'schema_version'`, [
        tables.schemaName,
      ]);
      if (versioned.length === 0) {
        await tx.query(`CREATE SCHEMA IF NOT EXISTS ${tables.schema}`);
        await tx.query(
          `CREATE TABLE ${tables.schemaVersion} (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`,
        );
      }
      const [row] = await tx.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${tables.schemaVersion}`);
      const current = row?.version ?? 0;
      if (current > LATEST_VERSION) {
        throw new StateStoreError(
          `The state store at ${driver.location} has schema version ${current}, but this Ferry knows versions up to ${LATEST_VERSION}: ` +
            'a newer Ferry migrated it. Upgrade Ferry to use this store.',
        );
      }
      for (const migration of MIGRATIONS.filter((m) => m.version > current)) {
        for (const statement of migration.statements(tables)) await tx.query(statement);
        await tx.query(`INSERT INTO ${tables.schemaVersion} (version, description, applied_at) VALUES ($1, $2, CURRENT_TIMESTAMP)`, [
          migration.version,
          migration.description,
        ]);
      }
    },
    { lock: `ferry state migrations: ${tables.schemaName}` },
  );
}

import type { SqlRow, StateDriver } from './driver/driver.ts';
import type { ApiKeyRecord, AuditEntry, ControlPlaneStore, MagicLinkRecord, ManagedDestination, RecipientRecord } from './control-plane.ts';
import { StateStoreError } from './state-store-error.ts';
import type { StateTables } from './state-tables.ts';
import { newTransferId } from './transfer-id.ts';

interface RecipientRow extends SqlRow {
  id: string;
  name: string;
  tenant: string;
  created_at: Date;
  updated_at: Date;
}

interface DestinationRow extends SqlRow {
  id: string;
  recipient_id: string;
  entry: string;
  schedule: string;
  paused_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface ApiKeyRow extends SqlRow {
  id: string;
  name: string;
  hash: string;
  created_at: Date;
  revoked_at: Date | null;
}

interface AuditRow extends SqlRow {
  id: string;
  occurred_at: Date;
  actor: string;
  action: string;
  target: string;
  details: string;
}

interface MagicLinkRow extends SqlRow {
  id: string;
  recipient_id: string;
  tenant: string;
  token_hash: string;
  destination_types: string;
  product: string;
  schedule: string;
  created_by: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  destination_id: string | null;
  status_token_hash: string | null;
}

/** The control plane's tables, in the same SQL as SqlStateStore (standard, both engines). */
export class SqlControlPlane implements ControlPlaneStore {
  readonly #driver: StateDriver;
  readonly #tables: StateTables;

  constructor(driver: StateDriver, tables: StateTables) {
    this.#driver = driver;
    this.#tables = tables;
  }

  async createRecipient(recipient: Omit<RecipientRecord, 'createdAt' | 'updatedAt'>): Promise<boolean> {
    const created = await this.#driver.query(
      `INSERT INTO ${this.#tables.recipients} (id, name, tenant, created_at, updated_at)
       VALUES ($1, $2, $3, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [recipient.id, recipient.name, recipient.tenant],
    );
    return created.length > 0;
  }

  async updateRecipient(recipient: Omit<RecipientRecord, 'createdAt' | 'updatedAt'>): Promise<boolean> {
    const updated = await this.#driver.query(
      `UPDATE ${this.#tables.recipients} SET name = $2, tenant = $3, updated_at = CURRENT_TIMESTAMP WHERE id = $1 RETURNING id`,
      [recipient.id, recipient.name, recipient.tenant],
    );
    return updated.length > 0;
  }

  async getRecipient(id: string): Promise<RecipientRecord | undefined> {
    const [row] = await this.#driver.query<RecipientRow>(`SELECT * FROM ${this.#tables.recipients} WHERE id = $1`, [id]);
    return row && recipientOf(row);
  }

  async listRecipients(): Promise<RecipientRecord[]> {
    const rows = await this.#driver.query<RecipientRow>(`SELECT * FROM ${this.#tables.recipients} ORDER BY id`);
    return rows.map(recipientOf);
  }

  async deleteRecipient(id: string): Promise<boolean> {
    const deleted = await this.#driver.query(`DELETE FROM ${this.#tables.recipients} WHERE id = $1 RETURNING id`, [id]);
    return deleted.length > 0;
  }

  async createDestination(destination: Omit<ManagedDestination, 'createdAt' | 'updatedAt' | 'pausedAt'>): Promise<boolean> {
    const created = await this.#driver.query(
      `INSERT INTO ${this.#tables.managedDestinations} (id, recipient_id, entry, schedule, paused_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, NULL, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [destination.id, destination.recipientId, JSON.stringify(destination.entry), destination.schedule],
    );
    return created.length > 0;
  }

  async updateDestination(destination: Omit<ManagedDestination, 'createdAt' | 'updatedAt' | 'pausedAt'>): Promise<boolean> {
    const updated = await this.#driver.query(
      `UPDATE ${this.#tables.managedDestinations} SET recipient_id = $2, entry = $3, schedule = $4, updated_at = CURRENT_TIMESTAMP
       WHERE id = $1 RETURNING id`,
      [destination.id, destination.recipientId, JSON.stringify(destination.entry), destination.schedule],
    );
    return updated.length > 0;
  }

  async setPaused(id: string, paused: boolean): Promise<boolean> {
    // Pausing a paused destination keeps the time it was first paused.
    const updated = await this.#driver.query(
      `UPDATE ${this.#tables.managedDestinations}
       SET paused_at = ${paused ? 'COALESCE(paused_at, CURRENT_TIMESTAMP)' : 'NULL'}, updated_at = CURRENT_TIMESTAMP
       WHERE id = $1 RETURNING id`,
      [id],
    );
    return updated.length > 0;
  }

  async getDestination(id: string): Promise<ManagedDestination | undefined> {
    const [row] = await this.#driver.query<DestinationRow>(`SELECT * FROM ${this.#tables.managedDestinations} WHERE id = $1`, [id]);
    return row && destinationOf(row);
  }

  async listDestinations(): Promise<ManagedDestination[]> {
    const rows = await this.#driver.query<DestinationRow>(`SELECT * FROM ${this.#tables.managedDestinations} ORDER BY id`);
    return rows.map(destinationOf);
  }

  async deleteDestination(id: string): Promise<boolean> {
    const deleted = await this.#driver.query(`DELETE FROM ${this.#tables.managedDestinations} WHERE id = $1 RETURNING id`, [id]);
    return deleted.length > 0;
  }

  async createApiKey(key: Omit<ApiKeyRecord, 'createdAt' | 'revokedAt'>): Promise<void> {
    await this.#driver.query(
      `INSERT INTO ${this.#tables.apiKeys} (id, name, hash, created_at, revoked_at) VALUES ($1, $2, $3, CURRENT_TIMESTAMP, NULL)`,
      [key.id, key.name, key.hash],
    );
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    const rows = await this.#driver.query<ApiKeyRow>(`SELECT * FROM ${this.#tables.apiKeys} ORDER BY created_at, id`);
    return rows.map(apiKeyOf);
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    const [row] = await this.#driver.query<ApiKeyRow>(`SELECT * FROM ${this.#tables.apiKeys} WHERE id = $1`, [id]);
    return row && apiKeyOf(row);
  }

  async revokeApiKey(id: string): Promise<boolean> {
    const revoked = await this.#driver.query(
      `UPDATE ${this.#tables.apiKeys} SET revoked_at = CURRENT_TIMESTAMP WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
      [id],
    );
    return revoked.length > 0;
  }

  async createMagicLink(link: Omit<MagicLinkRecord, 'createdAt' | 'usedAt' | 'destinationId' | 'statusTokenHash'>): Promise<void> {
    await this.#driver.query(
      `INSERT INTO ${this.#tables.magicLinks}
         (id, recipient_id, tenant, token_hash, destination_types, product, schedule, created_by, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CURRENT_TIMESTAMP, $9)`,
      [
        link.id,
        link.recipientId,
        link.tenant,
        link.tokenHash,
        JSON.stringify(link.destinationTypes),
        link.product,
        link.schedule,
        link.createdBy,
        link.expiresAt.toISOString(),
      ],
    );
  }

  async getMagicLink(id: string): Promise<MagicLinkRecord | undefined> {
    const [row] = await this.#driver.query<MagicLinkRow>(`SELECT * FROM ${this.#tables.magicLinks} WHERE id = $1`, [id]);
    return row && magicLinkOf(row);
  }

  async listMagicLinks(recipientId: string): Promise<MagicLinkRecord[]> {
    const rows = await this.#driver.query<MagicLinkRow>(
      `SELECT * FROM ${this.#tables.magicLinks} WHERE recipient_id = $1 ORDER BY created_at DESC, id DESC`,
      [recipientId],
    );
    return rows.map(magicLinkOf);
  }

  async consumeMagicLink(id: string, destinationId: string, statusTokenHash: string): Promise<boolean> {
    // One statement: of two requests racing on one link, exactly one sees used_at still NULL.
    const used = await this.#driver.query(
      `UPDATE ${this.#tables.magicLinks} SET used_at = CURRENT_TIMESTAMP, destination_id = $2, status_token_hash = $3
       WHERE id = $1 AND used_at IS NULL RETURNING id`,
      [id, destinationId, statusTokenHash],
    );
    return used.length > 0;
  }

  async deleteMagicLinks(recipientId: string): Promise<number> {
    const deleted = await this.#driver.query(`DELETE FROM ${this.#tables.magicLinks} WHERE recipient_id = $1 RETURNING id`, [recipientId]);
    return deleted.length;
  }

  async releaseMagicLink(id: string): Promise<void> {
    await this.#driver.query(`UPDATE ${this.#tables.magicLinks} SET used_at = NULL, destination_id = NULL, status_token_hash = NULL WHERE id = $1`, [
      id,
    ]);
  }

  async lastTransferStarts(): Promise<Map<string, Date>> {
    const rows = await this.#driver.query<{ destination_id: string; started_at: Date }>(
      `SELECT destination_id, max(started_at) AS started_at FROM ${this.#tables.transfers} GROUP BY destination_id`,
    );
    return new Map(rows.map((row) => [row.destination_id, row.started_at]));
  }

  async audit(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<void> {
    await this.#driver.query(
      `INSERT INTO ${this.#tables.auditLog} (id, occurred_at, actor, action, target, details) VALUES ($1, CURRENT_TIMESTAMP, $2, $3, $4, $5)`,
      [newTransferId(), entry.actor, entry.action, entry.target, JSON.stringify(entry.details)],
    );
  }

  async auditLog(options: { limit?: number; target?: string } = {}): Promise<AuditEntry[]> {
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1) throw new StateStoreError(`auditLog needs a positive whole number as its limit, got ${limit}.`);
    const [filter, params] = options.target === undefined ? ['', [limit]] : ['WHERE target = $2', [limit, options.target]];
    // Ids are UUIDv7: they break ties between entries of the same microsecond in creation order.
    const rows = await this.#driver.query<AuditRow>(
      `SELECT * FROM ${this.#tables.auditLog} ${filter} ORDER BY occurred_at DESC, id DESC LIMIT $1`,
      params,
    );
    return rows.map((row) => ({
      id: row.id,
      at: row.occurred_at,
      actor: row.actor,
      action: row.action,
      target: row.target,
      details: JSON.parse(row.details) as Record<string, unknown>,
    }));
  }
}

function recipientOf(row: RecipientRow): RecipientRecord {
  return { id: row.id, name: row.name, tenant: row.tenant, createdAt: row.created_at, updatedAt: row.updated_at };
}

function destinationOf(row: DestinationRow): ManagedDestination {
  return {
    id: row.id,
    recipientId: row.recipient_id,
    entry: JSON.parse(row.entry) as Record<string, unknown>,
    schedule: row.schedule,
    pausedAt: row.paused_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function magicLinkOf(row: MagicLinkRow): MagicLinkRecord {
  return {
    id: row.id,
    recipientId: row.recipient_id,
    tenant: row.tenant,
    tokenHash: row.token_hash,
    destinationTypes: JSON.parse(row.destination_types) as string[],
    product: row.product,
    schedule: row.schedule,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
    destinationId: row.destination_id,
    statusTokenHash: row.status_token_hash,
  };
}

function apiKeyOf(row: ApiKeyRow): ApiKeyRecord {
  return { id: row.id, name: row.name, hash: row.hash, createdAt: row.created_at, revokedAt: row.revoked_at };
}

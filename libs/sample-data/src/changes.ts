import { RAW_SCHEMA } from './raw-schema.ts';

/** How many raw rows a change batch touches, per kind. */
export interface SourceChanges {
  /** Email messages that move on to "clicked". */
  readonly updates: number;
  /** New email messages, copied from existing ones with fresh ids. */
  readonly inserts: number;
  /** Recipients marked deleted (deleted_at set). */
  readonly softDeletes: number;
  /** Recipients (not those just flagged), workflows and push messages removed outright. */
  readonly hardDeletes: number;
}

/**
 * SQL that changes the raw sources the way a day of product use does — updates, inserts, soft
 * and hard deletes — for the demo and the sync tests. Runs unchanged on Postgres and DuckDB.
 * Rows are picked in id order, so the same data gets the same changes; `at` stamps every change
 * (it must be later than the data's own timestamps so cursors move forward).
 */
export function sourceChangeStatements(changes: SourceChanges, at: Date): string[] {
  const now = `CAST('${at.toISOString()}' AS TIMESTAMPTZ)`;
  const pick = (table: string, count: number, where = 'TRUE') =>
    `SELECT id FROM ${RAW_SCHEMA}.${table} WHERE ${where} ORDER BY id LIMIT ${Math.max(0, Math.floor(count))}`;
  const email = `${RAW_SCHEMA}.email_messages`;
  const emailColumns =
    'tenant_id, workflow_key, recipient_id, status, provider, data, cost, inserted_at, processed_at, delivered_at, opened_at, clicked_at';
  return [
    `UPDATE ${email} SET status = 'click', opened_at = COALESCE(opened_at, ${now}), clicked_at = ${now}, updated_at = ${now}
     WHERE id IN (${pick('email_messages', changes.updates, "status <> 'click'")})`,
    `INSERT INTO ${email} (id, ${emailColumns}, updated_at)
     SELECT gen_random_uuid(), ${emailColumns}, ${now} FROM ${email} WHERE id IN (${pick('email_messages', changes.inserts)})`,
    `UPDATE ${RAW_SCHEMA}.recipients SET deleted_at = ${now}, updated_at = ${now}
     WHERE id IN (${pick('recipients', changes.softDeletes, 'deleted_at IS NULL')})`,
    // Erasure: recipients deleted outright, beside the ones only flagged above.
    `DELETE FROM ${RAW_SCHEMA}.recipients WHERE id IN (${pick('recipients', changes.hardDeletes, 'deleted_at IS NULL')})`,
    `DELETE FROM ${RAW_SCHEMA}.workflows WHERE id IN (${pick('workflows', changes.hardDeletes)})`,
    `DELETE FROM ${RAW_SCHEMA}.push_messages WHERE id IN (${pick('push_messages', changes.hardDeletes)})`,
  ];
}

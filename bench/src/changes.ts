import pg from 'pg';

/** Shares of the table a change batch touches. The mix: 1% updated, 0.1% new, 0.2% hard-deleted. */
export const CHANGE_MIX = { updates: 0.01, inserts: 0.001, deletes: 0.002 } as const;

/** How many rows a change batch updated, inserted and deleted. */
export interface AppliedChanges {
  readonly updates: number;
  readonly inserts: number;
  /** The ids of the deleted rows, as text: what a loader that misses deletes still holds. */
  readonly deletedKeys: readonly string[];
}

export function changedRows(changes: AppliedChanges): number {
  return changes.updates + changes.inserts + changes.deletedKeys.length;
}

/**
 * Changes `analytics.messages` of a working copy of the source the way a dbt run after a busy
 * hour does: messages move on to "read", new messages arrive, and some are erased (hard deletes,
 * the case incremental ELT tools miss). Rows are picked by a hash of their id salted with `batch`,
 * so each batch touches different rows spread over every tenant, and the same batch of the same
 * data touches the same rows. Every change stamps `updated_at`, the model's cursor.
 */
export async function applyChanges(url: string, batch: number): Promise<AppliedChanges> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const {
      rows: [row],
    } = await client.query<{ n: string }>('SELECT count(*) AS n FROM analytics.messages');
    const total = Number(row?.n);
    const pick = (salt: string, share: number) =>
      `SELECT id FROM analytics.messages ORDER BY md5(id::text || '${salt}${batch}') LIMIT ${Math.max(1, Math.round(total * share))}`;
    await client.query('BEGIN');
    // Deleted first, so an updated or copied row is never one that is gone.
    const deleted = await client.query<{ id: string }>(
      `DELETE FROM analytics.messages WHERE id IN (${pick('delete', CHANGE_MIX.deletes)}) RETURNING id::text AS id`,
    );
    const updated = await client.query(
      `UPDATE analytics.messages SET status = 'read', is_engaged = true, read_at = clock_timestamp(), updated_at = clock_timestamp()
       WHERE id IN (${pick('update', CHANGE_MIX.updates)})`,
    );
    const columns = await client.query<{ name: string }>(
      `SELECT quote_ident(attname) AS name FROM pg_attribute WHERE attrelid = 'analytics.messages'::regclass AND attnum > 0 AND NOT attisdropped AND attname NOT IN ('id', 'updated_at') ORDER BY attnum`,
    );
    const copied = columns.rows.map((c) => c.name).join(', ');
    const inserted = await client.query(
      `INSERT INTO analytics.messages (id, updated_at, ${copied})
       SELECT gen_random_uuid(), clock_timestamp(), ${copied} FROM analytics.messages WHERE id IN (${pick('insert', CHANGE_MIX.inserts)})`,
    );
    await client.query('COMMIT');
    await client.query('ANALYZE analytics.messages');
    return { updates: updated.rowCount ?? 0, inserts: inserted.rowCount ?? 0, deletedKeys: deleted.rows.map((r) => r.id) };
  } finally {
    await client.end();
  }
}

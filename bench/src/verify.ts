import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';

/** A slice as the benchmark compares it: its row count and a hash of its rows in key order. */
export interface SliceDigest {
  readonly rows: number;
  readonly hash: string;
}

/**
 * Every column as text in table order (a destination may rename a column, never reorder it), JSON normalised (a destination may hold json as jsonb), NULL apart from
 * any text, hashed per row and then over the rows in key order. Per-row hashes keep the
 * aggregate far below Postgres's 1 GB value limit at 20M rows.
 */
export async function postgresDigest(url: string, relation: string, tenant: string | undefined): Promise<SliceDigest> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const [schema, table] = relation.split('.') as [string, string];
    const { rows: columns } = await client.query<{ name: string; type: string }>(
      `SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [schema, table],
    );
    const text = columns.map(({ name, type }) => `coalesce(${/json/.test(type) ? `"${name}"::jsonb::text` : `"${name}"::text`}, '\\N')`);
    const where = tenant === undefined ? '' : `WHERE tenant_id = $1`;
    const { rows } = await client.query<{ rows: string; hash: string }>(
      `SELECT count(*) AS rows, md5(string_agg(md5(concat_ws('|', ${text.join(', ')})), '' ORDER BY id)) AS hash FROM ${relation} ${where}`,
      tenant === undefined ? [] : [tenant],
    );
    return { rows: Number(rows[0]?.rows), hash: rows[0]?.hash ?? '' };
  } finally {
    await client.end();
  }
}

/**
 * The keys of a DuckDB table, hashed in order, and its row count. Weaker than the Postgres digest
 * (values are compared by the test suite's fidelity tests, not here): DuckDB spells timestamps
 * and JSON differently from Postgres.
 */
export async function duckdbKeyDigest(path: string, relation: string): Promise<SliceDigest> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const [row] = (await connection.runAndReadAll(`SELECT count(*)::BIGINT, md5(string_agg(id::VARCHAR, ',' ORDER BY id::VARCHAR)) FROM ${relation}`)).getRows();
    return { rows: Number(row?.[0]), hash: String(row?.[1]) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export async function postgresKeyDigest(url: string, relation: string, tenant: string): Promise<SliceDigest> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ rows: string; hash: string }>(
      `SELECT count(*) AS rows, md5(string_agg(id::text, ',' ORDER BY id::text)) AS hash FROM ${relation} WHERE tenant_id = $1`,
      [tenant],
    );
    return { rows: Number(rows[0]?.rows), hash: rows[0]?.hash ?? '' };
  } finally {
    await client.end();
  }
}

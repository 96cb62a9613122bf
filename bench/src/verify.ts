import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';

/** A slice as the benchmark compares it: its row count and a hash of its rows in key order. */
export interface SliceDigest {
  readonly rows: number;
  readonly hash: string;
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
    const [row] = (
      await connection.runAndReadAll(`SELECT count(*)::BIGINT, md5(string_agg(id::VARCHAR, ',' ORDER BY id::VARCHAR)) FROM ${relation}`)
    ).getRows();
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

/** The names of a relation's columns, in table order: what postgresDigests compares. */
export async function postgresColumnNames(url: string, relation: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const [schema, table] = relation.split('.') as [string, string];
    const { rows } = await client.query<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [schema, table],
    );
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

/** Which columns postgresDigests hashes, and which rows it leaves out. */
export interface DigestOptions {
  /** The columns to hash, in this order, by their source names (postgresColumnNames of the source). */
  readonly columns: readonly string[];
  /** Source name → name in this relation, for a destination that renames (Ferry's `data` is `payload`). */
  readonly rename?: Readonly<Record<string, string>>;
  /** Keys (`id` as text) left out on this side, e.g. rows deleted in the source that a loader keeps. */
  readonly excludeKeys?: readonly string[];
}

/**
 * A digest of chosen columns, by name, of one or more tenant slices (in one scan), equal for the
 * source and for any Postgres destination that holds the same values however it typed them:
 * columns a loader adds (dlt's `_dlt_load_id`, `_dlt_id`) are not read, and each value is turned
 * into text by the type it has on this side:
 *   numeric                 trim_scale(): 0.000082 in numeric(12,6) and numeric(38,9) alike
 *   json, jsonb             ::jsonb::text: key order and white space as jsonb normalises them
 *   timestamptz             ::text in a session pinned to UTC (the precision kept: a loader that
 *                           truncates microseconds differs)
 *   timestamp (no zone)     read as UTC, then as timestamptz: how loaders store UTC instants naive
 *   uuid, varchar(n), text  ::text: a uuid stored as varchar gives the same canonical lower case
 * A row is the text of ROW(...) of its values, which quotes delimiters and tells NULL from ''
 * apart; rows are hashed in the order of their key `id` as text (byte order, the same whether the
 * key is uuid or varchar). Without `tenants`, the whole relation as one slice keyed ''.
 */
export async function postgresDigests(
  url: string,
  relation: string,
  tenants: readonly string[] | undefined,
  options: DigestOptions,
): Promise<Record<string, SliceDigest>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET TIME ZONE 'UTC'`);
    const [schema, table] = relation.split('.') as [string, string];
    const { rows: typed } = await client.query<{ name: string; type: string }>(
      `SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`,
      [schema, table],
    );
    const types = new Map(typed.map((c) => [c.name, c.type]));
    const named = (source: string) => options.rename?.[source] ?? source;
    const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
    const text = options.columns.map((source) => {
      const name = named(source);
      const type = types.get(name);
      if (type === undefined) throw new Error(`${relation} has no column ${name}${name === source ? '' : ` (the source's ${source})`}`);
      const column = quoted(name);
      if (type === 'numeric') return `trim_scale(${column})::text`;
      if (type === 'json' || type === 'jsonb') return `${column}::jsonb::text`;
      if (type === 'timestamp without time zone') return `(${column} AT TIME ZONE 'UTC')::text`;
      return `${column}::text`;
    });
    const key = `${quoted(named('id'))}::text`;
    const tenantColumn = `${quoted(named('tenant_id'))}::text`;
    const where: string[] = [];
    const params: (readonly string[])[] = [];
    if (tenants !== undefined) where.push(`${tenantColumn} = ANY($${params.push(tenants)}::text[])`);
    if (options.excludeKeys?.length) where.push(`NOT (${key} = ANY($${params.push(options.excludeKeys)}::text[]))`);
    const slice = tenants === undefined ? `''` : tenantColumn;
    const { rows } = await client.query<{ slice: string; rows: string; hash: string }>(
      `SELECT ${slice} AS slice, count(*) AS rows, md5(string_agg(md5(ROW(${text.join(', ')})::text), '' ORDER BY ${key} COLLATE "C")) AS hash
       FROM ${relation} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY 1`,
      params,
    );
    const empty = { rows: 0, hash: '' };
    const found = new Map(rows.map((r) => [r.slice, { rows: Number(r.rows), hash: r.hash }]));
    return Object.fromEntries((tenants ?? ['']).map((t) => [t, found.get(t) ?? empty]));
  } finally {
    await client.end();
  }
}

/** postgresDigests of one tenant's slice (or, without a tenant, of the whole relation). */
export async function postgresDigest(url: string, relation: string, tenant: string | undefined, options: DigestOptions): Promise<SliceDigest> {
  const digests = await postgresDigests(url, relation, tenant === undefined ? undefined : [tenant], options);
  return digests[tenant ?? ''] ?? { rows: 0, hash: '' };
}

/**
 * The raw sources of dbt_project (schema `raw`): the one description both loaders create tables
 * from and encode values by. It must match dbt_project/models/staging/_raw__sources.yml.
 *
 * The tables are unconstrained landing tables, as an ELT tool would leave them: no keys or
 * NOT NULL, so bulk loads of millions of rows maintain no index.
 */

export const RAW_SCHEMA = 'raw';

/**
 * Column types of the raw tables. Each spelling means the same in Postgres and DuckDB, so one
 * DDL serves both engines.
 */
export type RawColumnType = 'text' | 'uuid' | 'integer' | 'bigint' | 'numeric(12,6)' | 'boolean' | 'timestamp' | 'timestamptz' | 'json';

/** How generated rows hold each type's values. */
export interface RawValueOf {
  text: string;
  /** Lower-case, hyphenated. */
  uuid: string;
  integer: number;
  bigint: bigint;
  /** Exact decimal text with all 6 fraction digits, e.g. "0.000750". */
  'numeric(12,6)': string;
  boolean: boolean;
  /** Microseconds since 1970-01-01 00:00 (no time zone). */
  timestamp: number;
  /** Microseconds since the Unix epoch (UTC). */
  timestamptz: number;
  /** Serialised JSON text, kept byte for byte. */
  json: string;
}

const messageColumns = {
  id: 'uuid',
  tenant_id: 'text',
  workflow_key: 'text',
  recipient_id: 'uuid',
  status: 'text',
  provider: 'text',
  data: 'json',
} as const;

/** Table name -> column name -> type, in column order. */
export const RAW_TABLES = {
  workflows: {
    id: 'uuid',
    tenant_id: 'text',
    key: 'text',
    name: 'text',
    description: 'text',
    categories: 'json',
    version: 'integer',
    active: 'boolean',
    published_at: 'timestamp',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  recipients: {
    id: 'uuid',
    tenant_id: 'text',
    external_id: 'text',
    email: 'text',
    phone_number: 'text',
    name: 'text',
    locale: 'text',
    timezone: 'text',
    properties: 'json',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
    deleted_at: 'timestamptz',
  },
  recipient_preferences: {
    tenant_id: 'text',
    recipient_id: 'uuid',
    workflow_key: 'text',
    channel_type: 'text',
    enabled: 'boolean',
    updated_at: 'timestamptz',
  },
  email_messages: {
    ...messageColumns,
    cost: 'numeric(12,6)',
    inserted_at: 'timestamptz',
    processed_at: 'timestamptz',
    delivered_at: 'timestamptz',
    opened_at: 'timestamptz',
    clicked_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  in_app_messages: {
    ...messageColumns,
    inserted_at: 'timestamptz',
    seen_at: 'timestamptz',
    read_at: 'timestamptz',
    clicked_at: 'timestamptz',
    archived_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  push_messages: {
    ...messageColumns,
    cost: 'numeric(12,6)',
    inserted_at: 'timestamptz',
    sent_at: 'timestamptz',
    opened_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  sms_messages: {
    ...messageColumns,
    segments: 'integer',
    cost: 'numeric(12,6)',
    inserted_at: 'timestamptz',
    sent_at: 'timestamptz',
    delivered_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  chat_messages: {
    ...messageColumns,
    cost: 'numeric(12,6)',
    inserted_at: 'timestamptz',
    posted_at: 'timestamptz',
    reacted_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  message_events: {
    id: 'bigint',
    tenant_id: 'text',
    message_id: 'uuid',
    channel_type: 'text',
    event_type: 'text',
    occurred_at: 'timestamptz',
    properties: 'json',
  },
} as const satisfies Record<string, Record<string, RawColumnType>>;

export type RawTableName = keyof typeof RAW_TABLES;
export const RAW_TABLE_NAMES = Object.keys(RAW_TABLES) as RawTableName[];

/** One generated row of a raw table; any column may be null. */
export type RawRow<T extends RawTableName> = {
  -readonly [C in keyof (typeof RAW_TABLES)[T]]: RawValueOf[(typeof RAW_TABLES)[T][C] & RawColumnType] | null;
};

export interface RawColumn {
  readonly name: string;
  readonly type: RawColumnType;
}

export function rawColumns(table: RawTableName): RawColumn[] {
  return Object.entries(RAW_TABLES[table]).map(([name, type]) => ({ name, type }));
}

/** Drops and recreates one raw table; valid in both Postgres and DuckDB. */
export function rawTableDdl(table: RawTableName): string[] {
  const columns = rawColumns(table).map((column) => `  ${column.name} ${column.type}`);
  return [`DROP TABLE IF EXISTS ${RAW_SCHEMA}.${table}`, `CREATE TABLE ${RAW_SCHEMA}.${table} (\n${columns.join(',\n')}\n)`];
}

/** Rows loaded per raw table. */
export type LoadReport = Readonly<Record<RawTableName, number>>;

import { bindRelations, type Relations } from '@ferry/dialects';
import { exportModels, modelSql } from '@ferry/generated';
import { describe, expect, it } from 'vitest';
import { DESTINATION_TYPES, type Destination, type DestinationType } from '@ferry/destinations';
import { csvChunks, csvRecord, realBigQueryProject, useTestDestination } from '../index.ts';

type Row = readonly (string | null)[];

/**
 * Rows of the `messages` export model, in its column order, as a source sends them. Every value
 * is canonical text except the t/f booleans, which the transfer format also accepts.
 */
const SENT: readonly Row[] = [
  [
    '0b7e4a5e-1d2c-4f00-8000-000000000001',
    'acme',
    'email',
    'welcome, "new" user',
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    'delivered',
    '',
    'größe 🚢 line one\nline two, "quoted" back\\slash',
    '{"a": [1, 2.5, "größe 🚢"], "b": null}',
    '123456.123456',
    't',
    '2024-02-29 23:59:59.999999+00',
    '2024-03-01 00:00:00.000001+00',
    null,
    null,
    null,
    null,
    null,
    '2024-03-01 12:00:00+00',
  ],
  [
    '0b7e4a5e-1d2c-4f00-8000-000000000002',
    'acme',
    'sms',
    '',
    null,
    'queued',
    null,
    null,
    null,
    null,
    'false',
    '1970-01-01 00:00:00+00',
    null,
    null,
    null,
    null,
    null,
    null,
    '1970-01-01 00:00:00+00',
  ],
  [
    '0b7e4a5e-1d2c-4f00-8000-000000000003',
    'acme',
    'push',
    'digest',
    null,
    'read',
    'NULL',
    '',
    '"just a string"',
    '-0.000001',
    'f',
    '2024-03-01 12:00:00.5+00',
    '2024-03-01 12:00:01+00',
    '2024-03-01 12:00:02+00',
    '2024-03-01 12:00:03+00',
    '2024-03-01 12:00:04+00',
    '2024-03-01 12:00:05+00',
    '2024-03-01 12:00:06+00',
    '2024-03-01 12:00:06.000001+00',
  ],
];

/** SENT as the destination returns it: booleans spelled out, `.5` seconds at their own precision. */
const STORED: readonly Row[] = SENT.map((row) => row.map((value) => ({ t: 'true', f: 'false' })[value ?? ''] ?? value));

/** Rows with JSON values parsed: warehouses may re-space JSON text (BigQuery prints it compact). */
function jsonParsed(rows: readonly Row[]): unknown[][] {
  const json = exportModels.messages.columns.map((column) => column.type.kind === 'json');
  return rows.map((row) => row.map((value, i) => (json[i] && value !== null ? JSON.parse(value) : value)));
}

/** How each warehouse spells the column types of `messages`. */
const SPELLING: Record<
  DestinationType,
  Record<'uuid' | 'text' | 'json' | 'cost' | 'boolean' | 'timestamptz', string> & { varchar(length: number): string }
> = {
  postgres: {
    uuid: 'uuid',
    text: 'text',
    json: 'jsonb',
    cost: 'numeric(12,6)',
    boolean: 'boolean',
    timestamptz: 'timestamp(6) with time zone',
    varchar: (length) => `character varying(${length})`,
  },
  duckdb: {
    uuid: 'UUID',
    text: 'VARCHAR',
    json: 'JSON',
    cost: 'DECIMAL(12,6)',
    boolean: 'BOOLEAN',
    timestamptz: 'TIMESTAMP WITH TIME ZONE',
    varchar: () => 'VARCHAR',
  },
  // As DESCRIBE TABLE spells them: VARCHAR keeps its length (plain VARCHAR is the maximum); the
  // emulator stores timestamps with nanoseconds, so it reports precision 9 where Snowflake reports 6.
  snowflake: {
    uuid: 'VARCHAR(36)',
    text: 'VARCHAR(16777216)',
    json: 'VARIANT',
    cost: 'NUMBER(12,6)',
    boolean: 'BOOLEAN',
    timestamptz: process.env.FERRY_TEST_SNOWFLAKE_ACCOUNT ? 'TIMESTAMP_TZ(6)' : 'TIMESTAMP_TZ(9)',
    varchar: (length) => `VARCHAR(${length})`,
  },
  // bqemulator's table metadata lists JSON columns as STRING and NUMERIC without its parameters.
  bigquery: {
    uuid: 'STRING',
    text: 'STRING',
    json: realBigQueryProject() ? 'JSON' : 'STRING',
    cost: realBigQueryProject() ? 'NUMERIC(12,6)' : 'NUMERIC',
    boolean: 'BOOL',
    timestamptz: 'TIMESTAMP',
    varchar: () => 'STRING',
  },
  // As the catalog spells them on the Postgres stand-in: SUPER is a jsonb domain there.
  redshift: {
    uuid: 'character(36)',
    text: 'character varying(65535)',
    json: 'super',
    cost: 'numeric(12,6)',
    boolean: 'boolean',
    timestamptz: 'timestamp with time zone',
    varchar: (length) => `character varying(${length * 4})`,
  },
};

describe.each(DESTINATION_TYPES)('%s destination with the generated messages SQL', (type) => {
  const open = useTestDestination(type);
  const sql = modelSql[type].messages;
  const columns = exportModels.messages.columns.map((column) => sql.columns[column.name]!);

  /** Binds and runs one ModelSql operation. */
  const run = (destination: Destination, statements: readonly string[], relations: Relations) =>
    destination.execute(statements.map((statement) => bindRelations(statement, relations)));

  it('creates the table, stages CSV, merges in a transaction and reads every value back exactly', async () => {
    const { destination } = await open();
    const relations = { target: destination.relation(sql.table), staging: destination.scratchRelation(`staging_${sql.table}`) };
    await destination.ensureSchema();
    await destination.ensureSchema();
    await run(destination, sql.createTable, relations);

    const stage = async () => {
      await run(destination, sql.dropStaging, relations);
      await run(destination, sql.createStaging, relations);
      return destination.loadCsv(relations.staging, columns, csvChunks(SENT));
    };
    expect(await stage()).toEqual({ rows: SENT.length, bytes: Buffer.byteLength(SENT.map(csvRecord).join('')) });
    expect(await destination.transaction((session) => run(session as Destination, sql.merge, relations))).toBe(SENT.length);

    const q = (column: string) => destination.dialect.quoteIdentifier(destination.dialect.foldIdentifier(column));
    const list = columns.map(q).join(', ');
    const select = `SELECT ${list} FROM ${relations.target} ORDER BY ${q('id')}`;
    expect(jsonParsed(await destination.query(select))).toEqual(jsonParsed(STORED));
    expect(
      await destination.query(`SELECT ${q('vendor_status')} IS NULL, ${q('provider')} IS NULL FROM ${relations.target} ORDER BY ${q('id')}`),
    ).toEqual([
      ['false', 'false'],
      ['true', 'true'],
      ['false', 'false'],
    ]);

    // The same rows again change nothing: the merge's count comes from its last statement.
    await stage();
    expect(await destination.transaction((session) => run(session as Destination, sql.merge, relations))).toBe(0);
    expect(jsonParsed(await destination.query(select))).toEqual(jsonParsed(STORED));
  });

  it('introspects the created table: columns in order, warehouse types, nullability; undefined when missing', async () => {
    const { destination } = await open();
    await destination.ensureSchema();
    await run(destination, sql.createTable, { target: destination.relation('messages_introspected') });
    const spelling = SPELLING[type];
    const timestamps = ['inserted_at', 'sent_at', 'delivered_at', 'seen_at', 'read_at', 'interacted_at', 'archived_at', 'updated_at'];
    const expected: [string, string, boolean][] = [
      ['id', spelling.uuid, false],
      ['tenant_id', spelling.varchar(64), false],
      ['channel_type', spelling.varchar(16), false],
      ['workflow_key', spelling.varchar(128), false],
      ['recipient_id', spelling.uuid, true],
      ['status', spelling.varchar(16), false],
      ['vendor_status', spelling.varchar(32), true],
      ['provider', spelling.text, true],
      ['payload', spelling.json, true],
      ['cost', spelling.cost, true],
      ['is_engaged', spelling.boolean, false],
      ...timestamps.map((name): [string, string, boolean] => [name, spelling.timestamptz, name !== 'inserted_at' && name !== 'updated_at']),
    ];
    const shape = await destination.introspect('messages_introspected');
    expect([...(shape?.columns ?? [])].map(([name, column]) => [name, column.type, column.nullable])).toEqual(
      expected.map(([name, ...rest]) => [destination.dialect.foldIdentifier(name), ...rest]),
    );
    expect(await destination.introspect('no_such_table')).toBeUndefined();
  });
});

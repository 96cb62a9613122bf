import { DuckDBInstance } from '@duckdb/node-api';
import {
  MESSAGE_TABLES,
  RAW_TABLE_NAMES,
  loadIntoDuckDB,
  loadIntoPostgres,
  sampleRows,
  sampleSizes,
  tenantId,
  type RawTableName,
  type SampleDataOptions,
} from '@ferry/sample-data';
import { describe, expect, it } from 'vitest';
import { createTempDatabase } from './harness/postgres.ts';
import { digestDuckDBTable, digestGeneratedTable, digestPostgresTable, type TableDigest } from './harness/raw-digest.ts';

const MESSAGE_TABLE_NAMES = Object.values(MESSAGE_TABLES);

function digestAll(options: SampleDataOptions): Record<RawTableName, TableDigest> {
  return Object.fromEntries(RAW_TABLE_NAMES.map((table) => [table, digestGeneratedTable(table, options)])) as Record<RawTableName, TableDigest>;
}

function countBy<T>(rows: Iterable<T>, key: (row: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1);
  return counts;
}

describe('sample data generator', () => {
  const options = { seed: 42, tenants: 3, messagesPerTenant: 120 };

  it('gives identical rows for the same seed and sizes, and different rows for another seed', () => {
    const first = digestAll(options);
    expect(digestAll({ ...options })).toEqual(first);

    const reseeded = digestAll({ ...options, seed: 43 });
    for (const table of RAW_TABLE_NAMES) expect(reseeded[table].digest, table).not.toBe(first[table].digest);
  });

  it('scales every table from tenants and messages per tenant', () => {
    for (const sizes of [
      { seed: 1, tenants: 2, messagesPerTenant: 50 },
      { seed: 1, tenants: 5, messagesPerTenant: 400 },
    ]) {
      const expected = sampleSizes(sizes);
      const messages = MESSAGE_TABLE_NAMES.flatMap((table) => [...sampleRows(table, sizes)]);
      const perTenant = countBy(messages, (row) => row.tenant_id!);
      expect([...perTenant.keys()].sort()).toEqual(Array.from({ length: sizes.tenants }, (_, i) => tenantId(i)));
      for (const count of perTenant.values()) expect(count).toBe(sizes.messagesPerTenant);

      expect([...sampleRows('recipients', sizes)]).toHaveLength(sizes.tenants * expected.recipientsPerTenant);
      expect([...sampleRows('workflows', sizes)]).toHaveLength(sizes.tenants * expected.liveWorkflowsPerTenant);
      expect(expected.liveWorkflowsPerTenant).toBeLessThan(expected.workflowsPerTenant);

      const events = [...sampleRows('message_events', sizes)].length;
      expect(events).toBeGreaterThan(messages.length);
      expect(events).toBeLessThanOrEqual(messages.length * 8);
      const preferences = [...sampleRows('recipient_preferences', sizes)].length;
      expect(preferences).toBeGreaterThan(0);
      expect(preferences).toBeLessThanOrEqual(sizes.tenants * expected.recipientsPerTenant * 3);
    }
    expect(sampleSizes({ seed: 1, tenants: 1, messagesPerTenant: 10_000 }).recipientsPerTenant).toBe(1_000);
    expect(() => sampleSizes({ seed: 1, tenants: 0, messagesPerTenant: 10 })).toThrow(/tenants/);
    expect(() => sampleSizes({ seed: 1.5, tenants: 1, messagesPerTenant: 10 })).toThrow(/seed/);
  });

  it('generates lazily: the first row of a billion-message data set comes at once', () => {
    const started = performance.now();
    const [first] = sampleRows('message_events', { seed: 3, tenants: 1_000, messagesPerTenant: 1_000_000 });
    expect(first?.id).toBe(1n);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('keeps keys unique and references intact', () => {
    const messageIds = MESSAGE_TABLE_NAMES.flatMap((table) => [...sampleRows(table, options)].map((row) => row.id));
    expect(new Set(messageIds).size).toBe(messageIds.length);

    const recipientIds = new Set([...sampleRows('recipients', options)].map((row) => row.id));
    expect(recipientIds.size).toBe(options.tenants * sampleSizes(options).recipientsPerTenant);
    for (const table of MESSAGE_TABLE_NAMES) {
      for (const row of sampleRows(table, options)) expect(recipientIds.has(row.recipient_id)).toBe(true);
    }

    const events = [...sampleRows('message_events', options)];
    expect(new Set(events.map((row) => row.id)).size).toBe(events.length);
    const knownMessages = new Set(messageIds);
    expect(events.every((row) => knownMessages.has(row.message_id))).toBe(true);

    const preferenceKeys = [...sampleRows('recipient_preferences', options)].map(
      (row) => `${row.recipient_id}/${row.workflow_key}/${row.channel_type}`,
    );
    expect(new Set(preferenceKeys).size).toBe(preferenceKeys.length);
  });

  it('has the awkward values real data has: unicode, nulls, empty strings, escapes, microseconds, JSON', () => {
    const recipients = [...sampleRows('recipients', options)];
    expect(recipients.some((row) => row.name !== null && /[^\x00-\x7f]/.test(row.name))).toBe(true);
    expect(recipients.some((row) => row.name === '')).toBe(true);
    expect(recipients.some((row) => row.name === null)).toBe(true);
    expect(recipients.some((row) => row.deleted_at !== null)).toBe(true);

    const descriptions = [...sampleRows('workflows', options)].map((row) => row.description);
    expect(descriptions.some((text) => text?.includes('\n') && text.includes('\t'))).toBe(true);
    expect(descriptions.some((text) => text?.includes('\\'))).toBe(true);

    const emails = [...sampleRows('email_messages', options)];
    expect(emails.some((row) => row.inserted_at! % 1000 !== 0)).toBe(true);
    for (const row of emails) if (row.data !== null) expect(() => JSON.parse(row.data!)).not.toThrow();
    expect(emails.every((row) => /^\d+\.\d{6}$/.test(row.cost!))).toBe(true);
  });
});

describe('sample data loaders', () => {
  const options = { seed: 11, tenants: 3, messagesPerTenant: 150 };

  it('load the same rows into Postgres and DuckDB as the generator produces', async () => {
    const generated = digestAll(options);
    const database = await createTempDatabase('ferry_sample');
    const duckdb = await DuckDBInstance.create(':memory:');
    const connection = await duckdb.connect();
    try {
      const [postgresReport, duckdbReport] = await Promise.all([loadIntoPostgres(database.client, options), loadIntoDuckDB(connection, options)]);
      for (const table of RAW_TABLE_NAMES) {
        expect(generated[table].rows, table).toBeGreaterThan(0);
        expect(postgresReport[table], table).toBe(generated[table].rows);
        expect(duckdbReport[table], table).toBe(generated[table].rows);
        expect(await digestPostgresTable(database.client, table), table).toEqual(generated[table]);
        expect(await digestDuckDBTable(connection, table), table).toEqual(generated[table]);
      }

      // Loading again replaces the tables rather than appending to them.
      const again = await loadIntoPostgres(database.client, options);
      expect(again.recipients).toBe(generated.recipients.rows);
      const { rows } = await database.client.query<{ count: string }>('SELECT count(*) FROM raw.recipients');
      expect(Number(rows[0]!.count)).toBe(generated.recipients.rows);
    } finally {
      connection.closeSync();
      duckdb.closeSync();
      await database.drop();
    }
  });
});

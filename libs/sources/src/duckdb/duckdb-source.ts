import type { DuckDBBlobVector, DuckDBConnection, DuckDBDataChunk, DuckDBInstance } from '@duckdb/node-api';
import { dialects, type KeyHash } from '@ferry/dialects';
import type { ExportModelSpec } from '@ferry/schema';
import type { KeyBucket, ReadWindow, Source } from '../source.ts';
import { readError } from '../source-errors.ts';
import { rowBucketsQuery, rowHashesInBucketsQuery, sourceRelation, tenantSliceFrom, tenantSliceQuery, tenantValuesQuery } from '../tenant-slice.ts';
import { csvLinesQuery } from './csv-lines.ts';
import { duckdbReadFailure } from './errors.ts';
import { openReadOnly } from './open.ts';

/** Where the DuckDB source lives: a database file (opened read-only), or an instance the caller already holds. */
export type DuckDBSourceConfig = { readonly path: string } | { readonly instance: DuckDBInstance };

/**
 * A DuckDB source, the embedded default. Exports stream the result of a query that formats each
 * row as a CSV record (see csv-lines.ts), one chunk of rows at a time and only when the consumer
 * asks for more, so memory stays bounded and nothing is written to disk. Each operation runs on
 * its own connection: a DuckDB connection runs one query at a time, and a second query would
 * cut short an export still streaming.
 */
export class DuckDBSource implements Source {
  readonly kind = 'duckdb';
  readonly #config: DuckDBSourceConfig;
  #instance: DuckDBInstance | undefined;

  constructor(config: DuckDBSourceConfig) {
    this.#config = config;
  }

  /** @throws SourceConnectionError when the file is missing or cannot be opened read-only. */
  async connect(): Promise<void> {
    this.#instance ??= 'instance' in this.#config ? this.#config.instance : await openReadOnly(this.#config.path);
  }

  /** Closes the database when the source opened it; an instance passed in stays open for its owner. */
  async close(): Promise<void> {
    if (this.#instance && 'path' in this.#config) this.#instance.closeSync();
    this.#instance = undefined;
  }

  // A generator, so that a bad tenant value fails on the first read as every read error does, not on the call.
  async *exportCsv(model: ExportModelSpec, tenant: string, window?: ReadWindow): AsyncIterable<Buffer> {
    yield* this.#csvLines(model, csvLinesQuery(model, tenantSliceQuery('duckdb', model, tenant, window)));
  }

  async checkColumns(model: ExportModelSpec): Promise<void> {
    // Any tenant value will do: no row is read.
    await this.#rows(model, `${tenantSliceQuery('duckdb', model, '')} LIMIT 0`);
  }

  async tenantValues(model: ExportModelSpec, limit: number): Promise<string[]> {
    return (await this.#rows(model, tenantValuesQuery('duckdb', model, limit))).map((row) => String(row[0]));
  }

  async count(model: ExportModelSpec, tenant: string, window?: ReadWindow): Promise<number> {
    const rows = await this.#rows(model, `SELECT COUNT(*) ${tenantSliceFrom('duckdb', model, tenant, window)}`);
    return Number(rows[0]?.[0] ?? 0);
  }

  readonly keyHashes = dialects.duckdb.keyHashes;
  readonly slowKeyHashes = dialects.duckdb.slowKeyHashes;

  async keyBuckets(model: ExportModelSpec, tenant: string, prefixLength: number, window?: ReadWindow, hash?: KeyHash): Promise<KeyBucket[]> {
    const sql = dialects.duckdb.keyBucketsQuery(tenantSliceFrom('duckdb', model, tenant, window), keyColumns(model), prefixLength, hash);
    const rows = await this.#rows(model, sql);
    return rows.map(([bucket, keys, checksum]) => ({ bucket: String(bucket), count: Number(keys), checksum: String(checksum) }));
  }

  async *exportKeysInBuckets(
    model: ExportModelSpec,
    tenant: string,
    prefixLength: number,
    buckets: readonly string[],
    window?: ReadWindow,
    hash?: KeyHash,
  ): AsyncIterable<Buffer> {
    if (buckets.length === 0) return;
    // The key columns alone, in key order, each already text: csvLinesQuery quotes them as the transfer format says.
    const keys = { ...model, columns: model.primaryKey.flatMap((name) => model.columns.filter((c) => c.name === name)) };
    const query = dialects.duckdb.keysInBucketsQuery(
      tenantSliceFrom('duckdb', model, tenant, window),
      keyColumns(model),
      prefixLength,
      buckets,
      hash,
    );
    yield* this.#csvLines(model, csvLinesQuery(keys, query));
  }

  readonly rowDigestFamily = dialects.duckdb.rowDigests?.family;

  async rowBuckets(model: ExportModelSpec, tenant: string, prefixLength: number, window?: ReadWindow): Promise<KeyBucket[]> {
    const sql = rowBucketsQuery('duckdb', model, tenant, prefixLength, window);
    const rows = await this.#rows(model, sql);
    return rows.map(([bucket, count, digest]) => ({ bucket: String(bucket), count: Number(count), checksum: String(digest) }));
  }

  async *exportRowHashesInBuckets(
    model: ExportModelSpec,
    tenant: string,
    prefixLength: number,
    buckets: readonly string[],
    window?: ReadWindow,
  ): AsyncIterable<Buffer> {
    if (buckets.length === 0) return;
    // The key columns, each already text, then the hash: csvLinesQuery quotes them as the transfer format says.
    const hashes = {
      ...model,
      columns: [
        ...model.primaryKey.flatMap((name) => model.columns.filter((c) => c.name === name)),
        { name: 'ferry_row_hash', destinationName: 'ferry_row_hash', type: { kind: 'text' }, nullable: false, dataType: 'text' } as const,
      ],
    };
    const query = rowHashesInBucketsQuery('duckdb', model, tenant, prefixLength, buckets, window);
    yield* this.#csvLines(model, csvLinesQuery(hashes, query));
  }

  /** Streams a csvLinesQuery's records chunk by chunk, explaining a missing relation or column. */
  async *#csvLines(model: ExportModelSpec, sql: string): AsyncIterable<Buffer> {
    // Imported here, not at the top, so that importing @ferry/sources does not load DuckDB; a connected source has loaded it.
    const { DuckDBBlobVector } = await import('@duckdb/node-api');
    const connection = await this.#connection();
    try {
      const result = await connection.stream(sql);
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        yield csvBytes(chunk, DuckDBBlobVector);
      }
    } catch (error) {
      throw readError(error, model, sourceRelation('duckdb', model.source), duckdbReadFailure(error));
    } finally {
      connection.closeSync();
    }
  }

  /** Runs a small query (counts, buckets) to completion, explaining a missing relation or column. */
  async #rows(model: ExportModelSpec, sql: string): Promise<unknown[][]> {
    const connection = await this.#connection();
    try {
      return (await connection.runAndReadAll(sql)).getRows();
    } catch (error) {
      throw readError(error, model, sourceRelation('duckdb', model.source), duckdbReadFailure(error));
    } finally {
      connection.closeSync();
    }
  }

  /**
   * A fresh connection whose session writes timestamptz in UTC. SET SESSION leaves other
   * connections to a shared instance as their owner set them.
   */
  async #connection(): Promise<DuckDBConnection> {
    if (!this.#instance) throw new Error('the DuckDB source is not connected: call connect() first');
    const connection = await this.#instance.connect();
    await connection.run(`SET SESSION TimeZone = 'UTC'`);
    return connection;
  }
}

/** One chunk of CSV records (one BLOB per row) as a single Buffer. */
function csvBytes(chunk: DuckDBDataChunk, blobVector: typeof DuckDBBlobVector): Buffer {
  const lines = chunk.getColumnVector(0);
  if (!(lines instanceof blobVector)) throw new Error(`expected the CSV records as BLOBs, got ${lines.type}`);
  const records: Uint8Array[] = [];
  for (let row = 0; row < chunk.rowCount; row++) {
    const record = lines.getItemBytes(row);
    if (record) records.push(record);
  }
  return Buffer.concat(records);
}

function keyColumns(model: ExportModelSpec): string[] {
  return model.primaryKey.map((column) => dialects.duckdb.quoteIdentifier(column));
}

import { pipeline } from 'node:stream/promises';
import { dialectFor } from '@ferry/dialects';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ByteCount } from '../byte-count.ts';
import { PgWireDestination } from './pg-wire-destination.ts';
import { postgresCapabilities } from './postgres-capabilities.ts';
import type { PostgresDestinationConfig } from './postgres-config.ts';

/**
 * A Postgres destination on one connection: COPY FROM STDIN for bulk loads, transactional DDL,
 * and swaps that rename the primary key along with the table.
 * @example
 * const destination = new PostgresDestination({ type: 'postgres', id: 'acme', url, schema: 'knock' });
 * await destination.connect();
 */
export class PostgresDestination extends PgWireDestination {
  readonly type = 'postgres';
  readonly capabilities = postgresCapabilities;

  constructor(config: PostgresDestinationConfig) {
    super(config, dialectFor('postgres'), 'Postgres');
  }

  async loadCsv(relation: string, columns: readonly string[], csv: AsyncIterable<Buffer>): Promise<{ rows: number; bytes: number }> {
    // CSV mode already reads the transfer format: unquoted empty is NULL, "" is the empty string.
    return this.copyIn(relation, columns, csv, 'csv');
  }

  async loadPostgresBinary(relation: string, columns: readonly string[], rows: AsyncIterable<Buffer>): Promise<{ rows: number; bytes: number }> {
    return this.copyIn(relation, columns, rows, 'binary');
  }

  private async copyIn(relation: string, columns: readonly string[], data: AsyncIterable<Buffer>, format: 'csv' | 'binary') {
    const list = columns.map((column) => this.dialect.quoteIdentifier(column)).join(', ');
    const copy = this.connected().query(copyFrom(`COPY ${relation} (${list}) FROM STDIN (FORMAT ${format})`));
    const counter = new ByteCount();
    try {
      await pipeline(data, counter.through, copy);
    } catch (error) {
      // A failing source stream is the source's error, not the destination's: pass it on as is.
      if (!(error instanceof pg.DatabaseError) && this.lostConnection === undefined) throw error;
      throw this.failure(error, `loading ${format === 'csv' ? 'CSV' : 'binary COPY rows'} into ${relation}`);
    }
    return { rows: copy.rowCount, bytes: counter.bytes };
  }

  /**
   * Renames the primary key with the table: Postgres names it `<table>_pkey`, and as index
   * names share the schema's namespace with tables, the next shadow's key would collide with it.
   */
  protected override async renameTable(from: string, to: string): Promise<void> {
    await super.renameTable(from, to);
    await this.renamePrimaryKeyAfterTable(to);
  }
}

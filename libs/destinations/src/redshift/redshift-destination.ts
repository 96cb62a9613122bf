import { dialectFor } from '@ferry/dialects';
import { clipName } from '../names.ts';
import { PgWireDestination } from '../postgres/pg-wire-destination.ts';
import { MalformedCsvError, transferCsvRecords, type TransferRecord } from '../transfer-csv-records.ts';
import { redshiftCapabilities } from './redshift-capabilities.ts';
import type { RedshiftDestinationConfig } from './redshift-config.ts';

/** Redshift's type id for SUPER, its semi-structured type that Ferry's json columns use. */
const SUPER_TYPE_ID = 4000;

/**
 * Bind parameters one INSERT may carry. The protocol counts them in 16 bits; staying under the
 * signed limit keeps clear of drivers and proxies that read it as signed.
 */
const MAX_PARAMETERS = 32_767;
/** Values one INSERT carries at most, well under Redshift's 16 MB statement limit. */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * A Redshift destination on the Postgres wire protocol. Without an S3 bucket to COPY from, rows
 * are loaded with batched multi-row INSERTs into the staging table: thousands of rows per
 * statement, the values sent as bind parameters so no value is ever spliced into SQL.
 * @example
 * const destination = new RedshiftDestination({ type: 'redshift', id: 'acme', url, schema: 'knock' });
 * await destination.connect();
 */
export class RedshiftDestination extends PgWireDestination {
  readonly type = 'redshift';
  readonly capabilities = redshiftCapabilities;
  /** Type ids of columns whose values are JSON text to parse into SUPER. */
  protected readonly jsonTypeIds: ReadonlySet<number> = new Set([SUPER_TYPE_ID]);

  constructor(config: RedshiftDestinationConfig) {
    super(config, dialectFor('redshift'), 'Redshift');
  }

  async loadCsv(relation: string, columns: readonly string[], csv: AsyncIterable<Buffer>): Promise<{ rows: number; bytes: number }> {
    const list = columns.map((column) => this.dialect.quoteIdentifier(column)).join(', ');
    const isJson = await this.jsonColumns(relation, list);
    const rowsPerInsert = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
    let bytes = 0;
    let rows = 0;
    let batch: (string | null)[] = [];
    let batchBytes = 0;

    const flush = async () => {
      if (batch.length === 0) return;
      const count = batch.length / columns.length;
      const tuples = Array.from({ length: count }, (_, r) => {
        const values = columns.map((_, c) => {
          const parameter = `$${r * columns.length + c + 1}`;
          return isJson[c] ? `JSON_PARSE(${parameter})` : parameter;
        });
        return `(${values.join(', ')})`;
      });
      await this.runWith(`INSERT INTO ${relation} (${list}) VALUES ${tuples.join(', ')}`, batch, `loading rows into ${relation}`);
      rows += count;
      batch = [];
      batchBytes = 0;
    };

    async function* counted(stream: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const chunk of stream) {
        bytes += chunk.length;
        yield chunk;
      }
    }

    try {
      for await (const record of transferCsvRecords(counted(csv))) {
        this.checkWidth(record, columns.length, rows + batch.length / columns.length + 1);
        batch.push(...record);
        batchBytes += record.reduce((sum, value) => sum + (value === null ? 0 : Buffer.byteLength(value)), 0);
        if (batch.length / columns.length >= rowsPerInsert || batchBytes >= MAX_BATCH_BYTES) await flush();
      }
      await flush();
    } catch (error) {
      if (error instanceof MalformedCsvError) throw this.error('load', `loading rows into ${relation} failed: ${error.message}`, error);
      throw error;
    }
    return { rows, bytes };
  }

  /**
   * Redshift changes a type in place only to lengthen a VARCHAR, and not inside a transaction
   * block, where the engine evolves tables; its capabilities make the engine rebuild instead, so
   * this refuses, before the warehouse would.
   */
  override async alterColumnType(table: string, column: string, type: string): Promise<void> {
    throw this.error(
      'usage',
      `Redshift cannot change ${this.relation(table)}.${this.dialect.quoteIdentifier(column)} to ${type} in a transaction: rebuild the table`,
    );
  }

  /**
   * Redshift keeps the old rule for float text: 15 significant digits plus extra_float_digits,
   * at most 2, which gives the 17 a double needs to read back exactly (a real gets 8 of its 9).
   * @see https://docs.aws.amazon.com/redshift/latest/dg/r_extra_float_digits.html
   */
  protected override get sessionSettings(): string {
    return `SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET extra_float_digits = 2`;
  }

  /**
   * Redshift cannot drop a NOT NULL constraint, so the column is copied into a new nullable one
   * that takes its name. Its values stay; it moves to the end of the table.
   */
  override async dropNotNull(table: string, column: string): Promise<void> {
    const shape = await this.introspect(table);
    const current = shape?.columns.get(column);
    if (!current || current.nullable) return;
    const target = this.relation(table);
    const q = (name: string) => this.dialect.quoteIdentifier(name);
    const scratch = `${clipName(this.dialect, column, 100)}__ferry_nullable`;
    await this.execute([
      `ALTER TABLE ${target} ADD COLUMN ${q(scratch)} ${current.type}`,
      `UPDATE ${target} SET ${q(scratch)} = ${q(column)}`,
      `ALTER TABLE ${target} DROP COLUMN ${q(column)}`,
      `ALTER TABLE ${target} RENAME COLUMN ${q(scratch)} TO ${q(column)}`,
    ]);
  }

  /** For each column of `list`, whether it is SUPER, read from the relation's result description. */
  private async jsonColumns(relation: string, list: string): Promise<boolean[]> {
    const types = await this.resultTypes(`SELECT ${list} FROM ${relation} LIMIT 0`, `reading the columns of ${relation}`);
    return types.map((id) => this.jsonTypeIds.has(id));
  }

  private checkWidth(record: TransferRecord, width: number, line: number): void {
    if (record.length !== width) {
      throw this.error(
        'load',
        `CSV record ${line} has ${record.length} fields where the table takes ${width}: the source and the table disagree on the columns`,
      );
    }
  }
}

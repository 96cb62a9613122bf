import type { LogicalType } from './logical-types.ts';

/** One exported column of an export model. PII columns never become a ColumnSpec. */
export interface ColumnSpec {
  /** The column's name in the source model (dbt). */
  readonly name: string;
  /** The name destinations use before their own case folding (`destination_name` in meta, else `name`). */
  readonly destinationName: string;
  readonly type: LogicalType;
  /** False when the dbt contract declares `not_null`, or the column is in the primary key. */
  readonly nullable: boolean;
  /** The data_type exactly as the dbt contract spells it. */
  readonly dataType: string;
  readonly description?: string;
}

/** Where dbt builds the model in the source warehouse. */
export interface SourceRelation {
  readonly database?: string;
  readonly schema: string;
  readonly identifier: string;
}

/**
 * Everything Ferry knows about one export model: produced by the generator from dbt's manifest,
 * emitted into libs/generated, read by the sync engine.
 */
export interface ExportModelSpec {
  /** The dbt model name. */
  readonly name: string;
  /** The table name destinations use before their own case folding. */
  readonly destinationName: string;
  readonly description?: string;
  readonly source: SourceRelation;
  /** Exported columns, in the order the model declares them. */
  readonly columns: readonly ColumnSpec[];
  /** Source names of the primary key columns, in key order. */
  readonly primaryKey: readonly string[];
  /** Source name of the column holding the recipient (tenant) value. */
  readonly tenantColumn: string;
  /** Source name of the last-modified column; absent for full-refresh-only models. */
  readonly cursor?: string;
  /**
   * What to do with rows whose cursor is NULL, for a cursor the contract lets be NULL:
   * `always_read` re-reads them on every sync (merged idempotently), `refuse` fails the sync
   * while any exists. Absent when the cursor is NOT NULL.
   */
  readonly nullCursor?: 'always_read' | 'refuse';
  /** Source name of the column that marks a row deleted when not null. */
  readonly softDelete?: string;
  /** Changes whenever anything above that shapes a destination table changes. */
  readonly fingerprint: string;
}

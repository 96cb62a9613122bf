import type { KeyHash } from '@ferry/dialects';
import type { ExportModelSpec } from '@ferry/schema';

/** The warehouses Ferry reads export models from. */
export type SourceKind = 'postgres' | 'duckdb';

/** Which rows of one tenant's slice of a model to read. */
export interface ReadWindow {
  /**
   * Read rows whose cursor is >= this value (canonical text, see TRANSFER_FORMAT) minus the
   * lookback. Absent: read the whole slice.
   */
  readonly since?: string;
  /**
   * For timestamp/timestamptz/date cursors: how far before `since` to re-read, in seconds
   * (fractions allowed, kept to the microsecond). Integer and numeric cursors ignore it.
   */
  readonly lookbackSeconds?: number;
  /**
   * Leave out rows the model's soft-delete column marks deleted: what a destination that deletes
   * such rows holds. Only for models with a soft-delete column.
   */
  readonly liveOnly?: boolean;
  /**
   * Only rows whose primary key hashes into one of these buckets (see key-buckets.ts): the rows a
   * key comparison found differing between source and destination, re-read whatever their cursor.
   */
  readonly keyBuckets?: { readonly prefixLength: number; readonly buckets: readonly string[]; readonly hash?: KeyHash };
  /** Only rows whose cursor is NULL (to count them, for a model whose null_cursor is refuse). */
  readonly nullCursorOnly?: boolean;
  /**
   * Only rows whose cursor is greater than this value (canonical text): none at it, none NULL, no
   * lookback. Whether anything was written since a watermark, counted through the (tenant,
   * cursor) index.
   */
  readonly newerThan?: string;
}

/** Per hash bucket of the primary key: how many keys fall in it and a checksum of them. */
export interface KeyBucket {
  readonly bucket: string;
  readonly count: number;
  readonly checksum: string;
}

/**
 * The vendor's warehouse, where dbt builds the export models. Every read is restricted to one
 * tenant's rows and to the model's exported columns (see tenant-slice.ts, the one place that
 * builds that restriction).
 */
export interface Source {
  readonly kind: SourceKind;
  connect(): Promise<void>;
  close(): Promise<void>;
  /**
   * Streams the rows of one tenant's slice as CSV in the transfer format, with back-pressure:
   * memory stays bounded whatever the slice size.
   */
  exportCsv(model: ExportModelSpec, tenant: string, window?: ReadWindow): AsyncIterable<Buffer>;
  /**
   * Reads no row, but fails as a read would when the model's relation, or one of its exported
   * columns, is missing from the source (MissingRelationError, MissingColumnError): checked before
   * anything is written, so a stale build or catalog is named as such, not as a failed load.
   */
  checkColumns(model: ExportModelSpec): Promise<void>;
  /** Up to `limit` distinct values of the model's tenant column: to name the tenants a misspelt one may mean. */
  tenantValues(model: ExportModelSpec, limit: number): Promise<string[]>;
  /** Rows in the tenant's slice (in the window, when given). */
  count(model: ExportModelSpec, tenant: string, window?: ReadWindow): Promise<number>;
  /** The key hashes this source computes, its preferred first (see key-buckets.ts in @ferry/dialects). */
  readonly keyHashes: readonly KeyHash[];
  /** Of those, the ones it computes more slowly than it exports the keys themselves (Dialect.slowKeyHashes). */
  readonly slowKeyHashes: readonly KeyHash[];
  /** Primary keys grouped by the first `prefixLength` hex digits of their hash (`md5` unless `hash` says otherwise; see key-buckets.ts); 0: the whole set as one bucket `''`. */
  keyBuckets(model: ExportModelSpec, tenant: string, prefixLength: number, window?: ReadWindow, hash?: KeyHash): Promise<KeyBucket[]>;
  /**
   * Streams the primary keys in the given buckets as CSV in the transfer format, one record per
   * key, its key columns as text in primary-key order: memory stays bounded however many keys.
   */
  exportKeysInBuckets(
    model: ExportModelSpec,
    tenant: string,
    prefixLength: number,
    buckets: readonly string[],
    window?: ReadWindow,
    hash?: KeyHash,
  ): AsyncIterable<Buffer>;
  /**
   * Postgres sources only: the exported columns' types as Postgres spells them (format_type),
   * by column name. With a Postgres destination of the same types, a whole-slice load copies
   * rows in COPY's binary format instead of CSV (see binary-load.ts in @ferry/sync).
   */
  postgresColumnTypes?(model: ExportModelSpec): Promise<ReadonlyMap<string, string>>;
  /**
   * Postgres sources only: the slice in COPY's binary format, the model's columns in order, each
   * cast to the type `casts` names for it, if any. Values travel as Postgres stores them.
   */
  exportPostgresBinary?(model: ExportModelSpec, tenant: string, casts: ReadonlyMap<string, string>, window?: ReadWindow): AsyncIterable<Buffer>;
  /**
   * Verify inside the warehouse (see row-digests.ts in @ferry/dialects): the engines whose row
   * digests agree with this source's. A destination of the same family compares bucket figures
   * with the source; any other is compared row by row in Ferry.
   */
  readonly rowDigestFamily: string | undefined;
  /** Per bucket of the key hash: the slice's rows in it and a digest of their row hashes, every exported column read. */
  rowBuckets(model: ExportModelSpec, tenant: string, prefixLength: number, window?: ReadWindow): Promise<KeyBucket[]>;
  /**
   * Streams, as CSV in the transfer format, one record per row of the slice whose key hashes into
   * one of `buckets`: its key columns as text in primary-key order, then its row hash.
   */
  exportRowHashesInBuckets(
    model: ExportModelSpec,
    tenant: string,
    prefixLength: number,
    buckets: readonly string[],
    window?: ReadWindow,
  ): AsyncIterable<Buffer>;
}

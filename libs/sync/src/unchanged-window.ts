import { fromClause, type Relations } from '@ferry/dialects';
import { cursorWindowCondition, type ReadWindow } from '@ferry/sources';
import { compareBucketFigures } from './bucket-figures.ts';
import type { ModelSyncInput } from './sync-model.ts';

/** Buckets of the window's digest: a few, so each side returns a handful of rows. */
const WINDOW_PREFIX = 1;

/**
 * Whether the read window (rows whose cursor is at least the watermark minus the lookback) holds
 * the same rows, value for value, on both sides. Then reading it again would merge to no change:
 * a row newer than the watermark would be in the source's window only, a late row committed
 * inside the lookback too, and a row changed in either would change its side's digest.
 *
 * Asked only where it is cheap and exact: both warehouses hash rows alike (the in-warehouse row
 * digests `ferry verify` uses, one engine family), and the model's columns are those the
 * destination holds (no schema change in this plan). Each side reports a count and a digest of
 * its window's rows; the source reads the window only (through the (tenant, cursor) index the
 * docs recommend), the destination filters its table by the cursor. Undefined: not asked.
 */
export async function readWindowUnchanged(input: ModelSyncInput, relations: Relations, window: ReadWindow): Promise<boolean | undefined> {
  const { source, destination, spec, sql, tenant, plan } = input;
  const queries = destination.dialect.rowDigests;
  if (queries === undefined || queries.family !== source.rowDigestFamily) return undefined;
  if (plan.action !== 'incremental' || plan.diff !== undefined || spec.cursor === undefined) return undefined;
  const quote = destination.dialect.quoteIdentifier;
  const inWindow = cursorWindowCondition(source.kind, spec, window, quote(sql.columns[spec.cursor] as string));
  const keyColumns = spec.primaryKey.map((k) => quote(sql.columns[k] as string));
  const columns = spec.columns.map(({ name, type }) => ({ column: quote(sql.columns[name] as string), type }));
  const [sourceBuckets, destinationBuckets] = await Promise.all([
    source.rowBuckets(spec, tenant, WINDOW_PREFIX, window),
    destination.query(queries.bucketsQuery(fromClause(relations.target, inWindow), keyColumns, columns, WINDOW_PREFIX)),
  ]);
  return compareBucketFigures(sourceBuckets, destinationBuckets).differing.length === 0;
}

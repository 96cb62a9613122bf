import type { Destination } from '@ferry/destinations';
import type { ModelSql } from '@ferry/dialects';
import type { ExportModelSpec } from '@ferry/schema';
import { DuckDBSource, PostgresSource, type Source } from '@ferry/sources';
import { collectCsv, parseTransferCsv } from './transfer-csv.ts';

/** A row as tests compare it: canonical text per column, JSON re-serialised with sorted keys. */
export type SliceRow = readonly (string | null)[];

/** One tenant's slice of a model, read through a Source (the same code path Ferry syncs with). */
export async function readSlice(source: Source, spec: ExportModelSpec, tenant: string): Promise<SliceRow[]> {
  const rows = parseTransferCsv(await collectCsv(source.exportCsv(spec, tenant)));
  return normalise(rows, spec);
}

/** Where a destination table lives, to read it back for comparison. */
export type DestinationLocation = { readonly type: 'postgres'; readonly url: string } | { readonly type: 'duckdb'; readonly path: string };

/**
 * A destination table read back in the transfer format, by pointing a Source at it: the table is
 * described as an export model whose columns carry the destination's folded names.
 */
export async function readDestinationTable(
  location: DestinationLocation,
  schema: string,
  spec: ExportModelSpec,
  sql: ModelSql,
  tenant: string,
): Promise<SliceRow[]> {
  const mirror: ExportModelSpec = {
    ...spec,
    source: { schema, identifier: sql.table },
    columns: spec.columns.map((c) => ({ ...c, name: sql.columns[c.name] as string })),
    primaryKey: spec.primaryKey.map((k) => sql.columns[k] as string),
    tenantColumn: sql.columns[spec.tenantColumn] as string,
    ...(spec.cursor ? { cursor: sql.columns[spec.cursor] as string } : {}),
    ...(spec.softDelete ? { softDelete: sql.columns[spec.softDelete] as string } : {}),
  };
  const source = location.type === 'postgres' ? new PostgresSource({ url: location.url }) : new DuckDBSource({ path: location.path });
  await source.connect();
  try {
    const rows = await readSlice(source, mirror, tenant);
    return rows;
  } finally {
    await source.close();
  }
}

/**
 * One tenant's rows of a destination table, read through the destination itself: its `query`
 * returns canonical text, so this works alike for every destination type.
 */
export async function readThroughDestination(destination: Destination, spec: ExportModelSpec, sql: ModelSql, tenant: string): Promise<SliceRow[]> {
  const q = (column: string) => destination.dialect.quoteIdentifier(sql.columns[column] as string);
  const rows = await destination.query(
    `SELECT ${spec.columns.map((c) => q(c.name)).join(', ')} FROM ${destination.relation(sql.table)} ` +
      `WHERE ${q(spec.tenantColumn)} = '${tenant.replaceAll("'", "''")}'`,
  );
  return normalise(rows, spec);
}

function normalise(rows: (string | null)[][], spec: ExportModelSpec): SliceRow[] {
  const json = spec.columns.map((c) => c.type.kind === 'json');
  return rows
    .map((row) => row.map((value, i) => (json[i] && value !== null ? canonicalJson(JSON.parse(value)) : value)))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

import { resolve } from 'node:path';
import { dialectFor } from '@ferry/dialects';
import type { DestinationConfigEntry } from './schema.ts';

/**
 * Where a destination's tables live, as the warehouse resolves it: the schema folded as the
 * warehouse folds it, a DuckDB file by its absolute path. Two destinations with the same place
 * would share tables and delete each other's rows, whatever their ids and spellings.
 */
export function destinationPlace(entry: DestinationConfigEntry, configDir: string): string {
  const dialect = dialectFor(entry.type);
  switch (entry.type) {
    case 'duckdb':
      return `duckdb ${entry.path === ':memory:' ? `:memory: of ${entry.id}` : resolve(configDir, entry.path)} schema ${dialect.foldIdentifier(entry.schema)}`;
    case 'postgres':
    case 'redshift':
      return `${entry.type} ${serverOf(entry.url)} schema ${dialect.foldIdentifier(entry.schema)}`;
    case 'snowflake':
      return `snowflake ${entry.account.toLowerCase()} database ${dialect.foldIdentifier(entry.database)} schema ${dialect.foldIdentifier(entry.schema)}`;
    case 'bigquery':
      return `bigquery ${entry.project} dataset ${entry.dataset}`;
  }
}

/** host:port/database of a postgres:// URL, without its credentials (an unparsable one is itself). */
function serverOf(url: string): string {
  try {
    const parsed = new URL(url.replace('@/', '@localhost/'));
    return `${parsed.hostname.toLowerCase() || 'localhost'}:${parsed.port || '5432'}${decodeURIComponent(parsed.pathname)}`;
  } catch {
    return url; // the config schema reports a URL that does not parse, naming its field
  }
}

/**
 * What is wrong with where ferry.yaml puts its destinations: a schema name longer than the
 * warehouse keeps (Postgres would cut it, silently, to 63 bytes), and two destinations that
 * resolve to one place. Each problem names the destinations and the fix.
 */
export function destinationLocationProblems(destinations: readonly DestinationConfigEntry[], configDir: string): string[] {
  const problems: string[] = [];
  const byPlace = new Map<string, string>();
  for (const entry of destinations) {
    const dialect = dialectFor(entry.type);
    const schema = entry.type === 'bigquery' ? entry.dataset : entry.schema;
    const length = dialect.identifierLengthUnit === 'bytes' ? Buffer.byteLength(schema) : [...schema].length;
    if (length > dialect.maxIdentifierLength) {
      problems.push(
        `destination "${entry.id}": ${entry.type === 'bigquery' ? 'dataset' : 'schema'} "${schema}" is ${length} ${dialect.identifierLengthUnit} long, ` +
          `more than ${entry.type} keeps (${dialect.maxIdentifierLength}): choose a shorter name`,
      );
      continue;
    }
    const place = destinationPlace(entry, configDir);
    const other = byPlace.get(place);
    if (other !== undefined) {
      problems.push(
        `destinations "${other}" and "${entry.id}" write to the same place (${place}): they would share tables and delete each other's rows. ` +
          `Give each destination its own schema`,
      );
    }
    byPlace.set(place, entry.id);
  }
  return problems;
}

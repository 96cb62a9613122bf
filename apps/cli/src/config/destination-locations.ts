import { destinationModule } from '@ferry/destinations';
import type { DestinationConfigEntry } from './schema.ts';

/**
 * What is wrong with where ferry.yaml puts its destinations: a schema name longer than the
 * warehouse keeps (Postgres would cut it, silently, to 63 bytes), and two destinations that
 * resolve to one place (as each module tells it: the schema folded as the warehouse folds it, a
 * DuckDB file by its absolute path). Each problem names the destinations and the fix.
 * @param destinations entries with their file paths resolved (see load.ts)
 */
export function destinationLocationProblems(destinations: readonly DestinationConfigEntry[]): string[] {
  const problems: string[] = [];
  const byPlace = new Map<string, string>();
  for (const entry of destinations) {
    const module = destinationModule(entry.type);
    const { dialect, schemaField } = module;
    const schema = String((entry as unknown as Record<string, unknown>)[schemaField]);
    const length = dialect.identifierLengthUnit === 'bytes' ? Buffer.byteLength(schema) : [...schema].length;
    if (length > dialect.maxIdentifierLength) {
      problems.push(
        `destination "${entry.id}": ${schemaField} "${schema}" is ${length} ${dialect.identifierLengthUnit} long, ` +
          `more than ${entry.type} keeps (${dialect.maxIdentifierLength}): choose a shorter name`,
      );
      continue;
    }
    const place = module.place(entry);
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

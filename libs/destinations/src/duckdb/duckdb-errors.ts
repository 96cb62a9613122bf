import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DestinationErrorKind } from '../destination-error.ts';

/** What a failure was and what to do about it, before the destination's id is put in front. */
export interface DuckDBFailure {
  readonly kind: DestinationErrorKind;
  readonly what: string;
}

/**
 * DuckDB's message without its advice for interactive users (sniffer settings, `Possible
 * solutions`) and without the rejected row's full text: its first paragraph, one line per clause.
 */
export function duckdbReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines: string[] = [];
  for (const line of message.split('\n')) {
    if (line.trim() === '' || line.startsWith('Possible')) break;
    if (/^Original Line:|auto-detected|is being converted as type/.test(line)) continue;
    lines.push(line.trim());
  }
  return lines.join('; ');
}

/** Explains why a DuckDB database file could not be opened, and the fix. */
export function describeDuckDBOpenError(error: unknown, path: string): DuckDBFailure {
  const directory = dirname(resolve(path));
  const reason = duckdbReason(error);
  let fix = `set path to a file in an existing directory Ferry can write to (or ':memory:' for a throw-away database)`;
  const kind = statSync(directory, { throwIfNoEntry: false });
  if (kind === undefined) fix = `the directory ${directory} does not exist: create it, or ${fix}`;
  else if (!kind.isDirectory()) fix = `${directory} is not a directory: ${fix}`;
  else if (/lock/i.test(reason)) fix = `another process holds the database open: stop it (DuckDB allows one writing process per file), or ${fix}`;
  return { kind: 'connection', what: `cannot open the DuckDB database ${path} (${reason}). Fix: ${fix}` };
}

/**
 * Explains a failed statement. DuckDB reports no codes, so the message's error type decides.
 * @param doing what Ferry was doing, e.g. `running \`CREATE TABLE ...\``
 */
export function describeDuckDBError(error: unknown, path: string, schema: string, doing: string): DuckDBFailure {
  const reason = duckdbReason(error);
  if (/Schema with name .* does not exist/.test(reason)) {
    return {
      kind: 'missing-schema',
      what: `${doing} failed: schema "${schema}" does not exist in ${path} (${reason}). Ferry creates it on the first sync; if it was dropped since, sync again`,
    };
  }
  if (/read-only|Permission denied/i.test(reason)) {
    return {
      kind: 'permission',
      what: `${doing} failed: ${path} is not writable (${reason}). Give Ferry's user write access to the file and its directory`,
    };
  }
  if (/Cannot change the type of a column that has a UNIQUE or PRIMARY KEY constraint/.test(reason)) {
    // Tables Ferry creates have no key constraint (see the dialect's create_table); older ones did,
    // and a sync plans a rebuild for those (TableShape.declaresKey): this is a caller that did not.
    return {
      kind: 'statement',
      what:
        `${doing} failed: the table declares a PRIMARY KEY (as tables an earlier Ferry created do), and DuckDB cannot change a key column's type (${reason}). ` +
        'Fix: run `ferry sync --full-refresh` for this model once: it rebuilds the table without the constraint',
    };
  }
  if (doing.startsWith('loading') && /^(Conversion|Invalid Input|Constraint) Error/.test(reason)) {
    return { kind: 'load', what: `${doing} failed: ${reason}` };
  }
  return { kind: 'statement', what: `${doing} failed: ${reason}` };
}

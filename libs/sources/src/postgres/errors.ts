import { SourceConnectionError, type ReadFailure } from '../source-errors.ts';
import type { PostgresTarget } from './connection.ts';

/**
 * The connection failure, naming host, port, database and user (never the password) and what to
 * check for the failure at hand.
 */
export function postgresConnectionError(error: unknown, target: PostgresTarget): SourceConnectionError {
  const reason = scrubbed(error instanceof Error ? error.message : String(error), target.password);
  const through = target.through ? ` through ${target.through}` : '';
  const where = `${target.host}:${target.port}${through}, database "${target.database}", user "${target.user}"`;
  const timedOut = /timeout/i.test(reason) ? ` (no connection within ${target.connectTimeoutSeconds} s: connect_timeout)` : '';
  return new SourceConnectionError(`cannot connect to the Postgres source at ${where}: ${reason}${timedOut}. ${advice(errorCode(error))}`);
}

function advice(code: string | undefined): string {
  switch (code) {
    case 'ECONNREFUSED':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'Check that the server is running and reachable from this machine (host, port, firewall).';
    case '28P01':
    case '28000':
      return "Check the user and password, and that the server's pg_hba.conf lets this user in from here.";
    case '3D000':
      return 'Check the database name: it must be the database dbt builds the export models in.';
    default:
      return "Check the source's connection settings.";
  }
}

/** Reads a SQLSTATE (or a Node socket error code) as a missing relation or column. */
export function postgresReadFailure(error: unknown): ReadFailure {
  switch (errorCode(error)) {
    case '42P01': // undefined_table
    case '3F000': // invalid_schema_name
      return { kind: 'missing relation' };
    case '42703': // undefined_column
      return { kind: 'missing column', detail: (error as Error).message };
    default:
      return undefined;
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Drivers rarely echo a password, but a message that does must never reach a log. */
function scrubbed(message: string, password: string | undefined): string {
  return password ? message.replaceAll(password, '***') : message;
}

import { dialectFor } from '@ferry/dialects';
import pg from 'pg';
import type { DestinationErrorKind } from '../destination-error.ts';

const quote = dialectFor('postgres').quoteIdentifier;

/** Where a Postgres destination connects, for error messages: never the password. */
export interface PostgresTarget {
  /** The warehouse's name in messages: Postgres, or Redshift on the same protocol. */
  readonly product: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly schema: string;
  /** The configured connect timeout, named when a connection attempt runs out of it. */
  readonly connectTimeoutSeconds: number;
  /** How the warehouse is reached when not directly, e.g. `SSH bastion ferry@bastion.acme.com:22`. */
  readonly through?: string;
}

/** What a failure was and what to do about it, before the destination's id is put in front. */
export interface PostgresFailure {
  readonly kind: DestinationErrorKind;
  readonly what: string;
}

/** Errors Node raises when a TCP connection cannot be made or is lost. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/**
 * Explains a pg error in the destination's terms: what failed, where, and the fix. SQLSTATE
 * codes decide the kind (https://www.postgresql.org/docs/current/errcodes-appendix.html).
 * @param doing what Ferry was doing, e.g. `connecting` or `running \`ALTER TABLE ...\``
 */
export function describePostgresError(error: unknown, target: PostgresTarget, doing: string): PostgresFailure {
  const at = `${target.host}:${target.port}`;
  const reason = reasonOf(error);
  const code = (error as { code?: unknown }).code;
  if (!(error instanceof pg.DatabaseError)) {
    if ((typeof code === 'string' && NETWORK_CODES.has(code)) || /timeout|terminated/i.test(reason)) {
      const timedOut = /timeout/i.test(reason) ? `, no connection within ${target.connectTimeoutSeconds} s (connect_timeout)` : '';
      const fix = target.through
        ? `Check the host and port as the bastion sees them, and that the warehouse accepts connections from the bastion`
        : `Check the host and port, that the warehouse accepts connections from Ferry's address (firewall, security group), or connect through an SSH tunnel`;
      return {
        kind: 'connection',
        what: `${doing} failed: cannot reach ${target.product} at ${at}${target.through ? ` through ${target.through}` : ''} (${reason}${timedOut}). ${fix}`,
      };
    }
    return { kind: 'statement', what: `${doing} failed: ${reason}` };
  }
  const user = quote(target.user);
  switch (code) {
    case '28P01':
    case '28000':
      return {
        kind: 'authentication',
        what:
          `${target.product} at ${at} refused user ${user} for database ${quote(target.database)} (${reason}). ` +
          `Check the user and password in the destination's credentials, and that the server admits this user from Ferry's address (pg_hba.conf on Postgres, the security group on Redshift)`,
      };
    case '3D000':
      return {
        kind: 'missing-database',
        what: `database ${quote(target.database)} does not exist at ${at} (${reason}). Check the database name in the destination's connection`,
      };
    case '3F000':
      return {
        kind: 'missing-schema',
        what:
          `${doing} failed: schema ${quote(target.schema)} does not exist (${reason}). Ferry creates it on the first sync; ` +
          `if it was dropped since, sync again, or create it and GRANT USAGE, CREATE ON SCHEMA ${quote(target.schema)} TO ${user}`,
      };
    case '42501':
      return { kind: 'permission', what: `${doing} failed: ${reason}. ${grantHint(reason, target)}` };
    default: {
      const where = error.where ? ` (${error.where})` : '';
      // Class 22 (data exception) and 23 (integrity constraint) during COPY: the rows, not the warehouse, are at fault.
      const kind = doing.startsWith('loading') && /^2[23]/.test(String(code)) ? 'load' : 'statement';
      return { kind, what: `${doing} failed: ${reason}${where} [SQLSTATE ${String(code)}]` };
    }
  }
}

/** The GRANT that fixes a permission error, chosen by what Postgres says is missing. */
function grantHint(reason: string, target: PostgresTarget): string {
  const user = quote(target.user);
  const database = quote(target.database);
  const schema = quote(target.schema);
  if (/temporary tables/i.test(reason)) return `Ferry stages rows in temporary tables: GRANT TEMPORARY ON DATABASE ${database} TO ${user}`;
  if (/for database/i.test(reason)) {
    return `Ferry creates its schema: GRANT CREATE ON DATABASE ${database} TO ${user}, or create the schema yourself and GRANT USAGE, CREATE ON SCHEMA ${schema} TO ${user}`;
  }
  if (/must be owner/i.test(reason)) {
    return `Ferry alters, renames and drops the tables it syncs: make ${user} their owner (ALTER TABLE ... OWNER TO ${user}), or drop the table so Ferry recreates it`;
  }
  return `GRANT USAGE, CREATE ON SCHEMA ${schema} TO ${user}, and make ${user} the owner of the tables Ferry syncs there`;
}

/** The error's message; Node's AggregateError (one per address tried) has an empty message of its own. */
function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(reasonOf).join('; ');
  if (error instanceof Error) return error.message || String((error as { code?: unknown }).code ?? error.name);
  return String(error);
}

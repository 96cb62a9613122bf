import { dialectFor } from '@ferry/dialects';
import type { DestinationErrorKind } from '../destination-error.ts';

const quote = dialectFor('snowflake').quoteIdentifier;

/** Where a Snowflake destination connects, for error messages: never the password. */
export interface SnowflakeTarget {
  /** `<account>.snowflakecomputing.com`, or the host the config names. */
  readonly host: string;
  readonly user: string;
  /** Folded as Snowflake stores them. */
  readonly database: string;
  readonly schema: string;
  readonly warehouse?: string;
  readonly role?: string;
}

/** What a failure was and what to do about it, before the destination's id is put in front. */
export interface SnowflakeFailure {
  readonly kind: DestinationErrorKind;
  readonly what: string;
}

/**
 * snowflake-sdk's own codes for a request that never got an answer (network error, timeout,
 * refused connection), as opposed to Snowflake's error codes in the answer.
 */
const SDK_NETWORK_CODES = new Set(['401001', '401002', '401003', '402001', '402002']);

/**
 * Snowflake's login error codes for credentials it refuses: wrong user or password (390100),
 * a locked or disabled user (390101, 390102), an expired password (390106), a bad key-pair or
 * OAuth token (390144, 390303, 390318), MFA required (394507).
 */
const AUTHENTICATION_CODES = new Set(['390100', '390101', '390102', '390106', '390144', '390303', '390318', '394507']);

/**
 * Explains a snowflake-sdk error in the destination's terms: what failed, where, and the fix.
 * Snowflake's error codes (the 6-digit `code`) and messages decide the kind.
 * @param doing what Ferry was doing, e.g. `connecting` or `running \`ALTER TABLE ...\``
 * @see https://docs.snowflake.com/en/user-guide/client-connectivity-troubleshooting/error-messages
 */
export function describeSnowflakeError(error: unknown, target: SnowflakeTarget, doing: string): SnowflakeFailure {
  const code = codeOf(error);
  const reason = reasonOf(error);
  const user = quote(target.user);
  const database = quote(target.database);
  const schema = `${database}.${quote(target.schema)}`;

  if (AUTHENTICATION_CODES.has(code)) {
    return {
      kind: 'authentication',
      what:
        `Snowflake at ${target.host} refused user ${user} (${reason}) [${code}]. Check the user and password in the ` +
        `destination's credentials, and that the user is neither locked nor disabled (DESCRIBE USER ${user})`,
    };
  }
  if (SDK_NETWORK_CODES.has(code) || /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN|socket hang up/i.test(reason)) {
    return {
      kind: 'connection',
      what:
        `${doing} failed: cannot reach Snowflake at ${target.host} (${reason}). Check the account identifier ` +
        `(orgname-account or locator.region), and that Ferry's address may reach Snowflake (network policy, proxy, firewall)`,
    };
  }
  if (code === '390189' || /role .* does not exist or not authorized/i.test(reason)) {
    const role = target.role ? quote(target.role) : 'the role';
    return {
      kind: 'permission',
      what: `${doing} failed: ${reason} [${code}]. GRANT ROLE ${role} TO USER ${user}, or leave role out to use the user's default role`,
    };
  }
  if (code === '000606' || /no active warehouse/i.test(reason)) {
    const warehouse = target.warehouse ? quote(target.warehouse) : '<warehouse>';
    return {
      kind: 'permission',
      what: `${doing} failed: no warehouse can run Ferry's statements (${reason}) [${code}]. Set warehouse in the destination's config, and GRANT USAGE ON WAREHOUSE ${warehouse} TO ROLE <Ferry's role>`,
    };
  }
  if (/database .* does not exist or not authorized|does not have a current database/i.test(reason)) {
    return {
      kind: 'missing-database',
      what: `${doing} failed: database ${database} does not exist or ${user} may not use it (${reason}) [${code}]. Check the database name in the destination's config, and GRANT USAGE ON DATABASE ${database} TO ROLE <Ferry's role>`,
    };
  }
  if (/schema .* does not exist or not authorized|does not have a current schema/i.test(reason)) {
    return {
      kind: 'missing-schema',
      what:
        `${doing} failed: schema ${schema} does not exist or ${user} may not use it (${reason}) [${code}]. Ferry creates it on ` +
        `the first sync; if it was dropped since, sync again, or create it and GRANT OWNERSHIP ON SCHEMA ${schema} TO ROLE <Ferry's role>`,
    };
  }
  if (code === '003001' || /insufficient privileges/i.test(reason)) {
    return {
      kind: 'permission',
      what:
        `${doing} failed: ${reason} [${code}]. Ferry creates, alters and drops the tables of its schema and loads through ` +
        `a temporary stage there: GRANT OWNERSHIP ON SCHEMA ${schema} TO ROLE <Ferry's role> (see \`ferry destinations setup-sql snowflake\`)`,
    };
  }
  // 100xxx are data-loading errors: the staged rows, not the warehouse, are at fault.
  const kind = doing.startsWith('loading') && /^100\d{3}$/.test(code) ? 'load' : 'statement';
  return { kind, what: `${doing} failed: ${reason}${code ? ` [${code}]` : ''}` };
}

/** The error's code as 6 digits: Snowflake sends strings (`002003`), the SDK numbers (401002). */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return String(code).padStart(6, '0');
  return typeof code === 'string' ? code : '';
}

/** The error's message without the `SQL compilation error:` line breaks. */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

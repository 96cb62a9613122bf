/**
 * A Snowflake destination: one schema in one database, written by one user.
 * @example
 * { type: 'snowflake', id: 'acme', account: 'xy12345.eu-central-1', user: 'FERRY', password: '...',
 *   database: 'ANALYTICS', schema: 'KNOCK', warehouse: 'FERRY_WH', role: 'FERRY' }
 */
export interface SnowflakeDestinationConfig {
  readonly type: 'snowflake';
  /** Names the destination in every error and log line. */
  readonly id: string;
  /** The account identifier (`orgname-account` or `locator.region`). */
  readonly account: string;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** The schema Ferry writes to; created by `ensureSchema` when missing. Unquoted names fold to upper case. */
  readonly schema: string;
  /** The virtual warehouse that runs Ferry's statements; the user's default when left out. */
  readonly warehouse?: string;
  /** The role Ferry assumes; the user's default when left out. */
  readonly role?: string;
  /**
   * Where to reach Snowflake when not at `<account>.snowflakecomputing.com` (a private link, or an
   * emulator in tests): host, port and protocol.
   */
  readonly host?: string;
  readonly port?: number;
  readonly protocol?: 'https' | 'http';
}

/** Where Snowflake answers for an account: `<account>.snowflakecomputing.com`, unless the config names a host. */
export function snowflakeHost(config: { readonly account: string; readonly host?: string }): string {
  return config.host ?? `${config.account}.snowflakecomputing.com`;
}

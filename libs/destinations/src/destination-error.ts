/**
 * What kind of failure a DestinationError is, so the engine can tell a destination that is down
 * (retry on the next run) from one that needs its owner to act (grant, create, fix credentials).
 */
export type DestinationErrorKind =
  /** The warehouse cannot be reached or opened: host, port, network, file path. */
  | 'connection'
  /** The warehouse refused the credentials. */
  | 'authentication'
  /** The user lacks a privilege; the message says what to grant. */
  | 'permission'
  /** The destination's database does not exist. */
  | 'missing-database'
  /** The destination's schema does not exist (ensureSchema was not run, or it was dropped). */
  | 'missing-schema'
  /** A bulk load was rejected: malformed CSV or a value the column cannot hold. */
  | 'load'
  /** Any other statement failure. */
  | 'statement'
  /** Ferry used the destination wrongly (not connected, nested transaction, missing shadow). */
  | 'usage';

/**
 * A destination operation failed. The message names the destination, what failed and the fix;
 * it never holds a password. The driver's error is kept as `cause`.
 * @example
 * // destination "acme-warehouse" (postgres): cannot connect to 10.0.0.5:5432 ...
 */
export class DestinationError extends Error {
  constructor(
    /** The destination's id from its config. */
    readonly destinationId: string,
    readonly kind: DestinationErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DestinationError';
  }
}

import type { DialectName } from './dialect.ts';

/**
 * An export model whose names a destination cannot hold: two columns that become one name
 * after the dialect's case folding, or a name longer than the dialect allows. The message
 * names the model, the columns, the dialect and the fix.
 */
export class IdentifierError extends Error {
  constructor(
    readonly dialect: DialectName,
    /** The dbt model name. */
    readonly model: string,
    /** Source names of the columns at fault; empty when the table name is. */
    readonly columns: readonly string[],
    message: string,
  ) {
    super(message);
    this.name = 'IdentifierError';
  }
}

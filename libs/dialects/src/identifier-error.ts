import type { DialectName } from './dialect.ts';

/**
 * An export model whose names a destination cannot hold: two columns that become one name
 * after the dialect's case folding, or a name longer than the dialect allows. The message
 * names the model, the columns, the dialect and the fix.
 */
export class IdentifierError extends Error {
  /** Every problem of the model in this dialect, one sentence each (the message joins them). */
  readonly problems: readonly string[];

  constructor(
    readonly dialect: DialectName,
    /** The dbt model name. */
    readonly model: string,
    /** Source names of the columns at fault; empty when only the table name is. */
    readonly columns: readonly string[],
    problems: string | readonly string[],
  ) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(list.join('\n'));
    this.name = 'IdentifierError';
    this.problems = list;
  }
}

import type { Dialect } from '@ferry/dialects';
import type { DestinationCapabilities } from './capabilities.ts';
import type { Destination, DestinationSession, TableShape } from './destination.ts';
import { DestinationError, type DestinationErrorKind } from './destination-error.ts';
import { fitsTableNameLimit, scratchName } from './names.ts';

/**
 * What SQL warehouses share: schema, relations, transactions, swap and the column DDL. A
 * destination folder extends it with its driver (connect, run, query, bulk load, introspection)
 * and overrides only what its warehouse does differently.
 */
export abstract class SqlDestination implements Destination {
  abstract readonly type: Destination['type'];
  abstract readonly capabilities: DestinationCapabilities;
  /** The schema Ferry writes to, folded as the warehouse folds unquoted names. */
  readonly schema: string;
  /** True while `transaction` runs its work: destinations whose DDL is not transactional check it. */
  protected inTransaction = false;

  protected constructor(
    readonly id: string,
    readonly dialect: Dialect,
    schema: string,
  ) {
    this.schema = dialect.foldIdentifier(schema);
  }

  abstract connect(): Promise<void>;
  abstract close(): Promise<void>;
  abstract introspect(table: string): Promise<TableShape | undefined>;
  abstract query(sql: string): Promise<(string | null)[][]>;
  abstract loadCsv(relation: string, columns: readonly string[], csv: AsyncIterable<Buffer>): Promise<{ rows: number; bytes: number }>;

  /** Runs one statement and resolves to its affected-row count; driver errors become DestinationErrors. */
  protected abstract run(sql: string): Promise<number>;

  /** The destination's schema, quoted and qualified as `relation` needs it. */
  protected abstract get quotedSchema(): string;

  async execute(statements: readonly string[]): Promise<number> {
    let changed = 0;
    for (const statement of statements) changed = await this.run(statement);
    return changed;
  }

  async exists(): Promise<boolean> {
    return true;
  }

  async *scan(sql: string): AsyncIterable<(string | null)[][]> {
    yield await this.query(sql);
  }

  async ensureSchema(): Promise<void> {
    await this.run(`CREATE SCHEMA IF NOT EXISTS ${this.quotedSchema}`);
  }

  relation(table: string): string {
    if (!fitsTableNameLimit(this.dialect, table)) {
      throw this.error(
        'usage',
        `table name "${table}" is longer than ${this.type} allows (${this.dialect.tableNameLimit.max} ${this.dialect.tableNameLimit.unit}); choose a shorter name`,
      );
    }
    return `${this.quotedSchema}.${this.dialect.quoteIdentifier(table)}`;
  }

  scratchRelation(name: string): string {
    return this.dialect.quoteIdentifier(scratchName(this.dialect, name));
  }

  async transaction<T>(work: (session: DestinationSession) => Promise<T>): Promise<T> {
    if (this.inTransaction) {
      throw this.error('usage', 'a transaction is already open and transactions do not nest: run this work in the open transaction');
    }
    await this.run('BEGIN');
    this.inTransaction = true;
    try {
      const result = await work(this);
      await this.run('COMMIT');
      return result;
    } catch (error) {
      await this.rollback();
      throw error;
    } finally {
      this.inTransaction = false;
    }
  }

  /** Runs in its own transaction, so it cannot be called inside `transaction`. */
  async swap(shadow: string, table: string, keepOldAs?: string): Promise<void> {
    await this.transaction(async () => {
      if ((await this.introspect(shadow)) === undefined) {
        throw this.error(
          'usage',
          `cannot swap ${this.relation(shadow)} into ${this.relation(table)}: the shadow table does not exist; create and load it first`,
        );
      }
      if ((await this.introspect(table)) !== undefined) {
        if (keepOldAs === undefined) {
          await this.run(`DROP TABLE ${this.relation(table)}`);
        } else if ((await this.introspect(keepOldAs)) !== undefined) {
          throw this.error(
            'usage',
            `cannot keep the old ${this.relation(table)} as ${this.relation(keepOldAs)}: that table exists already; drop it or keep the old table under another name`,
          );
        } else {
          await this.renameTable(table, keepOldAs);
        }
      }
      await this.renameTable(shadow, table);
    });
  }

  async dropTable(table: string): Promise<void> {
    await this.run(`DROP TABLE IF EXISTS ${this.relation(table)}`);
  }

  async alterColumnType(table: string, column: string, type: string): Promise<void> {
    await this.run(`ALTER TABLE ${this.relation(table)} ALTER COLUMN ${this.dialect.quoteIdentifier(column)} SET DATA TYPE ${type}`);
  }

  async dropNotNull(table: string, column: string): Promise<void> {
    await this.run(`ALTER TABLE ${this.relation(table)} ALTER COLUMN ${this.dialect.quoteIdentifier(column)} DROP NOT NULL`);
  }

  /** Renames a table within the schema; warehouses whose renames leave names behind override it. */
  protected async renameTable(from: string, to: string): Promise<void> {
    await this.run(`ALTER TABLE ${this.relation(from)} RENAME TO ${this.dialect.quoteIdentifier(to)}`);
  }

  /**
   * An error whose message starts with this destination's id and type. The type is read from the
   * dialect, which shares its name, because a subclass's own fields are not set yet while a base
   * constructor runs.
   */
  protected error(kind: DestinationErrorKind, what: string, cause?: unknown): DestinationError {
    return new DestinationError(
      this.id,
      kind,
      `destination "${this.id}" (${this.dialect.name}): ${what}`,
      cause === undefined ? undefined : { cause },
    );
  }

  private async rollback(): Promise<void> {
    try {
      await this.run('ROLLBACK');
    } catch {
      // The error that made us roll back says what went wrong. A failed ROLLBACK means the
      // connection is gone, and the warehouse has rolled the transaction back itself.
    }
  }
}

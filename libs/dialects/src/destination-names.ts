import type { ColumnSpec, ExportModelSpec } from '@ferry/schema';
import type { Dialect, IdentifierLimit } from './dialect.ts';
import { IdentifierError } from './identifier-error.ts';
import { identifierLength } from './identifiers.ts';

/** A model's table and column names as one dialect writes them: folded, checked, not yet quoted. */
export interface DestinationNames {
  readonly table: string;
  /** Every exported column with its folded destination name, in model order. */
  readonly columns: readonly { readonly column: ColumnSpec; readonly name: string }[];
}

/**
 * Folds a model's names for a dialect and checks that the dialect can hold them.
 * @throws IdentifierError when two columns fold to one name, or a folded name is empty or too
 * long: one error listing every such problem of the model, so one run shows them all.
 */
export function destinationNames(dialect: Dialect, model: ExportModelSpec): DestinationNames {
  const problems: string[] = [];
  const atFault: string[] = [];
  const fail = (columns: readonly string[], problem: string, fix: string): void => {
    problems.push(`export model "${model.name}" on ${dialect.name}: ${problem}. Fix: ${fix}.`);
    atFault.push(...columns.filter((c) => !atFault.includes(c)));
  };

  const table = dialect.foldIdentifier(model.destinationName);
  const tableProblem = lengthProblem(table, dialect.tableNameLimit, dialect);
  if (tableProblem) {
    fail([], `table name "${table}" ${tableProblem}`, 'rename the model, or set meta.ferry.destination_name on the model');
  }

  const columnLimit: IdentifierLimit = { max: dialect.maxIdentifierLength, unit: dialect.identifierLengthUnit };
  const columns: { column: ColumnSpec; name: string }[] = [];
  const owners = new Map<string, ColumnSpec>();
  for (const column of model.columns) {
    const folded = dialect.foldIdentifier(column.destinationName);
    const owner = owners.get(folded);
    if (owner) {
      fail(
        [owner.name, column.name],
        `columns "${owner.name}" and "${column.name}" both become "${folded}", as ${dialect.name} ${foldingOf(dialect)}`,
        'rename one, or set meta.ferry.destination_name on the column',
      );
    }
    const problem = lengthProblem(folded, columnLimit, dialect);
    if (problem) {
      fail(
        [column.name],
        `column "${column.name}" becomes "${folded}", which ${problem}`,
        'shorten it, or set meta.ferry.destination_name on the column',
      );
    }
    if (!owner) owners.set(folded, column);
    columns.push({ column, name: folded });
  }
  if (problems.length > 0) throw new IdentifierError(dialect.name, model.name, atFault, problems);
  return { table, columns };
}

function lengthProblem(folded: string, limit: IdentifierLimit, dialect: Dialect): string | undefined {
  const length = identifierLength(folded, limit.unit);
  if (length === 0) return 'is empty';
  if (length > limit.max) return `is ${length} ${limit.unit} long, over the ${limit.max} ${limit.unit} ${dialect.name} allows`;
  return undefined;
}

function foldingOf(dialect: Dialect): string {
  return dialect.foldIdentifier('a') === 'A' ? 'folds names to upper case' : 'folds names to lower case';
}

/**
 * The one statement of a generated query (`countRows`, `selectRows`): a query's template renders
 * exactly one, and a catalog holding another number was not written by this Ferry's generator.
 */
export function oneStatement(statements: readonly string[]): string {
  const [statement] = statements;
  if (statements.length !== 1 || statement === undefined) {
    throw new Error(`a generated query has ${statements.length} statements instead of one: run \`npx ferry generate\` and commit the result`);
  }
  return statement;
}

import type { ExportModelSpec } from '@ferry/schema';

/** The source warehouse could not be reached or opened. Its message never holds a password. */
export class SourceConnectionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SourceConnectionError';
  }
}

/** An export model's relation is missing from the source: dbt has not built the model there. */
export class MissingRelationError extends Error {
  constructor(
    readonly model: string,
    readonly relation: string,
    options?: ErrorOptions,
  ) {
    super(
      `export model "${model}" reads ${relation}, which does not exist in the source: ` +
        `run \`dbt build --select ${model}\` against this source, or check that the source connection points at the warehouse dbt builds into`,
      options,
    );
    this.name = 'MissingRelationError';
  }
}

/** The model's relation lacks an exported column: the model changed since dbt last built it. */
export class MissingColumnError extends Error {
  constructor(
    readonly model: string,
    readonly relation: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(
      `export model "${model}" reads a column that ${relation} does not have (${detail}): the dbt model and the source disagree. ` +
        `If the model gained the column, dbt has not built it into this source yet: run \`dbt build --select ${model}\`; ` +
        'if the model lost it, the generated catalog is stale: run `npx ferry manifest update && npx ferry generate`',
      options,
    );
    this.name = 'MissingColumnError';
  }
}

/** What a failed read of an export model means to the user, as decided by one source kind. */
export type ReadFailure = { kind: 'missing relation' } | { kind: 'missing column'; detail: string } | undefined;

/** Wraps a failed read in the error that tells the user what to do, or returns it unchanged. */
export function readError(error: unknown, model: ExportModelSpec, relation: string, failure: ReadFailure): unknown {
  switch (failure?.kind) {
    case 'missing relation':
      return new MissingRelationError(model.name, relation, { cause: error });
    case 'missing column':
      return new MissingColumnError(model.name, relation, failure.detail, { cause: error });
    default:
      return error;
  }
}

/**
 * One thing wrong with the generator's input, phrased so the user can act on it:
 * where (`at`: a manifest path, or model/column), what is wrong, and how to fix it.
 */
export interface Problem {
  readonly at: string;
  readonly message: string;
  readonly fix?: string;
}

/** Thrown with every problem found, so one run shows the user all of them; nothing is written. */
export class GeneratorError extends Error {
  constructor(
    readonly summary: string,
    readonly problems: readonly Problem[],
  ) {
    super(`${summary}\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'GeneratorError';
  }
}

export function formatProblem(problem: Problem): string {
  return `  - ${problem.at}: ${problem.message}${problem.fix ? `\n    fix: ${problem.fix}` : ''}`;
}

/** Where a problem sits in an export model, as users name it. */
export function atModel(model: string, column?: string): string {
  return column === undefined ? `model "${model}"` : `model "${model}", column "${column}"`;
}

import type { ExportModelSpec } from '@ferry/schema';
import { DIALECT_NAMES, IdentifierError, dialects, renderModelSql, type DialectName, type ModelSql } from '@ferry/dialects';
import { GeneratorError, atModel, type Problem } from '../problems.ts';

/**
 * Renders every model's SQL in every dialect. Identifier problems (names that collide after a
 * dialect's case folding, or exceed its length limit) are collected across all of them.
 */
export function renderAllSql(models: readonly ExportModelSpec[]): Record<DialectName, Map<string, ModelSql>> {
  const problems: Problem[] = [];
  const result = {} as Record<DialectName, Map<string, ModelSql>>;
  for (const name of DIALECT_NAMES) {
    const rendered = new Map<string, ModelSql>();
    for (const model of models) {
      try {
        rendered.set(model.name, renderModelSql(dialects[name], model));
      } catch (error) {
        if (!(error instanceof IdentifierError)) throw error;
        for (const message of error.problems) problems.push({ at: atModel(model.name), message });
      }
    }
    result[name] = rendered;
  }
  if (problems.length > 0) {
    throw new GeneratorError(`${problems.length} identifier problem(s) in destination dialects:`, problems);
  }
  return result;
}

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DIALECT_NAMES } from './dialect.ts';
import { TEMPLATE_NAMES, templateFile } from './templates.ts';

/**
 * Each statement is written once: a dialect folder holds a template only where its SQL differs,
 * so no two of the templates any dialect renders are the same file content under two names.
 */
describe('templates are written once', () => {
  const files = DIALECT_NAMES.flatMap((dialect) => TEMPLATE_NAMES.map((name) => fileURLToPath(templateFile(dialect, name))));
  const distinct = [...new Set(files)];

  it('every dialect finds every template, its own or the shared one', () => {
    expect(files).toHaveLength(DIALECT_NAMES.length * TEMPLATE_NAMES.length);
    for (const file of distinct) expect(readFileSync(file, 'utf8').length).toBeGreaterThan(0);
  });

  it('no two template files have the same content', () => {
    const byContent = new Map<string, string[]>();
    for (const file of distinct) {
      const content = readFileSync(file, 'utf8');
      byContent.set(content, [...(byContent.get(content) ?? []), file.replace(/.*\/src\//, '')]);
    }
    expect([...byContent.values()].filter((same) => same.length > 1)).toEqual([]);
  });
});

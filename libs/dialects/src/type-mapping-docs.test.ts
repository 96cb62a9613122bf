import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { typeMappingMarkdown } from './type-mapping-markdown.ts';

describe('docs/destinations.md', () => {
  it('shows the type mapping the type maps produce', () => {
    const readme = readFileSync(new URL('../../../docs/destinations.md', import.meta.url), 'utf8');
    const table = /<!-- type-mapping:start -->\n([\s\S]*?)<!-- type-mapping:end -->/.exec(readme)?.[1];
    expect(table, 'docs/destinations.md lacks the type-mapping markers').toBeDefined();
    expect(table).toBe(typeMappingMarkdown());
  });
});

import { describe, expect, it } from 'vitest';
import { bindRelations } from './bind-relations.ts';

describe('bindRelations', () => {
  it('replaces every placeholder with its relation', () => {
    const sql = 'MERGE INTO {target} USING {staging} AS s ON {target}."id" = s."id"; DELETE FROM {target} USING {deleted_keys}';
    expect(bindRelations(sql, { target: '"dest"."orders"', staging: '"stage"', deletedKeys: '"gone"' })).toBe(
      'MERGE INTO "dest"."orders" USING "stage" AS s ON "dest"."orders"."id" = s."id"; DELETE FROM "dest"."orders" USING "gone"',
    );
  });

  it('throws naming the placeholder and the missing relation', () => {
    expect(() => bindRelations('INSERT INTO {target} SELECT * FROM {staging}', { target: '"t"' })).toThrow(
      'the statement uses {staging} but no staging relation was given: pass relations.staging to bindRelations',
    );
    expect(() => bindRelations('DELETE FROM {target} USING {deleted_keys}', { target: '"t"', deletedKeys: '' })).toThrow(
      /uses \{deleted_keys\} but no deletedKeys relation/,
    );
  });

  it('leaves other braces alone and does not re-read bound names', () => {
    const sql = `SELECT '{"a": 1}', '{other}' FROM {target}`;
    expect(bindRelations(sql, { target: '"{staging}"' })).toBe(`SELECT '{"a": 1}', '{other}' FROM "{staging}"`);
  });
});

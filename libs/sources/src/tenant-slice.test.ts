import { describe, expect, it } from 'vitest';
import type { SourceKind } from './source.ts';
import { sourceRelation, tenantSliceFrom, tenantSliceQuery } from './tenant-slice.ts';
import { everyTypeModel, versionedModel } from './testing/models.ts';

/** How each kind must spell hostile tenant values as SQL strings (executed in tenant-isolation.test.ts). */
const LITERALS: Readonly<Record<SourceKind, Readonly<Record<string, string>>>> = {
  postgres: {
    acme: `'acme'`,
    "o'brien": `'o''brien'`,
    'back\\slash': `E'back\\\\slash'`,
    "back\\' OR '1'='1": `E'back\\\\'' OR ''1''=''1'`,
  },
  duckdb: {
    acme: `'acme'`,
    "o'brien": `'o''brien'`,
    'back\\slash': `'back\\slash'`,
    "back\\' OR '1'='1": `'back\\'' OR ''1''=''1'`,
  },
};

/** The column each kind must render differently from its raw value. */
const RENDERED: Readonly<Record<SourceKind, RegExp>> = {
  postgres: /CAST\("flag" AS TEXT\) AS "flag"/,
  duckdb: /CASE WHEN isnan\("weight"\) THEN 'NaN' .* AS "weight"/,
};

describe.each(['postgres', 'duckdb'] as const)('%s tenant slice', (kind) => {
  it.each(Object.entries(LITERALS[kind]))('compares the tenant column with %j exactly', (tenant, literal) => {
    expect(tenantSliceFrom(kind, everyTypeModel, tenant)).toBe(
      `FROM "analytics"."every_type" WHERE "tenant_id" = ${literal} AND CAST("tenant_id" AS ${kind === 'postgres' ? 'TEXT' : 'VARCHAR'}) COLLATE ${kind === 'postgres' ? '"C"' : '"binary"'} = ${literal}`,
    );
  });

  it('leaves out soft-deleted rows only when asked, and only for a model that has them', () => {
    const softDeleted = { ...everyTypeModel, softDelete: 'local_at' };
    expect(tenantSliceFrom(kind, softDeleted, 'acme')).not.toContain('IS NULL');
    expect(tenantSliceFrom(kind, softDeleted, 'acme', { liveOnly: true })).toMatch(/ AND "local_at" IS NULL$/);
    expect(() => tenantSliceFrom(kind, everyTypeModel, 'acme', { liveOnly: true })).toThrow(
      'export model "every_type" has no soft-delete column, so it has no soft-deleted rows to leave out',
    );
  });

  it('selects the exported columns in order, and only them', () => {
    const sql = tenantSliceQuery(kind, everyTypeModel, 'acme');
    const names = [...sql.slice(0, sql.indexOf(' FROM "analytics"')).matchAll(/(?:^SELECT |, |AS )("[^"]+")(?=,|$)/g)].map((m) => m[1]);
    expect(names).toEqual(everyTypeModel.columns.map((c) => `"${c.name}"`));
    expect(sql).toMatch(RENDERED[kind]);
  });

  it('leaves the dbt database out of the relation', () => {
    expect(sourceRelation(kind, { database: 'vendor', schema: 'my "schema"', identifier: 'Orders' })).toBe(`"my ""schema"""."Orders"`);
  });

  it('bounds the cursor by the watermark minus the lookback, in microseconds', () => {
    const timestamptz = kind === 'postgres' ? 'TIMESTAMPTZ(6)' : 'TIMESTAMPTZ';
    expect(tenantSliceFrom(kind, everyTypeModel, 'acme', { since: '2024-01-01 00:00:00+00', lookbackSeconds: 1.5 })).toMatch(
      new RegExp(`AND "updated_at" >= CAST\\('2024-01-01 00:00:00\\+00' AS ${timestamptz.replace(/[()]/g, '\\$&')}\\) - INTERVAL '1500000 microseconds'$`),
    );
    expect(tenantSliceFrom(kind, versionedModel, 'acme', { since: '41', lookbackSeconds: 60 })).toMatch(/AND "version" >= CAST\('41' AS BIGINT\)$/);
  });
});

import { describe, expect, it } from 'vitest';
import type { SourceKind } from './source.ts';
import { dialects } from '@ferry/dialects';
import { sourceRelation, tenantSliceFrom, tenantSliceQuery, tenantValuesQuery } from './tenant-slice.ts';
import { datedModel, everyTypeModel, fullRefreshModel, versionedModel } from '@ferry/test';

/** How each kind must spell hostile tenant values as SQL strings (executed in tenant-isolation.integration.test.ts). */
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
      new RegExp(
        `AND "updated_at" >= CAST\\('2024-01-01 00:00:00\\+00' AS ${timestamptz.replace(/[()]/g, '\\$&')}\\) - INTERVAL '1500000 microseconds'$`,
      ),
    );
    expect(tenantSliceFrom(kind, versionedModel, 'acme', { since: '41', lookbackSeconds: 60 })).toMatch(/AND "version" >= CAST\('41' AS BIGINT\)$/);
  });
});

/** The tenant restriction every slice of every_type for acme starts with. */
function acmeSlice(kind: SourceKind): string {
  const text = kind === 'postgres' ? 'TEXT' : 'VARCHAR';
  const binary = kind === 'postgres' ? '"C"' : '"binary"';
  return `FROM "analytics"."every_type" WHERE "tenant_id" = 'acme' AND CAST("tenant_id" AS ${text}) COLLATE ${binary} = 'acme'`;
}

describe.each(['postgres', 'duckdb'] as const)('%s read window', (kind) => {
  const timestamptz = kind === 'postgres' ? 'TIMESTAMPTZ(6)' : 'TIMESTAMPTZ';
  const timestamp = kind === 'postgres' ? 'TIMESTAMP(6)' : 'TIMESTAMP';
  const since = `CAST('2024-01-01 00:00:00+00' AS ${timestamptz})`;

  it('adds no cursor bound without a `since`, whatever the lookback', () => {
    expect(tenantSliceFrom(kind, everyTypeModel, 'acme')).toBe(acmeSlice(kind));
    expect(tenantSliceFrom(kind, everyTypeModel, 'acme', {})).toBe(acmeSlice(kind));
    expect(tenantSliceFrom(kind, everyTypeModel, 'acme', { lookbackSeconds: 60 })).toBe(acmeSlice(kind));
    expect(tenantSliceFrom(kind, fullRefreshModel, 'acme', { lookbackSeconds: 60 })).not.toContain('>=');
  });

  it('bounds the cursor by `since` itself without a lookback, or with a lookback of zero', () => {
    const bounded = `${acmeSlice(kind)} AND "updated_at" >= ${since}`;
    expect(tenantSliceFrom(kind, everyTypeModel, 'acme', { since: '2024-01-01 00:00:00+00' })).toBe(bounded);
    expect(tenantSliceFrom(kind, everyTypeModel, 'acme', { since: '2024-01-01 00:00:00+00', lookbackSeconds: 0 })).toBe(bounded);
  });

  it('applies the lookback to timestamp, timestamptz and date cursors, rounded to the microsecond', () => {
    const localCursor = { ...everyTypeModel, cursor: 'local_at' };
    expect(tenantSliceFrom(kind, localCursor, 'acme', { since: '2024-01-01 00:00:00', lookbackSeconds: 0.0000005 })).toBe(
      `${acmeSlice(kind)} AND "local_at" >= CAST('2024-01-01 00:00:00' AS ${timestamp}) - INTERVAL '1 microseconds'`,
    );
    expect(tenantSliceFrom(kind, localCursor, 'acme', { since: '2024-01-01 00:00:00', lookbackSeconds: 0.0000004 })).toBe(
      `${acmeSlice(kind)} AND "local_at" >= CAST('2024-01-01 00:00:00' AS ${timestamp})`,
    );
    expect(tenantSliceFrom(kind, everyTypeModel, 'acme', { since: '2024-01-01 00:00:00+00', lookbackSeconds: 90 })).toBe(
      `${acmeSlice(kind)} AND "updated_at" >= ${since} - INTERVAL '90000000 microseconds'`,
    );
    expect(tenantSliceFrom(kind, datedModel, 'acme', { since: '2024-01-01', lookbackSeconds: 86_400 })).toMatch(
      /AND "day" >= CAST\('2024-01-01' AS DATE\) - INTERVAL '86400000000 microseconds'$/,
    );
  });

  it('refuses a lookback that is not a finite number of seconds >= 0', () => {
    for (const lookbackSeconds of [-0.000001, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => tenantSliceFrom(kind, everyTypeModel, 'acme', { since: '2024-01-01 00:00:00+00', lookbackSeconds })).toThrow(
        `lookback for export model "every_type" must be a number of seconds >= 0, got ${lookbackSeconds}`,
      );
    }
  });

  it('also reads rows whose cursor is NULL when the model says always_read', () => {
    const alwaysRead = { ...everyTypeModel, nullCursor: 'always_read' as const };
    expect(tenantSliceFrom(kind, alwaysRead, 'acme', { since: '2024-01-01 00:00:00+00' })).toBe(
      `${acmeSlice(kind)} AND ("updated_at" >= ${since} OR "updated_at" IS NULL)`,
    );
    expect(tenantSliceFrom(kind, { ...everyTypeModel, nullCursor: 'refuse' as const }, 'acme', { since: '2024-01-01 00:00:00+00' })).toBe(
      `${acmeSlice(kind)} AND "updated_at" >= ${since}`,
    );
    expect(tenantSliceFrom(kind, alwaysRead, 'acme')).toBe(acmeSlice(kind));
  });

  it('refuses a `since` for a model without a cursor, or whose cursor is not exported', () => {
    expect(() => tenantSliceFrom(kind, fullRefreshModel, 'acme', { since: '7' })).toThrow(
      'export model "full_refresh" has no cursor column, so it cannot be read from a watermark (since "7"): ' +
        'read it in full, or set meta.ferry.cursor on the dbt model and run `ferry generate`',
    );
    expect(() => tenantSliceFrom(kind, { ...everyTypeModel, cursor: 'changed_at' }, 'acme', { since: '7' })).toThrow(
      'export model "every_type" names "changed_at" as its cursor, but that column is not exported: ' +
        'export the cursor column (it must not be PII) and run `ferry generate`',
    );
  });

  it('refuses a watermark no SQL string can hold, naming it as the watermark', () => {
    expect(() => tenantSliceFrom(kind, versionedModel, 'acme', { since: '4\u00001' })).toThrow(
      'the watermark of export model "versioned" contains a NUL character, which no source can store: fix the value',
    );
    expect(() => tenantSliceFrom(kind, versionedModel, 'acme', { since: 41 as unknown as string })).toThrow(
      'the watermark of export model "versioned" must be a string, got number',
    );
  });

  it('escapes the watermark as it escapes a tenant value', () => {
    expect(tenantSliceFrom(kind, versionedModel, 'acme', { since: "1' OR '1'='1" })).toMatch(
      /AND "version" >= CAST\('1'' OR ''1''=''1' AS BIGINT\)$/,
    );
  });

  it('reads only the rows newer than a value when asked: strictly newer, no NULL cursor, no lookback', () => {
    const model = { ...everyTypeModel, nullCursor: 'always_read' as const };
    expect(tenantSliceFrom(kind, model, 'acme', { newerThan: '2024-01-01 00:00:00+00', lookbackSeconds: 60 })).toBe(
      `${acmeSlice(kind)} AND "updated_at" > ${since}`,
    );
    expect(() => tenantSliceFrom(kind, fullRefreshModel, 'acme', { newerThan: '2024-01-01 00:00:00+00' })).toThrow(
      'export model "full_refresh" has no cursor column',
    );
  });

  it('reads only the rows whose cursor is NULL when asked, and only for a model that has a cursor', () => {
    expect(tenantSliceFrom(kind, everyTypeModel, 'acme', { nullCursorOnly: true })).toBe(`${acmeSlice(kind)} AND "updated_at" IS NULL`);
    expect(tenantSliceFrom(kind, everyTypeModel, 'acme', { nullCursorOnly: false })).toBe(acmeSlice(kind));
    expect(() => tenantSliceFrom(kind, fullRefreshModel, 'acme', { nullCursorOnly: true })).toThrow(
      'export model "full_refresh" has no cursor column to be NULL',
    );
  });

  it('reads only the rows whose key hashes into the given buckets, keyed in primary-key order', () => {
    const inBuckets = dialects[kind].keyInBucketsCondition(['"tenant_id"', '"id"'], 1, ['0', 'f']);
    expect(inBuckets).toContain('"tenant_id"');
    expect(tenantSliceFrom(kind, everyTypeModel, 'acme', { keyBuckets: { prefixLength: 1, buckets: ['0', 'f'] } })).toBe(
      `${acmeSlice(kind)} AND ${inBuckets}`,
    );
  });

  it('joins every restriction asked for with AND, in one order', () => {
    const model = { ...everyTypeModel, softDelete: 'local_at', nullCursor: 'always_read' as const };
    const inBuckets = dialects[kind].keyInBucketsCondition(['"tenant_id"', '"id"'], 2, ['ab']);
    expect(
      tenantSliceFrom(kind, model, 'acme', { since: '2024-01-01 00:00:00+00', liveOnly: true, keyBuckets: { prefixLength: 2, buckets: ['ab'] } }),
    ).toBe(`${acmeSlice(kind)} AND ("updated_at" >= ${since} OR "updated_at" IS NULL) AND "local_at" IS NULL AND ${inBuckets}`);
    expect(tenantSliceFrom(kind, model, 'acme', { liveOnly: false })).toBe(acmeSlice(kind));
  });
});

describe.each(['postgres', 'duckdb'] as const)('%s tenant values', (kind) => {
  it('lists distinct non-NULL tenant values as text, at most `limit` of them', () => {
    const text = kind === 'postgres' ? 'TEXT' : 'VARCHAR';
    expect(tenantValuesQuery(kind, everyTypeModel, 1)).toBe(
      `SELECT DISTINCT CAST("tenant_id" AS ${text}) FROM "analytics"."every_type" WHERE "tenant_id" IS NOT NULL LIMIT 1`,
    );
  });

  it('refuses a limit that is not a positive integer', () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      expect(() => tenantValuesQuery(kind, everyTypeModel, limit)).toThrow(`limit must be a positive integer, got ${limit}`);
    }
  });
});

describe('tenant values that no SQL string can hold', () => {
  it('are refused with the model named, before any SQL is built', () => {
    expect(() => tenantSliceFrom('duckdb', everyTypeModel, 'acme\u0000')).toThrow(
      'the tenant value of export model "every_type" contains a NUL character, which no source can store: fix the value',
    );
    expect(() => tenantSliceFrom('postgres', everyTypeModel, 'a\uDC00')).toThrow(
      'the tenant value of export model "every_type" "a\\udc00" is not valid Unicode (a lone surrogate): fix the value',
    );
    expect(() => tenantSliceFrom('postgres', everyTypeModel, undefined as unknown as string)).toThrow(
      'the tenant value of export model "every_type" must be a string, got undefined',
    );
  });

  it('accepts characters outside the basic plane, whose surrogates come in pairs', () => {
    expect(tenantSliceFrom('duckdb', everyTypeModel, 'acme 🚢')).toContain(`= 'acme 🚢'`);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceKind } from './source.ts';
import { collectCsv, parseTransferCsv } from '@ferry/test';
import { compositeKeyModel } from '@ferry/test';
import { openFixture, SOURCE_KINDS, type SourceFixture, type Value } from '@ferry/test';

/** Tenant values that differ only in case, whitespace, escaping or normalisation, and hostile ones. */
const TENANTS = [
  'acme',
  'ACME',
  'Acme',
  'acme ',
  ' acme',
  'acme\n',
  "o'brien",
  'back\\slash',
  "back\\' OR '1'='1",
  "acme' OR '1'='1",
  'ünïcødé 🚀',
  // The same letter as one code point and as e + combining accent: different bytes, different tenants.
  'caf\u00e9',
  'cafe\u0301',
  '',
] as const;

/**
 * Makes the tenant column compare case-insensitively, the trap a plain `=` falls into: a
 * nondeterministic ICU collation in Postgres, NOCASE in DuckDB.
 */
const CASE_INSENSITIVE: Readonly<Record<SourceKind, { setup: string[]; column: string }>> = {
  postgres: {
    setup: [`CREATE COLLATION ferry_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`],
    column: 'COLLATE ferry_ci',
  },
  duckdb: { setup: [], column: 'COLLATE NOCASE' },
};

/** Three rows per tenant (seq = tenant index * 10 + 1..3), plus rows whose tenant is NULL. */
function rows(): Value[][] {
  const all: Value[][] = [];
  TENANTS.forEach((tenant, t) => {
    for (let n = 1; n <= 3; n++) all.push([tenant, uuid(t * 10 + n), `row ${n}`, String(t * 10 + n)]);
  });
  for (let n = 1; n <= 3; n++) all.push([null, uuid(900 + n), `orphan ${n}`, String(900 + n)]);
  return all;
}

const uuid = (n: number) => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;

describe.each(SOURCE_KINDS)('%s source: a tenant reads its own rows and no one else’s', (kind) => {
  let fixture: SourceFixture;
  beforeAll(async () => {
    fixture = await openFixture(kind);
    await fixture.execute(...CASE_INSENSITIVE[kind].setup);
    await fixture.createTable(compositeKeyModel, { tenant_id: CASE_INSENSITIVE[kind].column });
    await fixture.insert(compositeKeyModel, rows());
  });
  afterAll(() => fixture?.close());

  it('the collation under test really is case-insensitive (else this test proves nothing)', async () => {
    const sql = `SELECT COUNT(*) AS n FROM "analytics"."composite_key" WHERE "tenant_id" = 'acme'`;
    const count = await scalar(fixture, sql);
    expect(count).toBe(3 * 3); // acme, ACME, Acme
  });

  it.each(TENANTS.map((tenant, t) => [JSON.stringify(tenant), tenant, t] as const))('exports exactly the rows of %s', async (_, tenant, t) => {
    const exported = parseTransferCsv(await collectCsv(fixture.source.exportCsv(compositeKeyModel, tenant)));
    expect(exported.map((row) => row[0])).toEqual([tenant, tenant, tenant]);
    expect(exported.map((row) => Number(row[3])).sort((a, b) => a - b)).toEqual([t * 10 + 1, t * 10 + 2, t * 10 + 3]);
    expect(await fixture.source.count(compositeKeyModel, tenant)).toBe(3);
    const buckets = await fixture.source.keyBuckets(compositeKeyModel, tenant, 1);
    expect(buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(3);
  });

  it('reads nothing for a tenant that has no rows, and never the NULL-tenant rows', async () => {
    for (const tenant of ['nobody', 'NULL', 'null', "' OR tenant_id IS NULL OR '"]) {
      expect(await collectCsv(fixture.source.exportCsv(compositeKeyModel, tenant))).toBe('');
      expect(await fixture.source.count(compositeKeyModel, tenant)).toBe(0);
      expect(await fixture.source.keyBuckets(compositeKeyModel, tenant, 2)).toEqual([]);
    }
  });

  it('refuses tenant values no SQL string can hold faithfully', async () => {
    await expect(collectCsv(fixture.source.exportCsv(compositeKeyModel, 'acme\0'))).rejects.toThrow(/NUL character/);
    await expect(fixture.source.count(compositeKeyModel, 'acme\uD800')).rejects.toThrow(/lone surrogate/);
    await expect(fixture.source.count(compositeKeyModel, null as unknown as string)).rejects.toThrow(/must be a string, got null/);
  });
});

/** A count through the set-up connection, outside the source: the raw behaviour of `=`. */
async function scalar(fixture: SourceFixture, sql: string): Promise<number> {
  const [[count] = []] = await fixture.rows(sql);
  return Number(count);
}

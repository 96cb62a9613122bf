import { describe, expect, it } from 'vitest';
import { destinationLocationProblems } from './destination-locations.ts';
import type { DestinationConfigEntry } from './schema.ts';

const common = { tenant: 't', models: ['messages'], soft_deletes: 'keep' as const };
const postgres = (id: string, schema: string, url = 'postgres://ferry@db.example.com/analytics') =>
  ({ ...common, id, type: 'postgres', url, schema }) as DestinationConfigEntry;
const duckdb = (id: string, path: string, schema = 'ferry') => ({ ...common, id, type: 'duckdb', path, schema }) as DestinationConfigEntry;

describe('destinationLocationProblems', () => {
  it('refuses two destinations whose schemas fold to one', () => {
    expect(destinationLocationProblems([postgres('col-a', 'Shared'), postgres('col-b', 'shared')])).toEqual([
      'destinations "col-a" and "col-b" write to the same place (postgres db.example.com:5432/analytics schema shared): ' +
        "they would share tables and delete each other's rows. Give each destination its own schema",
    ]);
  });

  it('refuses one DuckDB file reached by two paths', () => {
    const problems = destinationLocationProblems([duckdb('a', '/work/shared.duckdb'), duckdb('b', '/work/data/../shared.duckdb')]);
    expect(problems).toEqual([expect.stringContaining('destinations "a" and "b" write to the same place (duckdb /work/shared.duckdb schema ferry)')]);
  });

  it('refuses a schema name Postgres would cut to 63 bytes, before two cut names can meet', () => {
    const long = `tenant_${'x'.repeat(69)}`;
    expect(destinationLocationProblems([postgres('a', `${long}1`), postgres('b', `${long}2`)])).toEqual([
      `destination "a": schema "${long}1" is 77 bytes long, more than postgres keeps (63): choose a shorter name`,
      `destination "b": schema "${long}2" is 77 bytes long, more than postgres keeps (63): choose a shorter name`,
    ]);
  });

  it('accepts the same schema on other servers or databases, and other schemas on one', () => {
    expect(
      destinationLocationProblems([
        postgres('a', 'ferry'),
        postgres('b', 'ferry', 'postgres://ferry@db.example.com/other'),
        postgres('c', 'ferry', 'postgres://ferry@db.example.com:6432/analytics'),
        postgres('d', 'ferry_d'),
        duckdb('e', 'e.duckdb'),
        duckdb('f', 'e.duckdb', 'other'),
      ]),
    ).toEqual([]);
  });

  it('never names a password in what it reports', () => {
    const url = 'postgres://ferry:hunter2@db.example.com/analytics';
    expect(destinationLocationProblems([postgres('a', 'x', url), postgres('b', 'x', url)]).join()).not.toContain('hunter2');
  });
});

import { DIALECT_NAMES } from '@ferry/dialects';
import { describe, expect, it } from 'vitest';
import { DESTINATION_MODULES, DESTINATION_TYPES, destinationModule } from './destination-modules.ts';

describe('the destination registry', () => {
  it('lists each module under its own type, with the dialect of that name', () => {
    for (const [type, module] of Object.entries(DESTINATION_MODULES)) {
      expect(module.type).toBe(type);
      expect(module.dialect.name).toBe(type);
    }
  });

  it('names only fields a module has as its schema field and its file fields', () => {
    for (const module of Object.values(DESTINATION_MODULES)) {
      expect(Object.keys(module.fields)).toContain(module.schemaField);
      for (const field of module.fileFields) expect(Object.keys(module.fields)).toContain(field);
    }
  });

  it('has a dialect for every type, and a type for every dialect', () => {
    expect([...DESTINATION_TYPES].sort()).toEqual([...DIALECT_NAMES].sort());
  });

  it('refuses a type it does not have, naming the ones it has', () => {
    expect(() => destinationModule('mysql')).toThrow(`unknown destination type "mysql": expected one of ${DESTINATION_TYPES.join(', ')}`);
    // An inherited property is no module either.
    expect(() => destinationModule('toString')).toThrow('unknown destination type "toString"');
  });
});

describe('where each module says its warehouse answers', () => {
  const entry = { id: 'acme', schema: 'ferry', connect_timeout: 7 };

  it("takes a Postgres-protocol URL's host and port, or the type's own default port", () => {
    expect(destinationModule('postgres').address({ ...entry, type: 'postgres', url: 'postgres://u:p@db.acme.com/analytics' })).toEqual({
      kind: 'network',
      host: 'db.acme.com',
      port: 5432,
      timeout: { seconds: 7, setting: 'connect_timeout' },
    });
    expect(destinationModule('redshift').address({ ...entry, type: 'redshift', url: 'postgres://u@cluster.example.com/dev' })).toMatchObject({
      host: 'cluster.example.com',
      port: 5439,
    });
    expect(destinationModule('postgres').address({ ...entry, type: 'postgres', url: 'postgres://u@[::1]:6432/db' })).toMatchObject({
      host: '::1',
      port: 6432,
    });
  });

  it('reaches Snowflake at its account host, and a DuckDB database by its file', () => {
    expect(destinationModule('snowflake').address({ ...entry, type: 'snowflake', account: 'xy12345.eu-central-1' })).toMatchObject({
      host: 'xy12345.eu-central-1.snowflakecomputing.com',
      port: 443,
    });
    expect(destinationModule('duckdb').address({ ...entry, type: 'duckdb', path: '/data/acme.duckdb' })).toEqual({
      kind: 'file',
      path: '/data/acme.duckdb',
    });
    expect(destinationModule('duckdb').address({ ...entry, type: 'duckdb', path: ':memory:' })).toEqual({ kind: 'memory' });
  });

  it('names a place without the credentials of its URL', () => {
    const place = destinationModule('postgres').place({
      ...entry,
      type: 'postgres',
      url: 'postgres://ferry:hunter2@DB.acme.com/analytics',
      schema: 'Knock',
    });
    expect(place).toBe('postgres db.acme.com:5432/analytics schema knock');
    // A / in the password: the URL parses with part of the password as its path.
    const misread = destinationModule('postgres').place({ ...entry, type: 'postgres', url: 'postgres://ferry:hun@/ter2@db.acme.com/analytics' });
    expect(misread).not.toMatch(/hun|ter2/);
  });

  it("places a Redshift URL without a port at Redshift's own port, where the warehouse answers", () => {
    const redshift = destinationModule('redshift');
    const url = (port: string) => `postgres://ferry@cluster.example.com${port}/dev`;
    expect(redshift.place({ ...entry, type: 'redshift', url: url('') })).toBe(redshift.place({ ...entry, type: 'redshift', url: url(':5439') }));
    expect(redshift.place({ ...entry, type: 'redshift', url: url('') })).not.toBe(redshift.place({ ...entry, type: 'redshift', url: url(':5432') }));
  });
});

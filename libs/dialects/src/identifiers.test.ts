import { describe, expect, it } from 'vitest';
import { DIALECT_NAMES, type DialectName, type IdentifierLimit } from './dialect.ts';
import { dialects } from './dialects.ts';

interface IdentifierRules {
  readonly folded: Readonly<Record<string, string>>;
  readonly quoted: Readonly<Record<string, string>>;
  readonly columnLimit: IdentifierLimit;
  readonly tableNameLimit: IdentifierLimit;
}

/** Required for every dialect: a new dialect fails to compile until it states its rules here. */
const RULES: Record<DialectName, IdentifierRules> = {
  postgres: {
    folded: { userId: 'userid', ORDER: 'order', größe: 'größe', GRÖSSE: 'grÖsse', 'Say "Hi"': 'say "hi"' },
    quoted: { order: '"order"', select: '"select"', 'say "hi"': '"say ""hi"""', größe: '"größe"', 'a`b\\c': '"a`b\\c"' },
    columnLimit: { max: 63, unit: 'bytes' },
    tableNameLimit: { max: 63, unit: 'bytes' },
  },
  redshift: {
    folded: { userId: 'userid', ORDER: 'order', größe: 'größe', GRÖSSE: 'grÖsse', 'Say "Hi"': 'say "hi"' },
    quoted: { order: '"order"', select: '"select"', 'say "hi"': '"say ""hi"""', größe: '"größe"', 'a`b\\c': '"a`b\\c"' },
    columnLimit: { max: 127, unit: 'bytes' },
    tableNameLimit: { max: 127, unit: 'bytes' },
  },
  snowflake: {
    folded: { userId: 'USERID', order: 'ORDER', größe: 'GRößE', GRÖSSE: 'GRÖSSE', 'Say "Hi"': 'SAY "HI"' },
    quoted: { ORDER: '"ORDER"', SELECT: '"SELECT"', 'SAY "HI"': '"SAY ""HI"""', GRößE: '"GRößE"', 'a`b\\c': '"a`b\\c"' },
    columnLimit: { max: 255, unit: 'characters' },
    tableNameLimit: { max: 255, unit: 'characters' },
  },
  bigquery: {
    folded: { userId: 'userid', ORDER: 'order', größe: 'größe', GRÖSSE: 'grÖsse', 'Say "Hi"': 'say "hi"' },
    quoted: {
      order: '`order`',
      select: '`select`',
      'say "hi"': '`say "hi"`',
      größe: '`größe`',
      'a`b\\c': '`a\\`b\\\\c`',
      'line\nbreak': '`line\\u000abreak`',
    },
    columnLimit: { max: 300, unit: 'characters' },
    tableNameLimit: { max: 1024, unit: 'bytes' },
  },
  duckdb: {
    folded: { userId: 'userid', ORDER: 'order', größe: 'größe', GRÖSSE: 'grÖsse', 'Say "Hi"': 'say "hi"' },
    quoted: { order: '"order"', select: '"select"', 'say "hi"': '"say ""hi"""', größe: '"größe"', 'a`b\\c': '"a`b\\c"' },
    columnLimit: { max: 4 * 1024 ** 3, unit: 'bytes' },
    tableNameLimit: { max: 4 * 1024 ** 3, unit: 'bytes' },
  },
};

describe.each(DIALECT_NAMES)('%s identifiers', (name) => {
  const dialect = dialects[name];
  const rules = RULES[name];

  it.each(Object.entries(rules.folded))('folds %j to %j', (input, folded) => {
    expect(dialect.foldIdentifier(input)).toBe(folded);
  });

  it.each(Object.entries(rules.quoted))('quotes %j as %s', (input, quoted) => {
    expect(dialect.quoteIdentifier(input)).toBe(quoted);
  });

  it('states its length limits and their unit', () => {
    expect({ max: dialect.maxIdentifierLength, unit: dialect.identifierLengthUnit }).toEqual(rules.columnLimit);
    expect(dialect.tableNameLimit).toEqual(rules.tableNameLimit);
  });
});

import { describe, expect, it } from 'vitest';
import { canonicalJson, exactNumber } from './canonical-json.ts';

describe('canonicalJson', () => {
  it('spells the same value alike however a warehouse printed it', () => {
    const postgres = '{"b": [1, 2.50, {"y": null, "x": "é"}], "a": true}';
    const duckdb = '{ "a":true,"b":[1e0,25E-1,{"x":"\\u00e9","y":null}] }';
    expect(canonicalJson(postgres, 'exact')).toBe(canonicalJson(duckdb, 'exact'));
    expect(canonicalJson(postgres, 'exact')).toBe('{"a":true,"b":[0.1e1,0.25e1,{"x":"é","y":null}]}');
  });

  it('keeps every digit of a number, or reads it as a 64-bit float where the destination does', () => {
    const big = '12345678901234567890123456789.123456789';
    const oneMore = '12345678901234567890123456789.123456790';
    expect(canonicalJson(big, 'exact')).not.toBe(canonicalJson(oneMore, 'exact'));
    expect(canonicalJson(big, 'float64')).toBe(canonicalJson(oneMore, 'float64'));
    expect(canonicalJson('[-0.5e-3]', 'float64')).toBe('[-0.0005]');
  });

  it('tells values apart that only look alike', () => {
    const spellings = ['null', '"null"', '0', '"0"', '[]', '{}', '""', '[null]', '{"a":null}', '{"a":"null"}', 'false'];
    expect(new Set(spellings.map((s) => canonicalJson(s, 'exact'))).size).toBe(spellings.length);
  });

  it('keeps the last of duplicate keys, as JSON.parse does', () => {
    expect(canonicalJson('{"a": 1, "a": 2}', 'exact')).toBe('{"a":0.2e1}');
  });

  it('refuses text that is not JSON, saying where', () => {
    expect(() => canonicalJson('{"a": 1,}', 'exact')).toThrow(/expected a JSON string at position 8/);
    expect(() => canonicalJson('[1] 2', 'exact')).toThrow(/expected the end of the JSON text at position 4/);
    expect(() => canonicalJson('01', 'exact')).toThrow(SyntaxError);
  });
});

describe('exactNumber', () => {
  it.each([
    ['0', '0'],
    ['-0', '0'],
    ['0.000', '0'],
    ['1', '0.1e1'],
    ['100', '0.1e3'],
    ['1e2', '0.1e3'],
    ['-12.3400e+2', '-0.1234e4'],
    ['0.0005', '0.5e-3'],
    ['5E-4', '0.5e-3'],
  ])('%s is %s', (number, canonical) => {
    expect(exactNumber(number)).toBe(canonical);
  });
});

import { describe, expect, it } from 'vitest';
import { UnsupportedTypeError, formatLogicalType, parseDataType, type LogicalType } from './logical-types.ts';

describe('parseDataType', () => {
  it.each<[string, LogicalType]>([
    ['text', { kind: 'text' }],
    ['VARCHAR', { kind: 'text' }],
    ['character varying(255)', { kind: 'varchar', length: 255 }],
    ['varchar( 64 )', { kind: 'varchar', length: 64 }],
    ['char(2)', { kind: 'varchar', length: 2 }],
    ['int2', { kind: 'smallint' }],
    ['int', { kind: 'integer' }],
    ['INTEGER', { kind: 'integer' }],
    ['int8', { kind: 'bigint' }],
    ['numeric(38,9)', { kind: 'numeric', precision: 38, scale: 9 }],
    ['decimal(10)', { kind: 'numeric', precision: 10, scale: 0 }],
    ['NUMBER(12, 6)', { kind: 'numeric', precision: 12, scale: 6 }],
    ['double precision', { kind: 'double' }],
    ['float4', { kind: 'real' }],
    ['bool', { kind: 'boolean' }],
    ['date', { kind: 'date' }],
    ['time', { kind: 'time' }],
    ['timestamp', { kind: 'timestamp' }],
    ['timestamp(6) without time zone', { kind: 'timestamp' }],
    ['timestamp  with  time zone', { kind: 'timestamptz' }],
    ['timestamp(3) with time zone', { kind: 'timestamptz' }],
    ['timestamptz(6)', { kind: 'timestamptz' }],
    ['jsonb', { kind: 'json' }],
    ['json', { kind: 'json' }],
    ['uuid', { kind: 'uuid' }],
  ])('reads %s', (dataType, expected) => {
    expect(parseDataType(dataType)).toEqual(expected);
  });

  it.each([
    ['numeric', /declare a precision and scale/],
    ['numeric(39,2)', /1 <= p <= 38/],
    ['numeric(4,5)', /0 <= s <= p/],
    ['timestamp(9)', /at most 6/],
    ['varchar(0)', /at least 1/],
    ['geography', /use one of: text, varchar\(n\)/],
    ['int[]', /use one of/],
  ])('rejects %s with a fix', (dataType, fix) => {
    expect(() => parseDataType(dataType)).toThrow(UnsupportedTypeError);
    expect(() => parseDataType(dataType)).toThrow(fix);
  });

  it('formats types canonically', () => {
    expect(formatLogicalType(parseDataType('character varying(20)'))).toBe('varchar(20)');
    expect(formatLogicalType(parseDataType('decimal(7,4)'))).toBe('numeric(7,4)');
    expect(formatLogicalType(parseDataType('timestamp with time zone'))).toBe('timestamptz');
  });
});

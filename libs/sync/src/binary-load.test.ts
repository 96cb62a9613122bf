import { describe, expect, it } from 'vitest';
import { BinaryRowCounter, binaryCast } from './binary-load.ts';

/** A COPY binary stream: the header (with an extension of `extension` bytes), the rows (fields as buffers, null for NULL), the trailer. */
function binaryCopy(rows: readonly (readonly (Buffer | null)[])[], extension = 0): Buffer {
  const int16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
  const int32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  return Buffer.concat([
    Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'),
    int32(0),
    int32(extension),
    Buffer.alloc(extension, 7),
    ...rows.flatMap((fields) => [int16(fields.length), ...fields.flatMap((f) => (f === null ? [int32(-1)] : [int32(f.length), f]))]),
    int16(-1),
  ]);
}

describe('counting the rows of a COPY binary stream', () => {
  // Fields whose bytes look like length words and field counts, NULLs, empty values, a long value.
  const rows = [
    [Buffer.from([0, 2, 0, 0]), null, Buffer.alloc(0)],
    [Buffer.from([0xff, 0xff]), Buffer.alloc(70_000, 1), null],
    [null, null, null],
    [Buffer.from('x'), Buffer.from([0, 0, 0, 4]), Buffer.from('\n\n\n')],
  ];
  const stream = binaryCopy(rows, 5);

  it('counts every row, whatever the chunk boundaries', () => {
    for (const size of [1, 2, 3, 5, 7, 19, 20, 64, 4096, stream.length]) {
      const counter = new BinaryRowCounter();
      for (let at = 0; at < stream.length; at += size) counter.push(stream.subarray(at, at + size));
      expect(counter.rows, `chunks of ${size} bytes`).toBe(rows.length);
    }
  });

  it('stops at the trailer, and counts no row before the whole header has arrived', () => {
    const counter = new BinaryRowCounter();
    counter.push(stream.subarray(0, 18));
    expect(counter.rows).toBe(0);
    counter.push(stream.subarray(18));
    counter.push(binaryCopy([[null]]).subarray(19));
    expect(counter.rows).toBe(rows.length);
  });
});

describe('which columns may travel in binary', () => {
  it.each([
    ['timestamp with time zone', 'timestamp(6) with time zone', undefined],
    ['time(6) without time zone', 'time without time zone', undefined],
    ['numeric(12,6)', 'numeric(12,6)', undefined],
    ['json', 'jsonb', 'jsonb'],
    ['jsonb', 'json', null],
    ['integer', 'bigint', null],
    ['text', 'character varying(10)', null],
    ['numeric', 'numeric(12,6)', null],
    ['timestamp(3) with time zone', 'timestamp with time zone', null],
    ['timestamp without time zone', 'timestamp with time zone', null],
  ])('%s into %s: %s', (from, to, expected) => {
    expect(binaryCast(from, to)).toBe(expected);
  });
});

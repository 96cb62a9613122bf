import { describe, expect, it } from 'vitest';
import { csvRecord } from '@ferry/test';
import { transferCsvRecords, type TransferRecord } from './transfer-csv-records.ts';

const RECORDS: TransferRecord[] = [
  ['plain', null, '', 'NULL', '\\N'],
  ['comma, "quote"', 'line\nbreak\r\nwindows', '🚢 größe', '"', ','],
  [null, null, null, null, ''],
  ['', '""', 'e\u0301', '  padded  ', 'x'],
];

async function parse(chunks: Buffer[]): Promise<TransferRecord[]> {
  const records: TransferRecord[] = [];
  async function* stream() {
    yield* chunks;
  }
  for await (const record of transferCsvRecords(stream())) records.push(record);
  return records;
}

describe('transferCsvRecords', () => {
  const bytes = Buffer.from(RECORDS.map(csvRecord).join(''));

  it('reads back what the transfer format wrote: NULL apart from "", quotes, newlines, unicode', async () => {
    expect(await parse([bytes])).toEqual(RECORDS);
  });

  it('gives the same records whichever byte a chunk ends on, mid-character and mid-quote included', async () => {
    for (let cut = 1; cut < bytes.length; cut += 1) {
      expect(await parse([bytes.subarray(0, cut), bytes.subarray(cut)]), `cut at byte ${cut}`).toEqual(RECORDS);
    }
  });

  it('reads one byte at a time', async () => {
    expect(await parse([...bytes].map((byte) => Buffer.from([byte])))).toEqual(RECORDS);
  });

  it('reads a last record without its newline', async () => {
    expect(await parse([Buffer.from('a,b\nc,')])).toEqual([
      ['a', 'b'],
      ['c', null],
    ]);
  });

  it.each([
    ['a quote inside an unquoted field', 'ab"c,d\n', /line 1: a quote inside an unquoted field/],
    ['text after a closing quote', 'x\n"ab"c,d\n', /line 2: text after a closing quote/],
    ['an unterminated quote', 'a,"open\n', /line 2: a quoted field is not closed/],
  ])('rejects %s, naming the line', async (_, text, error) => {
    await expect(parse([Buffer.from(text)])).rejects.toThrow(error);
  });
});

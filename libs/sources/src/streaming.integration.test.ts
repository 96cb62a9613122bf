import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everyTypeModel } from '@ferry/test';
import { openFixture, SOURCE_KINDS, type SourceFixture } from '@ferry/test';

const ROWS = 300_000;
/** Each row carries ~1 KB of text, so the whole export (~300 MB) dwarfs the memory bound. */
const NOTE_REPEATS = 30;
const MEMORY_BOUND = 100 * 1024 ** 2;

/** JavaScript memory a buffered export would fill: the V8 heap plus Buffers outside it. */
const jsMemory = () => {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};

describe.each(SOURCE_KINDS)('%s source: streaming export', (kind) => {
  let fixture: SourceFixture;
  beforeAll(async () => {
    fixture = await openFixture(kind);
    await fixture.createTable(everyTypeModel);
    // The same statement on both engines.
    await fixture.execute(
      `INSERT INTO "analytics"."every_type" ("tenant_id", "id", "note", "updated_at")
       SELECT CASE WHEN i % 10 = 0 THEN 'globex' ELSE 'acme' END, i, repeat(md5(CAST(i AS VARCHAR)), ${NOTE_REPEATS}),
              CAST('2024-01-01 00:00:00+00' AS TIMESTAMPTZ) + i * INTERVAL '1 second'
       FROM generate_series(1, ${ROWS}) AS g(i)`,
    );
  });
  afterAll(() => fixture?.close());

  it('streams a large slice in many chunks to a slow consumer with bounded memory', async () => {
    const baseline = jsMemory();
    let peak = 0;
    let chunks = 0;
    let bytes = 0;
    let records = 0;
    for await (const chunk of fixture.source.exportCsv(everyTypeModel, 'acme')) {
      chunks++;
      bytes += chunk.length;
      for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) records++;
      peak = Math.max(peak, jsMemory() - baseline);
      // A consumer slower than the source: a buffering source would pile up everything meanwhile.
      if (chunks % 4 === 0) await sleep(1);
    }
    expect(records).toBe(ROWS * 0.9);
    expect(bytes).toBeGreaterThan(250 * 1024 ** 2);
    expect(chunks).toBeGreaterThan(100);
    expect(peak).toBeLessThan(MEMORY_BOUND);
  });

  it('lets a consumer stop half way and leaves the source usable', async () => {
    let chunks = 0;
    for await (const chunk of fixture.source.exportCsv(everyTypeModel, 'acme')) {
      expect(chunk.length).toBeGreaterThan(0);
      if (++chunks === 3) break;
    }
    expect(await fixture.source.count(everyTypeModel, 'acme')).toBe(ROWS * 0.9);
    expect(await fixture.source.count(everyTypeModel, 'globex')).toBe(ROWS * 0.1);
  });
});

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createReporter, logFormat, progressLine } from './reporter.ts';

/** A stderr stand-in that keeps what is written; `isTTY` as a terminal would set it. */
function capture(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY });
  return { stream, text: () => text };
}

describe('createReporter', () => {
  it('writes JSON lines when piped, unless told text', () => {
    const piped = capture(false);
    createReporter(piped.stream, undefined).warning?.('acme', 'tenant "Acme" has no rows');
    expect(JSON.parse(piped.text())).toMatchObject({ event: 'warning', destination: 'acme', msg: 'tenant "Acme" has no rows' });

    const text = capture(false);
    createReporter(text.stream, 'text').warning?.('acme', 'tenant "Acme" has no rows');
    expect(text.text()).toBe('! acme: tenant "Acme" has no rows\n');
  });

  it('writes JSON lines on a terminal when told json', () => {
    const terminal = capture(true);
    createReporter(terminal.stream, 'json').warning?.('acme', 'x');
    expect(JSON.parse(terminal.text())).toMatchObject({ event: 'warning' });
  });
});

describe('logFormat', () => {
  it('reads FERRY_LOG_FORMAT, and refuses what it does not know', () => {
    expect(logFormat({})).toBeUndefined();
    expect(logFormat({ FERRY_LOG_FORMAT: 'text' })).toBe('text');
    expect(() => logFormat({ FERRY_LOG_FORMAT: 'xml' })).toThrow('FERRY_LOG_FORMAT must be json or text, not "xml"');
  });
});

describe('progressLine', () => {
  const started = Date.UTC(2026, 11, 6);
  it('shows rows against the total, the share done and the time left at the rate so far', () => {
    const line = progressLine(
      'acme',
      { model: 'messages', action: 'create', bytes: 4_000_000, rows: 12_500, total: 50_000, started },
      started + 4000,
    );
    expect(line.slice(4)).toBe('acme messages (create) 12,500 of 50,000 rows (25%), 4.0 MB, 1.0 MB/s, about 12.0 s left');
  });

  it('shows rows and bytes when no total is known', () => {
    const line = progressLine('acme', { model: 'messages', action: 'incremental', bytes: 2048, rows: 10, started }, started + 1000);
    expect(line.slice(4)).toBe('acme messages (incremental) 10 rows, 2.0 kB, 2.0 kB/s');
  });
});

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createReporter, logFormat } from './reporter.ts';

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

import { describe, expect, it } from 'vitest';
import { newTransferId } from './transfer-id.ts';

describe('newTransferId', () => {
  it('makes UUIDv7s carrying the current time', () => {
    const before = Date.now();
    const id = newTransferId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const millis = parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(millis).toBeGreaterThanOrEqual(before);
    expect(millis).toBeLessThanOrEqual(Date.now());
  });

  it('sorts as text in creation order, many per millisecond included', () => {
    const ids = Array.from({ length: 10_000 }, () => newTransferId());
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.toSorted()).toEqual(ids);
  });
});

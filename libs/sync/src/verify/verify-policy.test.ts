import type { Verification } from '@ferry/state';
import { describe, expect, it } from 'vitest';
import { DAILY_HOURS, verificationDue } from './verify-destination.ts';

const NOW = new Date('2026-12-06T03:00:00Z');
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3600_000);
const last = (result: Verification['result'], verifiedAt: Date) => ({ result, verifiedAt }) as Verification;

describe('verificationDue', () => {
  it('never verifies under never', () => {
    expect(verificationDue({ kind: 'never' }, undefined, 100, NOW)).toBe(false);
  });

  it('verifies a model never verified, or whose last verification differed or failed, under any other policy', () => {
    for (const policy of [{ kind: 'daily' }, { kind: 'every', syncs: 50 }] as const) {
      expect(verificationDue(policy, undefined, 0, NOW)).toBe(true);
      expect(verificationDue(policy, last('different', hoursAgo(0)), 0, NOW)).toBe(true);
      expect(verificationDue(policy, last('failed', hoursAgo(0)), 0, NOW)).toBe(true);
    }
  });

  it(`daily: once ${DAILY_HOURS} hours have passed since the last verification`, () => {
    expect(verificationDue({ kind: 'daily' }, last('equal', hoursAgo(DAILY_HOURS - 0.01)), 30, NOW)).toBe(false);
    expect(verificationDue({ kind: 'daily' }, last('repaired', hoursAgo(DAILY_HOURS)), 0, NOW)).toBe(true);
  });

  it('every n syncs: on the n-th sync after the last verification, this one counted', () => {
    expect(verificationDue({ kind: 'every', syncs: 3 }, last('equal', hoursAgo(1)), 1, NOW)).toBe(false);
    expect(verificationDue({ kind: 'every', syncs: 3 }, last('equal', hoursAgo(1)), 2, NOW)).toBe(true);
    expect(verificationDue({ kind: 'every', syncs: 1 }, last('equal', hoursAgo(0)), 0, NOW)).toBe(true);
  });
});

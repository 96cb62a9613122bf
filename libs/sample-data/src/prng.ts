/**
 * Seeded randomness. Every row draws from its own generator, seeded from (seed, stream, tenant,
 * index), so any row can be regenerated alone: tables are produced lazily, in any order, and a
 * message's events can be derived from the message without keeping it in memory.
 */

/** A bijection on 32-bit integers (hash-prospector's lowbias32): distinct inputs never collide. */
export function mix32(value: number): number {
  let x = value >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** Identifies what a generator is for, so tables drawing for the same row index stay independent. */
export const STREAMS = {
  workflow: 1,
  recipient: 2,
  preference: 3,
  message: 4,
  messageChannel: 5,
} as const;
export type Stream = (typeof STREAMS)[keyof typeof STREAMS];

/** mulberry32: tiny, fast and good enough for sample data; its whole state is one 32-bit word. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform float in [0, 1). */
  float(): number {
    return this.next() / 0x1_0000_0000;
  }

  /** A uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** Picks an item with probability proportional to its weight. */
  weighted<T extends { readonly weight: number }>(items: readonly T[]): T {
    const total = items.reduce((sum, item) => sum + item.weight, 0);
    let point = this.float() * total;
    for (const item of items) {
      point -= item.weight;
      if (point < 0) return item;
    }
    return items[items.length - 1] as T;
  }
}

/** The generator for one row of one stream. */
export function randomFor(seed: number, stream: Stream, tenant: number, index: number): Random {
  return new Random(mix32(mix32(mix32(mix32(seed) ^ stream) + tenant) ^ index));
}

/**
 * A version-4-shaped UUID that is unique per (stream, tenant, index) by construction: its first
 * and last words are a Feistel permutation of (index, tenant and stream), which never maps two
 * inputs to the same output. Purely random UUIDs from a generator with 32 bits of state would
 * collide within a few hundred thousand rows.
 */
export function uuidFor(seed: number, stream: Stream, tenant: number, index: number, random: Random): string {
  let left = index >>> 0;
  let right = ((tenant << 8) | stream) >>> 0;
  for (let round = 0; round < 4; round++) {
    [left, right] = [right, (left ^ mix32(right ^ mix32(seed + round))) >>> 0];
  }
  const middle = random.next();
  const version = (random.next() & 0x0fff) | 0x4000;
  const variant = (random.next() & 0x3fff) | 0x8000;
  return `${hex32(left)}-${hex16(middle >>> 16)}-${hex16(version)}-${hex16(variant)}-${hex16(middle & 0xffff)}${hex32(right)}`;
}

/** Byte-wise lookup: uuidFor runs several times per message, and toString(16) dominated loads. */
const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function hex16(value: number): string {
  return HEX_BYTES[(value >>> 8) & 0xff]! + HEX_BYTES[value & 0xff]!;
}

function hex32(value: number): string {
  return hex16(value >>> 16) + hex16(value);
}

import { hash } from 'node:crypto';
import { canonicalFloat, type DestinationCapabilities } from '@ferry/destinations';
import type { ExportModelSpec } from '@ferry/schema';
import { canonicalJson, type JsonNumbers } from './canonical-json.ts';

/** One row as text per column (null for NULL), in the model's column order. */
export type TextRow = readonly (string | null)[];

/** Buckets a model's rows fall into by key: 2^16, so a differing bucket holds few rows even at millions. */
export const VERIFY_BUCKETS = 1 << 16;

/**
 * How verify reads a row: the same canonical text on both sides, whatever each warehouse
 * printed. Values are the transfer format's text already (see Destination.query); on top of
 * that, floats are compared as the float they read back as (a `real` as 32 bits), and JSON in
 * one spelling (canonicalJson), as the destination can hold it.
 */
export interface RowReading {
  /** The row's identity: its primary-key values, as JSON. */
  keyOf(row: TextRow): string;
  /** The bucket (0 to VERIFY_BUCKETS - 1) of a key, from `keyOf`. */
  bucketOf(key: string): number;
  /** 16 bytes that change when any value of the row changes. */
  digestOf(row: TextRow): Buffer;
  /** What is compared less than exactly, because the destination holds it so. */
  readonly notes: readonly string[];
}

export function rowReading(spec: ExportModelSpec, capabilities: DestinationCapabilities, destinationType: string): RowReading {
  const keyIndexes = spec.primaryKey.map((k) => spec.columns.findIndex((c) => c.name === k));
  const numbers: JsonNumbers = capabilities.keepsJsonNumberDigits ? 'exact' : 'float64';
  const hasJson = spec.columns.some((c) => c.type.kind === 'json');
  const canonical = spec.columns.map(({ type }): ((value: string) => string | null) => {
    switch (type.kind) {
      case 'real':
        return (value) => floatText(Math.fround(Number(canonicalFloat(value))));
      case 'double':
        return (value) => floatText(Number(canonicalFloat(value)));
      case 'json':
        return (value) => {
          const json = canonicalJson(value, numbers);
          return json === 'null' && !capabilities.keepsJsonNull ? null : json;
        };
      default:
        return (value) => value;
    }
  });
  const notes: string[] = [];
  if (hasJson && numbers === 'float64') notes.push(`${destinationType} holds JSON numbers as 64-bit floats: they are compared as such`);
  if (hasJson && !capabilities.keepsJsonNull) notes.push(`${destinationType} loads a JSON null as SQL NULL: the two are compared as equal`);
  return {
    keyOf: (row) => JSON.stringify(keyIndexes.map((i) => row[i] ?? null)),
    bucketOf: (key) => fnv1a(key) & (VERIFY_BUCKETS - 1),
    digestOf: (row) =>
      hash('md5', JSON.stringify(row.map((value, i) => (value === null ? null : (canonical[i] as (v: string) => string | null)(value)))), 'buffer'),
    notes,
  };
}

/** A float's text as JavaScript prints it, `-0` kept apart from `0`. */
function floatText(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

/** 32-bit FNV-1a of a string's UTF-16 code units: a fast, even spread of keys over buckets (not a digest). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Per bucket: how many rows fell in it and the XOR of their digests. Order-independent, so the
 * two sides may be read in any order; rows have distinct keys, so no two equal digests cancel.
 */
export class BucketTally {
  readonly counts = new Uint32Array(VERIFY_BUCKETS);
  readonly digests = new Int32Array(VERIFY_BUCKETS * 4);
  rows = 0;

  add(bucket: number, digest: Buffer): void {
    this.rows += 1;
    this.counts[bucket] = (this.counts[bucket] as number) + 1;
    for (let word = 0; word < 4; word += 1) {
      const at = bucket * 4 + word;
      this.digests[at] = (this.digests[at] as number) ^ digest.readInt32LE(word * 4);
    }
  }

  /** Buckets that hold a row on either side. */
  occupied(other: BucketTally): number {
    let buckets = 0;
    for (let b = 0; b < VERIFY_BUCKETS; b += 1) if (this.counts[b] !== 0 || other.counts[b] !== 0) buckets += 1;
    return buckets;
  }

  /** The buckets whose count or digest differs from `other`'s. */
  differing(other: BucketTally): Set<number> {
    const found = new Set<number>();
    for (let b = 0; b < VERIFY_BUCKETS; b += 1) {
      const at = b * 4;
      if (
        this.counts[b] !== other.counts[b] ||
        this.digests[at] !== other.digests[at] ||
        this.digests[at + 1] !== other.digests[at + 1] ||
        this.digests[at + 2] !== other.digests[at + 2] ||
        this.digests[at + 3] !== other.digests[at + 3]
      ) {
        found.add(b);
      }
    }
    return found;
  }
}

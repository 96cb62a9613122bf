import type { KeyBucket } from '@ferry/sources';

/** Both sides' bucket figures side by side: the key comparison's and verify's. */
export interface BucketComparison {
  readonly sourceRows: number;
  readonly destinationRows: number;
  /** Buckets either side has. */
  readonly buckets: number;
  /** Buckets whose count or checksum differs, or that only one side has, sorted. */
  readonly differing: string[];
  /** The destination's rows in the differing buckets. */
  readonly differingDestinationRows: number;
}

/**
 * Compares the source's figures (Source.keyBuckets or rowBuckets) with the destination's, as its
 * query returns them: rows of bucket, count, checksum.
 */
export function compareBucketFigures(source: readonly KeyBucket[], destination: readonly (readonly (string | null)[])[]): BucketComparison {
  const figures = (count: unknown, checksum: unknown) => `${Number(count)}/${String(checksum)}`;
  const inSource = new Map(source.map((b) => [b.bucket, figures(b.count, b.checksum)]));
  const inDestination = new Map(destination.map(([bucket, count, checksum]) => [String(bucket), figures(count, checksum)]));
  const destinationCounts = new Map(destination.map(([bucket, count]) => [String(bucket), Number(count)]));
  const all = new Set([...inSource.keys(), ...inDestination.keys()]);
  const differing = [...all].filter((b) => inSource.get(b) !== inDestination.get(b)).sort();
  return {
    sourceRows: source.reduce((sum, b) => sum + b.count, 0),
    destinationRows: destination.reduce((sum, [, count]) => sum + Number(count), 0),
    buckets: all.size,
    differing,
    differingDestinationRows: differing.reduce((sum, b) => sum + (destinationCounts.get(b) ?? 0), 0),
  };
}

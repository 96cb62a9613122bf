import type { ConformanceDestination } from '../conformance-destination.ts';

/** Work in progress: the bigquery destination is being built. */
export const bigquery: ConformanceDestination = {
  expectations: {
    folded: { order: '', select: '', CamelCase: '', größe: '' },
    varcharType: { before: '', after: '' },
    widening: 'evolve',
    keyWidening: 'evolve',
    everyTypeColumns: {},
  },
  async open() {
    throw new Error('bigquery: not implemented yet');
  },
};

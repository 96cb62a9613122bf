import type { Destination, DestinationConfig } from '@ferry/destinations';
import type { ModelAction } from '@ferry/sync';

/** Names each destination must keep distinct and addressable: reserved words, mixed case, non-ASCII. */
export type AwkwardName = 'order' | 'select' | 'CamelCase' | 'größe';

/** What a destination type does differently, stated once per type so no scenario can be skipped. */
export interface Expectations {
  /** The column name the table holds for each awkward model column: the destination's identifier folding. */
  readonly folded: Readonly<Record<AwkwardName, string>>;
  /** The column type the table reports for größe as varchar(16), then widened to varchar(64). */
  readonly varcharType: { readonly before: string; readonly after: string };
  /** The action for widening non-key columns (integer -> bigint, varchar(16) -> varchar(64)). */
  readonly widening: ModelAction;
  /** The action for widening the primary-key column integer -> bigint. */
  readonly keyWidening: ModelAction;
  /** everyTypeModel's columns (model names) -> the type the warehouse reports: its type mapping, as built. */
  readonly everyTypeColumns: Readonly<Record<string, string>>;
}

/** A warehouse of one destination type for one describe block. */
export interface Warehouse {
  /** A config for one target of the block; each schema is a separate destination. */
  config(id: string, schema: string): DestinationConfig;
  /** Builds the destination for a config: createDestination, unless the warehouse is a stand-in that needs a test double. */
  create?(config: DestinationConfig): Destination;
  dispose(): Promise<void>;
}

/** One destination type as the conformance suite runs it. */
export interface ConformanceDestination {
  readonly expectations: Expectations;
  /** Starts or connects the warehouse; `dir` is the block's scratch directory. */
  open(dir: string): Promise<Warehouse>;
}

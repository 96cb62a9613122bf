import type { NetworkAddress } from '@ferry/connections';
import type { Dialect } from '@ferry/dialects';
import type { z } from 'zod';
import type { DestinationCapabilities } from './capabilities.ts';
import type { Destination } from './destination.ts';
import type { SetupSqlOptions } from './setup-sql-options.ts';

/** What one destination's client may use of Ferry's machine: see DestinationModule.config. */
export interface ResourceShare {
  /** Destinations synced at once (ferry.yaml's sync.concurrency). */
  readonly concurrency: number;
}

/** The local end of an SSH tunnel, and the bastion it goes through (named in messages). */
export interface Via {
  readonly host: string;
  readonly port: number;
  readonly through: string;
}

/**
 * Where a destination is reached, for the checks before any driver connects (and for the SSH
 * tunnel's forward target): a host and port on the network, or a database file on this machine.
 */
export type DestinationAddress = NetworkAddress | { readonly kind: 'file'; readonly path: string } | { readonly kind: 'memory' };

/** A ferry.yaml destination entry as a module reads it: its type, its id and its own connection fields. */
export type ModuleEntry<Type extends string, Fields extends z.ZodRawShape> = z.output<z.ZodObject<Fields>> & {
  readonly type: Type;
  readonly id: string;
};

/**
 * Everything Ferry knows about one kind of destination warehouse, in its folder
 * (`libs/destinations/src/<type>/`). The runner and the engine reach a warehouse only through
 * this record, so adding a destination is one folder and one line in destination-modules.ts
 * (see this library's README, "Adding a destination").
 */
export interface DestinationModule<
  Type extends string = string,
  Fields extends z.ZodRawShape = z.ZodRawShape,
  Config extends { readonly type: Type; readonly id: string } = { readonly type: Type; readonly id: string },
  Entry extends object = ModuleEntry<Type, Fields>,
> {
  /** The `type` of its ferry.yaml entries, and its dialect's name. */
  readonly type: Type;
  /** How its SQL is spelled: names, quoting, the type map, key hashing. */
  readonly dialect: Dialect;
  /** What its DDL and storage can do (the engine reads these). */
  readonly capabilities: DestinationCapabilities;
  /**
   * How Ferry reaches it: whether a ferry.yaml entry may route it through an SSH bastion (the
   * runner then accepts an `ssh` block). Its default port is `address`'s business.
   */
  readonly reach: { readonly sshTunnel: boolean };
  /**
   * Its ferry.yaml connection fields (the runner adds `type`, `id`, `tenant`, `product`,
   * `models`, `soft_deletes`, and `ssh` where `reach.sshTunnel`). Documented in docs/ferry-yaml.md.
   */
  readonly fields: Fields;
  /** A rule across fields that the field schemas cannot say alone. */
  readonly refine?: {
    readonly check: (entry: Entry) => boolean;
    readonly message: string;
    readonly path: readonly string[];
  };
  /** The field naming where Ferry's tables go: `schema`, or `dataset` on BigQuery. */
  readonly schemaField: string & keyof Entry;
  /** Fields holding a file path, which ferry.yaml gives relative to itself. */
  readonly fileFields: readonly (string & keyof Entry)[];
  /**
   * The client's config for an entry.
   * @param via where to connect instead of the warehouse's address: the local end of its SSH tunnel
   * @param share how many destinations this process syncs at once: an engine that runs inside
   *   Ferry's process (DuckDB) sizes itself to its share of the machine
   */
  config(entry: Entry, via?: Via, share?: ResourceShare): Config;
  /** Where the warehouse answers: checked before logging in, and forwarded to by an SSH tunnel. */
  address(entry: Entry): DestinationAddress;
  /**
   * Where its tables live, as the warehouse resolves names (no credentials): two entries with
   * the same place would share tables and delete each other's rows.
   */
  place(entry: Entry): string;
  /** Whether the connected session is encrypted: a description, or a warning saying what to change. */
  tls(destination: Destination, via: Via | undefined): Promise<string | { readonly warn: string }>;
  /** The script a customer's administrator runs to give Ferry a least-privilege login and its schema. */
  setupSql(options: SetupSqlOptions): string;
  /** The destination for a config, not yet connected. */
  create(config: Config): Destination;
}

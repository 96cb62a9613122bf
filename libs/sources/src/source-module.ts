import type { NetworkAddress } from '@ferry/connections';
import type { z } from 'zod';
import type { SourceConfig } from './create-source.ts';

/** The local end of an SSH tunnel, and the bastion it goes through (named in messages). */
export interface SourceVia {
  readonly host: string;
  readonly port: number;
  readonly through: string;
}

/** ferry.yaml's `source:` section as a module reads it: its type and its own fields. */
export type SourceEntry<Type extends string, Fields extends z.ZodRawShape> = z.output<z.ZodObject<Fields>> & { readonly type: Type };

/**
 * Everything the runner knows about one kind of source warehouse, beside its reader in
 * `src/<type>/`: the runner composes ferry.yaml's `source:` schema from the modules' fields and
 * asks the module instead of branching on the type (as `@ferry/destinations` does for destinations).
 */
export interface SourceModule<
  Type extends string = string,
  Fields extends z.ZodRawShape = z.ZodRawShape,
  Entry extends object = SourceEntry<Type, Fields>,
> {
  readonly type: Type;
  /** Whether ferry.yaml may route it through an SSH bastion (the runner then accepts an `ssh` block). */
  readonly reach: { readonly sshTunnel: boolean };
  /** Its ferry.yaml fields besides `type` (and `ssh`, added where `reach.sshTunnel`). */
  readonly fields: Fields;
  /** A rule across fields that the field schemas cannot say alone. */
  readonly refine?: { readonly check: (entry: Entry) => boolean; readonly message: string; readonly path: readonly string[] };
  /** Fields holding a file path, which ferry.yaml gives relative to itself. */
  readonly fileFields: readonly (string & keyof Entry)[];
  /** The reader's config for an entry, through a tunnel's local end when `via`. */
  config(entry: Entry, via?: SourceVia): SourceConfig;
  /** Where the warehouse answers (checked before logging in, and an SSH tunnel's forward target); undefined for a file on this machine. */
  address(entry: Entry): NetworkAddress | undefined;
  /** What the login check reports once connected. */
  loggedIn(entry: Entry): string;
  /** Whether the configured connection is encrypted, from the config alone; undefined where there is no network. */
  tls(entry: Entry): string | { readonly warn: string } | undefined;
}

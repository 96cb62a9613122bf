import { dirname, resolve } from 'node:path';
import type { Catalog } from '@ferry/dialects';
import type { ManagedDestination, RecipientRecord, StateStore } from '@ferry/state';
import { ConfigError, didYouMean, formatPath, resolveDestinationPaths, type LoadedConfig } from '../config/load.ts';
import { destinationLocationProblems } from '../config/destination-locations.ts';
import { SECRET_FIELDS, destinationSchema, type DestinationConfigEntry } from '../config/schema.ts';
import { storedReferenceProblems } from './entry-safety.ts';

/** A value the vault can seal and open: see SecretVault in @ferry/connections. */
export interface CredentialVault {
  set(name: string, value: string): Promise<unknown>;
  get(name: string): Promise<string>;
  delete(name: string): Promise<void>;
}

/** What the control plane adds to ferry.yaml: its recipients and destinations, from the state store. */
export interface ControlPlaneView {
  /** Every recipient: ferry.yaml's, then the state store's. */
  readonly recipients: readonly (RecipientRecord | YamlRecipient)[];
  /** Destinations created through the API or a magic link, by id. */
  readonly managed: ReadonlyMap<string, ManagedDestination>;
}

/** A recipient written in ferry.yaml (read-only through the API). */
export interface YamlRecipient {
  readonly id: string;
  readonly name: string;
  readonly tenant: string;
}

/** ferry.yaml with the state store's destinations added, every destination checked with the others. */
export interface CombinedConfig extends LoadedConfig {
  readonly controlPlane: ControlPlaneView;
}

/** The vault secret that holds one credential field of a managed destination. */
export function credentialSecretName(destinationId: string, path: readonly string[]): string {
  return `destination.${destinationId}.${path.join('.')}`;
}

/** The entry with a password written in its url moved to `password` (unless `password` is set too, which the schema refuses). */
export function withPasswordOutOfUrl(entry: Record<string, unknown>): Record<string, unknown> {
  if (typeof entry.url !== 'string' || entry.password !== undefined) return entry;
  let url: URL;
  try {
    url = new URL(entry.url);
  } catch {
    return entry; // the schema says what is wrong with it
  }
  if (url.password === '') return entry;
  let password: string;
  try {
    password = decodeURIComponent(url.password);
  } catch {
    return entry; // a % that is no escape: the schema's url check says how to write it
  }
  url.password = '';
  return { ...entry, url: url.toString(), password };
}

/** The credential fields an entry has, at its top level and in its ssh section. */
export function credentialPaths(entry: Readonly<Record<string, unknown>>): string[][] {
  const paths: string[][] = [];
  const ssh = entry.ssh as Record<string, unknown> | undefined;
  // A url keeps its place in clear: its password was moved to `password` first (withPasswordOutOfUrl).
  for (const field of SECRET_FIELDS) {
    if (typeof entry[field] === 'string') paths.push([field]);
    if (ssh && typeof ssh[field] === 'string') paths.push(['ssh', field]);
  }
  return paths;
}

/**
 * The entry to store for a managed destination: each credential replaced by the `${secret:…}`
 * reference to where sealCredentials seals it (credentialSecretName), so the stored entry holds
 * no credential.
 */
export function withCredentialReferences(id: string, entry: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const stored: Record<string, unknown> = { ...entry, ...(entry.ssh ? { ssh: { ...(entry.ssh as object) } } : {}) };
  for (const path of credentialPaths(entry)) {
    const holder = (path.length === 2 ? stored.ssh : stored) as Record<string, unknown>;
    holder[path.at(-1) as string] = `\${secret:${credentialSecretName(id, path)}}`;
  }
  return stored;
}

/**
 * Seals each credential of `entry` in the vault, under the names withCredentialReferences refers
 * to. A value is sealed as given, even one that reads like a reference: a caller must not be able
 * to point a destination at a secret that is not its own.
 */
export async function sealCredentials(id: string, entry: Readonly<Record<string, unknown>>, vault: CredentialVault): Promise<void> {
  for (const path of credentialPaths(entry)) {
    const holder = (path.length === 2 ? entry.ssh : entry) as Record<string, unknown>;
    await vault.set(credentialSecretName(id, path), holder[path.at(-1) as string] as string);
  }
}

/** Removes the sealed credentials of a managed destination's stored entry (those it no longer has, or all). */
export async function deleteCredentials(
  id: string,
  entry: Readonly<Record<string, unknown>>,
  vault: CredentialVault,
  keep: readonly string[][] = [],
): Promise<void> {
  const kept = new Set(keep.map((path) => path.join('.')));
  for (const path of credentialPaths(entry)) {
    if (!kept.has(path.join('.'))) await vault.delete(credentialSecretName(id, path)).catch(() => {});
  }
}

/**
 * A stored destination as a ferry.yaml entry (with its recipient's tenant, its file paths
 * resolved against ferry.yaml's folder), checked as ferry.yaml's are: its type's fields, its
 * product, its models against the catalog. Problems name the field and the fix.
 */
export function checkManagedEntry(
  config: LoadedConfig,
  managed: Pick<ManagedDestination, 'id' | 'entry' | 'schedule'>,
  tenant: string,
  catalog?: Catalog,
): { entry?: DestinationConfigEntry; problems: string[] } {
  const parsed = destinationSchema.safeParse({ ...managed.entry, id: managed.id, tenant, schedule: managed.schedule });
  if (!parsed.success) return { problems: parsed.error.issues.map((issue) => `${formatPath(issue.path) || 'entry'}: ${issue.message}`) };
  const entry = parsed.data;
  const problems: string[] = [];
  if (entry.product !== undefined && !(entry.product in config.products)) {
    problems.push(`product: no product "${entry.product}" in ${config.file} (products: ${Object.keys(config.products).join(', ') || 'none'})`);
  }
  if (!entry.product === !entry.models) problems.push('give exactly one of `product` or `models`');
  for (const model of entry.models ?? []) {
    if (catalog && !Object.hasOwn(catalog.exportModels, model)) {
      const near = didYouMean(Object.keys(catalog.exportModels), model);
      problems.push(`models: export model "${model}" is not in the generated catalog${near ? ` (did you mean "${near}"?)` : ''}`);
    }
  }
  return { entry: resolveDestinationPaths(entry, dirname(resolve(config.file))), problems };
}

/**
 * ferry.yaml's destinations and recipients with the state store's added. Each stored destination
 * is checked as a ferry.yaml entry would be (its recipient's tenant, its type's fields, its
 * models against the catalog), and together with ferry.yaml's: an id or a place used twice is
 * refused, naming both, rather than two destinations sharing tables.
 * @throws ConfigError listing every problem (unless `options.onInvalid` takes them)
 */
export async function withManagedDestinations<Config extends LoadedConfig>(
  config: Config,
  state: StateStore,
  catalog?: Catalog,
  options: ManagedDestinationsOptions = {},
): Promise<Config & CombinedConfig> {
  const [stored, storedRecipients] = await Promise.all([state.controlPlane.listDestinations(), state.controlPlane.listRecipients()]);
  const problems: string[] = [];
  /** A stored recipient or destination that cannot be used: skipped when the caller says so, else refused with the rest. */
  const invalid = (problem: string, destinationId?: string) =>
    options.onInvalid ? options.onInvalid(problem, destinationId) : problems.push(problem);
  const yamlIds = new Set(config.destinations.map((d) => d.id));
  const yamlRecipients = new Set(config.recipients.map((r) => r.id));
  const recipients = storedRecipients.filter((recipient) => {
    if (!yamlRecipients.has(recipient.id)) return true;
    invalid(`recipient "${recipient.id}" is in ${config.file} and in the state store (created through the API): rename or delete one`);
    return false;
  });
  const destinations: DestinationConfigEntry[] = [...config.destinations];
  for (const managed of stored) {
    const where = `destination "${managed.id}" (created through the API)`;
    if (yamlIds.has(managed.id)) {
      invalid(`${where}: ${config.file} has a destination with the same id: rename the one in ${config.file}, or delete the stored one`, managed.id);
      continue;
    }
    const recipient = recipients.find((r) => r.id === managed.recipientId) ?? config.recipients.find((r) => r.id === managed.recipientId);
    if (!recipient) {
      invalid(`${where}: its recipient "${managed.recipientId}" no longer exists: create it again, or delete the destination`, managed.id);
      continue;
    }
    const references = storedReferenceProblems(managed.id, managed.entry);
    const checked = references.length > 0 ? { problems: references } : checkManagedEntry(config, managed, recipient.tenant, catalog);
    // Checked against those accepted so far: ferry.yaml's first, so a clash names the stored one as the one to change.
    const clashes = checked.entry ? destinationLocationProblems([...destinations, checked.entry]) : [];
    const found = [...checked.problems, ...clashes];
    if (found.length > 0) {
      for (const problem of found) invalid(`${where}: ${problem}`, managed.id);
      continue;
    }
    if (checked.entry) destinations.push(checked.entry);
  }
  if (problems.length > 0) throw new ConfigError(config.file, problems);
  return {
    ...config,
    destinations,
    // Every stored destination, usable or not, so that one can still be read about, paused or deleted.
    controlPlane: { recipients: [...config.recipients, ...recipients], managed: new Map(stored.map((d) => [d.id, d])) },
  };
}

export interface ManagedDestinationsOptions {
  /**
   * Skips a stored recipient or destination that cannot be used, reporting why, instead of
   * refusing them all: `ferry serve` keeps serving every other customer, and logs the problem.
   */
  readonly onInvalid?: (problem: string, destinationId?: string) => void;
}

import { dirname, resolve } from 'node:path';
import type { Catalog } from '@ferry/dialects';
import type { ManagedDestination, RecipientRecord, StateStore } from '@ferry/state';
import { ConfigError, didYouMean, formatPath, resolveDestinationPaths, type LoadedConfig } from '../config/load.ts';
import { destinationLocationProblems } from '../config/destination-locations.ts';
import { CREDENTIAL_FIELDS, destinationSchema, type DestinationConfigEntry } from '../config/schema.ts';

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

/**
 * The fields sealed in the vault: CREDENTIAL_FIELDS but `url`, whose password (if it has one) is
 * moved to `password` first (withPasswordOutOfUrl), so that the url, which names the place, can
 * be kept in clear and shown.
 */
const SEALED_FIELDS = CREDENTIAL_FIELDS.filter((field) => field !== 'url');

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
  for (const field of SEALED_FIELDS) {
    if (typeof entry[field] === 'string') paths.push([field]);
    if (ssh && typeof ssh[field] === 'string') paths.push(['ssh', field]);
  }
  return paths;
}

/**
 * The entry to store for a managed destination: each credential sealed in the vault under
 * credentialSecretName and replaced by its `${secret:…}` reference, so the stored entry holds no
 * credential. A value is sealed as given, even one that reads like a reference: a caller must
 * not be able to point a destination at a secret that is not its own.
 */
export async function sealCredentials(
  id: string,
  entry: Readonly<Record<string, unknown>>,
  vault: CredentialVault,
): Promise<Record<string, unknown>> {
  const sealed: Record<string, unknown> = { ...entry, ...(entry.ssh ? { ssh: { ...(entry.ssh as object) } } : {}) };
  for (const path of credentialPaths(entry)) {
    const name = credentialSecretName(id, path);
    const holder = (path.length === 2 ? sealed.ssh : sealed) as Record<string, unknown>;
    const field = path.at(-1) as string;
    await vault.set(name, holder[field] as string);
    holder[field] = `\${secret:${name}}`;
  }
  return sealed;
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
 * @throws ConfigError listing every problem
 */
export async function withManagedDestinations<Config extends LoadedConfig>(
  config: Config,
  state: StateStore,
  catalog?: Catalog,
): Promise<Config & CombinedConfig> {
  const [stored, recipients] = await Promise.all([state.controlPlane.listDestinations(), state.controlPlane.listRecipients()]);
  const problems: string[] = [];
  const yamlIds = new Set(config.destinations.map((d) => d.id));
  const yamlRecipients = new Set(config.recipients.map((r) => r.id));
  for (const recipient of recipients) {
    if (yamlRecipients.has(recipient.id)) {
      problems.push(`recipient "${recipient.id}" is in ${config.file} and in the state store (created through the API): rename or delete one`);
    }
  }
  const destinations: DestinationConfigEntry[] = [];
  for (const managed of stored) {
    const where = `destination "${managed.id}" (created through the API)`;
    if (yamlIds.has(managed.id)) {
      problems.push(`${where}: ${config.file} has a destination with the same id: rename the one in ${config.file}, or delete the stored one`);
      continue;
    }
    const recipient = recipients.find((r) => r.id === managed.recipientId) ?? config.recipients.find((r) => r.id === managed.recipientId);
    if (!recipient) {
      problems.push(`${where}: its recipient "${managed.recipientId}" no longer exists: create it again, or delete the destination`);
      continue;
    }
    const checked = checkManagedEntry(config, managed, recipient.tenant, catalog);
    problems.push(...checked.problems.map((problem) => `${where}: ${problem}`));
    if (checked.entry) destinations.push(checked.entry);
  }
  const all = [...config.destinations, ...destinations];
  problems.push(...destinationLocationProblems(all));
  if (problems.length > 0) throw new ConfigError(config.file, problems);
  return {
    ...config,
    destinations: all,
    controlPlane: { recipients: [...config.recipients, ...recipients], managed: new Map(stored.map((d) => [d.id, d])) },
  };
}

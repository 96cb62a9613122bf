import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import { DESTINATION_TYPES, destinationModule } from '@ferry/destinations';
import { sourceModule } from '@ferry/sources';
import type { Catalog } from '@ferry/dialects';
import { editDistance, nearest } from '@ferry/sync';
import type { z } from 'zod';
import { loadCatalog } from '../project/catalog.ts';
import { findProject, projectOf, type Project } from '../project/project.ts';
import { CREDENTIAL_FIELDS, configSchema, type DestinationConfigEntry, type FerryConfig, type SshTunnelEntry } from './schema.ts';
import { destinationLocationProblems } from './destination-locations.ts';

/**
 * Where ferry.yaml's fields are documented, as a user who installed Ferry (rather than cloned its
 * repository) can find it: package.json names no docs URL, and a bare docs/ferry-yaml.md would
 * read as a file in the user's own folder.
 */
export const CONFIG_DOCS = "Ferry's docs/ferry-yaml.md";

/** A ferry.yaml that cannot be used; every problem names its field and what to do. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file} is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig extends FerryConfig {
  /** The config file, for messages; paths in it are resolved against its folder. */
  readonly file: string;
}

/** ferry.yaml with the generated catalog of its workspace, every model it names checked against it. */
export interface CatalogedConfig extends LoadedConfig {
  /** The workspace: this file's `project:` section, else the workspace ferry runs in. */
  readonly workspace: Project;
  /** The workspace's generated catalog: the export models this config may name. */
  readonly catalog: Catalog;
}

/**
 * Reads ferry.yaml: YAML, then `${VAR}` references replaced from the environment, then the
 * schema. Values that came from the environment are never echoed in errors, since they are
 * usually secrets. `${secret:name}` references stay as written: they name secrets in the state
 * store, resolved when the store is open (see resolveSecretReferences).
 */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ConfigError(file, [`cannot read it (${reason}): create it (see ${CONFIG_DOCS}) or pass --config <path>`]);
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { prettyErrors: true, lineCounter: lines });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((e) => `YAML: ${yamlProblem(e, document, lines)}`),
    );
  }
  if (document.contents === null || document.toJS() === null) {
    throw new ConfigError(file, [`the file is empty: it needs at least \`source\` and \`destinations\` (see ${CONFIG_DOCS})`]);
  }
  const problems: string[] = [];
  const written: unknown = document.toJS();
  const raw = interpolate(written, [], env, problems);
  if (problems.length > 0) throw new ConfigError(file, problems);

  // Messages that name their own place ("destination acme has no tenant") are printed without the field's path.
  const located = new Set<string>();
  const parsed = configSchema.safeParse(raw, {
    error: (issue) => {
      const explained = explainIssue(issue, { raw, written, file });
      if (explained?.located) located.add(explained.message);
      return explained?.message;
    },
  });
  if (!parsed.success) {
    const reported = parsed.error.issues.map((issue) =>
      located.has(issue.message) ? issue.message : `${formatPath(issue.path) || '(top level)'}: ${issue.message}`,
    );
    // One field can fail two checks that share a message (sync.lookback: not whole, and too long).
    throw new ConfigError(file, [...new Set(reported)]);
  }
  const loaded = resolvePaths({ ...parsed.data, file }, dirname(resolve(file)));
  const clashes = destinationLocationProblems(loaded.destinations);
  if (clashes.length > 0) throw new ConfigError(file, clashes);
  return loaded;
}

/**
 * Loads the generated catalog of the config's workspace (its `project:` section, else the
 * workspace ferry runs in) and checks every model the config names against it. Commands that
 * connect to warehouses need it; `status`, `secrets` and `keys` do not, so they work even while
 * the catalog is stale.
 */
export async function withCatalog(config: LoadedConfig): Promise<CatalogedConfig> {
  const workspace = config.project ? projectOf(config.project, config.file) : await findProject();
  const catalog = await loadCatalog(workspace);
  const unknown = unknownModels(config, catalog);
  if (unknown.length > 0) throw new ConfigError(config.file, unknown);
  return { ...config, workspace, catalog };
}

/** Every model a product or destination names that the catalog does not have. */
function unknownModels(config: FerryConfig, catalog: Catalog): string[] {
  const known = Object.keys(catalog.exportModels);
  const problem = (path: string, model: string) => {
    const near = didYouMean(known, model);
    return near
      ? `${path}: unknown export model "${model}": did you mean "${near}"?`
      : `${path}: unknown export model "${model}" (the generated catalog has: ${known.join(', ') || 'none'}); ` +
          'if it is new in dbt, run `npx ferry manifest update && npx ferry generate`';
  };
  return [
    ...Object.entries(config.products).flatMap(([product, models]) =>
      models.map((model, i) => (Object.hasOwn(catalog.exportModels, model) ? undefined : problem(`products.${product}[${i}]`, model))),
    ),
    ...config.destinations.flatMap((destination, d) =>
      (destination.models ?? []).map((model, i) =>
        Object.hasOwn(catalog.exportModels, model) ? undefined : problem(`destinations[${d}].models[${i}]`, model),
      ),
    ),
  ].filter((p): p is string => p !== undefined);
}

/** The one of `candidates` that `wanted` is likely a typo of, if any: for "did you mean". */
export function didYouMean(candidates: readonly string[], wanted: string): string | undefined {
  const [near] = nearest(candidates, wanted, 1);
  // At most two edits, and fewer for short words: "pg" is no typo of "id".
  return near !== undefined && editDistance(near.toLowerCase(), wanted.toLowerCase()) <= Math.min(2, wanted.length - 2) ? near : undefined;
}

/**
 * The first line of the YAML parser's message: the problem and its position (the rest is a code
 * excerpt). An unclosed quote is noticed only where the file ends; it is reported where it opened.
 */
function yamlProblem(error: YAMLError, document: Document, lines: LineCounter): string {
  const message = error.message.split('\n')[0]?.replace(/:$/, '') ?? error.message;
  const quote = /^Missing closing (["'])quote/.exec(message)?.[1];
  if (error.code !== 'MISSING_CHAR' || quote === undefined) return message;
  let opened: number | undefined;
  visit(document, {
    Scalar(_, node) {
      // The unclosed value runs up to where the parser gave up.
      if (node.type === (quote === '"' ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE') && node.range?.[1] === error.pos[0]) opened = node.range[0];
    },
  });
  if (opened === undefined) return message;
  const { line, col } = lines.linePos(opened);
  return `the quote (${quote}) opened at line ${line}, column ${col} is never closed: add the closing ${quote}`;
}

/** The value at `path` in ferry.yaml's contents (as written, or after `${VAR}` substitution); undefined where there is none. */
function valueAt(contents: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (value, key) => (value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined),
    contents,
  );
}

/** How a message names the place of `path`: `destination acme-warehouse`, `the ssh section of the source`. */
function placeOf(path: readonly PropertyKey[], raw: unknown, file: string): string {
  const [section, index] = path;
  if (section === 'destinations' && typeof index === 'number') {
    const id = valueAt(raw, ['destinations', index, 'id']);
    const destination = typeof id === 'string' && id !== '' ? `destination ${id}` : `destinations[${index}]`;
    return path.length === 2 ? destination : `the ${formatPath(path.slice(2))} section of ${destination}`;
  }
  if (section === 'source') return path.length === 1 ? 'the source' : `the ${formatPath(path.slice(1))} section of the source`;
  return formatPath(path) || file;
}

/** What a field should hold, as the message says it. */
const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list (`- item` lines, or [a, b])',
  object: 'a section of `key: value` lines',
  record: 'a section of `key: value` lines',
};

/** What a field holds instead. Never the value itself: it may be a secret. */
function kindOf(value: unknown): string {
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'true/false';
  if (Array.isArray(value)) return 'a list';
  return 'a section of `key: value` lines';
}

/** Which destination types an `ssh` block is for, as their modules say (`reach.sshTunnel`). */
const SSH_ELSEWHERE = (() => {
  const [tunnelled, direct] = [true, false].map((ssh) => DESTINATION_TYPES.filter((type) => destinationModule(type).reach.sshTunnel === ssh));
  return `ssh tunnels are for ${listed(tunnelled ?? [], 'and')} connections (${listed(direct ?? [], 'and')} are not reached through a bastion)`;
})();

/** `a, b and c`. */
function listed(items: readonly string[], last: string): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1)}`;
}

/**
 * The message for a schema issue that the schema words no message of its own: zod's defaults
 * ("Invalid input: expected string, received undefined") are written for programmers. `located`:
 * the message names its place itself, so it is printed without the field's path. undefined
 * leaves zod's message (for kinds of issue ferry.yaml's schema cannot raise).
 */
function explainIssue(
  issue: z.core.$ZodRawIssue,
  { raw, written, file }: { readonly raw: unknown; readonly written: unknown; readonly file: string },
): { message: string; located?: boolean } | undefined {
  const path = issue.path ?? [];
  const value = valueAt(raw, path);
  const key = path.at(-1);
  // A value is quoted only as the file has it: one that came from the environment may be a secret.
  const quoted = (quote: string) => {
    const asWritten = valueAt(written, path);
    if (typeof asWritten === 'string' && asWritten.includes('${')) return '(from the environment)';
    return typeof value === 'string' ? `${quote}${value}${quote}` : JSON.stringify(value);
  };
  switch (issue.code) {
    case 'invalid_type': {
      if (value !== undefined && value !== null) {
        const quotedNumber = typeof value === 'string' && issue.expected === 'number' && value.trim() !== '' && Number.isFinite(Number(value));
        return {
          message: `must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${kindOf(value)}${quotedNumber ? ' (write it without quotes)' : ''}`,
        };
      }
      if (typeof key === 'number') return { message: 'an empty list item: fill it in, or remove its `-` line' };
      if (path.length === 1) {
        const shape = issue.expected === 'array' ? 'list' : 'section';
        return { message: `${file} has no ${String(key)}: add a \`${String(key)}:\` ${shape} (see ${CONFIG_DOCS})`, located: true };
      }
      return { message: `${placeOf(path.slice(0, -1), raw, file)} has no ${String(key)}: add \`${String(key)}: <value>\``, located: true };
    }
    case 'invalid_union': {
      // Only a discriminated union (source and destination `type`) reports its discriminator.
      const options: unknown = 'options' in issue ? issue.options : undefined;
      if (issue.discriminator === undefined || !Array.isArray(options)) return undefined;
      const types = options.map(String);
      if (value === undefined || value === null) {
        return { message: `${placeOf(path.slice(0, -1), raw, file)} has no type: add \`type: <value>\` (${types.join(', ')})`, located: true };
      }
      const near = typeof value === 'string' ? didYouMean(types, value) : undefined;
      const what = path[0] === 'source' ? 'source' : 'destination';
      return { message: `unknown ${what} type ${quoted("'")}${near ? ` — did you mean ${near}?` : ''} (${types.join(', ')})` };
    }
    case 'unrecognized_keys': {
      const shape = (issue.inst?._zod.def as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
      const allowed = Object.keys(shape);
      const typos = issue.keys.filter((k) => k !== 'ssh' || allowed.length === 0);
      const parts = issue.keys.map((k) => {
        if (!typos.includes(k)) return SSH_ELSEWHERE;
        const near = didYouMean(allowed, k);
        return `unknown key "${k}"${near ? `: did you mean "${near}"?` : ''}`;
      });
      const listed = typos.length > 0 && allowed.length > 0 ? ` (allowed here: ${allowed.join(', ')})` : '';
      return { message: `${parts.join('; ')}${listed}` };
    }
    case 'too_small':
      if (issue.origin === 'string') return { message: 'must not be empty' };
      if (issue.origin === 'array') return { message: `must have at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}` };
      return { message: `must be at least ${issue.minimum}` };
    case 'too_big':
      // Only numbers have a maximum in ferry.yaml.
      return { message: `must be at most ${issue.maximum}` };
    case 'invalid_value':
      return { message: `${quoted('"')} is not one of: ${issue.values.map(String).join(', ')}` };
    default:
      // Formats (regexes) and refinements word their own messages in the schema.
      return undefined;
  }
}

/** `${ENV_VAR}` or `${secret:name}`; anything else inside `${…}` is a mistake worth reporting. */
const REFERENCE = /\$\{(?:[A-Za-z_][A-Za-z0-9_]*|secret:[A-Za-z_][A-Za-z0-9_.-]*)\}/g;

function interpolate(value: unknown, path: PropertyKey[], env: NodeJS.ProcessEnv, problems: string[]): unknown {
  if (typeof value === 'string') {
    const malformed = value.replace(REFERENCE, '').match(/\$\{[^}]*\}?/);
    if (malformed) {
      problems.push(`${formatPath(path)}: "${malformed[0]}" is not a reference Ferry knows: write \${ENV_VAR} or \${secret:name}`);
      return value;
    }
    const secret = /\$\{secret:[^}]*\}/.exec(value)?.[0];
    if (secret !== undefined && !secretsAllowedAt(path)) {
      problems.push(misplacedSecret(path, secret));
      return value;
    }
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const found = env[name];
      if (found === undefined) {
        problems.push(`${formatPath(path)}: environment variable ${name} is not set (export it, or put it in the environment of the job)`);
        return '';
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, [...path, i], env, problems));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, [...path, k], env, problems)]));
  }
  return value;
}

/**
 * Whether a `${secret:name}` reference may be used at `path`: only in credential fields
 * (CREDENTIAL_FIELDS) of the source, a destination or its ssh section. Anywhere else the secret's
 * value would end up where Ferry shows or records it: a tenant in the state store, a schema name,
 * a file name. Not in the state store's url: the secrets are read from that store.
 */
export function secretsAllowedAt(path: readonly PropertyKey[]): boolean {
  return (path[0] === 'source' || path[0] === 'destinations') && (CREDENTIAL_FIELDS as readonly PropertyKey[]).includes(path.at(-1) ?? '');
}

function misplacedSecret(path: readonly PropertyKey[], reference: string): string {
  if (path[0] === 'state') {
    return `${formatPath(path)}: ${reference} cannot be used here: secrets are kept in the state store, so its url must work without them; write \${ENV_VAR}, or set FERRY_STATE_URL`;
  }
  return (
    `${formatPath(path)}: ${reference} cannot be used here: secrets are allowed only in credential fields ` +
    `(${CREDENTIAL_FIELDS.join(', ')} of the source, a destination or its ssh section); write the value itself, or \${ENV_VAR}`
  );
}

/** A field's path as ferry.yaml users read it: `destinations[0].ssh.host`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

/** Relative file paths in ferry.yaml mean "relative to ferry.yaml", wherever ferry runs from. */
function resolvePaths(config: LoadedConfig, base: string): LoadedConfig {
  return {
    ...config,
    source: withResolvedPaths(config.source, sourceModule(config.source.type).fileFields, base),
    state: { ...config.state, ...(config.state.path ? { path: resolvePath(config.state.path, base) } : {}) },
    destinations: config.destinations.map((d) => resolveDestinationPaths(d, base)),
  };
}

/** A destination entry with its file fields and `ssh.private_key_file` resolved against `base` (ferry.yaml's folder). */
export function resolveDestinationPaths(entry: DestinationConfigEntry, base: string): DestinationConfigEntry {
  return withResolvedPaths(entry, destinationModule(entry.type).fileFields, base);
}

function resolvePath(path: string, base: string): string {
  return path === ':memory:' || isAbsolute(path) ? path : resolve(base, path);
}

/** An entry with its `ssh.private_key_file`, and the given fields, resolved. */
function withResolvedPaths<Entry extends object>(entry: Entry, fields: readonly string[], base: string): Entry {
  const paths: Record<string, unknown> = {};
  for (const field of fields) {
    const value = (entry as Record<string, unknown>)[field];
    if (typeof value === 'string') paths[field] = resolvePath(value, base);
  }
  const ssh = 'ssh' in entry ? (entry.ssh as SshTunnelEntry | undefined) : undefined;
  if (ssh?.private_key_file) paths.ssh = { ...ssh, private_key_file: resolvePath(ssh.private_key_file, base) };
  return { ...entry, ...paths };
}

/** The export models a destination receives: its `models`, or its product's. */
export function modelsOf(config: FerryConfig, destination: FerryConfig['destinations'][number]): readonly string[] {
  return destination.models ?? config.products[destination.product ?? ''] ?? [];
}

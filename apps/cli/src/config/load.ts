import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { Catalog } from '@ferry/dialects';
import { editDistance } from '@ferry/sync';
import type { z } from 'zod';
import { loadCatalog } from '../project/catalog.ts';
import { findProject, projectOf, type Project } from '../project/project.ts';
import { configSchema, destinationSchema, sshTunnel, type FerryConfig } from './schema.ts';

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
    throw new ConfigError(file, [`cannot read it (${reason}): create it (see docs/ferry-yaml.md) or pass --config <path>`]);
  }
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    // The first line names the problem and its position; the rest is a code excerpt.
    throw new ConfigError(file, document.errors.map((e) => `YAML: ${e.message.split('\n')[0]?.replace(/:$/, '')}`));
  }
  if (document.contents === null || document.toJS() === null) {
    throw new ConfigError(file, ['the file is empty: it needs at least `source` and `destinations` (see docs/ferry-yaml.md)']);
  }
  const problems: string[] = [];
  const raw = interpolate(document.toJS(), [], env, problems);
  if (problems.length > 0) throw new ConfigError(file, problems);

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      file,
      parsed.error.issues.map((issue) => `${formatPath(issue.path) || '(top level)'}: ${describeIssue(issue)}`),
    );
  }
  return resolvePaths({ ...parsed.data, file }, dirname(resolve(file)));
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
    const [near] = known.filter((k) => editDistance(k, model) <= 2).sort((a, b) => editDistance(a, model) - editDistance(b, model));
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
      (destination.models ?? []).map((model, i) => (Object.hasOwn(catalog.exportModels, model) ? undefined : problem(`destinations[${d}].models[${i}]`, model))),
    ),
  ].filter((p): p is string => p !== undefined);
}

/** Every key ferry.yaml knows, to suggest one for a misspelt key. */
const KNOWN_KEYS = [
  ...new Set([
    ...Object.keys(configSchema.shape),
    ...['type', 'url', 'path', 'concurrency', 'lookback', 'retries'],
    ...destinationSchema.options.flatMap((option) => Object.keys(option.shape)),
    ...Object.keys(sshTunnel.shape),
  ]),
];

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'unrecognized_keys') return issue.message;
  return issue.keys
    .map((key) => {
      if (key === 'ssh') return 'ssh tunnels are for postgres and redshift connections (Snowflake, BigQuery and DuckDB are not reached through a bastion)';
      // The nearest known key, if close enough to be a typo; never the key itself (known elsewhere, not here).
      const [near] = KNOWN_KEYS.filter((known) => known !== key && editDistance(known, key) <= Math.min(2, key.length - 2)).sort(
        (a, b) => editDistance(a, key) - editDistance(b, key),
      );
      return `unknown key "${key}"${near ? `: did you mean "${near}"?` : ' (see docs/ferry-yaml.md for the keys it takes)'}`;
    })
    .join('; ');
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

/** A field's path as ferry.yaml users read it: `destinations[0].ssh.host`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

/** Relative file paths in ferry.yaml mean "relative to ferry.yaml", wherever ferry runs from. */
function resolvePaths(config: LoadedConfig, base: string): LoadedConfig {
  const at = (path: string) => (path === ':memory:' || isAbsolute(path) ? path : resolve(base, path));
  return {
    ...config,
    source:
      config.source.type === 'duckdb'
        ? { ...config.source, path: at(config.source.path) }
        : config.source.ssh?.private_key_file
          ? { ...config.source, ssh: { ...config.source.ssh, private_key_file: at(config.source.ssh.private_key_file) } }
          : config.source,
    state: { ...config.state, ...(config.state.path ? { path: at(config.state.path) } : {}) },
    destinations: config.destinations.map((d) => {
      if (d.type === 'duckdb') return { ...d, path: at(d.path) };
      if (d.type === 'bigquery' && d.key_file) return { ...d, key_file: at(d.key_file) };
      if ((d.type === 'postgres' || d.type === 'redshift') && d.ssh?.private_key_file) {
        return { ...d, ssh: { ...d.ssh, private_key_file: at(d.ssh.private_key_file) } };
      }
      return d;
    }),
  };
}

/** The export models a destination receives: its `models`, or its product's. */
export function modelsOf(config: FerryConfig, destination: FerryConfig['destinations'][number]): readonly string[] {
  return destination.models ?? config.products[destination.product ?? ''] ?? [];
}

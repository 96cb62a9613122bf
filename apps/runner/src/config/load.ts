import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { ExportModelName } from '@ferry/generated';
import { configSchema, type FerryConfig } from './schema.ts';

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

/**
 * Reads ferry.yaml: YAML, then `${VAR}` references replaced from the environment, then the
 * schema. Values that came from the environment are never echoed in errors, since they are
 * usually secrets.
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
    throw new ConfigError(file, document.errors.map((e) => `YAML: ${e.message.split('\n')[0]}`));
  }
  const problems: string[] = [];
  const raw = interpolate(document.toJS(), [], env, problems);
  if (problems.length > 0) throw new ConfigError(file, problems);

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      file,
      parsed.error.issues.map((issue) => `${formatPath(issue.path) || '(top level)'}: ${issue.message}`),
    );
  }
  return resolvePaths({ ...parsed.data, file }, dirname(resolve(file)));
}

function interpolate(value: unknown, path: PropertyKey[], env: NodeJS.ProcessEnv, problems: string[]): unknown {
  if (typeof value === 'string') {
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

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

/** Relative file paths in ferry.yaml mean "relative to ferry.yaml", wherever ferry runs from. */
function resolvePaths(config: LoadedConfig, base: string): LoadedConfig {
  const at = (path: string) => (path === ':memory:' || isAbsolute(path) ? path : resolve(base, path));
  return {
    ...config,
    source: config.source.type === 'duckdb' ? { ...config.source, path: at(config.source.path) } : config.source,
    state: { ...config.state, ...(config.state.path ? { path: at(config.state.path) } : {}) },
    destinations: config.destinations.map((d) => (d.type === 'duckdb' ? { ...d, path: at(d.path) } : d)),
  };
}

/** The export models a destination receives: its `models`, or its product's. */
export function modelsOf(config: FerryConfig, destination: FerryConfig['destinations'][number]): ExportModelName[] {
  return (destination.models ?? config.products[destination.product as string] ?? []) as ExportModelName[];
}

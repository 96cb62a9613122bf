import { ConfigError, formatPath, type LoadedConfig } from './load.ts';
import { registerSecret } from '../output/redact.ts';

/** Where `${secret:name}` values come from: the state store's encrypted secrets. */
export interface SecretReader {
  get(name: string): Promise<string>;
}

const SECRET_REFERENCE = /\$\{secret:([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

/** ferry.yaml fields whose values are secrets, wherever they come from. */
const SECRET_FIELDS = new Set(['password', 'passphrase', 'private_key']);

/**
 * The config with every `${secret:name}` in the included fields replaced by the secret's value,
 * each secret read once. Without such references the vault is never touched (so no master key
 * is needed). Every
 * secret value, and every value of a secret field, is registered for redaction.
 * @throws ConfigError naming each field whose secret cannot be read, and why
 */
export async function resolveSecretReferences(
  config: LoadedConfig,
  vault: SecretReader,
  /** Which fields to resolve (default all): a command resolves only what it connects to. */
  include: (path: readonly PropertyKey[]) => boolean = () => true,
): Promise<LoadedConfig> {
  const names = new Set<string>();
  walk(config, [], (value, path) => {
    if (include(path)) for (const [, name] of value.matchAll(SECRET_REFERENCE)) names.add(name as string);
    return value;
  });
  const values = new Map<string, string>();
  const problems: string[] = [];
  for (const name of names) {
    try {
      const value = await vault.get(name);
      registerSecret(value);
      values.set(name, value);
    } catch (error) {
      problems.push(`${fieldsUsing(config, name, include).join(', ')}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(config.file, problems);
  const resolved = walk(config, [], (value, path) =>
    include(path) ? value.replace(SECRET_REFERENCE, (_, name: string) => values.get(name) as string) : value,
  ) as LoadedConfig;
  registerSecretFields(resolved);
  return resolved;
}

/** Registers the values of secret fields and URL passwords, whether written inline or from the environment. */
export function registerSecretFields(config: unknown): void {
  walk(config, [], (value, path) => {
    const field = String(path.at(-1));
    if (SECRET_FIELDS.has(field)) registerSecret(value);
    if (field === 'url') {
      const password = /^[a-z][a-z0-9+.-]*:\/\/[^/@:]*:([^/@]*)@/i.exec(value)?.[1];
      if (password) {
        // As written in the url, and decoded (drivers quote either); a stray % is not an escape.
        registerSecret(password);
        try {
          registerSecret(decodeURIComponent(password));
        } catch {
          // Not a valid escape sequence: the password is what is written.
        }
      }
    }
    return value;
  });
}

function fieldsUsing(config: LoadedConfig, name: string, include: (path: readonly PropertyKey[]) => boolean): string[] {
  const fields: string[] = [];
  walk(config, [], (value, path) => {
    if (include(path) && value.includes(`\${secret:${name}}`)) fields.push(formatPath(path));
    return value;
  });
  return fields;
}

function walk(value: unknown, path: readonly PropertyKey[], visit: (text: string, path: readonly PropertyKey[]) => string): unknown {
  if (typeof value === 'string') return visit(value, path);
  if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i], visit));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, [...path, key], visit)]));
  }
  return value;
}

import { ConfigError, formatPath, secretsAllowedAt, type LoadedConfig } from './load.ts';
import { SECRET_FIELDS } from './schema.ts';
import { userInfoOf } from '@ferry/state';
import { registerSecret } from '../output/redact.ts';

/** Where `${secret:name}` values come from: the state store's encrypted secrets. */
export interface SecretReader {
  get(name: string): Promise<string>;
}

const SECRET_REFERENCE = /\$\{secret:([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

/**
 * The config with every `${secret:name}` in the included credential fields replaced by the
 * secret's value, each secret read once. Only credential fields are resolved (secretsAllowedAt):
 * loadConfig refuses a reference anywhere else, and one that reached another field through an
 * environment variable stays as written rather than put a secret where Ferry shows or records it.
 * Without such references the vault is never touched (so no master key is needed). Every secret
 * value, and every value of a secret field, is registered for redaction.
 * @throws ConfigError naming each field whose secret cannot be read, and why; or each url whose
 * password pg would misread
 */
export async function resolveSecretReferences(
  config: LoadedConfig,
  vault: SecretReader,
  /** Which fields to resolve (default all): a command resolves only what it connects to. */
  include: (path: readonly PropertyKey[]) => boolean = () => true,
): Promise<LoadedConfig> {
  const resolves = (path: readonly PropertyKey[]) => include(path) && secretsAllowedAt(path);
  const names = new Set<string>();
  walk(config, [], (value, path) => {
    if (resolves(path)) for (const [, name] of value.matchAll(SECRET_REFERENCE)) names.add(name as string);
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
      problems.push(`${fieldsUsing(config, name, resolves).join(', ')}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(config.file, problems);
  const resolved = walk(config, [], (value, path) =>
    resolves(path) ? value.replace(SECRET_REFERENCE, (_, name: string) => values.get(name) as string) : value,
  ) as LoadedConfig;
  registerSecretFields(resolved);
  // Checked once secrets and environment variables are in the url, before the source or any destination is
  // connected to. The state store is open by now: for its url, @ferry/state masks the whole password instead.
  walk(resolved, [], (value, path) => {
    if (include(path) && path.at(-1) === 'url' && userInfoOf(value)?.misread) problems.push(misreadUrl(path));
    return value;
  });
  if (problems.length > 0) throw new ConfigError(config.file, problems);
  return resolved;
}

/**
 * A url whose password has an unencoded / ? or #: pg would connect to a piece of the password as
 * the host, name another as the database, and print both in its errors. The message never
 * quotes the url.
 */
function misreadUrl(path: readonly PropertyKey[]): string {
  const instead = path[0] === 'state' ? '' : ', or leave it out of the url and put it in `password`';
  return (
    `${formatPath(path)}: the password in the url has a /, ? or # that is not percent-encoded, so pg would read part of it as the host and ` +
    `the database: percent-encode @ as %40, / as %2F, ? as %3F and # as %23 in the password${instead}`
  );
}

/**
 * Registers the values of secret fields, and URL passwords (as userInfoOf reads them, so all of a
 * password with an unencoded @ or /) and password query parameters, whether written inline or
 * from the environment.
 */
export function registerSecretFields(config: unknown): void {
  walk(config, [], (value, path) => {
    const field = String(path.at(-1));
    if (SECRET_FIELDS.includes(field)) registerSecret(value);
    if (field === 'url') for (const password of urlPasswords(value)) registerSecret(password);
    return value;
  });
}

/** The passwords in a url, as written and decoded (drivers quote either); a stray % is not an escape. */
function urlPasswords(url: string): string[] {
  const written = [userInfoOf(url)?.password ?? '', ...[...url.matchAll(/[?&][^=&#]*password[^=&#]*=([^&#]*)/gi)].map(([, value = '']) => value)];
  return written
    .filter((password) => password !== '')
    .flatMap((password) => {
      try {
        return [password, decodeURIComponent(password)];
      } catch {
        return [password];
      }
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

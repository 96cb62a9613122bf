import { z } from 'zod';
import { projectSchema } from '../project/project.ts';

/** An export model's name; checked against the generated catalog once it is loaded (see loadConfig). */
const modelName = z.string().min(1);

/**
 * The longest `sync.lookback`. The window is subtracted from the watermark on every incremental
 * read, so a huge one (99999999999h) gives a date before any the warehouses can hold: the first
 * sync (no watermark yet) works and every later one fails. Rows older than the window are found
 * by the key comparison anyway (docs/sync.md), so a longer window would only re-read more.
 */
export const MAX_LOOKBACK_SECONDS = 30 * 24 * 3600;
const LOOKBACK_RULE = 'use seconds, or a number with s, m or h (e.g. 5m), at most 30 days (720h, 2592000 seconds)';

/** "300", 300, "30s", "5m", "1h": a lookback window in seconds, at most MAX_LOOKBACK_SECONDS. */
const duration = z
  .union([z.number(), z.string().regex(/^\d+\s*[smh]?$/, LOOKBACK_RULE)], { error: LOOKBACK_RULE })
  .transform((value) => {
    if (typeof value === 'number') return value;
    const amount = Number.parseInt(value, 10);
    const unit = value.trim().slice(-1);
    return amount * (unit === 'h' ? 3600 : unit === 'm' ? 60 : 1);
  })
  // After the units are applied: 99999999999h is too long although its digits alone may not be.
  .pipe(z.number({ error: LOOKBACK_RULE }).int(LOOKBACK_RULE).min(0, LOOKBACK_RULE).max(MAX_LOOKBACK_SECONDS, LOOKBACK_RULE));

const seconds = (what: string, max: number) => z.number().int().min(1, `${what}: at least 1 (seconds)`).max(max, `${what}: at most ${max} (seconds)`);

/** An SSH bastion the connection goes through; see docs/ferry-yaml.md#ssh-tunnels. */
export const sshTunnel = z
  .strictObject({
    host: z.string().min(1, "the bastion's host name or address"),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().min(1, 'the login on the bastion'),
    private_key: z.string().min(1).optional(),
    private_key_file: z.string().min(1).optional(),
    passphrase: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    host_key: z
      .string({ error: "required: the bastion's host key fingerprint (SHA256:…), so Ferry never sends credentials to an impostor" })
      .regex(
        /^SHA256:[A-Za-z0-9+/]{43}=?$/,
        "the SHA256 fingerprint as `ssh-keygen -lf` prints it (SHA256: and 43 base64 characters): ask the bastion's administrator, " +
          'or run `ssh-keyscan -p <port> <host> | ssh-keygen -lf -` from a network you trust',
      ),
    keepalive_interval: seconds('keepalive_interval', 3600).default(15),
    keepalive_count_max: z.number().int().min(1).max(100).default(3),
    connect_timeout: seconds('connect_timeout', 600).default(30),
  })
  .superRefine((ssh, context) => {
    const given = (['private_key', 'private_key_file', 'password'] as const).filter((key) => ssh[key] !== undefined);
    if (given.length !== 1) {
      context.addIssue({
        code: 'custom',
        message: `give exactly one way to log in: private_key (e.g. \${secret:acme_ssh_key}), private_key_file or password${given.length > 1 ? ` (got ${given.join(', ')})` : ''}`,
      });
    }
    if (ssh.passphrase !== undefined && ssh.password !== undefined) {
      context.addIssue({ code: 'custom', path: ['passphrase'], message: 'a passphrase unlocks a private key: leave it out with password' });
    }
  });

export type SshTunnelEntry = z.infer<typeof sshTunnel>;

/**
 * What is wrong with a postgres:// URL, or undefined when nothing is. Checked when ferry.yaml is
 * read: a URL that does not parse would otherwise fail only once a sync has started, naming no
 * field. The answer never quotes the URL, whose password may be in it; only the port number.
 */
export function postgresUrlProblem(url: string): string | undefined {
  if (!/^postgres(ql)?:\/\//.test(url)) return 'must be a postgres:// URL, e.g. postgres://user@host:5432/db (the password in `password`)';
  const invalid = (why: string) => `not a valid postgres URL (${why})`;
  let parsed: URL;
  try {
    // pg reads `user:password@/db` (no host) as the default host; URL needs one to parse it.
    parsed = new URL(url.replace('@/', '@localhost/'));
  } catch {
    const afterScheme = url.slice(url.indexOf('://') + 3);
    const authority = afterScheme.split(/[/?#]/, 1)[0] ?? '';
    // A / ? or # in the password ends the host part early, so the real host comes after it.
    if (afterScheme.slice(authority.length).includes('@')) {
      return invalid('a / ? or # in the user name or password: write them as %2F, %3F and %23, or put the password in `password`');
    }
    const hostAndPort = authority.slice(authority.lastIndexOf('@') + 1);
    const port = /^(?:\[[^\]]*\]|[^:[\]]*):(.*)$/.exec(hostAndPort)?.[1];
    if (port !== undefined && /^\d+$/.test(port) && Number(port) > 65535) return invalid(`port ${port} is out of range: use 1 to 65535`);
    if (port !== undefined && !/^\d*$/.test(port)) return invalid('the port is not a number');
    return invalid('check the host: expected postgres://user@host:5432/database');
  }
  if (parsed.port === '0') return invalid('port 0 is out of range: use 1 to 65535');
  const parts = { 'user name': parsed.username, password: parsed.password, host: parsed.hostname, database: parsed.pathname, query: parsed.search };
  for (const [part, text] of Object.entries(parts)) {
    try {
      decodeURIComponent(text);
    } catch {
      // A % starts an escape such as %40 (@): pg reads a stray one as itself, other URL readers (Ferry's redaction among them) throw.
      return invalid(
        `a % in the ${part} not followed by two hex digits: write a literal % as %25${part === 'password' ? ', or put the password in `password`' : ''}`,
      );
    }
  }
  return undefined;
}

const postgresUrl = z.string().superRefine((url, context) => {
  const problem = postgresUrlProblem(url);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});

const postgresConnection = {
  url: postgresUrl,
  /** Used where the url has none: keeps a secret out of the URL. */
  password: z.string().min(1).optional(),
  connect_timeout: seconds('connect_timeout', 600).default(30),
  ssh: sshTunnel.optional(),
};
const duckdbConnection = { path: z.string().min(1) };
const snowflakeConnection = {
  account: z.string().min(1, 'the account identifier, e.g. xy12345.eu-central-1 or myorg-myaccount'),
  user: z.string().min(1),
  password: z.string().min(1, 'write it as ${ENV_VAR} or ${secret:name}'),
  database: z.string().min(1),
  warehouse: z.string().min(1).optional(),
  role: z.string().min(1).optional(),
};
const bigqueryConnection = {
  project: z.string().min(1, 'the Google Cloud project id'),
  dataset: z.string().min(1).default('ferry'),
  location: z.string().min(1).optional(),
  key_file: z.string().min(1).optional(),
};

/** A password in the url and another in `password` would leave which one is used to chance. */
function onePassword(entry: { url: string; password?: string | undefined }): boolean {
  return entry.password === undefined || !/^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(entry.url);
}
const ONE_PASSWORD = { message: 'the url has a password and `password` is set too: keep one', path: ['password'] };

export const sourceSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('postgres'), ...postgresConnection }).refine(onePassword, ONE_PASSWORD),
  z.strictObject({ type: z.literal('duckdb'), ...duckdbConnection }),
]);

const destinationIdentity = {
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, - _ . (it names the destination in logs and state)'),
  tenant: z.string().min(1, "the recipient value in each model's tenant column"),
  product: z.string().optional(),
  models: z.array(modelName).min(1).optional(),
  soft_deletes: z.enum(['keep', 'delete']).default('keep'),
};
/** Every destination but BigQuery, whose schema is its `dataset`. */
const destinationCommon = { ...destinationIdentity, schema: z.string().min(1).default('ferry') };

export const destinationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('postgres'), ...destinationCommon, ...postgresConnection }).refine(onePassword, ONE_PASSWORD),
  z.strictObject({ type: z.literal('duckdb'), ...destinationCommon, ...duckdbConnection }),
  z.strictObject({ type: z.literal('redshift'), ...destinationCommon, ...postgresConnection }).refine(onePassword, ONE_PASSWORD),
  z.strictObject({ type: z.literal('snowflake'), ...destinationCommon, ...snowflakeConnection }),
  z.strictObject({ type: z.literal('bigquery'), ...destinationIdentity, ...bigqueryConnection }),
]);

/** ferry.yaml. Documented in docs/ferry-yaml.md; secrets are `${ENV_VAR}` references. */
export const configSchema = z
  .strictObject({
    project: projectSchema.optional(),
    source: sourceSchema,
    state: z.strictObject({ url: postgresConnection.url.optional(), path: z.string().min(1).optional() }).default({}),
    sync: z
      .strictObject({
        concurrency: z.number().int().min(1).max(64).default(4),
        lookback: duration.default(300),
        retries: z.number().int().min(0).max(10).default(3),
        verify: z
          .string()
          .regex(/^(never|daily|every [1-9]\d* syncs?)$/, 'use never, daily, or every N syncs (such as `every 10 syncs`)')
          .default('daily'),
      })
      .default({ concurrency: 4, lookback: 300, retries: 3, verify: 'daily' }),
    products: z.record(z.string(), z.array(modelName).min(1)).default({}),
    destinations: z.array(destinationSchema).min(1, 'list at least one destination'),
  })
  .superRefine((config, context) => {
    const seen = new Set<string>();
    config.destinations.forEach((destination, index) => {
      if (seen.has(destination.id)) {
        context.addIssue({ code: 'custom', path: ['destinations', index, 'id'], message: `duplicate destination id "${destination.id}"` });
      }
      seen.add(destination.id);
      if (!destination.product === !destination.models) {
        context.addIssue({ code: 'custom', path: ['destinations', index], message: 'give exactly one of `product` or `models`' });
      }
      if (destination.product && !(destination.product in config.products)) {
        context.addIssue({
          code: 'custom',
          path: ['destinations', index, 'product'],
          message: `unknown product "${destination.product}" (defined: ${Object.keys(config.products).join(', ') || 'none'})`,
        });
      }
    });
  });

export type FerryConfig = z.infer<typeof configSchema>;
export type SourceConfig = FerryConfig['source'];
export type DestinationConfigEntry = FerryConfig['destinations'][number];

/**
 * The keys of ferry.yaml's credential fields: passwords, an SSH key and its passphrase, and URLs
 * (a URL may carry a password). `${secret:name}` references resolve only in these, in the source,
 * a destination or its ssh section (see secretsAllowedAt in load.ts); the values of all of them,
 * the state store's url included, are masked in Ferry's output (registerSecretFields).
 */
export const CREDENTIAL_FIELDS = ['url', 'password', 'passphrase', 'private_key'] as const;

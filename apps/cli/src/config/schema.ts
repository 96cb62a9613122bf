import { postgresConnectionFields, seconds } from '@ferry/connections';
import { DESTINATION_MODULES, type AnyDestinationModule, type DestinationType, type ModuleEntry } from '@ferry/destinations';
import { SOURCE_MODULES, type AnySourceModule, type SourceEntry, type SourceType } from '@ferry/sources';
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

/** An entry of one module's type: its fields, and `ssh` where it can be reached through a bastion. */
function moduleEntry(module: AnySourceModule | AnyDestinationModule, common: z.ZodRawShape) {
  const entry = z.strictObject({
    type: z.literal(module.type),
    ...common,
    ...module.fields,
    ...(module.reach.sshTunnel ? { ssh: sshTunnel.optional() } : {}),
  });
  const rule = module.refine;
  return rule ? entry.refine(rule.check, { message: rule.message, path: [...rule.path] }) : entry;
}

/** ferry.yaml's `source:`, of any type (see each source module's `fields`). */
export type SourceConfigEntry = {
  [T in SourceType]: SourceEntry<T, (typeof SOURCE_MODULES)[T]['fields']> & { readonly ssh?: SshTunnelEntry | undefined };
}[SourceType];

const [firstSource, ...otherSources] = Object.values(SOURCE_MODULES).map((module) => moduleEntry(module, {}));
export const sourceSchema = z.discriminatedUnion('type', [firstSource as NonNullable<typeof firstSource>, ...otherSources]) as unknown as z.ZodType<
  SourceConfigEntry,
  unknown
>;

/** How often a destination syncs under `ferry serve` and `ferry sync --due`; `manual`: only when asked. */
export const SCHEDULES = ['15m', '1h', '6h', '12h', '24h', 'manual'] as const;
export type Schedule = (typeof SCHEDULES)[number];

/** Ids of recipients and destinations: they name them in logs, state and URLs. */
export const resourceId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'use up to 63 letters, digits, - _ . (it names the destination in logs and state)');

const destinationIdentity = {
  id: resourceId,
  tenant: z.string().min(1, "the recipient value in each model's tenant column"),
  product: z.string().optional(),
  models: z.array(modelName).min(1).optional(),
  soft_deletes: z.enum(['keep', 'delete']).default('keep'),
  schedule: z.enum(SCHEDULES).default('24h'),
};

/** What every ferry.yaml destination entry has, whatever its type. */
interface DestinationIdentity {
  readonly id: string;
  readonly tenant: string;
  readonly product?: string | undefined;
  readonly models?: string[] | undefined;
  readonly soft_deletes: 'keep' | 'delete';
  readonly schedule: Schedule;
  /** The bastion to go through: accepted only for types whose module has `reach.sshTunnel`. */
  readonly ssh?: SshTunnelEntry | undefined;
}

/** One destination in ferry.yaml, its type's own fields included (see each module's `fields`). */
export type DestinationConfigEntry = {
  [T in DestinationType]: DestinationIdentity & ModuleEntry<T, (typeof DESTINATION_MODULES)[T]['fields']>;
}[DestinationType];

/**
 * A destination entry of any type: `identity` (ferry.yaml's id and tenant, or the API's id and
 * recipient), then the type's own fields, then `ssh` where the type can be reached through one.
 */
export function destinationEntrySchema(identity: z.ZodRawShape) {
  const [first, ...others] = Object.values(DESTINATION_MODULES).map((module) => moduleEntry(module, identity));
  return z.discriminatedUnion('type', [first as NonNullable<typeof first>, ...others]);
}

/** The identity fields of a destination, as the API takes them: a recipient instead of a tenant. */
export const apiDestinationIdentity = (({ tenant: _, ...rest }) => ({ ...rest, recipient: resourceId }))(destinationIdentity);

export const destinationSchema = destinationEntrySchema(destinationIdentity) as unknown as z.ZodType<DestinationConfigEntry, unknown>;

/** ferry.yaml. Documented in docs/ferry-yaml.md; secrets are `${ENV_VAR}` references. */
export const configSchema = z
  .strictObject({
    project: projectSchema.optional(),
    source: sourceSchema,
    state: z.strictObject({ url: postgresConnectionFields.url.optional(), path: z.string().min(1).optional() }).default({}),
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
    /** Recipients kept in git: read-only through the API (`ferry serve`), like the destinations here. */
    recipients: z
      .array(
        z.strictObject({ id: resourceId, name: z.string().min(1), tenant: z.string().min(1, "the recipient's value in each model's tenant column") }),
      )
      .default([]),
    // May be empty: destinations can also come from `ferry serve`'s API and magic links (the state store).
    destinations: z.array(destinationSchema).default([]),
  })
  .superRefine((config, context) => {
    const recipients = new Set<string>();
    config.recipients.forEach((recipient, index) => {
      if (recipients.has(recipient.id)) {
        context.addIssue({ code: 'custom', path: ['recipients', index, 'id'], message: `duplicate recipient id "${recipient.id}"` });
      }
      recipients.add(recipient.id);
    });
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

/**
 * The keys of ferry.yaml's credential fields: passwords, an SSH key and its passphrase, and URLs
 * (a URL may carry a password). `${secret:name}` references resolve only in these, in the source,
 * a destination or its ssh section (see secretsAllowedAt in load.ts); the values of all of them,
 * the state store's url included, are masked in Ferry's output (registerSecretFields).
 */
export const CREDENTIAL_FIELDS = ['url', 'password', 'passphrase', 'private_key'] as const;

/**
 * The credential fields whose whole value is a secret: masked whole in output, sealed whole when
 * given through `ferry serve`. A url is not (its host and database name the place in messages):
 * only its password is.
 */
export const SECRET_FIELDS: readonly string[] = CREDENTIAL_FIELDS.filter((field) => field !== 'url');

import {
  redactUrl,
  type MagicLinkRecord,
  type ManagedDestination,
  type RecipientRecord,
  type StateStore,
  type Transfer,
  type Verification,
} from '@ferry/state';
import { z } from 'zod';
import {
  CREDENTIAL_FIELDS,
  SCHEDULES,
  SECRET_FIELDS,
  apiDestinationIdentity,
  destinationEntrySchema,
  type DestinationConfigEntry,
} from '../config/schema.ts';
import type { LoadedConfig } from '../config/load.ts';
import { storeDestination } from './destination-store.ts';
import {
  credentialPaths,
  deleteCredentials,
  withPasswordOutOfUrl,
  type CombinedConfig,
  type CredentialVault,
} from '../control-plane/managed-destinations.ts';
import { nextRunAt, scheduledDestinations, type ScheduledDestination } from '../control-plane/schedules.ts';
import * as api from './api-schemas.ts';
import { DEFAULT_LINK_DAYS, LINKABLE_TYPES, MAX_LINK_DAYS, linkTypes, newToken } from '../control-plane/magic-links.ts';
import { ApiError, route, type Route } from './route.ts';
import type { TransferRunner } from './transfers.ts';

/** What the routes work on. */
export interface RouteContext {
  readonly state: StateStore;
  /** ferry.yaml, read afresh for each request: a change deployed while the server runs shows at once. */
  loadConfig(): Promise<LoadedConfig>;
  /** ferry.yaml with the stored recipients and destinations; one that cannot be used is logged and left out. */
  loadCombined(): Promise<CombinedConfig>;
  readonly vault: CredentialVault;
  readonly runner: TransferRunner;
  /** The connection checks of `ferry destinations check`, for one destination. */
  testDestination(id: string): Promise<z.infer<typeof api.connectionTest>>;
  /** Where customers reach this server: magic links start with it (known once it listens). */
  publicUrl(): string;
  readonly now: () => Date;
}

const magicLinkInput = z
  .strictObject({
    product: z.string().min(1).describe('the product the destination will receive (from ferry.yaml)'),
    destination_types: z
      .array(z.enum(LINKABLE_TYPES as unknown as [string, ...string[]]))
      .default([])
      .describe('what the customer may choose from (default: all a link can set up)'),
    schedule: z.enum(SCHEDULES).default('24h'),
    expires_in_days: z.number().int().min(1).max(MAX_LINK_DAYS).default(DEFAULT_LINK_DAYS),
  })
  .meta({ id: 'MagicLinkInput' });

/** Fields of a destination entry that are not its connection. */
const IDENTITY_FIELDS = new Set(['id', 'tenant', 'recipient', 'product', 'models', 'soft_deletes', 'schedule', 'type']);

const destinationInput = destinationEntrySchema({ ...apiDestinationIdentity }).meta({ id: 'DestinationInput' });

const transferQuery = z.strictObject({
  destination: z.string().optional(),
  status: z.enum(['running', 'succeeded', 'failed', 'abandoned']).optional(),
  limit: api.listLimit,
});

/** The vendor API: every route, with its schemas (see route.ts). */
export function vendorRoutes(context: RouteContext): Route[] {
  const { state } = context;
  const store = state.controlPlane;

  /** ferry.yaml and the stored recipients and destinations, checked together. */
  const combined = () => context.loadCombined();

  const recipientOf = (config: CombinedConfig, id: string) => {
    const found = config.controlPlane.recipients.find((r) => r.id === id);
    if (!found) throw new ApiError(404, `no recipient "${id}"`);
    return found;
  };
  const storedRecipient = async (config: CombinedConfig, id: string): Promise<RecipientRecord> => {
    const found = recipientOf(config, id);
    if (!('createdAt' in found)) throw new ApiError(403, `recipient "${id}" is kept in ${config.file}: change it there`);
    return found;
  };
  const managedDestination = async (config: CombinedConfig, id: string): Promise<ManagedDestination> => {
    const managed = config.controlPlane.managed.get(id);
    if (managed) return managed;
    if (config.destinations.some((d) => d.id === id)) throw new ApiError(403, `destination "${id}" is kept in ${config.file}: change it there`);
    throw new ApiError(404, `no destination "${id}"`);
  };

  const destinationView = async (config: CombinedConfig, entry: DestinationConfigEntry, schedules?: Map<string, ScheduledDestination>) => {
    const managed = config.controlPlane.managed.get(entry.id);
    // A list reads every schedule once (one query over the transfers), not once per destination.
    const schedule = (schedules ?? (await scheduledDestinations([entry], config.controlPlane.managed, state))).get(entry.id);
    const [last] = await state.recentTransfers({ destinationId: entry.id, limit: 1 });
    const raw = (managed?.entry ?? entry) as Record<string, unknown>;
    const connection = Object.fromEntries(
      Object.entries(entry)
        .filter(([key]) => !IDENTITY_FIELDS.has(key) && !SECRET_FIELDS.includes(key))
        .map(([key, value]) =>
          key === 'ssh'
            ? [key, Object.fromEntries(Object.entries(value as object).filter(([k]) => !SECRET_FIELDS.includes(k)))]
            : [key, key === 'url' && typeof value === 'string' ? redactUrl(value) : value],
        ),
    );
    const next = schedule ? nextRunAt(schedule) : null;
    return {
      id: entry.id,
      type: entry.type,
      recipient: managed?.recipientId ?? config.controlPlane.recipients.find((r) => r.tenant === entry.tenant)?.id ?? null,
      tenant: entry.tenant,
      managed_by: managed ? ('api' as const) : ('ferry.yaml' as const),
      product: entry.product ?? null,
      models: [...(entry.models ?? config.products[entry.product ?? ''] ?? [])],
      soft_deletes: entry.soft_deletes,
      schedule: entry.schedule,
      paused_at: managed?.pausedAt?.toISOString() ?? null,
      next_run_at: next === null ? null : new Date(Math.max(next.getTime(), context.now().getTime())).toISOString(),
      connection,
      credentials: credentialPaths(raw).map((path) => path.join('.')),
      last_transfer: last ? transferSummary(last) : null,
    };
  };
  const findDestination = (config: CombinedConfig, id: string) => {
    const entry = config.destinations.find((d) => d.id === id);
    if (!entry && config.controlPlane.managed.has(id)) {
      throw new ApiError(409, `destination "${id}" is stored but cannot be used (the server log says why): change it with PATCH, or delete it`);
    }
    if (!entry) throw new ApiError(404, `no destination "${id}"`);
    return entry;
  };

  return [
    route({
      method: 'GET',
      path: '/recipients',
      summary: "List recipients: ferry.yaml's and the API's",
      tag: 'recipients',
      success: { status: 200, schema: z.array(api.recipient) },
      errors: [],
      handle: async () => (await combined()).controlPlane.recipients.map(recipientView),
    }),
    route<Record<string, never>, Record<string, never>, z.infer<typeof api.recipientInput>>({
      method: 'POST',
      path: '/recipients',
      summary: 'Create a recipient',
      tag: 'recipients',
      body: api.recipientInput,
      success: { status: 201, schema: api.recipient },
      errors: [409],
      handle: async ({ body, caller }) => {
        const config = await combined();
        if (config.controlPlane.recipients.some((r) => r.id === body.id)) throw new ApiError(409, `recipient id "${body.id}" is taken`);
        const sameTenant = config.controlPlane.recipients.find((r) => r.tenant === body.tenant);
        if (sameTenant) throw new ApiError(409, `recipient "${sameTenant.id}" has tenant "${body.tenant}" already: one recipient per tenant`);
        if (!(await store.createRecipient(body))) throw new ApiError(409, `recipient id "${body.id}" is taken`);
        await store.audit({ actor: caller.actor, action: 'recipient.create', target: body.id, details: { name: body.name, tenant: body.tenant } });
        return recipientView((await store.getRecipient(body.id)) as RecipientRecord);
      },
    }),
    route<z.infer<typeof api.idParams>>({
      method: 'GET',
      path: '/recipients/:id',
      summary: 'Read a recipient',
      tag: 'recipients',
      params: api.idParams,
      success: { status: 200, schema: api.recipient },
      errors: [404],
      handle: async ({ params }) => recipientView(recipientOf(await combined(), params.id)),
    }),
    route<z.infer<typeof api.idParams>, Record<string, never>, z.infer<typeof api.recipientUpdate>>({
      method: 'PATCH',
      path: '/recipients/:id',
      summary:
        "Change a recipient's name or tenant (not while it has destinations: their tables hold the old tenant's rows; its magic links stop working)",
      tag: 'recipients',
      params: api.idParams,
      body: api.recipientUpdate,
      success: { status: 200, schema: api.recipient },
      errors: [403, 404, 409],
      handle: async ({ params, body, caller }) => {
        const config = await combined();
        const current = await storedRecipient(config, params.id);
        const tenant = body.tenant ?? current.tenant;
        if (tenant !== current.tenant) {
          const users = [...config.controlPlane.managed.values()].filter((d) => d.recipientId === current.id).map((d) => d.id);
          if (users.length > 0) {
            throw new ApiError(
              409,
              `recipient "${current.id}" has destinations (${users.join(', ')}) holding tenant "${current.tenant}": delete them first, or create a new recipient`,
            );
          }
          const sameTenant = config.controlPlane.recipients.find((r) => r.tenant === tenant);
          if (sameTenant) throw new ApiError(409, `recipient "${sameTenant.id}" has tenant "${tenant}" already: one recipient per tenant`);
        }
        await store.updateRecipient({ id: current.id, name: body.name ?? current.name, tenant });
        await store.audit({ actor: caller.actor, action: 'recipient.update', target: current.id, details: { ...body } });
        return recipientView((await store.getRecipient(current.id)) as RecipientRecord);
      },
    }),
    route<z.infer<typeof api.idParams>>({
      method: 'DELETE',
      path: '/recipients/:id',
      summary: 'Delete a recipient that has no destinations left',
      tag: 'recipients',
      params: api.idParams,
      success: { status: 204, schema: null },
      errors: [403, 404, 409],
      handle: async ({ params, caller }) => {
        const config = await combined();
        const current = await storedRecipient(config, params.id);
        const users = [...config.controlPlane.managed.values()].filter((d) => d.recipientId === current.id).map((d) => d.id);
        if (users.length > 0) throw new ApiError(409, `recipient "${current.id}" still has destinations (${users.join(', ')}): delete them first`);
        await store.deleteRecipient(current.id);
        // A recipient created later with this id must not inherit links sent to this one.
        const links = await store.deleteMagicLinks(current.id);
        await store.audit({ actor: caller.actor, action: 'recipient.delete', target: current.id, details: { magic_links_deleted: links } });
        return undefined;
      },
    }),
    route<z.infer<typeof api.idParams>, Record<string, never>, z.infer<typeof magicLinkInput>>({
      method: 'POST',
      path: '/recipients/:id/magic-links',
      summary: "Create a magic link: a single-use URL where the recipient's customer sets up a destination itself",
      tag: 'magic links',
      params: api.idParams,
      body: magicLinkInput,
      success: { status: 201, schema: api.createdMagicLink },
      errors: [404],
      handle: async ({ params, body, caller }) => {
        const config = await combined();
        const recipient = recipientOf(config, params.id);
        if (!(body.product in config.products)) {
          throw new ApiError(
            422,
            `body product: no product "${body.product}" in ${config.file} (products: ${Object.keys(config.products).join(', ') || 'none'})`,
          );
        }
        const { id, token, hash } = newToken();
        const expiresAt = new Date(context.now().getTime() + body.expires_in_days * 86_400_000);
        await store.createMagicLink({
          id,
          recipientId: recipient.id,
          tenant: recipient.tenant,
          tokenHash: hash,
          destinationTypes: body.destination_types,
          product: body.product,
          schedule: body.schedule,
          createdBy: caller.actor,
          expiresAt,
        });
        await store.audit({
          actor: caller.actor,
          action: 'magic-link.create',
          target: id,
          details: { recipient: recipient.id, product: body.product, destination_types: body.destination_types, expires_at: expiresAt.toISOString() },
        });
        const created = await store.getMagicLink(id);
        return {
          ...magicLinkView(created as MagicLinkRecord, context.now()),
          url: `${context.publicUrl()}/connect/${encodeURIComponent(recipient.id)}/${token}`,
        };
      },
    }),
    route<z.infer<typeof api.idParams>>({
      method: 'GET',
      path: '/recipients/:id/magic-links',
      summary: "List a recipient's magic links (never their tokens)",
      tag: 'magic links',
      params: api.idParams,
      success: { status: 200, schema: z.array(api.magicLink) },
      errors: [404],
      handle: async ({ params }) => {
        const recipient = recipientOf(await combined(), params.id);
        return (await store.listMagicLinks(recipient.id)).map((link) => magicLinkView(link, context.now()));
      },
    }),
    route({
      method: 'GET',
      path: '/products',
      summary: 'List products (named sets of export models, kept in ferry.yaml)',
      tag: 'products',
      success: { status: 200, schema: z.array(api.product) },
      errors: [],
      handle: async () => Object.entries((await context.loadConfig()).products).map(([name, models]) => ({ name, models })),
    }),
    route({
      method: 'GET',
      path: '/destinations',
      summary: "List destinations: ferry.yaml's and the API's, with schedule, next run and last transfer",
      tag: 'destinations',
      success: { status: 200, schema: z.array(api.destination) },
      errors: [],
      handle: async () => {
        const config = await combined();
        const schedules = await scheduledDestinations(config.destinations, config.controlPlane.managed, state);
        return Promise.all(config.destinations.map((d) => destinationView(config, d, schedules)));
      },
    }),
    route<Record<string, never>, Record<string, never>, Record<string, unknown>>({
      method: 'POST',
      path: '/destinations',
      summary: 'Create a destination for a recipient (credentials are sealed in the state store and never returned)',
      tag: 'destinations',
      body: destinationInput as unknown as z.ZodType<Record<string, unknown>>,
      success: { status: 201, schema: api.destination },
      errors: [404, 409],
      handle: async ({ body, caller }) => {
        const config = await combined();
        const { id, recipient, schedule, ...entry } = body as { id: string; recipient: string; schedule: string } & Record<string, unknown>;
        if (config.destinations.some((d) => d.id === id)) throw new ApiError(409, `destination id "${id}" is taken`);
        await storeDestination(context, config, { id, recipientId: recipient, schedule, entry });
        await store.audit({
          actor: caller.actor,
          action: 'destination.create',
          target: id,
          details: auditFields(withPasswordOutOfUrl(entry), { recipient, schedule }),
        });
        const after = await combined();
        return destinationView(after, findDestination(after, id));
      },
    }),
    route<z.infer<typeof api.idParams>>({
      method: 'GET',
      path: '/destinations/:id',
      summary: 'Read a destination (never its credentials)',
      tag: 'destinations',
      params: api.idParams,
      success: { status: 200, schema: api.destination },
      errors: [404],
      handle: async ({ params }) => {
        const config = await combined();
        return destinationView(config, findDestination(config, params.id));
      },
    }),
    route<z.infer<typeof api.idParams>, Record<string, never>, z.infer<typeof api.destinationPatch>>({
      method: 'PATCH',
      path: '/destinations/:id',
      summary: "Change a destination's fields (its schedule, connection, credentials, models); id and type stay",
      tag: 'destinations',
      params: api.idParams,
      body: api.destinationPatch,
      success: { status: 200, schema: api.destination },
      errors: [403, 404, 409],
      handle: async ({ params, body, caller }) => {
        const config = await combined();
        const existing = await managedDestination(config, params.id);
        const { recipient, schedule, ...changes } = body as { recipient?: string; schedule?: string } & Record<string, unknown>;
        for (const fixed of ['id', 'type', 'tenant']) {
          if (fixed in changes) throw new ApiError(422, `${fixed}: a destination's ${fixed} cannot change: create a new destination`);
        }
        if (recipient !== undefined && recipient !== existing.recipientId) {
          throw new ApiError(
            422,
            "recipient: a destination's recipient cannot change (its tables hold that tenant's rows): create a new destination",
          );
        }
        // Credentials not given are kept, but only for the place they were given for: pointed elsewhere, a kept
        // password would be sent to whoever runs the new host.
        const ssh = changes.ssh === undefined ? existing.entry.ssh : keepCredentials(existing.entry.ssh, changes.ssh);
        // A url given with its password in it replaces the stored password (moved out of the url again when stored).
        const replaced = typeof changes.url === 'string' && urlHasPassword(changes.url);
        const given = (field: string) => field in changes || (field === 'password' && replaced);
        const moved = connectionMoved(existing.entry, { ...existing.entry, ...changes });
        const missing = moved ? SECRET_FIELDS.filter((field) => field in existing.entry && !given(field)) : [];
        if (missing.length > 0) {
          throw new ApiError(422, `${missing.join(', ')}: the connection now points elsewhere: give ${missing.length > 1 ? 'them' : 'it'} again`);
        }
        const base = Object.fromEntries(Object.entries(existing.entry).filter(([field]) => !(replaced && field === 'password')));
        const entry = { ...base, ...changes, ...(ssh === undefined ? {} : { ssh }) };
        const clear = await openCredentials(entry, existing.entry, context);
        await storeDestination(
          context,
          config,
          { id: params.id, recipientId: existing.recipientId, schedule: schedule ?? existing.schedule, entry: clear },
          existing,
        );
        await store.audit({
          actor: caller.actor,
          action: 'destination.update',
          target: params.id,
          details: auditFields(withPasswordOutOfUrl(changes), schedule ? { schedule } : {}),
        });
        const after = await combined();
        return destinationView(after, findDestination(after, params.id));
      },
    }),
    route<z.infer<typeof api.idParams>>({
      method: 'DELETE',
      path: '/destinations/:id',
      summary: "Delete a destination and its sealed credentials (the customer's tables stay as they are)",
      tag: 'destinations',
      params: api.idParams,
      success: { status: 204, schema: null },
      errors: [403, 404, 409],
      handle: async ({ params, caller }) => {
        const existing = await managedDestination(await combined(), params.id);
        if (context.runner.running.includes(params.id))
          throw new ApiError(409, `destination "${params.id}" is syncing: delete it when the transfer has finished`);
        await store.deleteDestination(params.id);
        await deleteCredentials(params.id, existing.entry, context.vault);
        await store.audit({ actor: caller.actor, action: 'destination.delete', target: params.id, details: {} });
        return undefined;
      },
    }),
    ...(['pause', 'resume'] as const).map((action) =>
      route<z.infer<typeof api.idParams>>({
        method: 'POST',
        path: `/destinations/:id/${action}`,
        summary: action === 'pause' ? 'Pause a destination: no scheduled or triggered transfer until resumed' : 'Resume a paused destination',
        tag: 'destinations',
        params: api.idParams,
        success: { status: 200, schema: api.destination },
        errors: [403, 404],
        handle: async ({ params, caller }) => {
          await managedDestination(await combined(), params.id);
          await store.setPaused(params.id, action === 'pause');
          await store.audit({ actor: caller.actor, action: `destination.${action}`, target: params.id, details: {} });
          const after = await combined();
          return destinationView(after, findDestination(after, params.id));
        },
      }),
    ),
    route<z.infer<typeof api.idParams>>({
      method: 'POST',
      path: '/destinations/:id/test',
      summary: 'Run the connection checks (reach, TLS, login, permissions), each with its fix',
      tag: 'destinations',
      params: api.idParams,
      success: { status: 200, schema: api.connectionTest },
      errors: [404],
      handle: async ({ params, caller }) => {
        findDestination(await combined(), params.id);
        const result = await context.testDestination(params.id);
        await store.audit({ actor: caller.actor, action: 'destination.test', target: params.id, details: { ok: result.ok } });
        return result;
      },
    }),
    route<z.infer<typeof api.idParams>>({
      method: 'POST',
      path: '/destinations/:id/transfers',
      summary: 'Sync a destination now; answers once the transfer has started',
      tag: 'transfers',
      params: api.idParams,
      success: { status: 202, schema: api.transferStarted },
      errors: [404, 409],
      handle: async ({ params, caller }) => {
        const config = await combined();
        findDestination(config, params.id);
        if (config.controlPlane.managed.get(params.id)?.pausedAt) throw new ApiError(409, `destination "${params.id}" is paused: resume it first`);
        const started = await context.runner.start(params.id);
        await store.audit({ actor: caller.actor, action: 'transfer.trigger', target: params.id, details: { transfer: started.transferId } });
        return { id: started.transferId, destination_id: params.id, status: 'running' as const };
      },
    }),
    route<Record<string, never>, z.infer<typeof transferQuery>>({
      method: 'GET',
      path: '/transfers',
      summary: 'List transfers, most recent first',
      tag: 'transfers',
      query: transferQuery,
      success: { status: 200, schema: z.array(api.transfer) },
      errors: [],
      handle: async ({ query }) => {
        const transfers = await state.recentTransfers({
          limit: query.limit,
          ...(query.destination ? { destinationId: query.destination } : {}),
          ...(query.status ? { status: query.status } : {}),
        });
        return Promise.all(transfers.map((t) => transferView(state, t)));
      },
    }),
    route<z.infer<typeof api.idParams>>({
      method: 'GET',
      path: '/transfers/:id',
      summary: 'Read a transfer: per model rows, bytes, duration, lag, schema changes, verification, errors',
      tag: 'transfers',
      params: api.idParams,
      success: { status: 200, schema: api.transfer },
      errors: [404],
      handle: async ({ params }) => {
        const found = await state.getTransfer(params.id);
        if (!found) throw new ApiError(404, `no transfer "${params.id}"`);
        return transferView(state, found);
      },
    }),
    route<Record<string, never>, { target?: string | undefined; limit: number }>({
      method: 'GET',
      path: '/audit',
      summary: 'The audit log: every change made through the API, most recent first (never a credential)',
      tag: 'audit',
      query: z.strictObject({ target: z.string().optional(), limit: api.listLimit }),
      success: { status: 200, schema: z.array(api.auditEntry) },
      errors: [],
      handle: async ({ query }) =>
        (await store.auditLog({ limit: query.limit, ...(query.target ? { target: query.target } : {}) })).map((e) => ({
          ...e,
          at: e.at.toISOString(),
        })),
    }),
  ];
}

export function magicLinkView(link: MagicLinkRecord, now: Date) {
  return {
    id: link.id,
    recipient: link.recipientId,
    product: link.product,
    schedule: link.schedule as (typeof SCHEDULES)[number],
    destination_types: linkTypes(link),
    status: link.usedAt ? ('used' as const) : link.expiresAt.getTime() <= now.getTime() ? ('expired' as const) : ('active' as const),
    created_at: link.createdAt.toISOString(),
    expires_at: link.expiresAt.toISOString(),
    used_at: link.usedAt?.toISOString() ?? null,
    destination_id: link.destinationId,
  };
}

function recipientView(recipient: RecipientRecord | { id: string; name: string; tenant: string }) {
  const stored = 'createdAt' in recipient;
  return {
    id: recipient.id,
    name: recipient.name,
    tenant: recipient.tenant,
    managed_by: stored ? ('api' as const) : ('ferry.yaml' as const),
    created_at: stored ? recipient.createdAt.toISOString() : null,
  };
}

function transferSummary(transfer: Transfer) {
  return {
    id: transfer.id,
    status: transfer.status,
    started_at: transfer.startedAt.toISOString(),
    finished_at: transfer.finishedAt?.toISOString() ?? null,
  };
}

async function transferView(state: StateStore, transfer: Transfer) {
  // A verification belongs to the transfer that ran it: recorded between its start and its end.
  const verifications =
    transfer.finishedAt === null
      ? []
      : (await state.latestVerifications({ destinationId: transfer.destinationId })).filter((v) => within(v, transfer));
  const sum = (field: 'rowsInserted' | 'rowsUpdated' | 'rowsDeleted' | 'bytes') => transfer.models.reduce((total, m) => total + m[field], 0);
  return {
    ...transferSummary(transfer),
    destination_id: transfer.destinationId,
    duration_ms: transfer.finishedAt ? transfer.finishedAt.getTime() - transfer.startedAt.getTime() : null,
    rows_inserted: sum('rowsInserted'),
    rows_updated: sum('rowsUpdated'),
    rows_deleted: sum('rowsDeleted'),
    bytes: sum('bytes'),
    error: transfer.error,
    warnings: [...transfer.warnings],
    models: transfer.models.map((m) => {
      const v = verifications.find((candidate) => candidate.model === m.model);
      return {
        model: m.model,
        action: m.action,
        rows_inserted: m.rowsInserted,
        rows_updated: m.rowsUpdated,
        rows_deleted: m.rowsDeleted,
        bytes: m.bytes,
        duration_ms: m.durationMs,
        lag_seconds: m.lagSeconds,
        schema_changes: [...m.schemaChanges],
        verification: v
          ? {
              result: v.result,
              source_rows: v.sourceRows,
              destination_rows: v.destinationRows,
              missing: v.missing,
              extra: v.extra,
              different: v.different,
              verified_at: v.verifiedAt.toISOString(),
            }
          : null,
        error: m.error,
      };
    }),
  };
}

function within(verification: Verification, transfer: Transfer): boolean {
  const at = verification.verifiedAt.getTime();
  return at >= transfer.startedAt.getTime() && at <= (transfer.finishedAt?.getTime() ?? Number.POSITIVE_INFINITY);
}

/** What the audit log keeps of a destination change: field names, and the values of fields that are not credentials. */
function auditFields(entry: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const credentials = credentialPaths(entry).map((path) => path.join('.'));
  const fields = Object.fromEntries(
    Object.entries(entry).filter(
      ([key]) => key !== 'ssh' && !(CREDENTIAL_FIELDS as readonly string[]).includes(key) && typeof entry[key] !== 'object',
    ),
  );
  return { ...extra, ...fields, ...(credentials.length > 0 ? { credentials_set: credentials } : {}) };
}

function urlHasPassword(url: string): boolean {
  return withPasswordOutOfUrl({ url }).password !== undefined;
}

/** The new ssh section, with the existing one's credentials kept where the new one gives none. */
function keepCredentials(existing: unknown, given: unknown): unknown {
  if (existing === undefined || given === null || typeof given !== 'object') return given;
  const old = existing as Record<string, unknown>;
  const next = given as Record<string, unknown>;
  // A new way to log in replaces the old one, and a bastion elsewhere gets none of the old one's.
  const givesLogin = ['private_key', 'private_key_file', 'password'].some((f) => f in next);
  const sameBastion = ['host', 'port', 'user', 'host_key'].every((f) => JSON.stringify(old[f]) === JSON.stringify(next[f] ?? old[f]));
  if (givesLogin || !sameBastion) return next;
  const kept = Object.fromEntries(CREDENTIAL_FIELDS.filter((f) => f in old).map((f) => [f, old[f]]));
  return { ...kept, ...next };
}

/**
 * Whether an entry's connection points elsewhere than before: any field that is not its identity,
 * a credential, its ssh section, its schema or a timeout (a url's host, port, user or database, a
 * Snowflake account or user ...).
 */
function connectionMoved(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>): boolean {
  const ignored = new Set([...IDENTITY_FIELDS, ...SECRET_FIELDS, 'ssh', 'schema', 'dataset', 'connect_timeout']);
  const fields = new Set([...Object.keys(before), ...Object.keys(after)].filter((field) => !ignored.has(field)));
  return [...fields].some((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
}

/** The entry with its kept `${secret:…}` references opened, so that it can be checked and sealed again as a whole. */
async function openCredentials(entry: Record<string, unknown>, stored: Readonly<Record<string, unknown>>, context: RouteContext) {
  const open = async (value: unknown) => {
    const match = typeof value === 'string' ? /^\$\{secret:([^}]+)\}$/.exec(value) : null;
    return match ? context.vault.get(match[1] as string) : value;
  };
  const result: Record<string, unknown> = { ...entry };
  for (const path of credentialPaths(stored)) {
    if (path.length === 1 && result[path[0] as string] === stored[path[0] as string])
      result[path[0] as string] = await open(result[path[0] as string]);
    if (path.length === 2 && result.ssh && typeof result.ssh === 'object') {
      const ssh = { ...(result.ssh as Record<string, unknown>) };
      const field = path[1] as string;
      if (ssh[field] === (stored.ssh as Record<string, unknown>)[field]) ssh[field] = await open(ssh[field]);
      result.ssh = ssh;
    }
  }
  return result;
}

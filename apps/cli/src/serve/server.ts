import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { StateStore } from '@ferry/state';
import type { SyncEvents } from '@ferry/sync';
import type { z } from 'zod';
import type { LoadedConfig } from '../config/load.ts';
import { apiKeyActor, authenticate } from '../control-plane/api-keys.ts';
import { withManagedDestinations, type CombinedConfig, type CredentialVault } from '../control-plane/managed-destinations.ts';
import { redactSecrets } from '../output/redact.ts';
import type { connectionTest } from './api-schemas.ts';
import { ServerMetrics } from './metrics.ts';
import { openApiDocument } from './openapi.ts';
import { ApiError, type Caller, type Route } from './route.ts';
import { vendorRoutes } from './routes.ts';
import { TransferRunner } from './transfers.ts';
import type { CheckResult } from '@ferry/connections';
import type { DestinationConfigEntry } from '../config/schema.ts';
import { loadAssets } from './pages/assets.ts';
import { registerConnectPages } from './pages/connect.ts';
import { registerConsolePages } from './pages/console.ts';
import { RateLimiter } from './web-security.ts';

export interface ServerOptions {
  readonly configFile: string;
  readonly state: StateStore;
  readonly env: NodeJS.ProcessEnv;
  readonly version: string;
  loadConfig(): Promise<LoadedConfig>;
  readonly vault: CredentialVault;
  testDestination(id: string): Promise<z.infer<typeof connectionTest>>;
  /** The connection checks on an entry not saved yet (a magic-link form's "Test connection"). */
  checkEntry(entry: DestinationConfigEntry): Promise<CheckResult[]>;
  /** Where customers reach this server: magic links start with it (known once it listens). */
  publicUrl(): string;
  /** The vendor, as the customer's pages name it. */
  readonly vendorName: string;
  /** Whether magic-link customers may point Ferry at loopback or private addresses. */
  readonly allowPrivateAddresses: boolean;
  /** Whether a proxy in front sets X-Forwarded-For and -Proto (the rate limit then counts the client, not the proxy). */
  readonly trustProxy: boolean;
  /** Whether /metrics answers without an API key. */
  readonly publicMetrics: boolean;
  /** Requests a minute one client may make to the token-guarded pages (magic links, status, console sign-in). */
  readonly pageRateLimit: number;
  readonly now: () => Date;
  /** Where the sync engine's progress goes (the CLI's reporter). */
  readonly events: SyncEvents;
  /** One JSON line per request: method, route pattern (never a URL with its values), status, time. */
  log(line: Record<string, unknown>): void;
}

export interface FerryServer {
  readonly app: FastifyInstance;
  /** ferry.yaml with the stored recipients and destinations, unusable ones logged and left out. */
  loadCombined(): Promise<CombinedConfig>;
  readonly runner: TransferRunner;
  readonly metrics: ServerMetrics;
}

/**
 * The control plane's HTTP server: the vendor API under /api/v1, its OpenAPI document, health
 * and metrics, the customers' magic-link and status pages, and the vendor's console.
 */
export function buildServer(options: ServerOptions): FerryServer {
  const { state } = options;
  const metrics = new ServerMetrics(state);
  const runner = new TransferRunner({ configFile: options.configFile, state, env: options.env, metrics, events: options.events });
  // Bodies are parsed here and validated by zod; Fastify's own logger is off (requests are logged by route pattern below).
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024, trustProxy: options.trustProxy });
  // Each problem with a stored destination is logged once, not at every request.
  const logged = new Set<string>();
  const loadCombined = async () =>
    withManagedDestinations(await options.loadConfig(), state, undefined, {
      onInvalid: (problem) => {
        if (!logged.has(problem)) options.log({ msg: 'unusable stored destination or recipient, left out', problem });
        logged.add(problem);
      },
    });
  const routes = vendorRoutes({
    state,
    loadConfig: options.loadConfig,
    loadCombined,
    vault: options.vault,
    runner,
    testDestination: options.testDestination,
    publicUrl: options.publicUrl,
    now: options.now,
  });
  // The pages' forms: a flat urlencoded body, one value per field.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.addHook('onResponse', async (request, reply) => {
    options.log({
      msg: 'request',
      method: request.method,
      route: request.routeOptions.url ?? 'unknown',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    });
  });
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ApiError) return sendError(reply, error.status, redactSecrets(error.message));
    const status = (error as { statusCode?: number }).statusCode;
    // Fastify's own refusals: a body that is not JSON, one too large, an unsupported media type.
    if (status !== undefined && status >= 400 && status < 500)
      return sendError(reply, status === 400 ? 422 : status, redactSecrets((error as Error).message));
    options.log({ msg: 'error', route: request.routeOptions.url ?? 'unknown', error: redactSecrets((error as Error).message) });
    // The API's callers are the vendor's own; a page's visitor is told nothing about the vendor's setup.
    const forVendor = request.url.startsWith('/api/');
    return sendError(
      reply,
      500,
      forVendor ? `the server failed: ${redactSecrets((error as Error).message)}` : 'the server failed: the vendor has been told',
    );
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, 404, `no endpoint ${request.method} ${request.url.split('?')[0]}: see /openapi.json`));

  const document = openApiDocument(
    routes.map((r) => ({ ...r, path: `/api/v1${r.path}` })),
    options.version,
  );
  app.get('/openapi.json', async () => document);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await state.controlPlane.listApiKeys();
      return { status: 'ready' };
    } catch (error) {
      return sendError(reply, 503, `the state store cannot be reached: ${redactSecrets((error as Error).message)}`);
    }
  });
  app.get('/metrics', async (request, reply) => {
    // Its labels name every destination (customer names, often): an API key reads them unless told otherwise.
    if (!options.publicMetrics) await callerOf(request, state);
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  const assets = loadAssets();
  for (const [path, asset] of assets) {
    app.get(path, async (_request, reply) => reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body));
  }
  const limiter = new RateLimiter(options.pageRateLimit);
  registerConnectPages(app, {
    state,
    vault: options.vault,
    loadCombined,
    checkEntry: options.checkEntry,
    now: options.now,
    limiter,
    vendorName: options.vendorName,
    allowPrivateAddresses: options.allowPrivateAddresses,
  });
  registerConsolePages(app, { state, routes, limiter });
  for (const definition of routes) app.route({ method: definition.method, url: `/api/v1${definition.path}`, handler: handlerOf(definition, state) });
  return { app, runner, metrics, loadCombined };
}

function handlerOf(definition: Route, state: StateStore) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = await callerOf(request, state);
    const input = {
      params: parse(definition.params, request.params, 'path'),
      query: parse(definition.query, request.query, 'query'),
      body: parse(definition.body, request.body, 'body'),
      caller,
    };
    const result = await definition.handle(input);
    reply.code(definition.success.status);
    if (definition.success.schema === null) return reply.send();
    // Parsed on the way out too: only the fields the schema names are sent, whatever the handler returned.
    return reply.send(definition.success.schema.parse(result));
  };
}

async function callerOf(request: FastifyRequest, state: StateStore): Promise<Caller> {
  const header = request.headers.authorization;
  const key = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
  if (!key) throw new ApiError(401, 'no API key: send `Authorization: Bearer <key>` with a key from `ferry api-keys create`');
  const record = await authenticate(state.controlPlane, key);
  if (!record) throw new ApiError(401, 'the API key is unknown or revoked: create one with `ferry api-keys create`');
  return { key: record, actor: apiKeyActor(record) };
}

function parse(schema: z.ZodType | undefined, value: unknown, where: 'path' | 'query' | 'body'): unknown {
  if (schema === undefined) return where === 'body' ? undefined : {};
  const parsed = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    // Never the value: a credential may be what failed.
    return `${where}${path ? ` ${path}` : ''}: ${issue.message}`;
  });
  throw new ApiError(422, problems.join('; '));
}

function sendError(reply: FastifyReply, status: number, message: string) {
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(status).send({ error: { status, message } });
}

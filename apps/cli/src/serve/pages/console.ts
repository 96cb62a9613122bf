import { createHmac, randomBytes } from 'node:crypto';
import type { StateStore } from '@ferry/state';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { apiKeyActor, authenticate } from '../../control-plane/api-keys.ts';
import type * as api from '../api-schemas.ts';
import { ApiError, type Caller, type Route } from '../route.ts';
import { cookies, csrfValid, equalSecrets, formOf, issueCsrfToken, securePage, setCookie, type RateLimiter } from '../web-security.ts';
import { html, page, when, type Html } from './html.ts';

type Destination = z.infer<typeof api.destination>;
type Transfer = z.infer<typeof api.transfer>;
type MagicLink = z.infer<typeof api.magicLink>;
type Recipient = z.infer<typeof api.recipient>;

const SESSION_COOKIE = 'ferry_session';
const SESSION_SECONDS = 8 * 3600;

export interface ConsoleContext {
  readonly state: StateStore;
  /** The vendor API's routes: the console shows what they return, so the two never disagree. */
  readonly routes: readonly Route[];
  readonly limiter: RateLimiter;
}

/**
 * The vendor's console: sign in with an API key; destinations with last status, lag and next run;
 * a destination's transfers with charts of rows moved and duration; a transfer's detail; a
 * recipient's magic links. Sessions are signed with a key made at start: restarting the server
 * signs everyone out.
 */
export function registerConsolePages(app: FastifyInstance, context: ConsoleContext): void {
  const sessionKey = randomBytes(32);
  const sign = (value: string) => createHmac('sha256', sessionKey).update(value).digest('base64url');

  /** The caller a session cookie stands for: its API key must still be valid. */
  const callerOf = async (request: FastifyRequest): Promise<Caller | undefined> => {
    const session = cookies(request).get(SESSION_COOKIE);
    const [keyId, expires, signature] = session?.split('.') ?? [];
    if (!keyId || !expires || !signature) return undefined;
    if (!equalSecrets(sign(`${keyId}.${expires}`), signature)) return undefined;
    if (Number(expires) < Date.now() / 1000) return undefined;
    const key = await context.state.controlPlane.getApiKey(keyId);
    if (!key || key.revokedAt !== null) return undefined;
    return { key, actor: apiKeyActor(key) };
  };
  const call = async <T>(
    caller: Caller,
    method: Route['method'],
    path: string,
    params: Record<string, string> = {},
    query: Record<string, unknown> = {},
  ) => {
    const definition = context.routes.find((r) => r.method === method && r.path === path);
    if (!definition) throw new Error(`the console asked for ${method} ${path}, which the API does not have`);
    const input = { params: definition.params?.parse(params) ?? {}, query: definition.query?.parse(query) ?? {}, body: undefined, caller };
    return definition.success.schema?.parse(await definition.handle(input)) as T;
  };
  const guarded = <P>(render: (caller: Caller, params: P) => Promise<string>) => {
    return async (request: FastifyRequest<{ Params: P }>, reply: FastifyReply) => {
      const caller = await callerOf(request);
      if (!caller) return reply.code(303).header('location', '/console/login').send();
      try {
        return securePage(reply).send(await render(caller, request.params as P));
      } catch (error) {
        if (error instanceof ApiError && error.status === 404)
          return securePage(reply)
            .code(404)
            .send(consolePage('Not found', html`<p>${error.message}</p>`));
        throw error;
      }
    };
  };

  app.get('/console/login', async (request, reply) => {
    const csrf = issueCsrfToken(request, reply, '/console');
    return securePage(reply).send(loginPage(csrf));
  });
  app.post('/console/login', async (request, reply) => {
    const form = formOf(request);
    if (!context.limiter.allow(request.ip))
      return securePage(reply)
        .code(429)
        .header('retry-after', '60')
        .send(loginPage(form._csrf ?? '', 'Too many attempts: wait a minute.'));
    if (!csrfValid(request, form))
      return securePage(reply)
        .code(403)
        .send(loginPage(issueCsrfToken(request, reply, '/console'), 'The form expired: sign in again.'));
    const key = await authenticate(context.state.controlPlane, (form.api_key ?? '').trim());
    if (!key)
      return securePage(reply)
        .code(401)
        .send(loginPage(form._csrf ?? '', 'That API key is unknown or revoked.'));
    const expires = Math.floor(Date.now() / 1000) + SESSION_SECONDS;
    setCookie(reply, SESSION_COOKIE, `${key.id}.${expires}.${sign(`${key.id}.${expires}`)}`, { path: '/console', maxAgeSeconds: SESSION_SECONDS });
    await context.state.controlPlane.audit({ actor: apiKeyActor(key), action: 'console.sign-in', target: key.id, details: {} });
    return reply.code(303).header('location', '/console').send();
  });
  app.post('/console/logout', async (_request, reply) => {
    setCookie(reply, SESSION_COOKIE, '', { path: '/console', maxAgeSeconds: 0 });
    return reply.code(303).header('location', '/console/login').send();
  });

  app.get(
    '/console',
    guarded(async (caller) => destinationsPage(await call<Destination[]>(caller, 'GET', '/destinations'))),
  );
  app.get<{ Params: { id: string } }>(
    '/console/destinations/:id',
    guarded(async (caller, { id }) => {
      const destination = await call<Destination>(caller, 'GET', '/destinations/:id', { id });
      const transfers = await call<Transfer[]>(caller, 'GET', '/transfers', {}, { destination: id, limit: 100 });
      return destinationPage(destination, transfers);
    }),
  );
  app.get<{ Params: { id: string } }>(
    '/console/transfers/:id',
    guarded(async (caller, { id }) => transferPage(await call<Transfer>(caller, 'GET', '/transfers/:id', { id }))),
  );
  app.get<{ Params: { id: string } }>(
    '/console/recipients/:id',
    guarded(async (caller, { id }) => {
      const recipient = await call<Recipient>(caller, 'GET', '/recipients/:id', { id });
      const links = await call<MagicLink[]>(caller, 'GET', '/recipients/:id/magic-links', { id });
      const destinations = (await call<Destination[]>(caller, 'GET', '/destinations')).filter((d) => d.recipient === id);
      return recipientPage(recipient, links, destinations);
    }),
  );
}

function consolePage(title: string, body: Html, charts = false): string {
  return page(
    title,
    html`<nav class="crumbs"><a href="/console">Destinations</a> <form method="post" action="/console/logout" class="inline"><button class="secondary" type="submit">Sign out</button></form></nav>${body}`,
    charts ? { scripts: ['/assets/uplot.js', '/assets/console.js'], styles: ['/assets/uplot.css'] } : {},
  );
}

function loginPage(csrf: string, problem?: string): string {
  return page(
    'Sign in',
    html`<div class="card"><h1>Ferry console</h1><p class="lead">Sign in with an API key (<code>ferry api-keys create &lt;name&gt;</code>).</p>
${problem ? html`<p class="status failed" id="problem">${problem}</p>` : ''}
<form method="post" action="/console/login"><input type="hidden" name="_csrf" value="${csrf}">
<label for="api_key">API key</label><input id="api_key" name="api_key" type="password" autocomplete="off" required>
<div class="actions"><button type="submit" id="sign-in">Sign in</button></div></form></div>`,
  );
}

/** A lag as people say it: 45 s, 12 min, 5 h, 3 days. */
function duration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

const status = (value: string | null | undefined) => (value ? html`<span class="status ${value}">${value}</span>` : '—');
const ago = (iso: string | null) => (iso ? when(new Date(iso)) : '—');

function destinationsPage(destinations: readonly Destination[]): string {
  return consolePage(
    'Destinations',
    html`<h1>Destinations</h1>
<table id="destinations"><thead><tr><th>Destination</th><th>Recipient</th><th>Type</th><th>Kept in</th><th>Last transfer</th><th>Schedule</th><th>Next run</th></tr></thead><tbody>
${destinations.map(
  (d) => html`<tr><td><a href="/console/destinations/${encodeURIComponent(d.id)}">${d.id}</a></td>
<td>${d.recipient ? html`<a href="/console/recipients/${encodeURIComponent(d.recipient)}">${d.recipient}</a>` : d.tenant}</td>
<td>${d.type}</td><td>${d.managed_by}</td><td>${status(d.last_transfer?.status)} ${ago(d.last_transfer?.started_at ?? null)}</td>
<td>${d.schedule}${d.paused_at ? html` <span class="status paused">paused</span>` : ''}</td><td>${ago(d.next_run_at)}</td></tr>`,
)}
</tbody></table>`,
  );
}

function destinationPage(destination: Destination, transfers: readonly Transfer[]): string {
  const lag = transfers
    .find((t) => t.status === 'succeeded')
    ?.models.reduce<number | null>((max, m) => (m.lag_seconds === null ? max : Math.max(max ?? 0, m.lag_seconds)), null);
  // Oldest first, as the charts' time axis runs.
  const finished = transfers.filter((t) => t.finished_at !== null).reverse();
  const x = finished.map((t) => Math.floor(new Date(t.started_at).getTime() / 1000));
  const rows = {
    title: 'Rows moved per transfer',
    unit: 'rows',
    series: ['inserted', 'updated', 'deleted'],
    data: [x, finished.map((t) => t.rows_inserted), finished.map((t) => t.rows_updated), finished.map((t) => t.rows_deleted)],
  };
  const durationChart = {
    title: 'Transfer duration',
    unit: 'seconds',
    series: ['duration'],
    data: [x, finished.map((t) => (t.duration_ms ?? 0) / 1000)],
  };
  return consolePage(
    destination.id,
    html`<h1>${destination.id}</h1>
<p class="lead">${destination.type} for ${destination.recipient ?? destination.tenant} · product ${destination.product ?? destination.models.join(', ')} · every ${destination.schedule}${destination.paused_at ? ' · paused' : ''} · kept in ${destination.managed_by}</p>
<div class="card"><p>Last transfer: ${status(destination.last_transfer?.status)} ${ago(destination.last_transfer?.started_at ?? null)} · lag ${lag === null || lag === undefined ? '—' : duration(lag)} · next run ${ago(destination.next_run_at)}</p></div>
<div class="columns"><div class="card chart" id="rows-chart" data-chart="${JSON.stringify(rows)}"></div><div class="card chart" id="duration-chart" data-chart="${JSON.stringify(durationChart)}"></div></div>
<h2>Transfers</h2>
${transfersTable(transfers)}`,
    true,
  );
}

function transfersTable(transfers: readonly Transfer[]): Html {
  return html`<table id="transfers"><thead><tr><th>Started</th><th>Status</th><th>Inserted</th><th>Updated</th><th>Deleted</th><th>Duration</th><th>Error</th></tr></thead><tbody>
${transfers.map(
  (t) => html`<tr><td><a href="/console/transfers/${t.id}">${ago(t.started_at)}</a></td><td>${status(t.status)}</td>
<td class="num">${t.rows_inserted}</td><td class="num">${t.rows_updated}</td><td class="num">${t.rows_deleted}</td>
<td class="num">${t.duration_ms === null ? '—' : `${(t.duration_ms / 1000).toFixed(1)} s`}</td><td>${t.error ?? ''}</td></tr>`,
)}</tbody></table>`;
}

function transferPage(transfer: Transfer): string {
  return consolePage(
    `Transfer ${transfer.id}`,
    html`<h1>Transfer of <a href="/console/destinations/${encodeURIComponent(transfer.destination_id)}">${transfer.destination_id}</a></h1>
<p class="lead">${status(transfer.status)} · started ${ago(transfer.started_at)} · ${transfer.duration_ms === null ? 'running' : `${(transfer.duration_ms / 1000).toFixed(1)} s`} · ${transfer.bytes} bytes</p>
${transfer.error ? html`<div class="card notice bad"><p>${transfer.error}</p></div>` : ''}
${transfer.warnings.map((w) => html`<div class="card notice"><p>${w}</p></div>`)}
<table id="models"><thead><tr><th>Model</th><th>Action</th><th>Inserted</th><th>Updated</th><th>Deleted</th><th>Duration</th><th>Lag</th><th>Schema changes</th><th>Verification</th><th>Error</th></tr></thead><tbody>
${transfer.models.map(
  (
    m,
  ) => html`<tr><td>${m.model}</td><td>${m.action}</td><td class="num">${m.rows_inserted}</td><td class="num">${m.rows_updated}</td><td class="num">${m.rows_deleted}</td>
<td class="num">${m.duration_ms} ms</td><td class="num">${m.lag_seconds === null ? '—' : duration(m.lag_seconds)}</td><td>${m.schema_changes.join('; ')}</td>
<td>${m.verification ? status(m.verification.result) : '—'}</td><td>${m.error ?? ''}</td></tr>`,
)}</tbody></table>`,
  );
}

function recipientPage(recipient: Recipient, links: readonly MagicLink[], destinations: readonly Destination[]): string {
  return consolePage(
    recipient.name,
    html`<h1>${recipient.name}</h1><p class="lead">Recipient ${recipient.id} · tenant ${recipient.tenant} · kept in ${recipient.managed_by}</p>
<h2>Destinations</h2><ul>${destinations.map((d) => html`<li><a href="/console/destinations/${encodeURIComponent(d.id)}">${d.id}</a> (${d.type}) ${status(d.last_transfer?.status)}</li>`)}</ul>
<h2>Magic links</h2>
<table id="magic-links"><thead><tr><th>Link</th><th>Status</th><th>Product</th><th>Types</th><th>Created</th><th>Expires</th><th>Used</th><th>Destination</th></tr></thead><tbody>
${links.map(
  (
    l,
  ) => html`<tr><td>${l.id}</td><td>${status(l.status)}</td><td>${l.product}</td><td>${l.destination_types.join(', ')}</td><td>${ago(l.created_at)}</td><td>${ago(l.expires_at)}</td><td>${ago(l.used_at)}</td>
<td>${l.destination_id ? html`<a href="/console/destinations/${encodeURIComponent(l.destination_id)}">${l.destination_id}</a>` : '—'}</td></tr>`,
)}</tbody></table>`,
  );
}

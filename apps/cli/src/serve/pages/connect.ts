import type { CheckResult } from '@ferry/connections';
import { setupSql, type DestinationType } from '@ferry/destinations';
import type { MagicLinkRecord, StateStore, Transfer } from '@ferry/state';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DestinationConfigEntry } from '../../config/schema.ts';
import type { CombinedConfig, CredentialVault } from '../../control-plane/managed-destinations.ts';
import { LINKABLE_TYPES, linkTypes, openMagicLink, openStatusToken, type LinkRefusal } from '../../control-plane/magic-links.ts';
import { privateAddressProblem } from '../../control-plane/entry-safety.ts';
import { randomSecret, sha256Hex } from '../../control-plane/tokens.ts';
import { redactSecrets } from '../../output/redact.ts';
import { checkDraft, storeDestination } from '../destination-store.ts';
import { ApiError } from '../route.ts';
import { csrfValid, formOf, issueCsrfToken, securePage, type RateLimiter } from '../web-security.ts';
import { connectionFields, entryFromForm, inputs, sshFields } from './form-fields.ts';
import { html, page, when, type Html } from './html.ts';

export interface ConnectContext {
  readonly state: StateStore;
  readonly vault: CredentialVault;
  /** ferry.yaml with the stored recipients and destinations (see RouteContext). */
  loadCombined(): Promise<CombinedConfig>;
  /** The connection checks of `ferry destinations test`, on an entry not saved yet. */
  checkEntry(entry: DestinationConfigEntry): Promise<CheckResult[]>;
  readonly now: () => Date;
  readonly limiter: RateLimiter;
  /** Who the customer deals with, as the pages name them. */
  readonly vendorName: string;
  /** Whether a customer may point Ferry at loopback or private addresses (`--allow-private-addresses`). */
  readonly allowPrivateAddresses: boolean;
}

const REFUSALS: Record<LinkRefusal, { status: number; title: string; text: string }> = {
  invalid: {
    status: 404,
    title: 'This link is not valid',
    text: 'Check that you opened the whole link from the message you received, or ask for a new one.',
  },
  expired: { status: 410, title: 'This link has expired', text: 'Links work for a limited time. Ask for a new one.' },
  used: {
    status: 410,
    title: 'This link has been used',
    text: 'A link sets up one destination, once. Use the status page you were shown, or ask for a new link.',
  },
};

/**
 * The customer's pages: the magic-link form (choose a warehouse, connection and SSH bastion
 * fields beside the setup SQL, test, save) and the status page of the destination it saved.
 */
export function registerConnectPages(app: FastifyInstance, context: ConnectContext): void {
  const store = context.state.controlPlane;
  const limited = (request: FastifyRequest, reply: FastifyReply): boolean => {
    if (context.limiter.allow(request.ip)) return false;
    securePage(reply).code(429).header('retry-after', '60').send(message('Too many attempts', 'Wait a minute, then open the link again.'));
    return true;
  };
  const refuse = (reply: FastifyReply, refusal: LinkRefusal) => {
    const { status, title, text } = REFUSALS[refusal];
    return securePage(reply).code(status).send(message(title, text));
  };

  app.get<{ Params: { recipient: string; token: string }; Querystring: { type?: string } }>('/connect/:recipient/:token', async (request, reply) => {
    if (limited(request, reply)) return reply;
    const config = await context.loadCombined();
    const recipient = config.controlPlane.recipients.find((r) => r.id === request.params.recipient);
    const opened = await openMagicLink(store, recipient, request.params.token, context.now());
    if ('refused' in opened) return refuse(reply, opened.refused);
    const types = linkTypes(opened.link);
    const type = types.find((t) => t === request.query.type) ?? (types[0] as DestinationType);
    const csrf = issueCsrfToken(request, reply, '/connect');
    return securePage(reply).send(await formPage(context, opened.link, type, csrf, { type }, {}));
  });

  app.post<{ Params: { recipient: string; token: string } }>('/connect/:recipient/:token', async (request, reply) => {
    if (limited(request, reply)) return reply;
    const form = formOf(request);
    if (!csrfValid(request, form)) {
      return securePage(reply)
        .code(403)
        .send(message('This form has expired', 'Open the link again and fill in the form there (your browser must accept cookies from this site).'));
    }
    const config = await context.loadCombined();
    const recipient = config.controlPlane.recipients.find((r) => r.id === request.params.recipient);
    const opened = await openMagicLink(store, recipient, request.params.token, context.now());
    if ('refused' in opened) return refuse(reply, opened.refused);
    const { link } = opened;
    const types = linkTypes(link);
    const type = types.find((t) => t === form.type);
    if (!type) return refuse(reply, 'invalid');
    const csrf = form._csrf as string;
    const draft = {
      id: destinationIdFor(
        config.destinations.map((d) => d.id),
        link.recipientId,
        type,
      ),
      recipientId: link.recipientId,
      schedule: link.schedule,
      entry: { ...entryFromForm(type, form), product: link.product },
    };
    let entry: DestinationConfigEntry;
    try {
      entry = checkDraft(config, draft);
    } catch (error) {
      return securePage(reply)
        .code(422)
        .send(await formPage(context, link, type, csrf, form, { problems: customerProblems(error as Error) }));
    }
    // Before Ferry connects anywhere: a link's author must not make it probe the vendor's own network.
    const privateAddress = context.allowPrivateAddresses ? undefined : await privateAddressProblem(type, entry as unknown as Record<string, unknown>);
    if (privateAddress) {
      return securePage(reply)
        .code(422)
        .send(await formPage(context, link, type, csrf, form, { problems: [privateAddress] }));
    }
    const saving = form.action === 'save';
    // A save claims the link before its checks: of two saves racing (a double click), one goes on and the
    // other is told the link was used, rather than both probing the warehouse at once and tripping each other.
    const statusToken = `${link.id}.${randomSecret()}`;
    if (saving && !(await store.consumeMagicLink(link.id, draft.id, sha256Hex(statusToken)))) return refuse(reply, 'used');
    let stored = false;
    try {
      const checks = await context.checkEntry(entry);
      const failed = checks.some((c) => c.status === 'fail');
      if (!saving || failed) {
        const notice = saving ? { problems: ['Not saved: a check failed. Fix what it says, then save again.'] } : {};
        return securePage(reply)
          .code(failed ? 422 : 200)
          .send(await formPage(context, link, type, csrf, form, { ...notice, checks }));
      }
      try {
        await storeDestination(context, config, draft);
        stored = true;
      } catch (error) {
        return securePage(reply)
          .code(409)
          .send(await formPage(context, link, type, csrf, form, { problems: customerProblems(error as Error) }));
      }
    } finally {
      // Nothing stored (a check failed, the place was taken, an error): the link works again.
      if (saving && !stored) await store.releaseMagicLink(link.id);
    }
    const actor = `magic-link:${link.id}`;
    await store.audit({ actor, action: 'magic-link.use', target: link.id, details: { recipient: link.recipientId, destination: draft.id } });
    await store.audit({
      actor,
      action: 'destination.create',
      target: draft.id,
      details: { recipient: link.recipientId, type, schedule: link.schedule, product: link.product },
    });
    // Never run yet, it is due at once: the scheduler starts its first transfer at its next tick.
    return reply
      .code(303)
      .header('location', `/status/${encodeURIComponent(draft.id)}/${statusToken}`)
      .send();
  });

  app.get<{ Params: { destination: string; token: string } }>('/status/:destination/:token', async (request, reply) => {
    if (limited(request, reply)) return reply;
    const link = await openStatusToken(store, request.params.destination, request.params.token);
    if (!link) return refuse(reply, 'invalid');
    const destination = await store.getDestination(request.params.destination);
    // The id may have been deleted and given to another recipient's destination since.
    if (!destination || destination.recipientId !== link.recipientId)
      return securePage(reply)
        .code(404)
        .send(message('This destination was removed', `Ask ${context.vendorName} about it.`));
    const transfers = await context.state.recentTransfers({ destinationId: destination.id, limit: 20 });
    return securePage(reply).send(statusPage(destination.id, String(destination.entry.type), destination.schedule, destination.pausedAt, transfers));
  });
}

/** Ids of this shape: `<recipient>-<type>`, then -2, -3 … when taken. */
function destinationIdFor(taken: readonly string[], recipient: string, type: string): string {
  const base = `${recipient}-${type}`.slice(0, 56);
  for (let n = 1; ; n += 1) {
    const id = n === 1 ? base : `${base}-${n}`;
    if (!taken.includes(id)) return id;
  }
}

/**
 * What the customer is told about a refused entry: the field problems as they are, but a clash of
 * place without the other destination's name (it may be another customer's).
 */
function customerProblems(error: Error): string[] {
  if (error instanceof ApiError && error.status === 409) {
    return ['Another destination already writes to this schema of this warehouse: choose another schema.'];
  }
  return redactSecrets(error.message).split('; ');
}

function message(title: string, text: string): string {
  return page(title, html`<div class="card notice bad"><h1>${title}</h1><p>${text}</p></div>`);
}

async function formPage(
  context: ConnectContext,
  link: MagicLinkRecord,
  type: DestinationType,
  csrf: string,
  values: Record<string, string>,
  outcome: { problems?: readonly string[]; checks?: readonly CheckResult[] },
): Promise<string> {
  const types = linkTypes(link);
  const recipient = (await context.loadCombined()).controlPlane.recipients.find((r) => r.id === link.recipientId);
  const sql = setupSqlFor(type, values);
  const checks = outcome.checks;
  const body = html`
<h1>Connect your warehouse</h1>
<p class="lead">${context.vendorName} will deliver ${recipient?.name ?? link.recipientId}'s data (product <strong>${link.product}</strong>) into your warehouse, every ${link.schedule === 'manual' ? 'time it is asked to' : link.schedule}. This link works until ${when(link.expiresAt)}, once.</p>
${outcome.problems && outcome.problems.length > 0 ? html`<div class="card notice bad" id="problems"><h2>Please fix</h2><ul>${outcome.problems.map((p) => html`<li>${p}</li>`)}</ul></div>` : ''}
${checks ? checkList(checks) : ''}
<div class="columns">
<div class="card">
<form method="get" class="type-choice">
<label for="type">Warehouse</label>
<select id="type" name="type">${types.map((t) => html`<option value="${t}"${t === type ? html` selected` : ''}>${t}</option>`)}</select>
<div class="actions"><button type="submit" class="secondary">Choose</button></div>
</form>
<form method="post" id="connect-form">
<input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="type" value="${type}">
${inputs(connectionFields(type), '', values)}
${
  sshFields().length > 0 && LINKABLE_TYPES.includes(type)
    ? html`<fieldset><legend>SSH bastion (optional)</legend>
<p class="lead">If your warehouse is reachable only through a bastion host, fill this in. Pin the bastion's host key: run <code>ssh-keyscan -p &lt;port&gt; &lt;host&gt; | ssh-keygen -lf -</code> from a network you trust and paste the SHA256 fingerprint.</p>
${inputs(
  // The section is optional as a whole: the browser must not demand its fields.
  sshFields().map((field) => ({ ...field, required: false })),
  'ssh_',
  values,
)}</fieldset>`
    : ''
}
<div class="actions">
<button type="submit" name="action" value="test" class="secondary" id="test-connection">Test connection</button>
<button type="submit" name="action" value="save" id="save">Save</button>
</div>
</form>
</div>
<div class="card">
<h2>Run this in your warehouse first</h2>
<p class="lead">It creates a login for ${context.vendorName} with access to its own schema only. Replace the password placeholder.</p>
<pre id="setup-sql">${sql}</pre>
</div>
</div>`;
  return page('Connect your warehouse', body);
}

/**
 * `ferry destinations setup-sql` for what the form holds so far: the schema and database typed
 * (the database of a url), else placeholders the administrator replaces.
 */
function setupSqlFor(type: DestinationType, values: Record<string, string>): string {
  let database = values.database?.trim();
  try {
    database ||= decodeURIComponent(new URL(values.url ?? '').pathname.slice(1));
  } catch {
    // No url typed yet.
  }
  try {
    return setupSql(type, { user: 'ferry', schema: values.schema?.trim() || 'ferry', database: database || 'your_database' });
  } catch (error) {
    return `-- Fill in the form to see the SQL for your warehouse (${(error as Error).message}).`;
  }
}

function checkList(checks: readonly CheckResult[]): Html {
  const ok = checks.every((c) => c.status !== 'fail');
  return html`<div class="card notice ${ok ? 'ok' : 'bad'}" id="checks"><h2>${ok ? 'Connection works' : 'Connection test failed'}</h2>
<ul class="checks">${checks.map((c) => html`<li><span class="status ${c.status}">${c.status}</span> ${c.name}: ${redactSecrets(c.detail)}</li>`)}</ul></div>`;
}

function statusPage(id: string, type: string, schedule: string, pausedAt: Date | null, transfers: readonly Transfer[]): string {
  const rows = transfers.map((t) => {
    const sum = (f: 'rowsInserted' | 'rowsUpdated' | 'rowsDeleted') => t.models.reduce((n, m) => n + m[f], 0);
    return html`<tr class="transfer"><td>${when(t.startedAt)}</td><td><span class="status ${t.status}">${t.status}</span></td>
<td class="num">${sum('rowsInserted')}</td><td class="num">${sum('rowsUpdated')}</td><td class="num">${sum('rowsDeleted')}</td>
<td>${t.error ? redactSecrets(t.error) : ''}</td></tr>`;
  });
  return page(
    'Your destination',
    html`<h1>Your destination</h1>
<p class="lead">Destination <strong>${id}</strong> (${type}), synced ${schedule === 'manual' ? 'on request' : `every ${schedule}`}${pausedAt ? html`, <span class="status paused">paused</span>` : ''}. This page refreshes by itself; bookmark it.</p>
<div class="card"><h2>Transfers</h2>
${
  transfers.length === 0
    ? html`<p id="no-transfers">The first transfer starts within a minute.</p>`
    : html`<table id="transfers"><thead><tr><th>Started</th><th>Status</th><th>Inserted</th><th>Updated</th><th>Deleted</th><th>Error</th></tr></thead><tbody>${rows}</tbody></table>`
}
</div>`,
    { refreshSeconds: 5 },
  );
}

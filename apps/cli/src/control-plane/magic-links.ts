import { DESTINATION_TYPES, destinationModule, type DestinationType } from '@ferry/destinations';
import type { ControlPlaneStore, MagicLinkRecord } from '@ferry/state';
import { randomId, randomSecret, sha256Hex, tokenMatches } from './tokens.ts';

/** How long a magic link works unless the vendor says otherwise, and at most. */
export const DEFAULT_LINK_DAYS = 7;
export const MAX_LINK_DAYS = 30;

/**
 * The destination types a customer can set up through a magic link: those whose module takes no
 * file on Ferry's machine (a DuckDB file, a BigQuery key file).
 */
export const LINKABLE_TYPES: readonly DestinationType[] = DESTINATION_TYPES.filter((type) => destinationModule(type).fileFields.length === 0);

/** The types a link offers: those it names, or every linkable type. */
export function linkTypes(link: Pick<MagicLinkRecord, 'destinationTypes'>): DestinationType[] {
  return link.destinationTypes.length === 0 ? [...LINKABLE_TYPES] : LINKABLE_TYPES.filter((t) => link.destinationTypes.includes(t));
}

/** `<id>.<secret>`, as it appears in a magic link's or a status page's URL. */
const TOKEN_FORMAT = /^([0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

/** A new token: its id, the token to put in the URL (shown once), and the hash to store. */
export function newToken(): { id: string; token: string; hash: string } {
  const id = randomId();
  const token = `${id}.${randomSecret()}`;
  return { id, token, hash: sha256Hex(token) };
}

/** Why a magic link cannot be used; each is shown to the customer as its own page. */
export type LinkRefusal = 'invalid' | 'expired' | 'used';

/**
 * The link `token` opens for the recipient, or why it does not. A token that is malformed,
 * unknown, tampered with, another recipient's, or made while the recipient had another tenant is
 * `invalid`: the page never says which, so it tells a guesser nothing.
 * @param recipient the recipient the URL names, as it is now (undefined: there is none)
 */
export async function openMagicLink(
  store: ControlPlaneStore,
  recipient: { readonly id: string; readonly tenant: string } | undefined,
  token: string,
  now: Date,
): Promise<{ link: MagicLinkRecord } | { refused: LinkRefusal; link?: MagicLinkRecord }> {
  const match = TOKEN_FORMAT.exec(token);
  if (!match || !recipient) return { refused: 'invalid' };
  const link = await store.getMagicLink(match[1] as string);
  if (!link || link.recipientId !== recipient.id || link.tenant !== recipient.tenant || !tokenMatches(token, link.tokenHash)) {
    return { refused: 'invalid' };
  }
  if (link.usedAt !== null) return { refused: 'used', link };
  if (link.expiresAt.getTime() <= now.getTime()) return { refused: 'expired', link };
  return { link };
}

/** The link whose status-page token `token` is, if it is one (for that destination). */
export async function openStatusToken(store: ControlPlaneStore, destinationId: string, token: string): Promise<MagicLinkRecord | undefined> {
  const match = TOKEN_FORMAT.exec(token);
  if (!match) return undefined;
  const link = await store.getMagicLink(match[1] as string);
  if (!link || link.destinationId !== destinationId || link.statusTokenHash === null) return undefined;
  return tokenMatches(token, link.statusTokenHash) ? link : undefined;
}

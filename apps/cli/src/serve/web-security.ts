import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The pages' Content-Security-Policy: scripts, styles and images from Ferry itself only, no
 * inline code, no framing, forms posting back to Ferry only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Headers every page carries. */
export function securePage(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8');
}

/** A request's cookies. */
export function cookies(request: FastifyRequest): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    try {
      found.set(part.slice(0, at).trim(), decodeURIComponent(part.slice(at + 1).trim()));
    } catch {
      // Not one of Ferry's cookies (they are plain base64url): ignored.
    }
  }
  return found;
}

export function setCookie(reply: FastifyReply, name: string, value: string, options: { path: string; maxAgeSeconds?: number }): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${options.path}`, 'HttpOnly', 'SameSite=Strict'];
  // Sent back only over TLS when the page came over TLS (directly, or from a proxy that says so).
  if (reply.request.protocol === 'https') parts.push('Secure');
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  reply.header('set-cookie', parts.join('; '));
}

const CSRF_COOKIE = 'ferry_csrf';

/**
 * CSRF protection by double submit: a random token in a SameSite=Strict cookie and the same in a
 * hidden form field. Another site can make a browser post a form here but can read neither.
 * Returns the token to put in the page's forms.
 */
export function issueCsrfToken(request: FastifyRequest, reply: FastifyReply, path: string): string {
  const existing = cookies(request).get(CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomBytes(32).toString('base64url');
  setCookie(reply, CSRF_COOKIE, token, { path });
  return token;
}

/** Whether a posted form carries the token its cookie holds. */
export function csrfValid(request: FastifyRequest, form: Record<string, string>): boolean {
  const cookie = cookies(request).get(CSRF_COOKIE);
  const field = form._csrf;
  return equalSecrets(cookie, field);
}

/** Whether two secrets are equal, in constant time; false when either is missing. */
export function equalSecrets(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const [left, right] = [Buffer.from(a), Buffer.from(b)];
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * A fixed-window rate limit per client address: at most `limit` requests a minute to the pages
 * a token guards, so tokens cannot be guessed at speed.
 */
export class RateLimiter {
  readonly #limit: number;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Counts a request; false when the client is over its limit for this minute. */
  allow(client: string, now = Date.now()): boolean {
    const window = this.#windows.get(client);
    if (!window || now - window.start >= 60_000) {
      // Bounded: past 10,000 clients, forget them all rather than grow without end.
      if (this.#windows.size > 10_000) this.#windows.clear();
      this.#windows.set(client, { start: now, count: 1 });
      return true;
    }
    window.count += 1;
    return window.count <= this.#limit;
  }
}

/** A urlencoded form body, as Fastify hands it to a route (see the parser in server.ts). */
export function formOf(request: FastifyRequest): Record<string, string> {
  return (request.body ?? {}) as Record<string, string>;
}

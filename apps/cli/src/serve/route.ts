import type { ApiKeyRecord } from '@ferry/state';
import type { z } from 'zod';

/** An error the API answers with: its status and a message that says what to do. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 422 | 503,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Who made a request: the API key, as the audit log names it. */
export interface Caller {
  readonly key: ApiKeyRecord;
  /** `api-key:<id> (<name>)`. */
  readonly actor: string;
}

export interface RouteInput<Params, Query, Body> {
  readonly params: Params;
  readonly query: Query;
  readonly body: Body;
  readonly caller: Caller;
}

/**
 * One endpoint: its method and path, its request and response schemas (zod, the one source of
 * truth for validation, serialization and the OpenAPI document) and its handler.
 */
export interface Route<Params = unknown, Query = unknown, Body = unknown> {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Fastify style: `/recipients/:id`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly params?: z.ZodType<Params>;
  readonly query?: z.ZodType<Query>;
  readonly body?: z.ZodType<Body>;
  /** The success status and what it returns (null: no content). */
  readonly success: { readonly status: 200 | 201 | 202 | 204; readonly schema: z.ZodType | null };
  /** The error statuses this endpoint can answer with, besides 401 and 422. */
  readonly errors: readonly (403 | 404 | 409 | 503)[];
  handle(input: RouteInput<Params, Query, Body>): Promise<unknown>;
}

/** A route with its types checked against its schemas. */
export function route<Params = Record<string, never>, Query = Record<string, never>, Body = undefined>(
  definition: Route<Params, Query, Body>,
): Route {
  return definition as unknown as Route;
}

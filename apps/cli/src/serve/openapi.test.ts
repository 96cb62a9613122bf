import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi.ts';
import type { Route } from './route.ts';
import { vendorRoutes, type RouteContext } from './routes.ts';

/**
 * The OpenAPI document of the vendor API, generated from the routes' own zod schemas: every
 * route documented where Fastify serves it, every reference resolvable, every error a client can
 * get listed, and no credential field in what a destination read returns.
 */

/**
 * Building the routes only reads the context's objects (its state's control plane); any member it
 * has is here, as a function that fails if called: no handler runs.
 */
function routeContextDouble(): RouteContext {
  const notCalled = (name: string) => () => {
    throw new Error(`building the OpenAPI document must not call ${name}`);
  };
  const controlPlane = new Proxy({}, { get: (_, name) => notCalled(`state.controlPlane.${String(name)}`) });
  const state = new Proxy({}, { get: (_, name) => (name === 'controlPlane' ? controlPlane : notCalled(`state.${String(name)}`)) });
  return new Proxy({}, { get: (_, name) => (name === 'state' ? state : notCalled(String(name))) }) as RouteContext;
}

type Json = Record<string, unknown>;

const routes: Route[] = vendorRoutes(routeContextDouble());
const document = openApiDocument(routes, '1.0.0') as Json & {
  paths: Record<string, Record<string, Json & { responses: Json; parameters?: { name: string; in: string }[] }>>;
  components: { schemas: Record<string, Json> };
};
const HTTP_METHODS = ['get', 'post', 'patch', 'delete', 'put'];
const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => HTTP_METHODS.includes(method))
    .map(([method, operation]) => ({ path, method, operation })),
);

/** Every value of `key` anywhere in `value`. */
function valuesOf(value: unknown, key: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((item) => valuesOf(item, key));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [...(k === key ? [v] : []), ...valuesOf(v, key)]);
}

/** The schema a `$ref` names, which must be one of the document's components. */
function resolve(ref: string): Json {
  const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
  const schema = name === undefined ? undefined : document.components.schemas[name];
  if (schema === undefined) throw new Error(`unresolvable $ref ${ref}`);
  return schema;
}

/** Every property name a schema can produce, following its `$ref`s (each once), in every branch and nesting. */
function propertyNames(schema: unknown, seen = new Set<string>()): string[] {
  if (Array.isArray(schema)) return schema.flatMap((item) => propertyNames(item, seen));
  if (schema === null || typeof schema !== 'object') return [];
  const names: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string' && !seen.has(value)) {
      seen.add(value);
      names.push(...propertyNames(resolve(value), seen));
    } else if (key === 'properties' && value && typeof value === 'object') {
      names.push(...Object.keys(value));
      names.push(...propertyNames(Object.values(value), seen));
    } else {
      names.push(...propertyNames(value, seen));
    }
  }
  return names;
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with the version given, and an API key scheme', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ version: '1.0.0', title: expect.any(String) });
    expect(document.components).toMatchObject({ securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } });
  });

  it('documents every route, under its path in {param} syntax, and nothing else', () => {
    expect(routes.length).toBeGreaterThan(10);
    const documented = operations.map(({ path, method }) => `${method.toUpperCase()} ${path}`).sort();
    const expected = routes.map((route) => `${route.method} ${route.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`).sort();
    expect(documented).toEqual(expected);
    expect(new Set(expected).size).toBe(routes.length);
    for (const path of Object.keys(document.paths)) expect(path, path).not.toMatch(/:/);
    // Spot checks, written out, in case both sides above changed the same way.
    expect(document.paths['/destinations/{id}']).toHaveProperty('patch');
    expect(document.paths['/destinations/{id}/pause']).toHaveProperty('post');
    expect(document.paths['/transfers/{id}']).toHaveProperty('get');
  });

  it('declares each {param} of a path as a required path parameter, and no other', () => {
    for (const { path, method, operation } of operations) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = (operation.parameters ?? []).filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name).sort(), `${method} ${path}`).toEqual(inPath);
      for (const parameter of declared) expect(parameter, `${method} ${path}`).toMatchObject({ required: true });
    }
  });

  it('resolves every $ref to an entry of components.schemas', () => {
    const refs = valuesOf(document, '$ref');
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      expect(typeof ref).toBe('string');
      expect(() => resolve(ref as string), String(ref)).not.toThrow();
      // Following references ends at a schema of its own, not in a loop of references.
      const visited = new Set<string>();
      let schema: Json = { $ref: ref };
      while (typeof schema.$ref === 'string' && Object.keys(schema).length === 1 && !visited.has(schema.$ref)) {
        visited.add(schema.$ref);
        schema = resolve(schema.$ref);
      }
      expect(Object.keys(schema), `${String(ref)} only refers to itself (through ${[...visited].join(' -> ')})`).not.toEqual(['$ref']);
    }
    // No reference is left pointing into a generator's own $defs.
    expect(JSON.stringify(document)).not.toContain('$defs');
  });

  it('lists a 401 and a 422 response, with the Error schema, on every operation', () => {
    for (const { path, method, operation } of operations) {
      for (const status of ['401', '422']) {
        expect(operation.responses[status], `${method} ${path} ${status}`).toMatchObject({
          description: expect.any(String),
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        });
      }
      const success = Object.keys(operation.responses).filter((status) => status.startsWith('2'));
      expect(success, `${method} ${path}`).toHaveLength(1);
    }
    expect(propertyNames(document.components.schemas.Error)).toEqual(expect.arrayContaining(['error', 'status', 'message']));
  });

  it('returns no credential field in a Destination', () => {
    const destination = document.components.schemas.Destination;
    expect(destination).toBeDefined();
    const names = propertyNames(destination);
    expect(names).toEqual(expect.arrayContaining(['id', 'connection', 'credentials', 'last_transfer']));
    for (const credential of ['password', 'private_key', 'passphrase']) expect(names, credential).not.toContain(credential);
    // Every response that is, or lists, a destination uses that schema.
    const reads = ['get /destinations', 'post /destinations', 'get /destinations/{id}', 'patch /destinations/{id}', 'post /destinations/{id}/pause'];
    for (const read of [...reads, 'post /destinations/{id}/resume']) {
      const found = operations.find(({ path, method }) => `${method} ${path}` === read);
      expect(found, read).toBeDefined();
      const success = Object.entries(found!.operation.responses).find(([status]) => status.startsWith('2'))![1];
      expect(valuesOf(success, '$ref'), read).toContain('#/components/schemas/Destination');
      for (const credential of ['password', 'private_key', 'passphrase']) expect(propertyNames(success), read).not.toContain(credential);
    }
  });
});

import { z } from 'zod';
import { apiError } from './api-schemas.ts';
import type { Route } from './route.ts';

const ERROR_MEANINGS: Record<number, string> = {
  401: 'no API key, or one that is unknown or revoked',
  403: 'the resource is kept in ferry.yaml: change it there',
  404: 'no such resource',
  409: 'conflicts with the current state (id taken, still in use, a transfer already running)',
  422: 'the request does not match its schema; the message names each field',
  503: 'the state store cannot be reached',
};

/**
 * The OpenAPI 3.1 document of the vendor API, generated from the routes' zod schemas: the same
 * schemas that validate requests and shape responses, so the document cannot drift from them.
 */
export function openApiDocument(routes: readonly Route[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, unknown> = {};
  const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
    const generated = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12', reused: 'inline' });
    // Schemas with a meta id are emitted as $defs: they become the document's shared components.
    const {
      $defs,
      $schema: _,
      ...rest
    } = JSON.parse(JSON.stringify(generated).replaceAll('"#/$defs/', '"#/components/schemas/')) as Record<string, unknown> & {
      $defs?: Record<string, unknown>;
    };
    Object.assign(schemas, $defs ?? {});
    return rest;
  };
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters = [
      ...objectFields(route.params).map(([name, schema]) => ({ name, in: 'path', required: true, schema: jsonSchema(schema, 'input') })),
      ...objectFields(route.query).map(([name, schema]) => ({
        name,
        in: 'query',
        required: !schema.safeParse(undefined).success,
        schema: jsonSchema(schema, 'input'),
      })),
    ];
    const responses: Record<string, unknown> = {
      [route.success.status]: route.success.schema
        ? { description: 'OK', content: { 'application/json': { schema: jsonSchema(route.success.schema, 'output') } } }
        : { description: 'No content' },
    };
    for (const status of [401, 422, ...route.errors]) {
      responses[status] = {
        description: ERROR_MEANINGS[status],
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[route.method.toLowerCase()] = {
      summary: route.summary,
      tags: [route.tag],
      security: [{ apiKey: [] }],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
      responses,
    };
  }
  // Registers the Error component (a schema with an id lands in components, not in place).
  jsonSchema(apiError, 'output');
  return {
    openapi: '3.1.0',
    info: {
      title: 'Ferry vendor API',
      version,
      description: 'Recipients, destinations, products, transfers and the audit log of a Ferry control plane (`ferry serve`).',
    },
    components: { schemas, securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'a key from `ferry api-keys create`' } } },
    security: [{ apiKey: [] }],
    paths,
  };
}

function objectFields(schema: z.ZodType | undefined): [string, z.ZodType][] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>);
}

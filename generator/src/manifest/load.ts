import { readFile } from 'node:fs/promises';
import { GeneratorError, type Problem } from '../problems.ts';
import { manifestSchema, modelNodeSchema, type Manifest, type ModelNode } from './schema.ts';
import type { z } from 'zod';

/** The manifest schema versions Ferry understands. dbt 1.8 to 1.11 write v12. */
export const SUPPORTED_SCHEMA_VERSIONS = ['v12'] as const;

/**
 * Reads and validates dbt's manifest.json.
 * @throws GeneratorError naming the file, or each invalid field as `Field at "<path>" ...`.
 */
export async function loadManifest(path: string): Promise<Manifest> {
  return parseManifest(await loadManifestJson(path), path);
}

/** Reads dbt's manifest.json as JSON, not yet validated. */
export async function loadManifestJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new GeneratorError(`Cannot read the dbt manifest ${path} (${reason}).`, [
      {
        at: path,
        message: 'the manifest is missing or unreadable',
        fix: 'run `npx ferry manifest update` (dbt parse) or pass --manifest <path to manifest.json>',
      },
    ]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new GeneratorError(`The dbt manifest ${path} is not valid JSON.`, [
      { at: path, message: (error as Error).message, fix: 'regenerate it with `npx ferry manifest update`' },
    ]);
  }
}

/** Validates an already parsed manifest; `source` names it in errors. */
export function parseManifest(json: unknown, source = 'manifest.json'): Manifest {
  const version = schemaVersionOf(json);
  if (!version || !(SUPPORTED_SCHEMA_VERSIONS as readonly string[]).includes(version)) {
    throw new GeneratorError(`Unsupported dbt manifest ${source}.`, [
      {
        at: 'Field at "metadata.dbt_schema_version"',
        message: version
          ? `schema version ${version} is not supported (Ferry reads ${SUPPORTED_SCHEMA_VERSIONS.join(', ')})`
          : 'is missing: this does not look like a dbt manifest.json',
        fix: 'produce the manifest with dbt-core 1.8 to 1.11 (`npx ferry manifest update` uses the pinned dbt)',
      },
    ]);
  }
  const outline = manifestSchema.safeParse(json);
  const issues: { path: PropertyKey[]; message: string }[] = outline.success ? [] : outline.error.issues;
  const models: ModelNode[] = [];
  if (outline.success) {
    for (const [id, node] of Object.entries(outline.data.nodes)) {
      if (node.resource_type !== 'model') continue;
      const model = modelNodeSchema.safeParse(node);
      if (model.success) models.push(model.data);
      else issues.push(...model.error.issues.map((i: z.core.$ZodIssue) => ({ ...i, path: ['nodes', id, ...i.path] })));
    }
  }
  if (outline.success && issues.length === 0) return { metadata: outline.data.metadata, models };
  const problems: Problem[] = issues.slice(0, 20).map((issue) => ({
    at: `Field at "${issue.path.map(String).join('.')}"`,
    message: issue.message,
  }));
  throw new GeneratorError(`The dbt manifest ${source} does not match dbt's manifest ${version} schema.`, problems);
}

function schemaVersionOf(json: unknown): string | undefined {
  const url = (json as { metadata?: { dbt_schema_version?: unknown } } | null)?.metadata?.dbt_schema_version;
  if (typeof url !== 'string') return undefined;
  return /\/(v\d+)\.json$/.exec(url)?.[1] ?? url;
}

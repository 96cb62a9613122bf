import { createHash } from 'node:crypto';

/**
 * Fields dbt fills with facts about one invocation (times, ids, usage-stats settings) rather than
 * about the project. They are blanked in the committed manifest so that it changes only when the
 * project does, and so CI can compare it with a fresh `dbt parse`.
 */
const RUN_SPECIFIC_METADATA = [
  'generated_at',
  'invocation_id',
  'invocation_started_at',
  'run_started_at',
  'user_id',
  'send_anonymous_usage_stats',
  'env',
] as const;

/** Returns a copy of dbt's manifest with run-specific fields removed, ready to commit. */
export function normalizeManifest(manifest: unknown): unknown {
  const copy = structuredClone(manifest) as Record<string, unknown>;
  const metadata = copy.metadata as Record<string, unknown> | undefined;
  if (metadata) for (const key of RUN_SPECIFIC_METADATA) delete metadata[key];
  for (const section of Object.values(copy)) {
    if (section && typeof section === 'object' && !Array.isArray(section)) {
      // `disabled` holds a list of nodes per id; the other sections hold one node per id.
      for (const entry of Object.values(section as Record<string, unknown>).flat()) {
        if (entry && typeof entry === 'object') delete (entry as Record<string, unknown>).created_at;
      }
    }
  }
  return copy;
}

/** The committed manifest's text: pretty-printed so a model change shows as a readable diff. */
export function formatManifest(manifest: unknown): string {
  return `${JSON.stringify(normalizeManifest(manifest), null, 2)}\n`;
}

/**
 * sha256 of the manifest's content: the generated catalog records it, and the runtime compares it
 * with the manifest on disk to tell a catalog generated from another manifest. Run-specific fields
 * are left out and keys are sorted, so a fresh `dbt parse` of an unchanged project, in any node
 * order, digests the same.
 */
export function manifestDigest(manifest: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(normalizeManifest(manifest)))
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

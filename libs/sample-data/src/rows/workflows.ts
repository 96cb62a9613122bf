import { STREAMS, randomFor, uuidFor } from '../prng.ts';
import type { RawRow } from '../raw-schema.ts';
import { tenantId, type SampleSizes } from '../sizes.ts';
import { WORKFLOW_DESCRIPTIONS, WORKFLOW_TEMPLATES } from '../vocabulary.ts';
import { DAY, WINDOW_START, within } from './clock.ts';

/** The key of a tenant's workflow by index: the templates first, then numbered variants. */
export function workflowKey(index: number): string {
  const template = WORKFLOW_TEMPLATES[index % WORKFLOW_TEMPLATES.length]!;
  const round = Math.floor(index / WORKFLOW_TEMPLATES.length);
  return round === 0 ? template.key : `${template.key}-v${round + 1}`;
}

/** Every eighth workflow was hard-deleted: gone from raw.workflows, still named by old messages. */
export function isDeletedWorkflow(index: number): boolean {
  return index % 8 === 7;
}

export function* workflowRows(seed: number, sizes: SampleSizes): Generator<RawRow<'workflows'>> {
  for (let tenant = 0; tenant < sizes.tenants; tenant++) {
    for (let index = 0; index < sizes.workflowsPerTenant; index++) {
      if (isDeletedWorkflow(index)) continue;
      const random = randomFor(seed, STREAMS.workflow, tenant, index);
      const template = WORKFLOW_TEMPLATES[index % WORKFLOW_TEMPLATES.length]!;
      const round = Math.floor(index / WORKFLOW_TEMPLATES.length);
      const createdAt = within(random, WINDOW_START - 365 * DAY, 300 * DAY);
      const updatedAt = within(random, createdAt, 120 * DAY);
      const active = random.chance(0.85);
      yield {
        id: uuidFor(seed, STREAMS.workflow, tenant, index, random),
        tenant_id: tenantId(tenant),
        key: workflowKey(index),
        name: round === 0 ? template.name : `${template.name} (v${round + 1})`,
        description: random.chance(0.2) ? null : random.chance(0.1) ? '' : random.pick(WORKFLOW_DESCRIPTIONS),
        categories: JSON.stringify(random.chance(0.3) ? [template.category, 'marketing'] : [template.category]),
        version: random.int(1, 12),
        active,
        // The vendor's workflow service stores publish times as naive UTC.
        published_at: active ? updatedAt - random.int(0, 3600) * 1_000_000 : null,
        created_at: createdAt,
        updated_at: updatedAt,
      };
    }
  }
}

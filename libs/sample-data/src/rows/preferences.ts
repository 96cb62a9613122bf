import { CHANNEL_TYPES } from '../channels.ts';
import { STREAMS, randomFor } from '../prng.ts';
import type { RawRow } from '../raw-schema.ts';
import { tenantId, type SampleSizes } from '../sizes.ts';
import { DAY, WINDOW_START, within } from './clock.ts';
import { recipientId } from './recipients.ts';
import { workflowKey } from './workflows.ts';

/** Each recipient sets 0 to 3 preferences, each for a different workflow, so the key is unique. */
export function* preferenceRows(seed: number, sizes: SampleSizes): Generator<RawRow<'recipient_preferences'>> {
  for (let tenant = 0; tenant < sizes.tenants; tenant++) {
    for (let recipient = 0; recipient < sizes.recipientsPerTenant; recipient++) {
      const random = randomFor(seed, STREAMS.preference, tenant, recipient);
      const count = random.int(0, 3);
      const firstWorkflow = random.int(0, sizes.workflowsPerTenant - 1);
      for (let k = 0; k < count; k++) {
        yield {
          tenant_id: tenantId(tenant),
          recipient_id: recipientId(seed, tenant, recipient),
          workflow_key: workflowKey((firstWorkflow + k) % sizes.workflowsPerTenant),
          channel_type: random.pick(CHANNEL_TYPES),
          // Most recipients touch preferences to opt out.
          enabled: random.chance(0.25),
          updated_at: within(random, WINDOW_START - 30 * DAY, 120 * DAY),
        };
      }
    }
  }
}

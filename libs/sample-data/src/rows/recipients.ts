import { STREAMS, randomFor, uuidFor, type Random } from '../prng.ts';
import type { RawRow } from '../raw-schema.ts';
import { tenantId, type SampleSizes } from '../sizes.ts';
import { EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, LOCALES, PLANS, TIME_ZONES } from '../vocabulary.ts';
import { DAY, WINDOW_LENGTH, WINDOW_START, within } from './clock.ts';

/** Starts a recipient's generator; its first draws make the id, so other tables can derive the id alone. */
function recipientRandom(seed: number, tenant: number, index: number): { random: Random; id: string } {
  const random = randomFor(seed, STREAMS.recipient, tenant, index);
  return { random, id: uuidFor(seed, STREAMS.recipient, tenant, index, random) };
}

export function recipientId(seed: number, tenant: number, index: number): string {
  return recipientRandom(seed, tenant, index).id;
}

export function* recipientRows(seed: number, sizes: SampleSizes): Generator<RawRow<'recipients'>> {
  for (let tenant = 0; tenant < sizes.tenants; tenant++) {
    for (let index = 0; index < sizes.recipientsPerTenant; index++) {
      const { random, id } = recipientRandom(seed, tenant, index);
      const first = random.pick(FIRST_NAMES);
      const last = random.pick(LAST_NAMES);
      const createdAt = within(random, WINDOW_START - 200 * DAY, 200 * DAY + WINDOW_LENGTH);
      const updatedAt = within(random, createdAt, 30 * DAY);
      const deletedAt = random.chance(0.05) ? within(random, updatedAt, 10 * DAY) : null;
      yield {
        id,
        tenant_id: tenantId(tenant),
        external_id: `user_${index + 1}`,
        email: random.chance(0.1) ? null : `user${index + 1}.${tenant + 1}@${random.pick(EMAIL_DOMAINS)}`,
        phone_number: random.chance(0.4) ? null : `+1555${String(random.int(0, 9_999_999)).padStart(7, '0')}`,
        name: random.chance(0.05) ? null : random.chance(0.05) ? '' : `${first} ${last}`,
        locale: random.chance(0.15) ? null : random.pick(LOCALES),
        timezone: random.pick(TIME_ZONES),
        properties: JSON.stringify({ plan: random.pick(PLANS), beta: random.chance(0.2), seats: random.int(1, 500) }),
        created_at: createdAt,
        updated_at: deletedAt ?? updatedAt,
        deleted_at: deletedAt,
      };
    }
  }
}

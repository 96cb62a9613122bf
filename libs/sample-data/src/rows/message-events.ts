import type { RawRow } from '../raw-schema.ts';
import { tenantId, type SampleSizes } from '../sizes.ts';
import { messageAt, type SampleMessage } from './messages.ts';

/** A message logs at most this many events: queued, six milestones, and a failure. */
const EVENTS_PER_MESSAGE = 8;

const FAILURE_REASONS = {
  bounced: ['mailbox does not exist', 'number is not reachable'],
  undelivered: ['provider rejected the message', 'device token expired', 'channel not found'],
} as const;

/** The append-only event log: one event per step each message took, in message order. */
export function* messageEventRows(seed: number, sizes: SampleSizes): Generator<RawRow<'message_events'>> {
  for (let tenant = 0; tenant < sizes.tenants; tenant++) {
    for (let index = 0; index < sizes.messagesPerTenant; index++) {
      yield* eventsOf(messageAt(seed, sizes, tenant, index));
    }
  }
}

function* eventsOf(message: SampleMessage): Generator<RawRow<'message_events'>> {
  let sequence = 0;
  const event = (type: string, occurredAt: number, properties: object | null): RawRow<'message_events'> => ({
    // Unique without coordination: the message's ordinal and the event's place in it.
    id: BigInt(message.ordinal) * BigInt(EVENTS_PER_MESSAGE) + BigInt(++sequence),
    tenant_id: tenantId(message.tenant),
    message_id: message.id,
    channel_type: message.channel.type,
    event_type: `message.${type}`,
    occurred_at: occurredAt,
    properties: properties && JSON.stringify(properties),
  });

  yield event('queued', message.insertedAt, null);
  for (const milestone of message.outcome.milestones) {
    const properties =
      milestone === 'interacted' ? { provider: message.provider, url: 'https://app.example.com/open' } : { provider: message.provider };
    yield event(milestone, message.at[milestone]!, properties);
  }
  const failure = message.outcome.failure;
  if (failure) {
    const reasons = FAILURE_REASONS[failure];
    yield event(failure, message.failedAt!, { provider: message.provider, reason: reasons[message.ordinal % reasons.length] });
  }
}

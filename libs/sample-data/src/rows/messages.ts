import { CHANNELS, CHANNEL_TYPES, type Channel, type ChannelType, type Milestone, type Outcome } from '../channels.ts';
import { STREAMS, randomFor, uuidFor, type Random } from '../prng.ts';
import type { RawRow } from '../raw-schema.ts';
import { tenantId, type SampleSizes } from '../sizes.ts';
import { FIRST_NAMES, SUBJECTS } from '../vocabulary.ts';
import { DAY, HOUR, MINUTE, SECOND, WINDOW_LENGTH, WINDOW_START, within } from './clock.ts';
import { recipientId } from './recipients.ts';
import { workflowKey } from './workflows.ts';

/** One message before it is written in its channel's vendor vocabulary. */
export interface SampleMessage {
  readonly id: string;
  readonly tenant: number;
  /** Position among all messages of the data set; message event ids derive from it. */
  readonly ordinal: number;
  readonly channel: Channel;
  readonly outcome: Outcome;
  readonly workflowKey: string;
  readonly recipientId: string;
  readonly provider: string;
  readonly data: string | null;
  readonly segments: number;
  readonly cost: string | null;
  readonly insertedAt: number;
  /** When each milestone of the outcome was reached. */
  readonly at: Readonly<Partial<Record<Milestone, number>>>;
  readonly failedAt: number | null;
  readonly updatedAt: number;
}

const CHANNEL_LIST = CHANNEL_TYPES.map((type) => CHANNELS[type]);

/** Cheap to compute, so each channel's table can skip other channels' messages without generating them. */
export function channelOf(seed: number, tenant: number, index: number): ChannelType {
  return randomFor(seed, STREAMS.messageChannel, tenant, index).weighted(CHANNEL_LIST).type;
}

/** How long after the previous milestone each one is reached. */
const DELAYS: Readonly<Record<Milestone, readonly [min: number, max: number]>> = {
  sent: [200_000, 5 * SECOND],
  delivered: [500_000, 30 * SECOND],
  seen: [MINUTE, 2 * DAY],
  read: [0, HOUR],
  interacted: [5 * SECOND, 10 * MINUTE],
  archived: [HOUR, 5 * DAY],
};

export function messageAt(seed: number, sizes: SampleSizes, tenant: number, index: number): SampleMessage {
  const channel = CHANNELS[channelOf(seed, tenant, index)];
  const random = randomFor(seed, STREAMS.message, tenant, index);
  const id = uuidFor(seed, STREAMS.message, tenant, index, random);
  const outcome = random.weighted(channel.outcomes);
  // A few busy recipients get most messages, as in real products.
  const recipient = Math.floor(random.float() ** 2 * sizes.recipientsPerTenant);
  const workflow = random.int(0, sizes.workflowsPerTenant - 1);
  const insertedAt = within(random, WINDOW_START, WINDOW_LENGTH);
  const at: Partial<Record<Milestone, number>> = {};
  let last = insertedAt;
  for (const milestone of outcome.milestones) {
    last += channel.instantMilestones.includes(milestone) ? 0 : random.int(...DELAYS[milestone]);
    at[milestone] = last;
  }
  const failedAt = outcome.failure ? last + random.int(SECOND, MINUTE) : null;
  const segments = channel.type === 'sms' ? random.int(1, 3) : 1;
  const costMicros = channel.costMicros && random.int(...channel.costMicros) * segments;
  return {
    id,
    tenant,
    ordinal: tenant * sizes.messagesPerTenant + index,
    channel,
    outcome,
    workflowKey: workflowKey(workflow),
    recipientId: recipientId(seed, tenant, recipient),
    provider: random.pick(channel.providers),
    data: random.chance(0.02) ? null : JSON.stringify(payload(channel.type, random)),
    segments,
    cost: costMicros === null ? null : formatMicros(costMicros),
    insertedAt,
    at,
    failedAt,
    updatedAt: failedAt ?? last,
  };
}

/** numeric(12,6) text for an amount in millionths. */
function formatMicros(micros: number): string {
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

function payload(channel: ChannelType, random: Random): object {
  const name = random.pick(FIRST_NAMES);
  switch (channel) {
    case 'email':
      return { subject: random.pick(SUBJECTS), vars: { first_name: name, count: random.int(0, 40) } };
    case 'in_app':
      return { markdown: `**${name}** left a comment`, action_url: `https://app.example.com/c/${random.int(1, 99_999)}` };
    case 'push':
      return { title: random.pick(SUBJECTS), body: `Hi ${name} 👋`, badge: random.int(0, 9) };
    case 'sms':
      return { body: `${name}, your code is ${String(random.int(0, 999_999)).padStart(6, '0')}` };
    case 'chat':
      return { text: `New activity from ${name}`, channel: random.pick(['#alerts', '#general', '#support']) };
  }
}

/** All messages of one channel, tenant by tenant. */
function* channelMessages(seed: number, sizes: SampleSizes, channel: ChannelType): Generator<SampleMessage> {
  for (let tenant = 0; tenant < sizes.tenants; tenant++) {
    for (let index = 0; index < sizes.messagesPerTenant; index++) {
      if (channelOf(seed, tenant, index) === channel) yield messageAt(seed, sizes, tenant, index);
    }
  }
}

function common(message: SampleMessage) {
  return {
    id: message.id,
    tenant_id: tenantId(message.tenant),
    workflow_key: message.workflowKey,
    recipient_id: message.recipientId,
    status: message.outcome.status,
    provider: message.provider,
    data: message.data,
  };
}

export function* emailMessageRows(seed: number, sizes: SampleSizes): Generator<RawRow<'email_messages'>> {
  for (const message of channelMessages(seed, sizes, 'email')) {
    yield {
      ...common(message),
      cost: message.cost,
      inserted_at: message.insertedAt,
      processed_at: message.at.sent ?? null,
      delivered_at: message.at.delivered ?? null,
      opened_at: message.at.read ?? null,
      clicked_at: message.at.interacted ?? null,
      updated_at: message.updatedAt,
    };
  }
}

export function* inAppMessageRows(seed: number, sizes: SampleSizes): Generator<RawRow<'in_app_messages'>> {
  for (const message of channelMessages(seed, sizes, 'in_app')) {
    yield {
      ...common(message),
      inserted_at: message.insertedAt,
      seen_at: message.at.seen ?? null,
      read_at: message.at.read ?? null,
      clicked_at: message.at.interacted ?? null,
      archived_at: message.at.archived ?? null,
      updated_at: message.updatedAt,
    };
  }
}

export function* pushMessageRows(seed: number, sizes: SampleSizes): Generator<RawRow<'push_messages'>> {
  for (const message of channelMessages(seed, sizes, 'push')) {
    yield {
      ...common(message),
      cost: message.cost,
      inserted_at: message.insertedAt,
      sent_at: message.at.sent ?? null,
      opened_at: message.at.interacted ?? null,
      updated_at: message.updatedAt,
    };
  }
}

export function* smsMessageRows(seed: number, sizes: SampleSizes): Generator<RawRow<'sms_messages'>> {
  for (const message of channelMessages(seed, sizes, 'sms')) {
    yield {
      ...common(message),
      segments: message.segments,
      cost: message.cost,
      inserted_at: message.insertedAt,
      sent_at: message.at.sent ?? null,
      delivered_at: message.at.delivered ?? null,
      updated_at: message.updatedAt,
    };
  }
}

export function* chatMessageRows(seed: number, sizes: SampleSizes): Generator<RawRow<'chat_messages'>> {
  for (const message of channelMessages(seed, sizes, 'chat')) {
    yield {
      ...common(message),
      cost: message.cost,
      inserted_at: message.insertedAt,
      posted_at: message.at.sent ?? null,
      reacted_at: message.at.interacted ?? null,
      updated_at: message.updatedAt,
    };
  }
}

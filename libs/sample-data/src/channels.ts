import type { RawTableName } from './raw-schema.ts';

/** The delivery channels of the notification API, one raw message table each. */
export const CHANNEL_TYPES = ['email', 'in_app', 'push', 'sms', 'chat'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const MESSAGE_TABLES = {
  email: 'email_messages',
  in_app: 'in_app_messages',
  push: 'push_messages',
  sms: 'sms_messages',
  chat: 'chat_messages',
} as const satisfies Record<ChannelType, RawTableName>;

/** The channel-agnostic milestones a message can reach, in order. */
export type Milestone = 'sent' | 'delivered' | 'seen' | 'read' | 'interacted' | 'archived';

/** The channel-agnostic message statuses the staging models normalise every vendor status to. */
export const MESSAGE_STATUSES = ['queued', 'sent', 'delivered', 'undelivered', 'bounced', 'seen', 'read', 'interacted', 'archived'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/**
 * Where a vendor status leaves a message: the milestones it passed, and whether it ended in a
 * failure. dbt_project/models/staging/stg_<channel>_messages.sql maps the same statuses.
 */
export interface Outcome {
  readonly status: string;
  readonly weight: number;
  readonly milestones: readonly Milestone[];
  readonly failure?: 'bounced' | 'undelivered';
}

export interface Channel {
  readonly type: ChannelType;
  /** Share of all messages sent on this channel. */
  readonly weight: number;
  readonly providers: readonly string[];
  readonly outcomes: readonly Outcome[];
  /**
   * Milestones reached the moment the previous one is: an in-app message is sent and delivered
   * when it is written to the feed, a chat message is delivered when it is posted.
   */
  readonly instantMilestones: readonly Milestone[];
  /** Cost of one message in millionths of a dollar, or null where the vendor does not bill. */
  readonly costMicros: readonly [min: number, max: number] | null;
}

export const CHANNELS: Readonly<Record<ChannelType, Channel>> = {
  email: {
    type: 'email',
    weight: 40,
    providers: ['sendgrid', 'postmark', 'ses'],
    instantMilestones: [],
    costMicros: [80, 900],
    outcomes: [
      { status: 'processed', weight: 5, milestones: ['sent'] },
      { status: 'delivered', weight: 35, milestones: ['sent', 'delivered'] },
      { status: 'open', weight: 30, milestones: ['sent', 'delivered', 'read'] },
      { status: 'click', weight: 15, milestones: ['sent', 'delivered', 'read', 'interacted'] },
      { status: 'bounce', weight: 10, milestones: ['sent'], failure: 'bounced' },
      { status: 'dropped', weight: 5, milestones: [], failure: 'undelivered' },
    ],
  },
  in_app: {
    type: 'in_app',
    weight: 25,
    providers: ['feed'],
    instantMilestones: ['sent', 'delivered'],
    costMicros: null,
    outcomes: [
      { status: 'created', weight: 30, milestones: ['sent', 'delivered'] },
      { status: 'seen', weight: 25, milestones: ['sent', 'delivered', 'seen'] },
      { status: 'read', weight: 20, milestones: ['sent', 'delivered', 'seen', 'read'] },
      { status: 'clicked', weight: 10, milestones: ['sent', 'delivered', 'seen', 'read', 'interacted'] },
      { status: 'archived', weight: 15, milestones: ['sent', 'delivered', 'seen', 'archived'] },
    ],
  },
  push: {
    type: 'push',
    weight: 15,
    providers: ['apns', 'fcm'],
    instantMilestones: [],
    costMicros: [0, 0],
    outcomes: [
      { status: 'sent', weight: 55, milestones: ['sent'] },
      { status: 'opened', weight: 25, milestones: ['sent', 'interacted'] },
      { status: 'failed', weight: 20, milestones: [], failure: 'undelivered' },
    ],
  },
  sms: {
    type: 'sms',
    weight: 12,
    providers: ['twilio', 'messagebird'],
    instantMilestones: [],
    costMicros: [7_500, 7_900],
    outcomes: [
      { status: 'queued', weight: 5, milestones: [] },
      { status: 'sent', weight: 15, milestones: ['sent'] },
      { status: 'delivered', weight: 65, milestones: ['sent', 'delivered'] },
      { status: 'undelivered', weight: 10, milestones: ['sent'], failure: 'undelivered' },
      { status: 'failed', weight: 5, milestones: [], failure: 'bounced' },
    ],
  },
  chat: {
    type: 'chat',
    weight: 8,
    providers: ['slack', 'msteams', 'discord'],
    instantMilestones: ['delivered'],
    costMicros: null,
    outcomes: [
      { status: 'posted', weight: 70, milestones: ['sent', 'delivered'] },
      { status: 'failed', weight: 15, milestones: [], failure: 'undelivered' },
      { status: 'reacted', weight: 15, milestones: ['sent', 'delivered', 'interacted'] },
    ],
  },
};

/** The status a message with this outcome has once normalised: its failure, else its last milestone. */
export function normalizedStatus(outcome: Outcome): MessageStatus {
  return outcome.failure ?? outcome.milestones.at(-1) ?? 'queued';
}

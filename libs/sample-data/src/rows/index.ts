import type { RawRow, RawTableName } from '../raw-schema.ts';
import { sampleSizes, type SampleDataOptions, type SampleSizes } from '../sizes.ts';
import { messageEventRows } from './message-events.ts';
import { chatMessageRows, emailMessageRows, inAppMessageRows, pushMessageRows, smsMessageRows } from './messages.ts';
import { preferenceRows } from './preferences.ts';
import { recipientRows } from './recipients.ts';
import { workflowRows } from './workflows.ts';

const GENERATORS: { readonly [T in RawTableName]: (seed: number, sizes: SampleSizes) => Iterable<RawRow<T>> } = {
  workflows: workflowRows,
  recipients: recipientRows,
  recipient_preferences: preferenceRows,
  email_messages: emailMessageRows,
  in_app_messages: inAppMessageRows,
  push_messages: pushMessageRows,
  sms_messages: smsMessageRows,
  chat_messages: chatMessageRows,
  message_events: messageEventRows,
};

/**
 * The rows of one raw table, generated lazily: memory stays flat however many rows are drawn.
 * The same options always give the same rows in the same order.
 */
export function sampleRows<T extends RawTableName>(table: T, options: SampleDataOptions): Iterable<RawRow<T>> {
  return GENERATORS[table](options.seed, sampleSizes(options));
}

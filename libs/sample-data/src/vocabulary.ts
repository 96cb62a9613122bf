/**
 * Word lists for realistic-ish values. Some entries carry unicode, quotes, tabs, newlines and
 * backslashes on purpose: loaders and syncs must keep them byte for byte.
 */

export const FIRST_NAMES = [
  'Ada',
  'José',
  'Zoë',
  'Ørjan',
  'Siobhán',
  'Nguyễn',
  'Łukasz',
  'Amélie',
  'Chloé',
  'Mateo',
  'Priya',
  'Kenji',
  'Olúwaseun',
  'Fatima',
  'Björn',
  'Grace',
  "D'Arcy",
  'Søren',
  'Ana',
  'Yusuf',
] as const;

export const LAST_NAMES = [
  'Lovelace',
  'Álvarez',
  'Müller',
  'Ødegård',
  'Ó Briain',
  'Văn An',
  'Wałęsa',
  'Dubois',
  'Smith',
  'García',
  'Okafor',
  'Tanaka',
  '李',
  'Petrov',
  "O'Neil",
  'Kowalski',
  'Johansson',
  'Rossi',
] as const;

export const EMAIL_DOMAINS = ['example.com', 'example.org', 'mail.example.net', 'acme.test'] as const;

export const LOCALES = ['en-US', 'en-GB', 'fr-FR', 'de-DE', 'ja-JP', 'pt-BR', 'es-MX'] as const;

export const TIME_ZONES = [
  'America/New_York',
  'America/Los_Angeles',
  'Europe/London',
  'Europe/Berlin',
  'Asia/Tokyo',
  'America/Sao_Paulo',
  'Australia/Sydney',
  'UTC',
] as const;

export const PLANS = ['free', 'starter', 'pro', 'enterprise'] as const;

export interface WorkflowTemplate {
  readonly key: string;
  readonly name: string;
  readonly category: string;
}

export const WORKFLOW_TEMPLATES: readonly WorkflowTemplate[] = [
  { key: 'welcome', name: 'Welcome', category: 'onboarding' },
  { key: 'password-reset', name: 'Password reset', category: 'transactional' },
  { key: 'comment-mention', name: 'Comment @mention', category: 'collaboration' },
  { key: 'weekly-digest', name: 'Weekly digest', category: 'digest' },
  { key: 'invoice-paid', name: 'Invoice paid', category: 'billing' },
  { key: 'trial-ending', name: 'Trial ending — 3 days left', category: 'billing' },
  { key: 'new-follower', name: 'New follower', category: 'social' },
  { key: 'order-shipped', name: 'Order shipped 📦', category: 'transactional' },
  { key: 'login-alert', name: 'New login alert', category: 'security' },
  { key: 'task-assigned', name: 'Task assigned', category: 'collaboration' },
];

export const WORKFLOW_DESCRIPTIONS = [
  'Sent once, right after sign-up.',
  'Line one\nline two: "quoted" and a tab\there.',
  'Path C:\\notifications\\templates — backslashes kept.',
  'Résumé of the week, grouped by project.',
] as const;

export const SUBJECTS = [
  'Welcome aboard!',
  'Your invoice is paid',
  'Someone mentioned you: "Can you take a look?"',
  'Ihre Bestellung wurde versandt',
  'パスワードをリセットしてください',
  'Weekly digest — 12 updates',
] as const;

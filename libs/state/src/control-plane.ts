/**
 * What the control plane (`ferry serve`) keeps beside the sync state: recipients and
 * destinations created through the API or a magic link, API keys and the audit log. Recipients
 * and destinations written in ferry.yaml are not stored here: git is their source of truth.
 */

/** One customer of the vendor: a name, and its value in every export model's tenant column. */
export interface RecipientRecord {
  readonly id: string;
  readonly name: string;
  readonly tenant: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * A destination created through the API: its ferry.yaml-shaped entry (type, connection fields,
 * product or models, ssh), where every credential is a `${secret:NAME}` reference to a secret
 * sealed in the same store. The entry never holds a credential itself.
 */
export interface ManagedDestination {
  readonly id: string;
  readonly recipientId: string;
  readonly entry: Readonly<Record<string, unknown>>;
  /** `15m`, `1h`, `6h`, `12h`, `24h` or `manual`. */
  readonly schedule: string;
  /** When it was paused; null while it runs on its schedule. */
  readonly pausedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** An API key as stored: its hash only. The key itself is shown once, when it is created. */
export interface ApiKeyRecord {
  /** Public id, part of the key (`ferry_<id>_<secret>`), so a key is found without a scan. */
  readonly id: string;
  readonly name: string;
  /** SHA-256 of the whole key, hex. */
  readonly hash: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

/** One change made through the control plane: who, what, to which thing, when. Never a credential. */
export interface AuditEntry {
  readonly id: string;
  readonly at: Date;
  /** `api-key:<id> (<name>)`, `magic-link:<id>`, `scheduler`. */
  readonly actor: string;
  /** `recipient.create`, `destination.pause`, `transfer.trigger` ... */
  readonly action: string;
  /** The id of what it acted on. */
  readonly target: string;
  /** What changed, credentials left out: field names, never their values. */
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * A single-use onboarding link for one recipient: the customer opens it, enters a destination and
 * saves. Only hashes of its token (and of the status-page token it hands out) are stored.
 */
export interface MagicLinkRecord {
  /** Public id, part of the token (`<id>.<secret>`). */
  readonly id: string;
  readonly recipientId: string;
  /**
   * The recipient's tenant when the link was made: a link opens only while the recipient still has
   * it, so a link never sets up a destination for a tenant it was not sent for.
   */
  readonly tenant: string;
  /** SHA-256 of the whole token, hex. */
  readonly tokenHash: string;
  /** The destination types the customer may choose from; empty: any that a link can set up. */
  readonly destinationTypes: readonly string[];
  /** The product the saved destination receives, and its schedule. */
  readonly product: string;
  readonly schedule: string;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** When it was used to save a destination; null while unused. */
  readonly usedAt: Date | null;
  /** The destination saved through it. */
  readonly destinationId: string | null;
  /** SHA-256 of the token of the status page the customer was given on saving. */
  readonly statusTokenHash: string | null;
}

export interface ControlPlaneStore {
  /** Resolves to false when a recipient with that id exists already. */
  createRecipient(recipient: Omit<RecipientRecord, 'createdAt' | 'updatedAt'>): Promise<boolean>;
  /** Resolves to false when there is no such recipient. */
  updateRecipient(recipient: Omit<RecipientRecord, 'createdAt' | 'updatedAt'>): Promise<boolean>;
  getRecipient(id: string): Promise<RecipientRecord | undefined>;
  listRecipients(): Promise<RecipientRecord[]>;
  deleteRecipient(id: string): Promise<boolean>;

  /** Resolves to false when a managed destination with that id exists already. */
  createDestination(destination: Omit<ManagedDestination, 'createdAt' | 'updatedAt' | 'pausedAt'>): Promise<boolean>;
  /** Replaces entry, schedule and recipient; resolves to false when there is no such destination. */
  updateDestination(destination: Omit<ManagedDestination, 'createdAt' | 'updatedAt' | 'pausedAt'>): Promise<boolean>;
  /** Pauses (true) or resumes (false); resolves to false when there is no such destination. */
  setPaused(id: string, paused: boolean): Promise<boolean>;
  getDestination(id: string): Promise<ManagedDestination | undefined>;
  listDestinations(): Promise<ManagedDestination[]>;
  deleteDestination(id: string): Promise<boolean>;

  createApiKey(key: Omit<ApiKeyRecord, 'createdAt' | 'revokedAt'>): Promise<void>;
  listApiKeys(): Promise<ApiKeyRecord[]>;
  /** The key with that id, revoked or not. */
  getApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  /** Resolves to false when there is no such key or it was revoked already. */
  revokeApiKey(id: string): Promise<boolean>;

  /** When each destination's last transfer started, whatever its outcome: what its schedule counts from. */
  lastTransferStarts(): Promise<Map<string, Date>>;

  createMagicLink(link: Omit<MagicLinkRecord, 'createdAt' | 'usedAt' | 'destinationId' | 'statusTokenHash'>): Promise<void>;
  getMagicLink(id: string): Promise<MagicLinkRecord | undefined>;
  /** A recipient's links, newest first. */
  listMagicLinks(recipientId: string): Promise<MagicLinkRecord[]>;
  /**
   * Marks the link used for `destinationId`, if it is still unused: resolves to false when another
   * request used it first (a link saves one destination, however fast the clicks).
   */
  consumeMagicLink(id: string, destinationId: string, statusTokenHash: string): Promise<boolean>;
  /** Deletes a recipient's links (with the recipient: a new one of the same id must not inherit them); resolves to how many. */
  deleteMagicLinks(recipientId: string): Promise<number>;
  /** Gives a used link back (the destination it saved could not be stored after all). */
  releaseMagicLink(id: string): Promise<void>;

  /** Appends to the audit log (its `at` is the store's clock). */
  audit(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<void>;
  /** The most recent entries first, `limit` of them (default 100). */
  auditLog(options?: { limit?: number; target?: string }): Promise<AuditEntry[]>;
}

import { z } from 'zod';
import { resourceId, SCHEDULES } from '../config/schema.ts';

/**
 * The vendor API's resources, as zod: requests are parsed with them, responses are parsed
 * through them (so a field a schema does not name, a credential above all, never leaves the
 * server), and the OpenAPI document is generated from them.
 */

const timestamp = z.iso.datetime().describe('ISO 8601, UTC');
const managedBy = z.enum(['ferry.yaml', 'api']).describe('ferry.yaml: kept in git, read-only here; api: created through this API or a magic link');

export const apiError = z
  .object({ error: z.object({ status: z.number().int(), message: z.string().describe('what went wrong and what to do') }) })
  .meta({ id: 'Error' });

export const recipient = z
  .object({ id: z.string(), name: z.string(), tenant: z.string(), managed_by: managedBy, created_at: timestamp.nullable() })
  .meta({ id: 'Recipient' });

export const recipientInput = z
  .strictObject({
    id: resourceId,
    name: z.string().min(1).max(200),
    tenant: z.string().min(1).max(200).describe("the recipient's value in each model's tenant column"),
  })
  .meta({ id: 'RecipientInput' });

export const recipientUpdate = recipientInput.omit({ id: true }).partial().meta({ id: 'RecipientUpdate' });

export const transferSummary = z
  .object({
    id: z.string(),
    status: z.enum(['running', 'succeeded', 'failed', 'abandoned']),
    started_at: timestamp,
    finished_at: timestamp.nullable(),
  })
  .meta({ id: 'TransferSummary' });

export const destination = z
  .object({
    id: z.string(),
    type: z.string(),
    recipient: z.string().nullable().describe('the recipient id; null for a ferry.yaml destination whose tenant no recipient names'),
    tenant: z.string(),
    managed_by: managedBy,
    product: z.string().nullable(),
    models: z.array(z.string()),
    soft_deletes: z.enum(['keep', 'delete']),
    schedule: z.enum(SCHEDULES),
    paused_at: timestamp.nullable(),
    next_run_at: timestamp.nullable().describe('null: manual schedule, or paused'),
    connection: z.record(z.string(), z.unknown()).describe('the connection fields, credentials left out'),
    credentials: z.array(z.string()).describe('which credential fields are set (write-only: never returned)'),
    last_transfer: transferSummary.nullable(),
  })
  .meta({ id: 'Destination' });

export const destinationPatch = z
  .looseObject({ schedule: z.enum(SCHEDULES).optional(), recipient: resourceId.optional() })
  .describe("Fields to change: any of the destination's fields but id and type. Credentials left out are kept.")
  .meta({ id: 'DestinationPatch' });

export const verification = z
  .object({
    result: z.enum(['equal', 'different', 'repaired', 'failed']),
    source_rows: z.number(),
    destination_rows: z.number(),
    missing: z.number(),
    extra: z.number(),
    different: z.number(),
    verified_at: timestamp,
  })
  .meta({ id: 'Verification' });

export const modelTransfer = z
  .object({
    model: z.string(),
    action: z.string(),
    rows_inserted: z.number(),
    rows_updated: z.number(),
    rows_deleted: z.number(),
    bytes: z.number(),
    duration_ms: z.number(),
    lag_seconds: z.number().nullable(),
    schema_changes: z.array(z.string()),
    verification: verification.nullable().describe('the full comparison this transfer ran, when sync.verify made one due'),
    error: z.string().nullable().describe('what failed and how to fix it'),
  })
  .meta({ id: 'ModelTransfer' });

export const transfer = transferSummary
  .extend({
    destination_id: z.string(),
    duration_ms: z.number().nullable(),
    rows_inserted: z.number(),
    rows_updated: z.number(),
    rows_deleted: z.number(),
    bytes: z.number(),
    error: z.string().nullable(),
    warnings: z.array(z.string()),
    models: z.array(modelTransfer),
  })
  .meta({ id: 'Transfer' });

export const transferStarted = z.object({ id: z.string(), destination_id: z.string(), status: z.literal('running') }).meta({ id: 'TransferStarted' });

export const product = z.object({ name: z.string(), models: z.array(z.string()) }).meta({ id: 'Product' });

export const checkResult = z
  .object({ name: z.string(), status: z.enum(['pass', 'warn', 'fail', 'skip']), detail: z.string(), duration_ms: z.number() })
  .meta({ id: 'CheckResult' });

export const connectionTest = z.object({ ok: z.boolean(), checks: z.array(checkResult) }).meta({ id: 'ConnectionTest' });

export const auditEntry = z
  .object({ id: z.string(), at: timestamp, actor: z.string(), action: z.string(), target: z.string(), details: z.record(z.string(), z.unknown()) })
  .meta({ id: 'AuditEntry' });

export const idParams = z.strictObject({ id: z.string().min(1) });

export const listLimit = z.coerce.number().int().min(1).max(500).default(50);

export const magicLink = z
  .object({
    id: z.string(),
    recipient: z.string(),
    product: z.string(),
    schedule: z.enum(SCHEDULES),
    destination_types: z.array(z.string()).describe('what the customer may choose from'),
    status: z.enum(['active', 'used', 'expired']),
    created_at: timestamp,
    expires_at: timestamp,
    used_at: timestamp.nullable(),
    destination_id: z.string().nullable().describe('the destination saved through it'),
  })
  .meta({ id: 'MagicLink' });

export const createdMagicLink = magicLink
  .extend({ url: z.string().describe('the link to send the customer: shown once, only its hash is kept') })
  .meta({ id: 'CreatedMagicLink' });

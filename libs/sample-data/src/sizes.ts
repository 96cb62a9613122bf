/** What to generate. Everything else scales from the number of messages per tenant. */
export interface SampleDataOptions {
  /** Any integer; the same seed and sizes always give the same rows. */
  readonly seed: number;
  /** Number of tenants (the vendor's customers): `tenant_001`, `tenant_002`, ... */
  readonly tenants: number;
  /** Messages per tenant, across all channels. */
  readonly messagesPerTenant: number;
}

export interface SampleSizes {
  readonly tenants: number;
  readonly messagesPerTenant: number;
  /** About one recipient per ten messages. */
  readonly recipientsPerTenant: number;
  /** Workflows ever created; grows with the square root of the message volume. */
  readonly workflowsPerTenant: number;
  /** Workflows still in raw.workflows: every eighth one was hard-deleted, its messages remain. */
  readonly liveWorkflowsPerTenant: number;
}

/** The tenant index is packed into 24 bits of every generated UUID (see uuidFor). */
const MAX_TENANTS = 0xff_ffff;

export function sampleSizes(options: SampleDataOptions): SampleSizes {
  const { seed, tenants, messagesPerTenant } = options;
  if (!Number.isInteger(seed)) throw new RangeError(`sample data seed must be an integer, got ${seed}`);
  if (!Number.isInteger(tenants) || tenants < 1 || tenants > MAX_TENANTS) {
    throw new RangeError(`sample data tenants must be an integer in 1..${MAX_TENANTS}, got ${tenants}`);
  }
  if (!Number.isInteger(messagesPerTenant) || messagesPerTenant < 0 || messagesPerTenant > 0xffff_ffff) {
    throw new RangeError(`sample data messagesPerTenant must be an integer in 0..${0xffff_ffff}, got ${messagesPerTenant}`);
  }
  const workflowsPerTenant = Math.min(60, Math.max(4, Math.ceil(Math.sqrt(messagesPerTenant))));
  return {
    tenants,
    messagesPerTenant,
    recipientsPerTenant: Math.max(3, Math.ceil(messagesPerTenant / 10)),
    workflowsPerTenant,
    liveWorkflowsPerTenant: workflowsPerTenant - Math.floor(workflowsPerTenant / 8),
  };
}

/** The tenant column's value for a zero-based tenant index: `tenant_001` for 0. */
export function tenantId(tenant: number): string {
  return `tenant_${String(tenant + 1).padStart(3, '0')}`;
}

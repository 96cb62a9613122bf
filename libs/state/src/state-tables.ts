import { StateStoreError } from './state-store-error.ts';

/** Where Ferry keeps its tables unless told otherwise: apart from any user table. */
export const DEFAULT_STATE_SCHEMA = 'ferry_state';

/** Ferry's state tables, as SQL: each name qualified with the schema and quoted. */
export interface StateTables {
  /** The schema's name as written in catalog queries (unquoted). */
  readonly schemaName: string;
  readonly schema: string;
  readonly schemaVersion: string;
  readonly destinations: string;
  readonly modelStates: string;
  readonly transfers: string;
  readonly modelTransfers: string;
  readonly destinationLeases: string;
  readonly secrets: string;
  readonly verifications: string;
  readonly recipients: string;
  readonly managedDestinations: string;
  readonly apiKeys: string;
  readonly auditLog: string;
  readonly magicLinks: string;
}

/**
 * The tables in `schema`. The name is restricted to plain lowercase identifiers so it reads the
 * same, quoted or not, on every engine.
 */
export function stateTables(schema: string): StateTables {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new StateStoreError(
      `Invalid state schema name "${schema}": use up to 63 lowercase letters, digits and underscores, not starting with a digit.`,
    );
  }
  const table = (name: string) => `"${schema}"."${name}"`;
  return {
    schemaName: schema,
    schema: `"${schema}"`,
    schemaVersion: table('schema_version'),
    destinations: table('destinations'),
    modelStates: table('model_states'),
    transfers: table('transfers'),
    modelTransfers: table('model_transfers'),
    destinationLeases: table('destination_leases'),
    secrets: table('secrets'),
    verifications: table('verifications'),
    recipients: table('recipients'),
    managedDestinations: table('managed_destinations'),
    apiKeys: table('api_keys'),
    auditLog: table('audit_log'),
    magicLinks: table('magic_links'),
  };
}

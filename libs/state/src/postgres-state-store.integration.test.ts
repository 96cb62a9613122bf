import { createTempDatabase, type TempDatabase } from '@ferry/test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStateStore } from './open-state-store.ts';
import { StateStoreError } from './state-store-error.ts';

/** What only Postgres has: other tables beside Ferry's, concurrent processes, a network. */
describe('state store on Postgres', () => {
  let database: TempDatabase;

  beforeEach(async () => {
    database = await createTempDatabase('ferry_state');
  });

  afterEach(async () => {
    await database.drop();
  });

  async function tablesBySchema(): Promise<string[]> {
    const { rows } = await database.client.query<{ name: string }>(
      `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
       WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY name`,
    );
    return rows.map((row) => row.name);
  }

  it('keeps its tables in the ferry_state schema, or the one it is given', async () => {
    const store = await openStateStore(database.url);
    await store.migrate();
    await store.close();
    const custom = await openStateStore(database.url, { schema: 'vendor_ferry' });
    await custom.migrate();
    await custom.upsertDestination({ id: 'acme-postgres', type: 'postgres', tenant: 'acme' });
    await custom.close();

    const tables = [
      'api_keys',
      'audit_log',
      'destination_leases',
      'destinations',
      'magic_links',
      'managed_destinations',
      'model_states',
      'model_transfers',
      'recipients',
      'schema_version',
      'secrets',
      'transfers',
      'verifications',
    ];
    expect(await tablesBySchema()).toEqual([...tables.map((t) => `ferry_state.${t}`), ...tables.map((t) => `vendor_ferry.${t}`)]);
    expect((await database.client.query('SELECT id FROM vendor_ferry.destinations')).rows).toEqual([{ id: 'acme-postgres' }]);
    expect((await database.client.query('SELECT id FROM ferry_state.destinations')).rows).toEqual([]);
  });

  it('applies each migration once when several processes migrate at the same time', async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => openStateStore(database.url)));
    try {
      await Promise.all(stores.map((store) => store.migrate()));
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
    const { rows } = await database.client.query('SELECT version FROM ferry_state.schema_version ORDER BY version');
    expect(rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }]);
  });

  it('brings a store an older Ferry migrated up to date, keeping its data', async () => {
    const store = await openStateStore(database.url);
    try {
      await store.migrate();
      await store.upsertDestination({ id: 'acme-postgres', type: 'postgres', tenant: 'acme' });
      // As version 1 left it: no secrets table, no verifications table, no transfer warnings, no control plane.
      for (const table of ['secrets', 'verifications', 'recipients', 'managed_destinations', 'api_keys', 'audit_log', 'magic_links']) {
        await database.client.query(`DROP TABLE ferry_state.${table}`);
      }
      await database.client.query('ALTER TABLE ferry_state.transfers DROP COLUMN warnings');
      await database.client.query('DELETE FROM ferry_state.schema_version WHERE version IN (2, 3, 4)');

      await store.migrate();
      await store.putSecret({ name: 'acme_pg', keyId: 'k_aaaaaaaaaaaa', sealed: 'v1.sealed' });
      expect(await store.listDestinations()).toEqual([{ id: 'acme-postgres', type: 'postgres', tenant: 'acme' }]);
      expect((await store.listSecrets()).map((s) => s.name)).toEqual(['acme_pg']);
      expect(await store.latestVerifications()).toEqual([]);
      expect(await store.controlPlane.listRecipients()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('refuses a store migrated by a newer Ferry', async () => {
    const store = await openStateStore(database.url);
    try {
      await store.migrate();
      await database.client.query(`INSERT INTO ferry_state.schema_version VALUES (999, 'from the future', now())`);
      await expect(store.migrate()).rejects.toThrow(/has schema version 999, but this Ferry knows versions up to 4: .*Upgrade Ferry/);
    } finally {
      await store.close();
    }
  });

  it('says which database it could not reach and what to check, never the password', async () => {
    const opening = openStateStore('postgres://ferry:s3cret-pw@127.0.0.1:1/ferry');
    await expect(opening).rejects.toThrow(StateStoreError);
    const message = await opening.catch((error: Error) => error.message);
    expect(message).toContain("Cannot connect to Ferry's state database at postgres://ferry:***@127.0.0.1:1/ferry: ");
    expect(message).toMatch(/ECONNREFUSED/);
    expect(message).toContain('Check FERRY_STATE_URL');
    expect(message).not.toContain('s3cret-pw');
  });

  it('explains a database that does not exist on a reachable server', async () => {
    const url = new URL(database.url);
    url.pathname = '/ferry_no_such_database';
    url.password = 'pa55-word';
    const message = await openStateStore(url.toString()).catch((error: Error) => error.message);
    expect(message).toMatch(/at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\/ferry_no_such_database: .*does not exist/);
    expect(message).not.toContain('pa55-word');
  });
});

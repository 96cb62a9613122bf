import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { dialectFor } from '@ferry/dialects';
import { z } from 'zod';
import { schemaName } from '../config-fields.ts';
import type { DestinationModule, ResourceShare, Via } from '../destination-module.ts';
import { duckdbCapabilities } from './duckdb-capabilities.ts';
import type { DuckDBDestinationConfig } from './duckdb-config.ts';
import { DuckDBDestination } from './duckdb-destination.ts';
import { duckdbSetupSql } from './duckdb-setup-sql.ts';

const dialect = dialectFor('duckdb');
const fields = { schema: schemaName, path: z.string().min(1) };

/** A DuckDB database file on the machine Ferry runs on, or `:memory:`. */
export const duckdbModule = {
  type: 'duckdb',
  dialect,
  capabilities: duckdbCapabilities,
  reach: { sshTunnel: false },
  fields,
  schemaField: 'schema',
  fileFields: ['path'],
  // DuckDB runs inside Ferry's process, by default on every core: destinations synced at once
  // would each start a thread per core and compete for them (and for the memory each thread buffers).
  config: (entry, _via?: Via, share?: ResourceShare) => ({
    type: 'duckdb',
    id: entry.id,
    path: entry.path,
    schema: entry.schema,
    ...(share ? { threads: Math.max(1, Math.floor(availableParallelism() / share.concurrency)) } : {}),
  }),
  address: (entry) => (entry.path === ':memory:' ? { kind: 'memory' } : { kind: 'file', path: entry.path }),
  // An in-memory database is the entry's own: no other destination can share it. A file is
  // named by its absolute path (ferry.yaml's relative paths are resolved when it is loaded).
  place: (entry) =>
    `duckdb ${entry.path === ':memory:' ? `:memory: of ${entry.id}` : resolve(entry.path)} schema ${dialect.foldIdentifier(entry.schema)}`,
  tls: async () => 'a local file: no network',
  setupSql: duckdbSetupSql,
  create: (config) => new DuckDBDestination(config),
} satisfies DestinationModule<'duckdb', typeof fields, DuckDBDestinationConfig>;

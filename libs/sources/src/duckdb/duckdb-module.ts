import { z } from 'zod';
import type { SourceModule } from '../source-module.ts';

const fields = { path: z.string().min(1) };

/** A DuckDB database file (dbt-duckdb) on the machine Ferry runs on. */
export const duckdbSourceModule = {
  type: 'duckdb',
  reach: { sshTunnel: false },
  fields,
  fileFields: ['path'],
  config: (entry) => ({ type: 'duckdb', path: entry.path }),
  address: () => undefined,
  loggedIn: (entry) => `opened ${entry.path}`,
  tls: () => undefined,
} satisfies SourceModule<'duckdb', typeof fields>;

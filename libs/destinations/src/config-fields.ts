import { z } from 'zod';

/** The name of the schema Ferry writes to, `ferry` unless given. */
export const schemaName = z.string().min(1).default('ferry');

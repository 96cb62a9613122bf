/** A JSON value as Ferry carries it for json/jsonb/variant columns. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

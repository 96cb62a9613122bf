export * from './state-store.ts';
export * from './control-plane.ts';
export { openStateStore, type OpenStateStoreOptions } from './open-state-store.ts';
export { StateStoreError } from './state-store-error.ts';
export { DEFAULT_STATE_SCHEMA } from './state-tables.ts';
export { redactUrl, userInfoOf, type UserInfo } from './redact-url.ts';

/**
 * A state store failure a user can act on: the message says what failed, where (passwords
 * redacted), and what to do.
 */
export class StateStoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StateStoreError';
  }
}

/**
 * A credential that cannot be stored, read or rotated, said so the operator can act on it: the
 * message names the secret, the key (by its id) or the variable, and the fix. It never holds a
 * master key or a secret's value, so it is safe to print, log and show with its stack.
 */
export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretError';
  }
}

/** A project section that cannot be used, or no workspace at all; the message says what to do. */
export class ProjectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectError';
  }
}

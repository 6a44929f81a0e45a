/**
 * A start-up failure whose message is the whole story: one line naming the variable or the
 * resource and the reason, secrets redacted. The entrypoint prints it alone (no stack), so
 * Nest's own report of it is left out of the log.
 */
export class StartFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartFailure';
  }
}

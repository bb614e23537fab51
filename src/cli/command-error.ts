/** A command that failed for a reason the user can act on: one line on stderr, exit code 1. */
export class CommandError extends Error {
  override name = 'CommandError';
}

/** A mistake in how a command was called: reported on stderr with exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

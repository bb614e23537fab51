/** A backup, restore or verify that cannot go on, for a reason the operator can act on (one line). */
export class BackupError extends Error {
  override name = 'BackupError';
}

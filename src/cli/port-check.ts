// `serve` checks that it can listen before it opens the store: a port in use is then one line naming
// the port, and no store file is left behind by a node that never started.
import { createServer } from 'node:net';
import { CommandError } from './command-error.js';

export async function assertCanListen(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, host, port)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** The one line for an error from listen(). */
export function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host}:${port}`;
  if (err.code === 'EADDRINUSE')
    return new CommandError(
      `${where} is already in use: stop the other process, or pick another --port (PORT)`,
    );
  if (err.code === 'EACCES')
    return new CommandError(
      `not allowed to listen on ${where}: use a port above 1023, or run with the right to bind it`,
    );
  if (err.code === 'EADDRNOTAVAIL')
    return new CommandError(`${host} is not an address of this machine: fix --host (HOST)`);
  return err;
}

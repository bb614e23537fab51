// A private PostgreSQL server for tests that stop it (the shared one on 5432 is never stopped):
// initdb into a temp directory owned by the postgres user, listening on a free loopback port with
// its unix socket in that directory. `stop()` is `pg_ctl stop -m immediate` (a crash: no checkpoint,
// every connection cut); `start()` brings it back on the same port with the same data.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../support/free-port.js';

const run = promisify(execFile);

/** The newest /usr/lib/postgresql/<v>/bin with initdb and pg_ctl, if any. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')) && existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

export class PrivatePostgres {
  private constructor(
    private readonly bin: string,
    readonly dir: string,
    readonly port: number,
  ) {}

  /** A URL of the server's `postgres` database. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Call `dispose()` when done (after whatever uses the server: it stops it for good). */
  static async start(bin: string): Promise<PrivatePostgres> {
    return PrivatePostgres.create(bin, (pg) =>
      pg.ctl('initdb', ['-D', pg.data, '-A', 'trust', '-U', 'postgres', '--no-sync']),
    );
  }

  /**
   * A streaming standby of `primary` (pg_basebackup -R: standby.signal and primary_conninfo), on a
   * free port of its own, started and replaying. Promote it with `SELECT pg_promote()`.
   */
  static async standbyOf(primary: PrivatePostgres): Promise<PrivatePostgres> {
    return PrivatePostgres.create(primary.bin, (pg) =>
      pg.ctl('pg_basebackup', [
        '-h',
        '127.0.0.1',
        '-p',
        String(primary.port),
        '-U',
        'postgres',
        '-D',
        pg.data,
        '-R',
        '--checkpoint=fast',
        '-X',
        'stream',
        '--no-sync',
      ]),
    );
  }

  private static async create(
    bin: string,
    init: (pg: PrivatePostgres) => Promise<void>,
  ): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'catalyst-pg-'));
    const asRoot = userInfo().uid === 0;
    if (asRoot) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    const pg = new PrivatePostgres(bin, dir, await freePort());
    try {
      await init(pg);
      await pg.start();
    } catch (err) {
      await pg.dispose();
      throw err;
    }
    return pg;
  }

  async dispose(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  private async ctl(tool: string, args: string[]): Promise<void> {
    const cmd = join(this.bin, tool);
    const [file, argv] =
      userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    await run(file, argv, { timeout: 30_000 });
  }

  async start(): Promise<void> {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    await this.ctl('pg_ctl', [
      '-D',
      this.data,
      '-o',
      opts,
      '-l',
      join(this.dir, 'log'),
      '-w',
      '-t',
      '30',
      'start',
    ]);
  }

  /** Immediate shutdown: every backend killed, no checkpoint (recovery on the next start). */
  async stop(): Promise<void> {
    await this.ctl('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
  }
}

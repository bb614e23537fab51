// The `catalyst` command. Every subcommand reads the same configuration (flags, then env) as serve.
// Heavy modules are imported inside each command: serve must be able to initialise Sentry before
// Fastify is loaded, and `tokens create` should not pay for a web server.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { pathToFileURL } from 'node:url';
import { CommandError } from './cli/command-error.js';
import { UsageError } from './cli/usage-error.js';
import { DependencyBusyError, DependencyTimeoutError } from './resilience/errors.js';
import { ConfigError, type Flags } from './config.js';
import { CatalystError } from './domain/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const CONFIG_FLAGS: Options = {
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  'database-url': { type: 'string' },
  'redis-url': { type: 'string' },
  role: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'log-level': { type: 'string' },
  'metrics-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const CONFIG_HELP = `Configuration (flags win over env):
  --port N            PORT                 HTTP/WebSocket port (default 8000)
  --host ADDR         HOST                 bind address (default 127.0.0.1)
  --data-dir DIR      CATALYST_DATA_DIR    where the embedded SQLite store lives (default ./data)
  --database-url URL  DATABASE_URL         PostgreSQL event store instead of SQLite
  --redis-url URL     REDIS_URL            Redis Streams bus and Redis rate limits
  --role ROLE         CATALYST_ROLE        all | api | gateway | pipeline (default all)
  --tls-cert FILE     CATALYST_TLS_CERT    serve HTTPS and WSS (with --tls-key)
  --tls-key FILE      CATALYST_TLS_KEY
  --metrics-port N    CATALYST_METRICS_PORT  serve /metrics on a separate ops port
  --log-level LEVEL   LOG_LEVEL            fatal|error|warn|info|debug|trace|silent (default info)`;

/** What a client command (publish, subscribe) reads of the configuration: where the server is. */
const CLIENT_CONFIG_HELP = `Where the server is, when --server / CATALYST_URL is not given (as \`serve\` was started):
  --port N            PORT                 its port (default 8000)
  --host ADDR         HOST                 its address (default 127.0.0.1)
  --tls-cert FILE     CATALYST_TLS_CERT    set when it serves HTTPS (then https:// is used)`;

/** The part of the configuration a client command reads: where the server is. */
const CLIENT_CONFIG_FLAGS: Options = {
  port: { type: 'string' },
  host: { type: 'string' },
  'tls-cert': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export interface Command {
  summary: string;
  usage: string;
  options: Options;
  /**
   * Which of serve's settings the command takes: all (the default); `client`, only where the server
   * is (publish, subscribe); `none`, a program of its own with its own --host, --port and --help.
   */
  settings?: 'client' | 'none';
  run(values: Flags, positionals: string[]): Promise<number | undefined>;
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./cli/serve.js')).serveCommand,
  demo: async () => (await import('./cli/demo.js')).demoCommand,
  status: async () => (await import('./cli/status.js')).statusCommand,
  migrate: async () => (await import('./cli/migrate.js')).migrateCommand,
  tokens: async () => (await import('./cli/tokens.js')).tokensCommand,
  publish: async () => (await import('./cli/publish.js')).publishCommand,
  subscribe: async () => (await import('./cli/subscribe.js')).subscribeCommand,
  'fault-proxy': async () => (await import('./cli/fault-proxy.js')).faultProxyCommand,
  backup: async () => (await import('./cli/backup.js')).backupCommand,
  restore: async () => (await import('./cli/restore.js')).restoreCommand,
  verify: async () => (await import('./cli/verify.js')).verifyCommand,
  'restore-drill': async () => (await import('./cli/restore-drill.js')).restoreDrillCommand,
  epoch: async () => (await import('./cli/epoch.js')).epochCommand,
};

const SUMMARIES: Record<string, string> = {
  serve: 'start a Catalyst node',
  demo: 'run the pipeline on bundled sample news (no internet needed)',
  status: "the node's readiness, breakers, recent refusals and firing alerts",
  migrate: 'apply store migrations and exit',
  tokens: 'create, list or revoke API tokens',
  publish: 'publish a signal (flags, a JSON file or stdin)',
  subscribe: 'print matching signals as JSON lines',
  'fault-proxy': 'run the Toxiproxy-compatible fault proxy',
  backup: 'write a backup of the store and its manifest',
  restore: 'restore a backup into an empty store',
  verify: "check the store's invariants (and a backup manifest)",
  'restore-drill': 'restore a backup into a scratch store and record the drill',
  epoch: 'give the store a new epoch (after a PITR or failover)',
};

function mainHelp(): string {
  const lines = Object.entries(SUMMARIES).map(([n, s]) => `  ${n.padEnd(12)} ${s}`);
  return `Usage: catalyst <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "catalyst <command> --help" for a command's options.\n`;
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return name ? 0 : 1;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`catalyst: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
  const cmd = await load();
  const settings = { client: CLIENT_CONFIG_FLAGS, none: {}, all: CONFIG_FLAGS }[cmd.settings ?? 'all'];
  const options = { ...settings, ...cmd.options };
  let parsed: { values: Flags; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (err) {
    process.stderr.write(`catalyst ${name}: ${(err as Error).message}\n\n${cmd.usage}\n`);
    return 2;
  }
  if (parsed.values.help && cmd.settings !== 'none') {
    process.stdout.write(`${cmd.usage}\n\n${cmd.settings === 'client' ? CLIENT_CONFIG_HELP : CONFIG_HELP}\n`);
    return 0;
  }
  try {
    return (await cmd.run(parsed.values, parsed.positionals)) ?? 0;
  } catch (err) {
    if (
      err instanceof ConfigError ||
      err instanceof CatalystError ||
      err instanceof UsageError ||
      err instanceof CommandError
    ) {
      process.stderr.write(`catalyst ${name}: ${withCause(err)}\n`);
      return err instanceof UsageError ? 2 : 1;
    }
    throw err;
  }
}

// Run when executed as a script (development: `node --import tsx src/cli.ts`); bin/catalyst.js
// imports runCli instead.
const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`catalyst: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 1;
    },
  );
}

/**
 * A dependency's failure says what the dependency itself said ("database \"x\" does not exist"),
 * with what to do for the usual causes: "store is unavailable" alone leaves a user guessing.
 */
function withCause(err: Error): string {
  const cause = err.cause as (Error & { code?: string }) | undefined;
  if (!(err instanceof CatalystError) || !(cause instanceof Error) || !cause.message) return err.message;
  // The dependency's own verdicts (timed out, too busy) are already in its message.
  if (cause instanceof DependencyTimeoutError || cause instanceof DependencyBusyError) return err.message;
  const hints: Record<string, string> = {
    '3D000': 'create it (createdb NAME) or fix the database name in DATABASE_URL',
    '28P01': 'fix the user or password in DATABASE_URL',
    '28000': "fix the user in DATABASE_URL (or the server's pg_hba.conf)",
    ECONNREFUSED: 'is the server running on that host and port? Fix DATABASE_URL or REDIS_URL',
    ENOTFOUND: 'the host name does not resolve: fix DATABASE_URL or REDIS_URL',
  };
  const hint = cause.code ? hints[cause.code] : undefined;
  return `${err.message}: ${cause.message}${hint ? `; ${hint}` : ''}`;
}

import { createToken, parseScopes } from '../auth/tokens.js';
import type { Command } from '../cli.js';
import { loadConfig } from '../config.js';
import { openCommandStore } from '../main.js';
import { UsageError } from './usage-error.js';

const USAGE = `Usage:
  catalyst tokens create --name NAME --scope publish|subscribe|admin[,...]
      Prints the new token once, alone on stdout (capture it: TOKEN=$(catalyst tokens create ...)).
  catalyst tokens list [--json]
  catalyst tokens revoke NAME
      Connected subscribers using it are disconnected (4403) within a second.`;

export const tokensCommand: Command = {
  summary: 'create, list or revoke API tokens',
  usage: USAGE,
  options: {
    name: { type: 'string' },
    scope: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  },
  async run(flags, positionals) {
    const [action, arg] = positionals;
    if (!action || !['create', 'list', 'revoke'].includes(action))
      throw new UsageError(`expected create, list or revoke\n\n${USAGE}`);
    const store = await openCommandStore(loadConfig(flags));
    try {
      if (action === 'create') {
        const name = flags.name as string | undefined;
        if (!name) throw new UsageError('tokens create needs --name NAME');
        const scopes = parseScopes(
          (flags.scope as unknown as string[] | undefined)?.join(',') ?? '',
          'scope',
        );
        const { token, record } = await createToken(store, name, scopes);
        process.stdout.write(`${token}\n`);
        process.stderr.write(
          `created token "${record.name}" with scopes ${record.scopes.join(',')}; it is shown only once\n`,
        );
      } else if (action === 'list') {
        const tokens = await store.listTokens();
        if (flags.json) process.stdout.write(`${JSON.stringify(tokens)}\n`);
        else {
          for (const t of tokens) {
            const state = t.revoked_at ? `revoked ${t.revoked_at}` : 'active';
            process.stdout.write(`${t.name}\t${t.scopes.join(',')}\t${t.created_at}\t${state}\n`);
          }
        }
      } else {
        if (!arg) throw new UsageError('tokens revoke needs a NAME');
        if (!(await store.revokeToken(arg))) {
          process.stderr.write(`no active token named "${arg}"\n`);
          return 1;
        }
        process.stderr.write(`revoked token "${arg}"\n`);
      }
    } finally {
      await store.close();
    }
    return 0;
  },
};

// Every environment variable the configuration reads by name is in the README's table: a setting
// a user cannot find does not exist for them.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';

it('every environment variable read by src/config is documented in the README', () => {
  const sources = ['src/config.ts', ...readdirSync('src/config').map((f) => join('src/config', f))];
  const names = new Set<string>();
  for (const file of sources) {
    for (const m of readFileSync(file, 'utf8').matchAll(
      /'((?:CATALYST|LLM|MARKET_DATA|SEC)_[A-Z0-9_]*[A-Z0-9]|[A-Z]+_URL|LOG_LEVEL|SENTRY_DSN|HOST|PORT)'/g,
    ))
      names.add(m[1]!);
  }
  assert.ok(names.size > 20, `found ${names.size} names`);
  const readme = readFileSync('README.md', 'utf8');
  const missing = [...names].filter((n) => !readme.includes(`\`${n}\``) && !readme.includes(`${n}\``));
  assert.deepEqual(missing, [], 'add these to the README configuration table');
});

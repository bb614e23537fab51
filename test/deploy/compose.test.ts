// Docker cannot run in CI or on every developer's machine, so the compose stack is checked by
// reading it: every service, file, port and network it names must exist and agree with the
// configs it mounts (nginx, Toxiproxy, Prometheus, Alertmanager, Grafana) and with the Dockerfile.
// A wrong name or port would otherwise only show up as a container that never becomes healthy.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { requireBinary } from '../support/servers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const COMPOSE_FILE = 'docker-compose.yml';
const ENV_EXAMPLE = '.env.example';
const TOXIPROXY_IMAGE = 'ghcr.io/shopify/toxiproxy:2.12.0';
// The ports the official images listen on; a Toxiproxy upstream must use the real one.
const IMAGE_PORTS: Record<string, number> = { postgres: 5432, redis: 6379 };
// Files the user creates on each machine: the test checks the documentation and the ignore rules
// that go with them instead of the files themselves.
const USER_CREATED: Record<string, string> = { '.env': ENV_EXAMPLE };
// Keys whose values are credentials wherever they appear.
const SECRET_KEY = /pass(word)?|secret|token|dsn|api_?key|routing_?key|service_?key|auth/i;

// ---------------------------------------------------------------------------------------------
// Reading the files

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: string | Array<string | { path: string; required?: boolean }>;
  ports?: Array<string | number | { target?: number; published?: string | number; host_ip?: string }>;
  volumes?: Array<string | { type?: string; source?: string; target: string }>;
  networks?: string[] | Record<string, unknown>;
  depends_on?: string[] | Record<string, unknown>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
}

interface Compose {
  services: Record<string, Service>;
  networks?: Record<string, unknown>;
  volumes?: Record<string, unknown>;
}

const repoPath = (p: string) => join(ROOT, p);
const read = (p: string) => readFileSync(repoPath(p), 'utf8');
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fails once with every problem found, so one run shows all of them. */
function expectNone(problems: string[], what: string): void {
  if (problems.length > 0) assert.fail(`${what}:\n  - ${problems.join('\n  - ')}`);
}

function parseDotEnv(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) env.set(m[1]!, m[2]!.trim().replace(/^(['"])(.*)\1$/, '$2'));
  }
  return env;
}

// Compose's own interpolation: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}.
const SUBST = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

interface VarUse {
  name: string;
  op: string | undefined;
  arg: string | undefined;
}

function varUses(s: string): VarUse[] {
  const uses: VarUse[] = [];
  for (const m of s.matchAll(SUBST)) {
    if (m[0] === '$$') continue;
    uses.push({ name: (m[1] ?? m[4])!, op: m[2], arg: m[3] });
  }
  return uses;
}

function interpolate(value: Json, env: Map<string, string>, errors: string[]): Json {
  if (typeof value === 'string') {
    return value.replace(SUBST, (whole, braced?: string, op?: string, arg?: string, bare?: string) => {
      if (whole === '$$') return '$';
      const name = (braced ?? bare)!;
      const v = env.get(name);
      const unset = v === undefined || (op?.startsWith(':') === true && v === '');
      if (op?.endsWith('?') && unset) {
        errors.push(`\${${name}} is required (${arg || 'no message'}) but ${ENV_EXAMPLE} does not set it`);
        return '';
      }
      if (op?.endsWith('-') && unset) return arg ?? '';
      return v ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env, errors));
  if (isObj(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, errors)]));
  return value;
}

function walkStrings(value: Json, path: string, visit: (s: string, path: string, key: string) => void): void {
  if (typeof value === 'string') visit(value, path, path.split('.').pop() ?? '');
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, `${path}[${i}]`, visit));
  else if (isObj(value))
    for (const [k, v] of Object.entries(value)) walkStrings(v, path ? `${path}.${k}` : k, visit);
}

// `merge: true` because the nodes share their settings through a YAML anchor and `<<:`.
const rawCompose = parse(read(COMPOSE_FILE), { merge: true }) as Json;
const envExample = parseDotEnv(read(ENV_EXAMPLE));
const interpolationErrors: string[] = [];
const compose = interpolate(rawCompose, envExample, interpolationErrors) as unknown as Compose;
const services = compose.services ?? {};
const serviceNames = new Set(Object.keys(services));

function service(name: string): Service {
  const s = services[name];
  assert.ok(s, `${COMPOSE_FILE} has no service "${name}" (services: ${[...serviceNames].join(', ')})`);
  return s;
}

function envOf(s: Service): Record<string, string> {
  const e = s.environment;
  if (!e) return {};
  if (Array.isArray(e)) {
    return Object.fromEntries(e.map((kv) => [kv.split('=')[0]!, kv.slice(kv.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

const listOrKeys = (v: string[] | Record<string, unknown> | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : Object.keys(v);
const networksOf = (s: Service) => {
  const n = listOrKeys(s.networks);
  return n.length > 0 ? n : ['default'];
};
const shareNetwork = (a: string, b: string) =>
  networksOf(service(a)).some((n) => networksOf(service(b)).includes(n));
const argv = (c: string | string[] | undefined): string[] =>
  c === undefined ? [] : Array.isArray(c) ? c : c.split(/\s+/);

/** The value of `--flag=value` or `-flag=value` in a command. */
function flagValue(s: Service, flag: string): string | undefined {
  const args = argv(s.command);
  for (const [i, a] of args.entries()) {
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
    if (a === flag) return args[i + 1];
  }
  return undefined;
}

interface Mount {
  source: string;
  target: string;
  bind: boolean;
}

function mountsOf(s: Service): Mount[] {
  return (s.volumes ?? []).map((v) => {
    if (typeof v === 'string') {
      const [source = '', target = ''] = v.split(':');
      return { source, target, bind: /^[./~]/.test(source) };
    }
    return { source: v.source ?? '', target: v.target, bind: v.type === 'bind' };
  });
}

/** The repository path a container path of a service comes from, through its bind mounts. */
function hostPathFor(name: string, containerPath: string): string {
  const mounts = mountsOf(service(name))
    .filter((m) => m.bind && (containerPath === m.target || containerPath.startsWith(`${m.target}/`)))
    .sort((a, b) => b.target.length - a.target.length);
  const m = mounts[0];
  assert.ok(m, `service "${name}" reads ${containerPath}, but no bind mount in ${COMPOSE_FILE} provides it`);
  return posix.normalize(posix.join(m.source, containerPath.slice(m.target.length)));
}

/** Glob with `*` inside one path segment, which is what rule_files and the checks here use. */
function globFiles(pattern: string): string[] {
  const dir = posix.dirname(pattern);
  const re = new RegExp(
    `^${posix
      .basename(pattern)
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')}$`,
  );
  if (!existsSync(repoPath(dir))) return [];
  return readdirSync(repoPath(dir))
    .filter((f) => re.test(f))
    .map((f) => posix.join(dir, f));
}

function gitIgnored(path: string): boolean {
  return spawnSync('git', ['check-ignore', '-q', '--no-index', path], { cwd: ROOT }).status === 0;
}

const imageName = (s: Service) => (s.image ?? '').split('/').pop()!.split(':')[0]!;
const hostPort = (hostAndPort: string) => {
  const i = hostAndPort.lastIndexOf(':');
  return { host: hostAndPort.slice(0, i), port: Number(hostAndPort.slice(i + 1)) };
};

// The Catalyst nodes are the services built from this repository.
const nodes = Object.entries(services)
  .filter(([, s]) => s.build !== undefined)
  .map(([n]) => n);
const nodePort = (n: string) => Number(envOf(service(n)).PORT || 8000);

// ---------------------------------------------------------------------------------------------
// nginx.conf, read as blocks of directives

interface Directive {
  name: string;
  args: string[];
  block?: Directive[];
}

function parseNginx(text: string): Directive[] {
  const tokens: string[] = [];
  const re = /#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([{};])|([^\s{};"'#]+)/g;
  for (const m of text.matchAll(re)) {
    if (m[0].startsWith('#')) continue;
    tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4]!);
  }
  let i = 0;
  const block = (): Directive[] => {
    const out: Directive[] = [];
    while (i < tokens.length) {
      if (tokens[i] === '}') {
        i++;
        return out;
      }
      const words: string[] = [];
      while (i < tokens.length && tokens[i] !== ';' && tokens[i] !== '{' && tokens[i] !== '}')
        words.push(tokens[i++]!);
      const [name = '', ...args] = words;
      if (tokens[i] === '{') {
        i++;
        out.push({ name, args, block: block() });
      } else {
        i++;
        out.push({ name, args });
      }
    }
    return out;
  };
  return block();
}

const all = (ds: Directive[] | undefined, name: string) => (ds ?? []).filter((d) => d.name === name);
const first = (ds: Directive[] | undefined, name: string) => all(ds, name)[0];

/** nginx time ("1h", "300s", "90") in seconds. */
function seconds(t: string): number {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(t);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return { ms: n / 1000, s: n, m: n * 60, h: n * 3600, d: n * 86400 }[m[2] ?? 's'] ?? Number.NaN;
}

// ---------------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  test('interpolates with the variables documented in .env.example', () => {
    expectNone(interpolationErrors, `${COMPOSE_FILE} needs variables that ${ENV_EXAMPLE} does not declare`);
    const problems: string[] = [];
    walkStrings(rawCompose, '', (s, path) => {
      for (const u of varUses(s)) {
        if (!u.op?.endsWith('-') && !envExample.has(u.name)) {
          problems.push(`${path} uses \${${u.name}} without a default; declare it in ${ENV_EXAMPLE}`);
        }
      }
    });
    expectNone(problems, 'undocumented variables');
  });

  test('names only services that exist (depends_on)', () => {
    const problems: string[] = [];
    for (const [name, s] of Object.entries(services)) {
      for (const dep of listOrKeys(s.depends_on)) {
        if (!serviceNames.has(dep)) problems.push(`${name} depends_on "${dep}", which is not a service`);
      }
    }
    expectNone(problems, 'unknown services in depends_on');
  });

  test('uses only declared networks and volumes, and every host path exists', () => {
    const problems: string[] = [];
    const declaredNetworks = new Set([...Object.keys(compose.networks ?? {}), 'default']);
    const declaredVolumes = new Set(Object.keys(compose.volumes ?? {}));
    for (const [name, s] of Object.entries(services)) {
      for (const n of networksOf(s)) {
        if (!declaredNetworks.has(n)) problems.push(`${name} joins network "${n}", which is not declared`);
      }
      for (const m of mountsOf(s)) {
        if (!m.bind) {
          if (m.source && !declaredVolumes.has(m.source))
            problems.push(`${name} mounts volume "${m.source}", not declared`);
          continue;
        }
        const p = posix.normalize(m.source);
        if (p.startsWith('/') || p.startsWith('..') || p.startsWith('~')) {
          problems.push(`${name} bind-mounts ${m.source}, outside the repository`);
        } else if (!existsSync(repoPath(p))) {
          problems.push(`${name} bind-mounts ./${p}, which does not exist`);
        }
      }
      if (s.build !== undefined) {
        const b = typeof s.build === 'string' ? { context: s.build } : s.build;
        const context = b.context ?? '.';
        const dockerfile = posix.join(context, b.dockerfile ?? 'Dockerfile');
        if (!existsSync(repoPath(context)))
          problems.push(`${name} builds from ${context}, which does not exist`);
        if (!existsSync(repoPath(dockerfile)))
          problems.push(`${name} builds with ${dockerfile}, which does not exist`);
      }
      const envFiles = s.env_file === undefined ? [] : Array.isArray(s.env_file) ? s.env_file : [s.env_file];
      for (const f of envFiles) {
        const p = posix.normalize(typeof f === 'string' ? f : f.path);
        const stand = USER_CREATED[p];
        if (stand !== undefined) {
          if (!existsSync(repoPath(stand)))
            problems.push(`${name} reads ${p}, made from ${stand}, which is missing`);
        } else if (!existsSync(repoPath(p)))
          problems.push(`${name} reads env_file ${p}, which does not exist`);
      }
    }
    expectNone(problems, 'missing networks, volumes or files');
  });

  test('gives every service a healthcheck and publishes only nginx beyond loopback', () => {
    const problems: string[] = [];
    const published = new Map<string, string>();
    for (const [name, s] of Object.entries(services)) {
      if (!s.healthcheck?.test || s.healthcheck.disable) problems.push(`${name} has no healthcheck`);
      for (const p of s.ports ?? []) {
        const spec =
          typeof p === 'object'
            ? `${p.host_ip ? `${p.host_ip}:` : ''}${p.published ?? ''}:${p.target ?? ''}`
            : String(p);
        const parts = spec.split(':');
        const hostIp = parts.length === 3 ? parts[0]! : '';
        const hostSide = parts.length >= 2 ? parts[parts.length - 2]! : parts[0]!;
        const key = `${hostIp || '*'}:${hostSide}`;
        const other = published.get(key);
        if (other) problems.push(`${name} and ${other} both publish host port ${key}`);
        published.set(key, name);
        if (name !== 'nginx' && hostIp !== '127.0.0.1') {
          problems.push(
            `${name} publishes ${spec} on every interface; only nginx is public, bind ops UIs to 127.0.0.1`,
          );
        }
      }
    }
    expectNone(problems, 'healthchecks and published ports');
  });
});

describe('Catalyst nodes', () => {
  test('there are two, built from the Dockerfile, sharing DATABASE_URL and REDIS_URL', () => {
    assert.equal(
      nodes.length,
      2,
      `expected two services built from this repository, found: ${nodes.join(', ')}`,
    );
    const [a, b] = nodes.map((n) => envOf(service(n)));
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'CATALYST_ROLE', 'PORT', 'CATALYST_METRICS_PORT']) {
      assert.ok(a![key], `${nodes[0]} does not set ${key}`);
      assert.equal(a![key], b![key], `${nodes[0]} and ${nodes[1]} differ in ${key}`);
    }
    assert.ok(a!.DATABASE_URL!.startsWith('postgres'), 'DATABASE_URL is not a postgres:// URL');
    assert.ok(a!.REDIS_URL!.startsWith('redis'), 'REDIS_URL is not a redis:// URL');
  });

  test('listen on all interfaces, publish no host port, and check readiness', () => {
    const problems: string[] = [];
    for (const n of nodes) {
      const s = service(n);
      const env = envOf(s);
      if (env.HOST !== '0.0.0.0')
        problems.push(`${n}: HOST must be 0.0.0.0 in a container (default 127.0.0.1 is unreachable)`);
      if ((s.ports ?? []).length > 0)
        problems.push(`${n} publishes ${JSON.stringify(s.ports)}; traffic must go through nginx`);
      if (env.CATALYST_METRICS_PORT === env.PORT)
        problems.push(`${n}: metrics must be on their own port, not PORT`);
      const hc = argv(s.healthcheck?.test).join(' ');
      if (!hc.includes(`:${nodePort(n)}/health/ready`))
        problems.push(`${n}: healthcheck must query :${nodePort(n)}/health/ready`);
      if (!mountsOf(s).some((m) => m.target === env.CATALYST_DATA_DIR)) {
        problems.push(`${n}: CATALYST_DATA_DIR ${env.CATALYST_DATA_DIR} is not on a volume`);
      }
    }
    expectNone(problems, 'node settings');
  });

  test('reach PostgreSQL and Redis only through Toxiproxy', () => {
    const problems: string[] = [];
    for (const n of nodes) {
      const env = envOf(service(n));
      for (const key of ['DATABASE_URL', 'REDIS_URL']) {
        const host = new URL(env[key]!).hostname;
        if (!serviceNames.has(host))
          problems.push(`${n}: ${key} points at "${host}", which is not a service`);
        else if (imageName(service(host)) !== 'toxiproxy')
          problems.push(`${n}: ${key} points at ${host}, not at Toxiproxy`);
        else if (!shareNetwork(n, host)) problems.push(`${n} shares no network with ${host}`);
      }
      for (const dep of ['postgres', 'redis']) {
        if (serviceNames.has(dep) && shareNetwork(n, dep)) {
          problems.push(`${n} shares a network with ${dep}, so it could bypass Toxiproxy`);
        }
      }
    }
    expectNone(problems, 'dependency paths');
  });
});

describe('Toxiproxy', () => {
  const name = Object.keys(services).find((n) => imageName(service(n)) === 'toxiproxy') ?? 'toxiproxy';

  test('is the official image, loading its proxies from deploy/toxiproxy', () => {
    const s = service(name);
    assert.equal(s.image, TOXIPROXY_IMAGE);
    const config = flagValue(s, '-config');
    assert.ok(config, `${name} has no -config=FILE in its command`);
    assert.equal(flagValue(s, '-host'), '0.0.0.0', `${name} must listen on 0.0.0.0 to be reachable`);
    assert.equal(hostPathFor(name, config), 'deploy/toxiproxy/toxiproxy.json');
  });

  test('declares /populate proxies whose ports match the nodes and the real servers', () => {
    const s = service(name);
    const file = hostPathFor(name, flagValue(s, '-config') ?? '');
    const proxies = JSON.parse(read(file)) as unknown;
    assert.ok(Array.isArray(proxies), `${file} must be a JSON array (the /populate format)`);
    const problems: string[] = [];
    const byUpstreamService = new Map<string, number>();
    const names = new Set<string>();
    for (const p of proxies as Array<Record<string, unknown>>) {
      const { name: pn, listen, upstream } = p;
      if (typeof pn !== 'string' || typeof listen !== 'string' || typeof upstream !== 'string' || !pn) {
        problems.push(`${JSON.stringify(p)} needs string name, listen and upstream`);
        continue;
      }
      if (names.has(pn)) problems.push(`proxy name ${pn} appears twice`);
      names.add(pn);
      const l = hostPort(listen);
      const u = hostPort(upstream);
      if (!Number.isInteger(l.port) || l.port <= 0)
        problems.push(`${pn}: listen ${listen} needs a fixed port`);
      if (l.host !== '0.0.0.0')
        problems.push(`${pn}: listen ${listen} must be 0.0.0.0 to be reachable from the nodes`);
      if (!serviceNames.has(u.host)) {
        problems.push(`${pn}: upstream host "${u.host}" is not a service`);
        continue;
      }
      const real = IMAGE_PORTS[imageName(service(u.host))];
      if (real !== undefined && real !== u.port)
        problems.push(`${pn}: upstream ${upstream}, but ${u.host} listens on ${real}`);
      if (!shareNetwork(name, u.host)) problems.push(`${name} shares no network with its upstream ${u.host}`);
      byUpstreamService.set(u.host, l.port);
    }
    for (const required of ['postgres', 'redis'])
      if (!names.has(required)) problems.push(`no proxy named ${required}`);
    for (const n of nodes) {
      const env = envOf(service(n));
      for (const [key, upstream] of [
        ['DATABASE_URL', 'postgres'],
        ['REDIS_URL', 'redis'],
      ] as const) {
        const port = Number(new URL(env[key]!).port);
        const listen = byUpstreamService.get(upstream);
        if (port !== listen)
          problems.push(`${n}: ${key} uses port ${port}, the proxy to ${upstream} listens on ${listen}`);
      }
    }
    expectNone(problems, `${file} disagrees with ${COMPOSE_FILE}`);
  });
});

describe('nginx', () => {
  const file = hostPathFor('nginx', '/etc/nginx/nginx.conf');
  const conf = parseNginx(read(file));
  const http = first(conf, 'http')?.block ?? [];
  const servers = all(http, 'server');
  const tlsServer = servers.find((s) => all(s.block, 'listen').some((l) => l.args.includes('ssl')));
  const locations = (tlsServer?.block ?? []).filter((d) => d.name === 'location');

  test('round-robins over both nodes on their PORT with passive health checks', () => {
    const upstreams = all(http, 'upstream');
    assert.equal(upstreams.length, 1, `${file} should define one upstream`);
    const up = upstreams[0]!;
    const problems: string[] = [];
    for (const policy of ['ip_hash', 'hash', 'least_conn', 'random', 'sticky']) {
      if (first(up.block, policy)) problems.push(`upstream uses ${policy}; Catalyst needs plain round robin`);
    }
    const hosts: string[] = [];
    for (const srv of all(up.block, 'server')) {
      const { host, port } = hostPort(srv.args[0]!);
      hosts.push(host);
      if (!serviceNames.has(host)) problems.push(`upstream server ${host} is not a service`);
      else if (port !== nodePort(host))
        problems.push(`upstream ${host}:${port}, but ${host} has PORT=${nodePort(host)}`);
      else if (!shareNetwork('nginx', host)) problems.push(`nginx shares no network with ${host}`);
      if (!srv.args.some((a) => a.startsWith('max_fails='))) problems.push(`${host} has no max_fails`);
      if (!srv.args.some((a) => a.startsWith('fail_timeout='))) problems.push(`${host} has no fail_timeout`);
      if (srv.args.includes('resolve') && !first(http, 'resolver'))
        problems.push('server ... resolve needs a resolver');
    }
    assert.deepEqual(
      [...hosts].sort(),
      [...nodes].sort(),
      'the upstream must list exactly the Catalyst nodes',
    );
    expectNone(problems, `${file} upstream`);
  });

  test('upgrades WebSockets on /ws with a long read timeout', () => {
    const ws = locations.find((l) => l.args.at(-1) === '/ws' || l.args.at(-1)?.startsWith('/ws'));
    assert.ok(ws?.block, `${file} has no location for /ws in the TLS server`);
    const headers = all(ws.block, 'proxy_set_header').map((d) => d.args);
    const problems: string[] = [];
    if (first(ws.block, 'proxy_pass')?.args[0] !== `http://${all(http, 'upstream')[0]?.args[0]}`) {
      problems.push('proxy_pass must point at the upstream');
    }
    if (first(ws.block, 'proxy_http_version')?.args[0] !== '1.1')
      problems.push('needs proxy_http_version 1.1');
    if (!headers.some(([h, v]) => h === 'Upgrade' && v === '$http_upgrade'))
      problems.push('needs proxy_set_header Upgrade $http_upgrade');
    const conn = headers.find(([h]) => h === 'Connection')?.[1];
    if (conn !== 'upgrade' && conn !== '$connection_upgrade')
      problems.push('needs proxy_set_header Connection upgrade');
    if (
      conn === '$connection_upgrade' &&
      !all(http, 'map').some((m) => m.args[1] === '$connection_upgrade')
    ) {
      problems.push('$connection_upgrade is used but no map defines it');
    }
    const timeout = seconds(first(ws.block, 'proxy_read_timeout')?.args[0] ?? '60s');
    if (!(timeout >= 300))
      problems.push(`proxy_read_timeout is ${timeout}s; WebSockets need minutes, not the 60s default`);
    expectNone(problems, `${file} location /ws`);
  });

  test('terminates TLS with the user-made certificate, redirects HTTP, hides /metrics', () => {
    assert.ok(tlsServer, `${file} has no "listen 443 ssl" server`);
    const problems: string[] = [];
    for (const d of ['ssl_certificate', 'ssl_certificate_key']) {
      const path = first(tlsServer.block, d)?.args[0];
      if (!path) {
        problems.push(`no ${d}`);
        continue;
      }
      const host = hostPathFor('nginx', path);
      // The key and certificate are made by the user; what must exist is how to make them, and an
      // ignore rule so that they cannot be committed.
      if (!existsSync(repoPath(posix.join(posix.dirname(host), 'README.md')))) {
        problems.push(`${d} ${host}: no README.md beside it explaining how to create it`);
      }
      if (!gitIgnored(host)) problems.push(`${d} ${host} is not git-ignored`);
    }
    const plain = servers.find((s) => all(s.block, 'listen').some((l) => l.args[0] === '80'));
    const redirects = (plain?.block ?? [])
      .flatMap((d) => (d.name === 'location' ? (d.block ?? []) : [d]))
      .filter(
        (d) => d.name === 'return' && /^30[178]$/.test(d.args[0] ?? '') && d.args[1]?.startsWith('https://'),
      );
    if (redirects.length === 0) problems.push('the port 80 server does not redirect to https://');
    const metrics = locations.find((l) => l.args.at(-1) === '/metrics');
    const hidden =
      metrics !== undefined &&
      ['=', '^~'].includes(metrics.args[0] ?? '') &&
      (first(metrics.block, 'return')?.args[0] === '404' || first(metrics.block, 'deny')?.args[0] === 'all');
    if (!hidden)
      problems.push('/metrics must be answered by nginx itself (location ^~ /metrics { return 404; })');
    const nginxPorts = (service('nginx').ports ?? []).map(String);
    if (!nginxPorts.some((p) => p.endsWith(':443'))) problems.push('nginx does not publish 443');
    expectNone(problems, `${file} TLS`);
  });
});

describe('Prometheus', () => {
  const config = flagValue(service('prometheus'), '--config.file') ?? '/etc/prometheus/prometheus.yml';
  const file = hostPathFor('prometheus', config);
  const prom = parse(read(file)) as {
    rule_files?: string[];
    scrape_configs?: Array<{ job_name: string; static_configs?: Array<{ targets: string[] }> }>;
    alerting?: { alertmanagers?: Array<{ static_configs?: Array<{ targets: string[] }> }> };
  };

  test('loads rule files that exist in alerts/, and all of them', () => {
    const globs = (prom.rule_files ?? []).map((r) => hostPathFor('prometheus', r));
    const problems: string[] = [];
    const loaded = new Set<string>();
    for (const g of globs) {
      const found = globFiles(g);
      if (found.length === 0) problems.push(`rule_files ${g} matches no file`);
      for (const f of found) loaded.add(f);
    }
    for (const f of globFiles('alerts/*.rules.yml'))
      if (!loaded.has(f)) problems.push(`${f} is not loaded by rule_files`);
    if (loaded.size === 0) problems.push('no rule file is loaded');
    expectNone(problems, `${file} rule_files`);
  });

  test('scrapes both nodes on CATALYST_METRICS_PORT and targets only services', () => {
    const problems: string[] = [];
    const check = (target: string, job: string) => {
      const { host, port } = hostPort(target);
      if (host === 'localhost' || host === '127.0.0.1') return;
      if (!serviceNames.has(host)) problems.push(`${job}: target ${target} is not a service`);
      else if (!shareNetwork('prometheus', host))
        problems.push(`${job}: prometheus shares no network with ${host}`);
      else if (nodes.includes(host)) {
        const metricsPort = Number(envOf(service(host)).CATALYST_METRICS_PORT);
        if (port !== metricsPort)
          problems.push(`${job}: ${target}, but ${host} has CATALYST_METRICS_PORT=${metricsPort}`);
      }
    };
    for (const sc of prom.scrape_configs ?? []) {
      for (const t of (sc.static_configs ?? []).flatMap((c) => c.targets)) check(t, sc.job_name);
    }
    for (const am of prom.alerting?.alertmanagers ?? []) {
      for (const t of (am.static_configs ?? []).flatMap((c) => c.targets)) check(t, 'alerting');
    }
    const catalyst = (prom.scrape_configs ?? []).find((sc) => sc.job_name === 'catalyst');
    const scraped = (catalyst?.static_configs ?? []).flatMap((c) => c.targets).map((t) => hostPort(t).host);
    assert.deepEqual(
      scraped.sort(),
      [...nodes].sort(),
      'job "catalyst" (used by the alerts) must scrape exactly the nodes',
    );
    expectNone(problems, `${file} targets`);
  });
});

describe('Alertmanager', () => {
  const config = flagValue(service('alertmanager'), '--config.file') ?? '/etc/alertmanager/alertmanager.yml';
  const file = hostPathFor('alertmanager', config);
  interface Route {
    receiver?: string;
    matchers?: string[];
    match?: Record<string, string>;
    routes?: Route[];
  }
  const am = parse(read(file)) as {
    route: Route;
    receivers: Array<Record<string, unknown> & { name: string }>;
  };

  test('is alerts/alertmanager.yml, and pages PagerDuty only for severity=critical', () => {
    assert.equal(file, 'alerts/alertmanager.yml');
    const paging = new Set(am.receivers.filter((r) => Array.isArray(r.pagerduty_configs)).map((r) => r.name));
    assert.ok(paging.size > 0, 'no PagerDuty receiver');
    const problems: string[] = [];
    const critical = (r: Route) =>
      (r.matchers ?? []).some((m) => /^severity\s*=\s*"?critical"?$/.test(m)) ||
      r.match?.severity === 'critical';
    const walk = (r: Route, underCritical: boolean, path: string) => {
      const c = underCritical || critical(r);
      if (r.receiver && paging.has(r.receiver) && !c)
        problems.push(`${path} sends to ${r.receiver} without severity="critical"`);
      (r.routes ?? []).forEach((child, i) => walk(child, c, `${path}.routes[${i}]`));
    };
    walk(am.route, false, 'route');
    expectNone(problems, `${file} routing`);
  });

  test('reads credentials from files under a git-ignored, documented mount', () => {
    const problems: string[] = [];
    walkStrings(am as unknown as Json, '', (value, path, key) => {
      if (/_file$/.test(key)) {
        const host = hostPathFor('alertmanager', value);
        if (!existsSync(repoPath(posix.join(posix.dirname(host), 'README.md')))) {
          problems.push(`${path}: ${host} has no README.md beside it saying how to create it`);
        }
        if (!gitIgnored(host)) problems.push(`${path}: ${host} is not git-ignored`);
      } else if (SECRET_KEY.test(key) && value !== '') {
        problems.push(`${path} holds a credential inline; use ${key}_file`);
      }
    });
    expectNone(problems, `${file} credentials`);
  });
});

describe('Grafana', () => {
  const provisioning = hostPathFor('grafana', '/etc/grafana/provisioning');

  test('provisions datasources that point at services it can reach', () => {
    const files = globFiles(`${provisioning}/datasources/*.yml`);
    assert.ok(files.length > 0, `no datasource file in ${provisioning}/datasources`);
    const problems: string[] = [];
    for (const f of files) {
      const ds =
        (parse(read(f)) as { datasources?: Array<{ name: string; uid?: string; url?: string }> })
          .datasources ?? [];
      for (const d of ds) {
        if (!d.uid) problems.push(`${f}: datasource ${d.name} has no stable uid`);
        const host = d.url ? new URL(d.url).hostname : '';
        if (!serviceNames.has(host)) problems.push(`${f}: ${d.name} url ${d.url} is not a service`);
        else if (!shareNetwork('grafana', host))
          problems.push(`${f}: grafana shares no network with ${host}`);
      }
    }
    expectNone(problems, 'Grafana datasources');
  });

  test('loads dashboards from dashboards/, each with a uid', () => {
    const files = globFiles(`${provisioning}/dashboards/*.yml`);
    assert.ok(files.length > 0, `no dashboard provider in ${provisioning}/dashboards`);
    const problems: string[] = [];
    for (const f of files) {
      const providers =
        (parse(read(f)) as { providers?: Array<{ name: string; options?: { path?: string } }> }).providers ??
        [];
      for (const p of providers) {
        const dir = hostPathFor('grafana', p.options?.path ?? '');
        const jsons = globFiles(`${dir}/*.json`);
        if (jsons.length === 0)
          problems.push(`${f}: provider ${p.name} loads ${dir}, which has no dashboard JSON`);
        for (const j of jsons) {
          const d = JSON.parse(read(j)) as { uid?: string; title?: string };
          if (!d.uid || !d.title) problems.push(`${j} needs a stable uid and a title`);
        }
      }
    }
    expectNone(problems, 'Grafana dashboards');
  });
});

describe('Dockerfile', () => {
  interface Instr {
    op: string;
    args: string;
  }
  const dockerfile = (() => {
    const node = service(nodes[0] ?? '');
    const b = typeof node.build === 'string' ? { context: node.build } : (node.build ?? {});
    return posix.join(b.context ?? '.', b.dockerfile ?? 'Dockerfile');
  })();
  const instrs: Instr[] = read(dockerfile)
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => ({ op: l.split(/\s+/)[0]!.toUpperCase(), args: l.slice(l.split(/\s+/)[0]!.length).trim() }));
  const lastStage = instrs.slice(instrs.map((i) => i.op).lastIndexOf('FROM'));
  const exec = (op: string) => {
    const i = lastStage.filter((x) => x.op === op).pop();
    return i ? (JSON.parse(i.args) as string[]) : undefined;
  };

  test('runs bin/catalyst.js serve as a non-root user on the nodes PORT', () => {
    assert.match(
      lastStage[0]?.args ?? '',
      /^node:20-bookworm-slim\b/,
      'the runtime stage must be node:20-bookworm-slim',
    );
    const entry = exec('ENTRYPOINT');
    assert.ok(entry, 'no exec-form ENTRYPOINT in the runtime stage');
    const script = entry.find((a) => a.endsWith('catalyst.js'));
    assert.equal(script, 'bin/catalyst.js', `ENTRYPOINT ${JSON.stringify(entry)} must run bin/catalyst.js`);
    assert.ok(existsSync(repoPath(script)), 'bin/catalyst.js does not exist');
    assert.deepEqual(exec('CMD'), ['serve']);
    const user = lastStage.filter((i) => i.op === 'USER').pop()?.args;
    assert.ok(user && !/^(root|0)(:|$)/.test(user), `runtime stage runs as ${user ?? 'root'}; add USER node`);
    const exposed = lastStage
      .filter((i) => i.op === 'EXPOSE')
      .flatMap((i) => i.args.split(/\s+/))
      .map((p) => Number.parseInt(p, 10));
    for (const n of nodes)
      assert.ok(exposed.includes(nodePort(n)), `EXPOSE does not include ${n}'s PORT ${nodePort(n)}`);
  });

  test('.dockerignore keeps secrets and local state out of the image', () => {
    assert.ok(existsSync(repoPath('.dockerignore')), 'no .dockerignore');
    const lines = new Set(
      read('.dockerignore')
        .split('\n')
        .map((l) => l.trim()),
    );
    const missing = [
      '.env',
      'node_modules',
      '.git',
      'deploy/nginx/certs',
      'deploy/alertmanager/secrets',
    ].filter((p) => !lines.has(p));
    expectNone(missing, '.dockerignore does not exclude');
  });
});

describe('secrets', () => {
  test('compose takes every credential from .env, never a literal', () => {
    const problems: string[] = [];
    walkStrings(rawCompose, '', (value, path, key) => {
      const envKey = /^services\..*\.environment\./.test(path) ? key : '';
      const onlySubst = (s: string) => s.replace(SUBST, '').trim() === '';
      if (envKey && SECRET_KEY.test(envKey) && !/_(USER|FILE)$/i.test(envKey) && !onlySubst(value)) {
        problems.push(`${path} is a literal; use \${${envKey}} from .env`);
      }
      // Passwords inside URLs, e.g. postgres://user:${POSTGRES_PASSWORD}@host.
      for (const m of value.matchAll(/:\/\/[^:/@\s]*:([^@\s]+)@/g)) {
        if (!/^\$\{[^}]+\}$/.test(m[1]!)) problems.push(`${path} has a literal password in a URL`);
      }
      for (const u of varUses(value)) {
        if (SECRET_KEY.test(u.name) && !/_USER$/.test(u.name) && u.op?.endsWith('-') && u.arg) {
          problems.push(
            `${path}: \${${u.name}} has a default; secrets get no default in compose (see ${ENV_EXAMPLE})`,
          );
        }
      }
    });
    // A value passed after --requirepass and similar flags is a password even outside `environment`.
    walkStrings(rawCompose, '', (value, path) => {
      if (/--(requirepass|password)[= ]\S/.test(value) && !/--\w+[= ]\$\{/.test(value))
        problems.push(`${path}: literal password`);
    });
    expectNone(problems, `hard-coded secrets in ${COMPOSE_FILE}`);
  });

  test('.env.example holds only placeholders', () => {
    const problems: string[] = [];
    for (const [k, v] of envExample) {
      if (SECRET_KEY.test(k) && !/_USER$/.test(k) && v !== '' && !/change-?me|dev-only|example/i.test(v)) {
        problems.push(`${k} looks like a real secret; use a placeholder such as dev-only-change-me`);
      }
    }
    expectNone(problems, ENV_EXAMPLE);
  });

  test('no private key, PagerDuty key or Sentry DSN is in the deployment files', () => {
    const roots = [
      COMPOSE_FILE,
      'Dockerfile',
      '.dockerignore',
      ENV_EXAMPLE,
      'deploy',
      'alerts',
      'dashboards',
      'runbooks',
    ];
    const files: string[] = [];
    const walk = (p: string) => {
      if (!existsSync(repoPath(p))) return;
      if (statSync(repoPath(p)).isDirectory())
        for (const f of readdirSync(repoPath(p))) walk(posix.join(p, f));
      else if (!gitIgnored(p)) files.push(p);
    };
    roots.forEach(walk);
    const patterns: Array<[RegExp, string]> = [
      [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
      [/https?:\/\/[0-9a-f]{32}@[^\s'"]*sentry/i, 'a Sentry DSN'],
      [/\b(routing|service)_key\s*:\s*['"]?[A-Za-z0-9]{20,}/, 'a PagerDuty key'],
      [/events\.pagerduty\.com\/integration\/[A-Za-z0-9]{20,}/, 'a PagerDuty integration URL'],
      [/(password|secret|token)\s*[:=]\s*['"]?(?!dev-only)[A-Za-z0-9+/_-]{16,}/i, 'a password or token'],
    ];
    const problems: string[] = [];
    for (const f of files) {
      const text = readFileSync(repoPath(f), 'utf8');
      for (const [re, what] of patterns)
        if (re.test(text)) problems.push(`${f} contains what looks like ${what}`);
      if (/\.(pem|key|p12|pfx)$/.test(f))
        problems.push(`${f} is a key or certificate file that git would commit`);
    }
    expectNone(problems, 'secrets in the repository');
  });

  test('.env is git-ignored', () => {
    // A filled-in .env holds the passwords compose reads: it must never be committable.
    assert.ok(gitIgnored('.env'), 'add .env to the root .gitignore');
  });
});

// ---------------------------------------------------------------------------------------------
// The real validators (Debian's prometheus and prometheus-alertmanager packages ship them; npm test
// fetches them, scripts/test-tools.sh). A missing one skips with a line, and fails under CI=true.

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
}

describe('official validators', () => {
  test('promtool check config', async (t) => {
    const promtool = await requireBinary(t, 'promtool');
    if (promtool)
      run(promtool, ['check', 'config', hostPathFor('prometheus', '/etc/prometheus/prometheus.yml')]);
  });

  test('promtool check rules and test rules', async (t) => {
    const promtool = await requireBinary(t, 'promtool');
    if (!promtool) return;
    const rules = globFiles('alerts/*.rules.yml');
    assert.ok(rules.length > 0, 'no alerts/*.rules.yml');
    run(promtool, ['check', 'rules', ...rules]);
    const tests = globFiles('alerts/*.test.yml');
    if (tests.length > 0) run(promtool, ['test', 'rules', ...tests]);
  });

  test('amtool check-config', async (t) => {
    const amtool = await requireBinary(t, 'amtool');
    if (amtool) run(amtool, ['check-config', 'alerts/alertmanager.yml']);
  });
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeLlm } from '../../src/demo/fake-llm.js';
import { LlmClassifier, parseClassification, stripCodeFence } from '../../src/deps/llm.js';
import { keepClassification, type ClassifyInput } from '../../src/pipeline/classifier-port.js';
import { parseRetryAfter, UpstreamError } from '../../src/pipeline/upstream-error.js';

const fake = new FakeLlm();
before(() => fake.start());
after(() => fake.close());

const fda: ClassifyInput = {
  title: 'NeuroBiotix Receives FDA Approval for NBX-101',
  summary:
    'CAMBRIDGE, Mass., Nov. 16, 2026 (GLOBE NEWSWIRE) -- NeuroBiotix (Nasdaq: NBTX) today announced ...',
  tickers: ['NBTX'],
  source: 'globenewswire',
  hints: ['fda'],
};

const signal = () => AbortSignal.timeout(10_000);
const llm = (over: Partial<ConstructorParameters<typeof LlmClassifier>[0]> = {}) =>
  new LlmClassifier({ baseUrl: fake.baseUrl, apiKey: 'sk-test', model: 'fake-1', ...over });

async function rejectsWith(p: Promise<unknown>, reason: string): Promise<UpstreamError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof UpstreamError, `expected UpstreamError, got ${err}`);
    assert.equal(err.reason, reason);
    return err;
  }
  assert.fail(`expected a rejection with ${reason}`);
}

test('classifies with a strict JSON-schema request at temperature 0', async () => {
  await fake.setFault('none');
  const before = fake.requests.length;
  const c = await llm().classify(fda, signal());
  assert.deepEqual(c, {
    is_catalyst: true,
    category: 'fda',
    sentiment: 0.8,
    score: 0.93,
    reason: 'Matches the fda pattern.',
  });
  assert.equal(keepClassification(c), true);
  const req = fake.requests[before]!;
  assert.equal(req.headers.authorization, 'Bearer sk-test');
  const body = JSON.parse(req.body);
  assert.equal(body.model, 'fake-1');
  assert.equal(body.temperature, 0);
  assert.equal(body.stream, false);
  assert.equal(body.max_tokens, 300);
  assert.equal(body.response_format.type, 'json_schema');
  const schema = body.response_format.json_schema.schema;
  assert.equal(body.response_format.json_schema.strict, true);
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual([...schema.required].sort(), Object.keys(schema.properties).sort());
});

test('max_completion_tokens replaces max_tokens when configured', async () => {
  await fake.setFault('none');
  await llm({ maxTokensField: 'max_completion_tokens', maxTokens: 99 }).classify(fda, signal());
  const body = JSON.parse(fake.requests.at(-1)!.body);
  assert.equal(body.max_completion_tokens, 99);
  assert.equal('max_tokens' in body, false);
});

test('a server rejecting json_schema gets json_object with the schema in the prompt, from then on', async (t) => {
  await fake.setFault('none');
  fake.rejectJsonSchema = true;
  t.after(() => (fake.rejectJsonSchema = false));
  const client = llm();
  const start = fake.requests.length;
  assert.equal((await client.classify(fda, signal())).category, 'fda');
  assert.equal(client.mode, 'json_object');
  await client.classify(fda, signal());
  const sent = fake.requests.slice(start).map((r) => JSON.parse(r.body));
  assert.deepEqual(
    sent.map((b) => b.response_format.type),
    ['json_schema', 'json_object', 'json_object'],
  );
  assert.match(sent[1].messages[0].content, /JSON schema: \{"type":"object"/);
});

test('each failure a server shows becomes a typed error with its reason', async () => {
  const cases: [Parameters<FakeLlm['setFault']>[0], string][] = [
    ['http_5xx', 'http_5xx'],
    ['garbage', 'invalid'],
    ['truncated', 'truncated'],
    ['length', 'truncated'],
    ['cut_body', 'truncated'],
    ['closed', 'network'],
    ['down', 'network'],
  ];
  for (const [fault, reason] of cases) {
    await fake.setFault(fault);
    await rejectsWith(llm().classify(fda, signal()), reason);
  }
  await fake.setFault('none');
  assert.equal((await llm().classify(fda, signal())).category, 'fda', 'back once the fault clears');
});

test('429 carries Retry-After in seconds, given as seconds or as an HTTP date', async () => {
  await fake.setFault('rate_limited', { retryAfter: '7' });
  const err = await rejectsWith(llm().classify(fda, signal()), 'rate_limited');
  assert.equal(err.status, 429);
  assert.equal(err.retryAfterSeconds, 7);
  const when = new Date(Date.now() + 30_000).toUTCString();
  await fake.setFault('rate_limited', { retryAfter: when });
  const dated = await rejectsWith(llm().classify(fda, signal()), 'rate_limited');
  assert.ok(dated.retryAfterSeconds! >= 28 && dated.retryAfterSeconds! <= 31, `${dated.retryAfterSeconds}`);
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter(null), undefined);
});

test('a slow server is stopped by the caller signal, which is rethrown as-is', async () => {
  await fake.setFault('slow', { delayMs: 5_000 });
  const reason = new Error('deadline');
  const ac = new AbortController();
  setTimeout(() => ac.abort(reason), 100);
  const started = Date.now();
  await assert.rejects(llm().classify(fda, ac.signal), (err) => err === reason);
  assert.ok(Date.now() - started < 4_000);
  await fake.setFault('none');
});

test('faults limited to a number of requests clear themselves', async () => {
  await fake.setFault('http_5xx', { times: 1 });
  await rejectsWith(llm().classify(fda, signal()), 'http_5xx');
  assert.equal((await llm().classify(fda, signal())).category, 'fda');
});

test('code fences are stripped; the answer is validated strictly and the score clamped', async () => {
  await fake.setFault('fenced');
  assert.equal((await llm().classify(fda, signal())).category, 'fda');
  await fake.setFault('none');
  assert.equal(stripCodeFence('```json\n{"a":1}\n```'), '{"a":1}');
  assert.equal(stripCodeFence('```\n{"a":1}```'), '{"a":1}');
  const ok = { is_catalyst: true, category: 'fda', sentiment: 0.5, score: 1.4, reason: 'r' };
  assert.equal(parseClassification(JSON.stringify(ok)).score, 1);
  assert.equal(parseClassification(JSON.stringify({ ...ok, score: -2 })).score, 0);
  for (const bad of [
    { ...ok, is_catalyst: 'yes' },
    { ...ok, sentiment: 2 },
    { ...ok, score: '0.9' },
    { ...ok, category: undefined },
    { ...ok, reason: 3 },
    [ok],
  ]) {
    assert.throws(
      () => parseClassification(JSON.stringify(bad)),
      (e: unknown) => (e as UpstreamError).reason === 'invalid',
    );
  }
});

test('the keep rule: a catalyst with score above 0.7', () => {
  const c = { is_catalyst: true, category: 'fda', sentiment: 0.5, score: 0.71, reason: '' };
  assert.equal(keepClassification(c), true);
  assert.equal(keepClassification({ ...c, score: 0.7 }), false);
  assert.equal(keepClassification({ ...c, is_catalyst: false, score: 0.99 }), false);
});

test('the fake classifies an offering as negative even beside FDA news', async () => {
  await fake.setFault('none');
  const c = await llm().classify(
    { ...fda, title: 'NeuroBiotix Announces FDA Clearance and $10 Million Registered Direct Offering' },
    signal(),
  );
  assert.equal(c.category, 'offering');
  assert.ok(c.sentiment < 0);
});

// LLM classifier over the OpenAI-compatible chat completions API (OpenAI, Ollama, vLLM,
// llama.cpp). Plain fetch, one attempt per call, every call cancellable: the caller wraps it in the
// resilience layer (deadline, breaker, retry, limiter) and decides what a failure means.
import type { Classification, ClassifyInput } from '../pipeline/classifier-port.js';
import { UpstreamError } from '../pipeline/upstream-error.js';
import { fetchUpstream, httpError, readBody } from './http.js';

const SERVICE = 'llm';

export interface LlmConfig {
  /** e.g. https://api.openai.com/v1 or http://localhost:11434/v1 (no trailing /chat/completions). */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Newer OpenAI reasoning models reject max_tokens and need max_completion_tokens. */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  maxTokens?: number;
}

export type ResponseMode = 'json_schema' | 'json_object';

// OpenAI strict mode: every property required, no others.
export const CLASSIFICATION_SCHEMA = {
  type: 'object',
  properties: {
    is_catalyst: { type: 'boolean' },
    category: { type: 'string' },
    sentiment: { type: 'number', minimum: -1, maximum: 1 },
    score: { type: 'number', minimum: 0, maximum: 1 },
    reason: { type: 'string' },
  },
  required: ['is_catalyst', 'category', 'sentiment', 'score', 'reason'],
  additionalProperties: false,
} as const;

const SYSTEM_PROMPT =
  'You classify market news for small-cap traders. Decide whether the item is a stock-moving catalyst ' +
  'for the named tickers. category: one lower_snake_case word such as fda, clinical, merger, partnership, ' +
  'uplisting, compliance_regained, earnings, resource_discovery, offering, dilution, warrants, ' +
  'going_concern, delisting, bankruptcy, investigation, other. sentiment: -1 (very bad for holders) to 1 ' +
  '(very good). score: your confidence from 0 to 1 that this is a material catalyst. reason: one short sentence.';

const MAX_SUMMARY_CHARS = 1500;

export function buildMessages(input: ClassifyInput, mode: ResponseMode) {
  const system =
    mode === 'json_schema'
      ? SYSTEM_PROMPT
      : `${SYSTEM_PROMPT} Answer with one JSON object only, matching this JSON schema: ${JSON.stringify(CLASSIFICATION_SCHEMA)}`;
  const lines = [
    `Tickers: ${input.tickers.join(', ') || 'none'}`,
    `Source: ${input.source}`,
    `Title: ${input.title}`,
    `Summary: ${input.summary.slice(0, MAX_SUMMARY_CHARS)}`,
  ];
  if (input.hints?.length) lines.push(`Keyword hints: ${input.hints.join(', ')}`);
  return [
    { role: 'system', content: system },
    { role: 'user', content: lines.join('\n') },
  ];
}

/** Strips a Markdown code fence some models wrap JSON in. */
export function stripCodeFence(text: string): string {
  const m = /^\s*```[a-zA-Z]*\s*\n?([\s\S]*?)\n?\s*```\s*$/.exec(text);
  return (m ? m[1]! : text).trim();
}

const invalid = (message: string) => new UpstreamError(SERVICE, 'invalid', message);

/** Parses and validates the model's content. Extra properties are ignored; missing or mistyped ones fail. */
export function parseClassification(content: string): Classification {
  const text = stripCodeFence(content);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    // An object that never closes was cut short; anything else is garbage.
    if (text.startsWith('{') && !text.endsWith('}')) {
      throw new UpstreamError(SERVICE, 'truncated', 'the answer is cut-off JSON');
    }
    throw invalid('the answer is not JSON');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw invalid('the answer is not a JSON object');
  const o = v as Record<string, unknown>;
  if (typeof o.is_catalyst !== 'boolean') throw invalid('is_catalyst must be a boolean');
  if (typeof o.category !== 'string') throw invalid('category must be a string');
  if (typeof o.reason !== 'string') throw invalid('reason must be a string');
  if (
    typeof o.sentiment !== 'number' ||
    !Number.isFinite(o.sentiment) ||
    o.sentiment < -1 ||
    o.sentiment > 1
  ) {
    throw invalid('sentiment must be a number from -1 to 1');
  }
  if (typeof o.score !== 'number' || !Number.isFinite(o.score)) throw invalid('score must be a number');
  return {
    is_catalyst: o.is_catalyst,
    category: o.category,
    sentiment: o.sentiment,
    score: Math.min(1, Math.max(0, o.score)),
    reason: o.reason,
  };
}

// A 400 about the response format: the server has no (or a broken) json_schema mode.
const REJECTS_SCHEMA = /json_schema|response_format|structured|grammar/i;

export class LlmClassifier {
  private responseMode: ResponseMode = 'json_schema';
  private readonly url: string;

  constructor(private readonly config: LlmConfig) {
    this.url = `${config.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  }

  /** json_schema until the server rejects it once, json_object from then on. */
  get mode(): ResponseMode {
    return this.responseMode;
  }

  /** One classification. Rejects with UpstreamError (or the signal's abort reason). */
  async classify(input: ClassifyInput, signal: AbortSignal): Promise<Classification> {
    const mode = this.responseMode;
    const res = await this.post(input, mode, signal);
    if (res.status === 400 && mode === 'json_schema') {
      const body = await readBody(SERVICE, res, signal);
      if (REJECTS_SCHEMA.test(body)) {
        this.responseMode = 'json_object';
        return this.answer(await this.post(input, 'json_object', signal), signal);
      }
      throw httpError(SERVICE, res, 'chat/completions', body);
    }
    return this.answer(res, signal);
  }

  private post(input: ClassifyInput, mode: ResponseMode, signal: AbortSignal): Promise<Response> {
    const body: Record<string, unknown> = {
      model: this.config.model,
      messages: buildMessages(input, mode),
      temperature: 0,
      stream: false,
      [this.config.maxTokensField ?? 'max_tokens']: this.config.maxTokens ?? 300,
      response_format:
        mode === 'json_schema'
          ? {
              type: 'json_schema',
              json_schema: { name: 'catalyst_classification', strict: true, schema: CLASSIFICATION_SCHEMA },
            }
          : { type: 'json_object' },
    };
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (this.config.apiKey) headers.authorization = `Bearer ${this.config.apiKey}`;
    return fetchUpstream(SERVICE, this.url, { method: 'POST', headers, body: JSON.stringify(body), signal });
  }

  private async answer(res: Response, signal: AbortSignal): Promise<Classification> {
    const text = await readBody(SERVICE, res, signal);
    if (!res.ok) throw httpError(SERVICE, res, 'chat/completions', text);
    let completion: { choices?: { message?: { content?: unknown }; finish_reason?: unknown }[] };
    try {
      completion = JSON.parse(text);
    } catch {
      throw invalid('the completion is not JSON');
    }
    const choice = completion?.choices?.[0];
    if (!choice) throw invalid('the completion has no choices');
    if (choice.finish_reason === 'length') {
      throw new UpstreamError(SERVICE, 'truncated', 'the model hit its token limit (finish_reason "length")');
    }
    const content = choice.message?.content;
    if (typeof content !== 'string') throw invalid('the completion has no message content');
    return parseClassification(content);
  }
}

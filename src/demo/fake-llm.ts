// A loopback stand-in for an OpenAI-compatible chat completions server (POST /v1/chat/completions).
// It classifies by a few rules over the prompt text, and can be switched into the failures real
// servers show, so tests and `catalyst demo` exercise the fallback paths on demand.
import type { ServerResponse } from 'node:http';
import { cutOff, json, RecordingServer, type RecordedRequest } from './recording-server.js';

export type LlmFault =
  | 'none'
  | 'down' // connection refused (listener closed) until the fault is cleared
  | 'closed' // accepts, then closes the connection without an answer
  | 'slow' // answers after delayMs
  | 'http_5xx'
  | 'garbage' // 200 with prose instead of JSON
  | 'truncated' // 200 whose content is cut-off JSON
  | 'cut_body' // the HTTP body itself stops mid-way
  | 'length' // finish_reason "length"
  | 'rate_limited' // 429 with Retry-After
  | 'fenced'; // valid JSON wrapped in a Markdown code fence

export interface FaultOptions {
  /** Only the next `times` requests fail; then the fault clears itself. */
  times?: number;
  delayMs?: number;
  /** Retry-After header value for rate_limited (seconds or an HTTP date). */
  retryAfter?: string;
}

interface Rule {
  re: RegExp;
  category: string;
  sentiment: number;
  score: number;
}

// Bad news first: "FDA clearance; prices an offering" is an offering.
const RULES: Rule[] = [
  { re: /bankruptcy|chapter 11/, category: 'bankruptcy', sentiment: -0.9, score: 0.95 },
  { re: /offering|private placement|dilut|warrants/, category: 'offering', sentiment: -0.7, score: 0.9 },
  { re: /going concern|delist/, category: 'delisting', sentiment: -0.7, score: 0.85 },
  { re: /fda (approv|clear)|breakthrough therapy|fast track/, category: 'fda', sentiment: 0.8, score: 0.93 },
  {
    re: /phase (1|2|3|i|ii|iii)\b|topline|primary endpoint/,
    category: 'clinical',
    sentiment: 0.7,
    score: 0.86,
  },
  { re: /acquire|merger|acquisition/, category: 'merger', sentiment: 0.8, score: 0.9 },
  {
    re: /partnership|collaboration|supply agreement|contract/,
    category: 'partnership',
    sentiment: 0.5,
    score: 0.78,
  },
  { re: /uplist/, category: 'uplisting', sentiment: 0.6, score: 0.8 },
];

/** The fake's judgement of a prompt: the first rule matching the title and summary lines. */
export function classifyPrompt(userContent: string) {
  const text = userContent
    .split('\n')
    .filter((l) => l.startsWith('Title:') || l.startsWith('Summary:'))
    .join(' ')
    .toLowerCase();
  const rule = RULES.find((r) => r.re.test(text));
  if (!rule)
    return { is_catalyst: false, category: 'other', sentiment: 0, score: 0.2, reason: 'No catalyst found.' };
  return {
    is_catalyst: true,
    category: rule.category,
    sentiment: rule.sentiment,
    score: rule.score,
    reason: `Matches the ${rule.category} pattern.`,
  };
}

export class FakeLlm {
  private current: LlmFault = 'none';
  private remaining = Infinity;
  private opts: FaultOptions = {};
  /** Like some llama.cpp builds: json_schema answered with 400, json_object served. */
  rejectJsonSchema = false;
  readonly server = new RecordingServer((req, res) => this.handle(req, res));

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  /** Base URL to configure the adapter with (LLM_BASE_URL). */
  get baseUrl(): string {
    return `${this.server.url}/v1`;
  }

  async start(port = 0): Promise<this> {
    await this.server.start(port);
    return this;
  }

  async close(): Promise<void> {
    await this.server.stop();
  }

  get fault(): LlmFault {
    return this.current;
  }

  /** Switches the fault; 'down' closes the listener, anything else makes sure it listens. */
  async setFault(fault: LlmFault, opts: FaultOptions = {}): Promise<void> {
    this.current = fault;
    this.opts = opts;
    this.remaining = opts.times ?? Infinity;
    if (fault === 'down') await this.server.stop();
    else await this.server.start();
  }

  private handle(req: RecordedRequest, res: ServerResponse): void {
    if (req.method !== 'POST' || req.path !== '/v1/chat/completions') {
      return json(res, 404, {
        error: { message: `no route ${req.method} ${req.path}`, type: 'invalid_request_error' },
      });
    }
    let body: {
      model?: string;
      messages?: { role: string; content: string }[];
      response_format?: { type?: string };
    };
    try {
      body = JSON.parse(req.body);
    } catch {
      return json(res, 400, {
        error: { message: 'We could not parse the JSON body', type: 'invalid_request_error' },
      });
    }
    if (this.rejectJsonSchema && body.response_format?.type === 'json_schema') {
      return json(res, 400, {
        error: {
          message:
            "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
          type: 'invalid_request_error',
          param: 'response_format',
          code: null,
        },
      });
    }
    const fault = this.remaining > 0 ? this.current : 'none';
    if (fault !== 'none' && --this.remaining <= 0) this.current = 'none';
    const user = body.messages?.find((m) => m.role === 'user')?.content ?? '';
    const answer = JSON.stringify(classifyPrompt(user));
    const complete = (content: string, finish = 'stop') =>
      json(res, 200, {
        id: `chatcmpl-fake-${this.requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model ?? 'fake',
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }],
        usage: { prompt_tokens: 100, completion_tokens: 30, total_tokens: 130 },
      });
    switch (fault) {
      case 'none':
      case 'down':
        return complete(answer);
      case 'closed':
        res.socket?.destroy();
        return;
      case 'slow':
        return this.server.later(res, this.opts.delayMs ?? 5000, () => complete(answer));
      case 'http_5xx':
        return json(res, 503, { error: { message: 'The server is overloaded', type: 'server_error' } });
      case 'garbage':
        return complete('I believe this news is quite positive for the company!');
      case 'truncated':
        return complete(answer.slice(0, Math.floor(answer.length / 2)));
      case 'cut_body':
        return cutOff(res, '{"id":"chatcmpl-fake","choices":[{"index":0,"message":{"role":"assis');
      case 'length':
        return complete(answer.slice(0, 20), 'length');
      case 'rate_limited':
        return json(
          res,
          429,
          {
            error: {
              message: 'Rate limit reached for requests',
              type: 'requests',
              code: 'rate_limit_exceeded',
            },
          },
          { 'retry-after': this.opts.retryAfter ?? '2' },
        );
      case 'fenced':
        return complete('```json\n' + answer + '\n```');
    }
  }
}

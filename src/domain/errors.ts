// The single catalogue of protocol errors (docs/PROTOCOL.md); close codes are in disconnects.ts.
// Routes and the gateway raise these by name; nothing else invents a code or a status.

export const ErrorCodes = {
  invalid_request: { status: 400, message: 'The request is invalid' },
  unauthorized: { status: 401, message: 'A valid token is required' },
  forbidden: { status: 403, message: 'The token lacks the scope this needs' },
  not_found: { status: 404, message: 'Not found' },
  request_timeout: { status: 408, message: 'The request did not arrive in time' },
  conflict: { status: 409, message: 'A signal with this id was stored with different content' },
  payload_too_large: { status: 413, message: 'The body is larger than allowed' },
  unsupported_media_type: { status: 415, message: 'Send JSON with Content-Type: application/json' },
  rate_limited: { status: 429, message: 'Too many requests' },
  headers_too_large: { status: 431, message: 'The request headers are larger than allowed' },
  internal: { status: 500, message: 'Internal error' },
  unavailable: { status: 503, message: 'A dependency is unavailable; retry with the same id' },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}

export class CatalystError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  /** Seconds a client should wait before retrying (429, 503). */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    opts: { field?: string; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message ?? ErrorCodes[code].message, { cause: opts.cause });
    this.name = 'CatalystError';
    this.code = code;
    this.status = ErrorCodes[code].status;
    this.field = opts.field;
    this.retryAfter = opts.retryAfter;
  }

  toBody(): ErrorBody {
    return errorBody(this.code, this.message, this.field);
  }
}

export function errorBody(code: ErrorCode, message?: string, field?: string): ErrorBody {
  const error: ErrorBody['error'] = { code, message: message ?? ErrorCodes[code].message };
  if (field !== undefined) error.field = field;
  return { error };
}

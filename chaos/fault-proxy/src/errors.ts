// Every error the API can answer, with the status and the exact text Toxiproxy 2.12.0 sends, declared
// once and raised by name.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const errors = {
  proxyNotFound: () => new ApiError(404, 'proxy not found'),
  proxyExists: () => new ApiError(409, 'proxy already exists'),
  toxicNotFound: () => new ApiError(404, 'toxic not found'),
  toxicExists: () => new ApiError(409, 'toxic already exists'),
  invalidStream: () => new ApiError(400, 'stream was invalid, can be either upstream or downstream'),
  invalidToxicType: () => new ApiError(400, 'invalid toxic type'),
  missingField: (what: string) => new ApiError(400, `missing required field: ${what}`),
  badBody: (detail: string) => new ApiError(400, `bad request body: ${detail}`),
  /** Binding and address failures: Toxiproxy passes Go's net error text through as a 500. */
  internal: (message: string) => new ApiError(500, message),
} as const;

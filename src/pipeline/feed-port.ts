// The feed port: one GET of a feed document, conditional on what the last parsed answer said.
// Adapter: deps/feed-http.ts. Failures reject with an error whose `reason` names the outcome
// (FeedFormatError: blocked, truncated, invalid; the adapter's HTTP error: forbidden, rate_limited,
// server_error, http_status, too_large).

export interface Validators {
  etag?: string;
  lastModified?: string;
}

export type FeedResponse =
  | { notModified: true; status: 304 }
  | {
      notModified: false;
      status: number;
      body: string;
      /** Decoded body size in bytes. */
      bytes: number;
      contentType?: string;
      /** To pass to remember() once the body was read successfully. */
      validators: Validators;
    };

export interface FeedFetcher {
  get(url: string, signal: AbortSignal): Promise<FeedResponse>;
  /** Call once the body of a response was parsed: the next GET of `url` is then conditional. */
  remember(url: string, validators: Validators): void;
  /** The next GET of `url` is unconditional again. */
  forget(url: string): void;
}

// A feed body that must never be read as items. SEC answers an undeclared User-Agent or a rate
// violation with an HTML page, sometimes with status 200; a cut connection leaves truncated XML.
// Both are failures of the feed (they count toward its breaker), never an empty or partial poll.

export type FeedFormatReason = 'blocked' | 'truncated' | 'invalid';

export class FeedFormatError extends Error {
  readonly code = 'EFEEDFORMAT';
  constructor(
    readonly reason: FeedFormatReason,
    message: string,
    /** HTTP status of the answer, when the error was found on the fetch side. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FeedFormatError';
  }
}

const KNOWN_BLOCK_PAGES = [
  'Undeclared Automated Tool',
  'Request Rate Threshold Exceeded',
  'Access Denied',
  'Attention Required',
];

/** Leading noise a feed may carry before its root element: BOM, XML declaration, comments, PIs. */
function skipProlog(text: string): string {
  let s = text.replace(/^\uFEFF/, '').trimStart();
  for (;;) {
    const m = /^(<\?[\s\S]*?\?>|<!--[\s\S]*?-->)\s*/.exec(s);
    if (!m) return s;
    s = s.slice(m[0].length);
  }
}

/**
 * When `text` (the whole body or its first kilobytes) is an HTML document, a short description of
 * it (the known block page it is, else its <title>); undefined for anything else. XHTML is XML, so
 * this looks at the document element, not at whether it parses.
 */
export function detectHtmlPage(text: string): string | undefined {
  const head = skipProlog(text.slice(0, 64 * 1024));
  if (!/^<!doctype\s+html\b|^<html[\s>]/i.test(head)) return undefined;
  const known = KNOWN_BLOCK_PAGES.find((k) => head.includes(k));
  if (known) return known;
  const title = /<title[^>]*>([\s\S]{0,200}?)<\/title>/i.exec(head)?.[1]?.replace(/\s+/g, ' ').trim();
  return title ? `HTML page "${title}"` : 'an HTML page';
}

/** Throws FeedFormatError('blocked') when the body is an HTML page instead of a feed. */
export function rejectHtmlPage(text: string, status?: number): void {
  const page = detectHtmlPage(text);
  if (page) throw new FeedFormatError('blocked', `the feed answered with ${page}, not a feed`, status);
}

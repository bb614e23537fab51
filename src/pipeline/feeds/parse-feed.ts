// The parser for a configured feed's kind: what the runner calls on a fetched body.
import type { FeedKind, RawItem } from '../item.js';
import { parseRss } from './rss.js';
import { parseSecAtom, type SecParseOptions } from './sec-atom.js';

export function parseFeed(kind: FeedKind, body: string, feed: string, sec: SecParseOptions = {}): RawItem[] {
  return kind === 'sec_edgar' ? parseSecAtom(body, feed, sec) : parseRss(body, feed, kind);
}

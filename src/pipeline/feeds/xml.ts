// Reading a feed body into a plain tree, once, with the checks every feed format needs: an HTML
// page or a truncated/invalid document throws FeedFormatError instead of yielding zero items.
// Names are read by their local part (`dc:contributor` -> `contributor`): GlobeNewswire binds the
// `dc` prefix to a non-standard URI, so matching on namespace URIs would miss it.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { FeedFormatError, rejectHtmlPage } from './format-error.js';

export type XmlNode = Record<string, unknown>;
export type FeedDocument = { format: 'rss'; channel: XmlNode } | { format: 'atom'; feed: XmlNode };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: false,
});

function rootName(body: string): string | undefined {
  const s = body.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/gi, '');
  return /<([A-Za-z_][\w:.-]*)/.exec(s)?.[1];
}

/** Parses an RSS 2.0, RSS 1.0 (RDF) or Atom document. */
export function readFeedDocument(body: string): FeedDocument {
  rejectHtmlPage(body);
  const trimmed = body.trim();
  if (trimmed.length === 0) throw new FeedFormatError('truncated', 'the feed body is empty');
  // Feeds never need their own entities; refusing them rules out entity-expansion bombs.
  if (/<!ENTITY/i.test(trimmed)) throw new FeedFormatError('invalid', 'the feed declares XML entities');
  const root = rootName(trimmed);
  if (!root) throw new FeedFormatError('invalid', 'the feed body is not XML');
  const valid = XMLValidator.validate(trimmed);
  if (valid !== true) {
    const closed = new RegExp(`</${root.replace(/[.]/g, '\\.')}\\s*>$`).test(trimmed);
    const where = `line ${valid.err.line}: ${valid.err.msg}`;
    throw closed
      ? new FeedFormatError('invalid', `the feed is not well-formed XML (${where})`)
      : new FeedFormatError('truncated', `the feed document is cut short (${where})`);
  }
  const tree = parser.parse(trimmed) as XmlNode;
  const local = root.includes(':') ? root.slice(root.indexOf(':') + 1) : root;
  const top = tree[local] as XmlNode | string | undefined;
  const node = typeof top === 'object' && top !== null ? top : {};
  if (local === 'rss') return { format: 'rss', channel: (node.channel as XmlNode | undefined) ?? {} };
  // RSS 1.0 keeps its items beside the channel, not inside it.
  if (local === 'RDF') return { format: 'rss', channel: { ...(node.channel as XmlNode), item: node.item } };
  if (local === 'feed') return { format: 'atom', feed: node };
  if (local === 'html')
    throw new FeedFormatError('blocked', 'the feed answered with an HTML page, not a feed');
  throw new FeedFormatError('invalid', `the document's root element <${root}> is not RSS or Atom`);
}

export function list(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** The text of an element, with or without attributes. */
export function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return text(v[0]);
  if (typeof v === 'object' && v !== null) return text((v as XmlNode)['#text'] ?? '');
  return '';
}

export function attr(v: unknown, name: string): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const a = (v as XmlNode)[`@_${name}`];
  return typeof a === 'string' ? a : undefined;
}

/** The first non-empty text among same-named elements (`atom:link` and `link` share a local name). */
export function firstText(v: unknown): string | undefined {
  return list(v)
    .map((x) => text(x).trim())
    .find((t) => t !== '');
}

export const optional = (s: string): string | undefined => (s.trim() === '' ? undefined : s.trim());

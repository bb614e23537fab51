// Feed text to plain text: wires put HTML paragraphs (with entities) in CDATA, GlobeNewswire pads
// datelines with double spaces, and control characters or a lone surrogate (a numeric reference
// such as &#xD800; decoded by the XML parser) would be refused by signal validation.
import { decodeHTML } from 'entities';
import { wellFormed } from '../domain/text.js';

export function plainText(html: string): string {
  const noTags = html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ');
  return wellFormed(decodeHTML(noTags))
    .replace(/[\u0000-\u001f\u007f\u00a0\u2000-\u200b\u2028\u2029\u3000]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

// Feed text to plain text: wires put HTML paragraphs (with entities) in CDATA, GlobeNewswire pads
// datelines with double spaces, and control characters would be refused by signal validation.
import { decodeHTML } from 'entities';

export function plainText(html: string): string {
  const noTags = html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ');
  return decodeHTML(noTags)
    .replace(/[\u0000-\u001f\u007f\u00a0\u2000-\u200b\u2028\u2029\u3000]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

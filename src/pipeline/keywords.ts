// The keyword data users edit: loaded once, validated with one clear line per mistake, and compiled
// to regular expressions. The default is a JSON file beside this module, imported so that tsc copies
// it into dist; CATALYST_KEYWORDS_FILE (read by the caller) replaces it with a file of the same shape.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import defaultData from './keywords.default.json' with { type: 'json' };
import type { FeedKind } from './item.js';

export type Polarity = 'positive' | 'negative';

export interface KeywordCategoryData {
  polarity: Polarity;
  /** Contribution to relevance when any phrase matches (once per item). */
  weight: number;
  /** Base confidence of a signal of this category (the scoring model's per-category base). */
  confidence: number;
  phrases: string[];
  /** SEC form types that imply this category (exact, case-insensitive). */
  forms?: string[];
  /** SEC 8-K item numbers ("1.01") that imply this category. */
  sec_items?: string[];
}

export interface KeywordData {
  version: 1;
  threshold: number;
  categories: Record<string, KeywordCategoryData>;
  sources: {
    kinds: Record<FeedKind, number>;
    credibility: Record<string, number>;
    defaultCredibility: number;
  };
  promotions: { issuers: string[]; titles: string[] };
}

export interface CompiledCategory extends KeywordCategoryData {
  name: string;
  /** Each phrase compiled once; matched against normalised text (see normaliseText). */
  patterns: { phrase: string; re: RegExp }[];
  formSet: Set<string>;
  itemSet: Set<string>;
}

export interface Keywords {
  /** Where the data came from ("default" or the file path), for logs and admin views. */
  origin: string;
  data: KeywordData;
  categories: CompiledCategory[];
  promotionIssuers: { phrase: string; re: RegExp }[];
  promotionTitles: { phrase: string; re: RegExp }[];
}

/** The bundled default file (also a starting point for users who want their own). */
export const DEFAULT_KEYWORDS_PATH = fileURLToPath(new URL('./keywords.default.json', import.meta.url));

/** A keywords file that cannot be used; the message is one line naming the file and the problem. */
export class KeywordsFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`keywords file ${file}: ${problem} (fix it or unset CATALYST_KEYWORDS_FILE to use the default)`);
    this.name = 'KeywordsFileError';
  }
}

const FEED_KINDS: FeedKind[] = ['sec_edgar', 'globenewswire', 'prnewswire', 'rss'];
const CATEGORY_NAME = /^[a-z][a-z0-9_]{0,63}$/;
export const SEC_ITEM = /^\d{1,2}\.\d{2}$/;

/** Lower case, accents folded, every run of non-alphanumerics one space, padded for whole-word tests. */
export function normaliseText(text: string): string {
  const t = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  return ` ${t} `;
}

function compilePhrase(phrase: string): RegExp {
  const prefix = phrase.endsWith('*');
  const words = normaliseText(prefix ? phrase.slice(0, -1) : phrase).trim();
  return new RegExp(` ${words}${prefix ? '[a-z0-9]*' : ''} `);
}

/** Loads, validates and compiles the keyword data: the default when `path` is empty. */
export function loadKeywords(path?: string): Keywords {
  if (!path) return compileKeywords(defaultData, 'default');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new KeywordsFileError(path, code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? err})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new KeywordsFileError(path, `is not valid JSON (${(err as Error).message})`);
  }
  return compileKeywords(parsed, path);
}

/** Validates data of unknown shape (a parsed file) and compiles it. */
export function compileKeywords(raw: unknown, origin: string): Keywords {
  const fail = (problem: string): never => {
    throw new KeywordsFileError(origin, problem);
  };
  const obj = (v: unknown, where: string): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : fail(`${where} must be an object`);
  const num = (v: unknown, where: string, min: number, max: number): number =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max
      ? v
      : fail(`${where} must be a number from ${min} to ${max}`);
  const phrases = (v: unknown, where: string): string[] => {
    if (!Array.isArray(v)) return fail(`${where} must be an array of phrases`);
    return v.map((p, i) =>
      typeof p === 'string' && normaliseText(p.replace(/\*$/, '')).trim() !== ''
        ? p
        : fail(`${where}[${i}] must be a phrase with at least one letter or digit`),
    );
  };
  const visible = (o: Record<string, unknown>) => Object.entries(o).filter(([k]) => !k.startsWith('_'));

  const root = obj(raw, 'the top level');
  if (root.version !== 1) fail('version must be 1');
  const threshold = num(root.threshold, 'threshold', 0, 100);
  const categories: CompiledCategory[] = [];
  const cats = visible(obj(root.categories, 'categories'));
  if (cats.length === 0) fail('categories must name at least one category');
  for (const [name, v] of cats) {
    const where = `categories.${name}`;
    if (!CATEGORY_NAME.test(name)) fail(`${where}: category names are lower snake case (a-z, 0-9, _)`);
    const c = obj(v, where);
    if (c.polarity !== 'positive' && c.polarity !== 'negative') {
      fail(`${where}.polarity must be "positive" or "negative"`);
    }
    const list = phrases(c.phrases, `${where}.phrases`);
    const forms = c.forms === undefined ? [] : phrases(c.forms, `${where}.forms`);
    const items = c.sec_items === undefined ? [] : phrases(c.sec_items, `${where}.sec_items`);
    items.forEach((n, i) => SEC_ITEM.test(n) || fail(`${where}.sec_items[${i}] must look like "1.01"`));
    categories.push({
      name,
      polarity: c.polarity as Polarity,
      weight: num(c.weight, `${where}.weight`, 0, 10),
      confidence: num(c.confidence, `${where}.confidence`, 0, 1),
      phrases: list,
      forms,
      patterns: list.map((phrase) => ({ phrase, re: compilePhrase(phrase) })),
      sec_items: items,
      formSet: new Set(forms.map((f) => f.toUpperCase())),
      itemSet: new Set(items),
    });
  }
  const sources = obj(root.sources, 'sources');
  const kindsRaw = obj(sources.kinds, 'sources.kinds');
  const kinds = {} as Record<FeedKind, number>;
  for (const k of FEED_KINDS) kinds[k] = num(kindsRaw[k], `sources.kinds.${k}`, 0, 10);
  const credibility: Record<string, number> = {};
  for (const [k, v] of visible(obj(sources.credibility, 'sources.credibility'))) {
    credibility[k.toLowerCase()] = num(v, `sources.credibility.${k}`, 0, 1);
  }
  const defaultCredibility = num(sources.defaultCredibility, 'sources.defaultCredibility', 0, 1);
  const promo = obj(root.promotions, 'promotions');
  const issuers = phrases(promo.issuers, 'promotions.issuers');
  const titles = phrases(promo.titles, 'promotions.titles');
  const data: KeywordData = {
    version: 1,
    threshold,
    categories: Object.fromEntries(
      categories.map(({ name, polarity, weight, confidence, phrases: p, forms, sec_items }) => [
        name,
        { polarity, weight, confidence, phrases: p, forms, sec_items },
      ]),
    ),
    sources: { kinds, credibility, defaultCredibility },
    promotions: { issuers, titles },
  };
  const compile = (list: string[]) => list.map((phrase) => ({ phrase, re: compilePhrase(phrase) }));
  return {
    origin,
    data,
    categories,
    promotionIssuers: compile(issuers),
    promotionTitles: compile(titles),
  };
}

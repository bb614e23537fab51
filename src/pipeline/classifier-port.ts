// The classifier port: what an LLM answers about an item, and the rule that keeps it.

/** The answer the model must give, validated strictly. */
export interface Classification {
  is_catalyst: boolean;
  category: string;
  /** -1..1 */
  sentiment: number;
  /** 0..1, clamped */
  score: number;
  reason: string;
}

/** What the model is shown of an item. */
export interface ClassifyInput {
  title: string;
  summary: string;
  tickers: string[];
  source: string;
  /** Keyword categories the prescale found, as a hint. */
  hints?: string[];
}

/** The keep rule: the model says it is a catalyst and is more than 70% sure. */
export const LLM_KEEP_SCORE = 0.7;
export const keepClassification = (c: Classification): boolean => c.is_catalyst && c.score > LLM_KEEP_SCORE;

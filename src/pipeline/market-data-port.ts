// The market-data port: what the score needs for RVOL and float, whoever serves it (deps/ adapters).

export interface VolumeBaseline {
  /** Mean daily volume of the last completed sessions (today excluded). */
  avgVolume: number;
  /** How many sessions the mean covers (20 unless the history is shorter). */
  sessions: number;
  /** ET dates of the first and last session used. */
  from: string;
  to: string;
}

export interface ShareCounts {
  sharesOutstanding?: number;
  /** Free float, when the provider knows it. */
  floatShares?: number;
}

/**
 * The provider port. `null` means the provider answered and has nothing for this ticker (unknown
 * ticker, no history); failures reject (UpstreamError, or the signal's abort reason).
 */
export interface MarketData {
  baseline(ticker: string, signal: AbortSignal): Promise<VolumeBaseline | null>;
  /** Today's cumulative volume so far (raw: not adjusted for the time of day). */
  todayVolume(ticker: string, signal: AbortSignal): Promise<number | null>;
  shares(ticker: string, signal: AbortSignal): Promise<ShareCounts | null>;
}

// How long to wait after a keystroke before asking the model. A request is worth starting when the
// user pauses, and what a pause is depends on how fast this user types: the wait follows the
// recent gaps between keystrokes, within [minMs, maxMs].

export interface DebounceSettings {
  minMs: number;
  maxMs: number;
}

/** Gaps longer than this are pauses, not typing rhythm. */
const pauseMs = 1500;
const rhythmSamples = 12;
/** A pause is a gap noticeably longer than the usual one. */
const pauseFactor = 1.5;

export class AdaptiveDebounce {
  private lastKeystroke: number | undefined;
  private gaps: number[] = [];

  constructor(private readonly settings: () => DebounceSettings) {}

  recordKeystroke(now: number): void {
    if (this.lastKeystroke !== undefined) {
      const gap = now - this.lastKeystroke;
      if (gap > 0 && gap < pauseMs) this.gaps = [...this.gaps, gap].slice(-rhythmSamples);
    }
    this.lastKeystroke = now;
  }

  /** The wait before the next request. */
  delayMs(): number {
    const { minMs, maxMs } = this.settings();
    if (this.gaps.length < 3) return minMs;
    const sorted = [...this.gaps].sort((a, b) => a - b);
    const typical = sorted[sorted.length >> 1]!;
    return Math.round(Math.min(Math.max(minMs, typical * pauseFactor), Math.max(minMs, maxMs)));
  }
}

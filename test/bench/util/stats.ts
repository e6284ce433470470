// Small statistics for noisy, shared machines: medians, not means.

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The value at fraction `p` (0…1) of the sorted values, nearest rank: quantile(v, 0.95) is the p95. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))]!;
}

/** Relative spread of the middle half ((q3 - q1) / median), to show how noisy a figure was. */
export function relativeIqr(values: readonly number[]): number {
  if (values.length < 4) return Number.NaN;
  return (quantile(values, 0.75) - quantile(values, 0.25)) / median(values);
}

export interface Pair<A, B> {
  a: A;
  b: B;
}

/**
 * Runs `a` and `b` alternately, `reps` times each, after `warmup` discarded rounds, swapping which
 * goes first every round (ABBA) so that a slow stretch of the machine hits both alike. Returns the
 * pairs in order: a ratio per pair compares two runs a few hundred milliseconds apart.
 */
export async function interleave<A, B>(options: {
  reps: number;
  warmup?: number;
  a: (rep: number) => Promise<A>;
  b: (rep: number) => Promise<B>;
  /** Pause between runs, so one side's spinning worker threads do not steal the other's cores. */
  pauseMs?: number;
  /**
   * Stop early once this much time has passed and `minReps` rounds are in: on a busy machine a
   * round can take 20× longer, and the bench must still end in a few minutes.
   */
  budgetMs?: number;
  minReps?: number;
  /**
   * After `reps` rounds, more rounds (up to `maxReps`, within `budgetMs`) while this says the
   * figures are still too spread out to trust (issue 24: noisy ratios get more rounds).
   */
  moreRounds?: (pairs: readonly Pair<A, B>[]) => boolean;
  maxReps?: number;
  onRound?: (round: number, pair: Pair<A, B>) => void;
}): Promise<Pair<A, B>[]> {
  const { reps, warmup = 1, pauseMs = 50, budgetMs = Infinity, minReps = 3, maxReps = reps } = options;
  const started = performance.now();
  const pairs: Pair<A, B>[] = [];
  const pause = () => new Promise((r) => setTimeout(r, pauseMs));
  const another = (round: number) =>
    round < warmup + reps ||
    (pairs.length < maxReps && performance.now() - started <= budgetMs && (options.moreRounds?.(pairs) ?? false));
  for (let round = 0; another(round); round++) {
    let a: A;
    let b: B;
    if (round % 2 === 0) {
      a = await options.a(round);
      await pause();
      b = await options.b(round);
    } else {
      b = await options.b(round);
      await pause();
      a = await options.a(round);
    }
    await pause();
    if (round >= warmup) {
      const pair = { a, b };
      pairs.push(pair);
      options.onRound?.(round - warmup, pair);
      if (pairs.length >= minReps && performance.now() - started > budgetMs) break;
    }
  }
  return pairs;
}

/** Median of per-pair ratios a/b: robust to the machine slowing down between pairs. */
export function medianRatio<A, B>(pairs: readonly Pair<A, B>[], fa: (a: A) => number, fb: (b: B) => number): number {
  return median(pairs.map((p) => fa(p.a) / fb(p.b)));
}

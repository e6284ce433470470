// Latency accounting of the team bench: what each key of each typist got, and the figures from it.
// Pure, so the definitions are tested (test/unit/bench/teamLatency.test.ts).
import { quantile } from "../util/stats";

export interface KeystrokeRecord {
  typist: number;
  /** When the key was typed (performance clock, ms). */
  typedAt: number;
  /** The last key of a burst: a pause follows, so nothing cancels its request. */
  lastOfBurst: boolean;
  /** When the editor got a suggestion for this key; unset when the next key came first, or it failed. */
  shownAt?: number;
  source?: "cache" | "model";
  /** When the request's whole answer was in (recorded for a burst's last key). */
  wholeAt?: number;
  /** The error the editor would have logged. */
  failure?: string;
}

export interface TeamFigures {
  keystrokes: number;
  /** Keystroke → suggestion shown, model answers that were not cancelled (cache hits left out: no server). */
  latencies: number[];
  p50: number;
  p95: number;
  /** A burst's last key → its suggestion; a pause without one counts as `pauseMs`. */
  pauseLatencies: number[];
  pauseP95: number;
  pausesWithoutSuggestion: number;
  /** A burst's last key → the request's whole answer. */
  wholeP95: number;
  /** Of the keys within bursts (not the last), the share whose suggestion came before the next key. */
  answeredShare: number;
  cacheHits: number;
  failures: number;
}

/** The figures of one run; `pauseMs` is what a pause without a suggestion counts as. */
export function teamFigures(records: readonly KeystrokeRecord[], pauseMs: number): TeamFigures {
  const model = records.filter((r) => r.shownAt !== undefined && r.source === "model");
  const latencies = model.map((r) => r.shownAt! - r.typedAt);
  const pauses = records.filter((r) => r.lastOfBurst);
  const pauseLatencies = pauses.map((r) => (r.shownAt === undefined ? pauseMs : Math.min(pauseMs, r.shownAt - r.typedAt)));
  const wholes = pauses.filter((r) => r.wholeAt !== undefined).map((r) => r.wholeAt! - r.typedAt);
  const inBurst = records.filter((r) => !r.lastOfBurst);
  return {
    keystrokes: records.length,
    latencies,
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    pauseLatencies,
    pauseP95: quantile(pauseLatencies, 0.95),
    pausesWithoutSuggestion: pauses.filter((r) => r.shownAt === undefined).length,
    wholeP95: quantile(wholes, 0.95),
    answeredShare: inBurst.length ? inBurst.filter((r) => r.shownAt !== undefined).length / inBurst.length : Number.NaN,
    cacheHits: records.filter((r) => r.source === "cache").length,
    failures: records.filter((r) => r.failure !== undefined).length,
  };
}

/**
 * How many typists the server serves: the largest team size, going up from the smallest, whose p95
 * stays within `factor` × the smallest team's p95 (and that had no failures). 0 when even the
 * smallest team failed.
 */
export function typistsServed(runs: readonly { typists: number; p95: number; failures: number }[], factor: number): number {
  const sorted = [...runs].sort((a, b) => a.typists - b.typists);
  const base = sorted[0];
  if (!base || base.failures > 0 || !Number.isFinite(base.p95)) return 0;
  let served = 0;
  for (const run of sorted) {
    if (run.failures > 0 || !(run.p95 <= factor * base.p95)) break;
    served = run.typists;
  }
  return served;
}

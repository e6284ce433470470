// Per-round ratios and how spread out they are (issue 24, item 4): a ratio's note carries its
// spread, and a section asks for more rounds while the spread is too wide to read the ratio.
import { median, type Pair } from "./stats";

/** Past this width (relative to the median) a ratio gets more rounds. */
export const NOISY_SPREAD = 0.1;

/** a/b of each round, in round order. */
export function roundRatios<A, B>(pairs: readonly Pair<A, B>[], fa: (a: A) => number, fb: (b: B) => number): number[] {
  return pairs.map((p) => fa(p.a) / fb(p.b));
}

export interface Spread {
  rounds: number;
  median: number;
  /** "iqr": `low`–`high` is the middle half (nearest rank), from 4 values on; "range": min–max. */
  kind: "iqr" | "range";
  low: number;
  high: number;
  min: number;
  max: number;
  /** (high − low) / median. */
  relative: number;
}

export function spreadOf(values: readonly number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  const m = median(s);
  const at = (p: number) => s[Math.round(p * (s.length - 1))] ?? Number.NaN;
  const kind = s.length >= 4 ? "iqr" : "range";
  const low = kind === "iqr" ? at(0.25) : at(0);
  const high = kind === "iqr" ? at(0.75) : at(1);
  return { rounds: s.length, median: m, kind, low, high, min: at(0), max: at(1), relative: (high - low) / m };
}

/** Whether the values are too spread out to read: more rounds are worth it. One value cannot tell. */
export function isNoisy(values: readonly number[], limit = NOISY_SPREAD): boolean {
  return values.length >= 2 && !(spreadOf(values).relative <= limit);
}

/** More rounds for a ratio measured `reps` times: twice as many, at least four more. */
export function raisedReps(reps: number): number {
  return Math.max(2 * reps, reps + 4);
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toPrecision(3) : String(x));

/**
 * "median of 9 per-round ratios, iqr 0.93–1.04 (12%), range 0.88–1.10": the note of a ratio
 * metric. With `reps`, says when the spread raised the rounds past it.
 */
export function spreadNote(ratios: readonly number[], reps?: number): string {
  const s = spreadOf(ratios);
  if (s.rounds === 0) return "no rounds";
  const width = `${s.kind} ${fmt(s.low)}–${fmt(s.high)} (${(s.relative * 100).toFixed(0)}%)`;
  const range = s.kind === "iqr" ? `, range ${fmt(s.min)}–${fmt(s.max)}` : "";
  const raised = reps !== undefined && s.rounds > reps ? `; ${s.rounds - reps} round${s.rounds - reps === 1 ? "" : "s"} added, spread was over ${NOISY_SPREAD * 100}%` : "";
  return `median of ${s.rounds} per-round ratios, ${width}${range}${raised}`;
}

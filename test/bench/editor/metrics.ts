// From what the probe saw (keys and ghost states on one page clock) to the section's figures.
// Pure: the definitions are in test/bench/README.md ("editor").
import type { GhostRecord, KeyRecord } from "./ghostProbe";

/** A burst: keys typed at the typing interval, then a pause. Indices into the probe's key log. */
export interface Burst {
  firstKey: number;
  lastKey: number;
}

export interface AcceptCheck {
  /** The ghost shown when Tab was pressed. */
  shown: string;
  /** Whether the saved file afterwards was the file before with exactly `shown` inserted at one place. */
  exact: boolean;
  /** What Tab inserted, when not exact (for the log). */
  inserted?: string;
}

export interface RunLog {
  keys: KeyRecord[];
  ghosts: GhostRecord[];
  bursts: Burst[];
  accepts: AcceptCheck[];
  /** Page time the measured part began (after the warm-up ghost). */
  measuredFrom: number;
  /** The typing interval, which also bounds a burst's last key's window. */
  keyIntervalMs: number;
  pauseMs: number;
}

export interface RunFigures {
  /** Burst keys counted (each burst's first key, which ends a pause, is left out). */
  keystrokes: number;
  withGhost: number;
  withNewGhost: number;
  bursts: number;
  /** Last key → first ghost, per pause; a pause with no ghost counts as its whole length. */
  pauseToGhostMs: number[];
  pausesWithoutGhost: number;
  lateGhosts: number;
  accepts: number;
  acceptsExact: number;
}

/** The text a typed key adds, when it is one character (or Enter). */
function typedText(key: string): string | undefined {
  if (key === "Enter") return "\n";
  return [...key].length === 1 ? key : undefined;
}

/** The last non-empty ghost state recorded strictly before `t`. */
function ghostBefore(ghosts: readonly GhostRecord[], t: number): string | undefined {
  let found: string | undefined;
  for (const g of ghosts) {
    if (g.t >= t) break;
    found = g.ghost || undefined;
  }
  return found;
}

export function figuresOf(run: RunLog): RunFigures {
  const { keys, ghosts } = run;
  const shownIn = (from: number, to: number) => ghosts.filter((g) => g.t > from && g.t <= to && g.ghost !== "");
  let keystrokes = 0;
  let withGhost = 0;
  let withNewGhost = 0;
  const pauseToGhostMs: number[] = [];
  let pausesWithoutGhost = 0;
  for (const burst of run.bursts) {
    for (let i = burst.firstKey + 1; i <= burst.lastKey; i++) {
      const key = keys[i]!;
      const windowEnd = i < burst.lastKey ? keys[i + 1]!.t : key.t + run.keyIntervalMs;
      const shown = shownIn(key.t, windowEnd);
      keystrokes++;
      if (shown.length === 0) continue;
      withGhost++;
      // The ghost before the key, with the typed character taken off its front: what the editor
      // shows by itself when the user types through a suggestion.
      const before = ghostBefore(ghosts, key.t);
      const typed = typedText(key.key);
      const carried = before !== undefined && typed !== undefined && before.startsWith(typed) ? before.slice(typed.length) : undefined;
      if (shown.some((g) => g.ghost !== carried)) withNewGhost++;
    }
    const last = keys[burst.lastKey]!;
    const pauseEnd = keys[burst.lastKey + 1]?.t ?? last.t + run.pauseMs;
    const first = shownIn(last.t, pauseEnd)[0];
    if (first) pauseToGhostMs.push(first.t - last.t);
    else {
      pauseToGhostMs.push(pauseEnd - last.t);
      pausesWithoutGhost++;
    }
  }
  return {
    keystrokes,
    withGhost,
    withNewGhost,
    bursts: run.bursts.length,
    pauseToGhostMs,
    pausesWithoutGhost,
    lateGhosts: ghosts.filter((g) => g.t >= run.measuredFrom && g.ghost !== "" && !g.atCursor).length,
    accepts: run.accepts.length,
    acceptsExact: run.accepts.filter((a) => a.exact).length,
  };
}

/**
 * What Tab inserted: `after` must be `before` with one stretch added and nothing removed. Returns
 * undefined when the change was not a pure insertion.
 */
export function insertedText(before: string, after: string): string | undefined {
  const added = after.length - before.length;
  if (added < 0) return undefined;
  let prefix = 0;
  while (prefix < before.length && before[prefix] === after[prefix]) prefix++;
  if (after.slice(prefix + added) !== before.slice(prefix)) return undefined;
  return after.slice(prefix, prefix + added);
}

/**
 * Whether `after` is `before` with exactly the ghost inserted at one place; `ghost` is the text as
 * the DOM shows it, where a tab is drawn as the spaces to the next tab stop.
 */
export function insertsExactly(before: string, after: string, ghost: string): boolean {
  const added = after.length - before.length;
  if (added < 0) return false;
  let prefix = 0;
  while (prefix < before.length && before[prefix] === after[prefix]) prefix++;
  // The insertion point is ambiguous when the ghost repeats the text around it: try each place
  // that keeps the common prefix.
  for (let at = Math.max(0, prefix - ghost.length); at <= prefix; at++) {
    if (after.slice(0, at) !== before.slice(0, at) || after.slice(at + added) !== before.slice(at)) continue;
    if (rendersAs(after.slice(at, at + added), ghost)) return true;
  }
  return false;
}

function rendersAs(text: string, shown: string): boolean {
  if (!text.includes("\t")) return text === shown;
  const pattern = text
    .split("\t")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(" {1,8}");
  return new RegExp(`^${pattern}$`, "s").test(shown);
}

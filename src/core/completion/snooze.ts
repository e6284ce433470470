// Snoozing ghost text: off for a few minutes, then back by itself. A clock the caller hands in, so a
// test can move time; the editor side only keeps a timer to say when it ended.

/** The lengths the snooze menu offers, in minutes. */
export const snoozeMinutes = [5, 15, 60] as const;

export class SnoozeClock {
  private untilMs: number | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** Snoozes for `minutes` from now; a later snooze replaces an earlier one. Returns when it ends. */
  snooze(minutes: number): number {
    if (!Number.isFinite(minutes) || minutes <= 0) throw new RangeError(`snooze length must be a positive number of minutes, not ${minutes}`);
    this.untilMs = this.now() + minutes * 60_000;
    return this.untilMs;
  }

  resume(): void {
    this.untilMs = undefined;
  }

  /** When the snooze ends, or undefined when ghost text is not snoozed (never, or no longer). */
  get until(): number | undefined {
    if (this.untilMs !== undefined && this.now() >= this.untilMs) this.untilMs = undefined;
    return this.untilMs;
  }

  get snoozed(): boolean {
    return this.until !== undefined;
  }
}

/** "09:05": the local wall-clock time a snooze ends, as the status bar says it. */
export function clockTime(ms: number): string {
  const date = new Date(ms);
  return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
}

// When to restart a crashed engine, and when to stop trying. Pure, so tests drive it with a clock.

export interface RestartPolicyOptions {
  /** Crashes within `windowMs` after which we stop restarting. */
  maxCrashes: number;
  windowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRestartPolicy: RestartPolicyOptions = {
  maxCrashes: 4,
  windowMs: 3 * 60_000,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
};

export type RestartDecision = { restart: true; delayMs: number; attempt: number } | { restart: false; crashes: number };

export class RestartPolicy {
  private crashTimes: number[] = [];

  constructor(private readonly options: RestartPolicyOptions = defaultRestartPolicy) {}

  /** Records a crash at `now` and decides what follows. */
  onCrash(now: number): RestartDecision {
    this.crashTimes = this.crashTimes.filter((time) => now - time < this.options.windowMs);
    this.crashTimes.push(now);
    const crashes = this.crashTimes.length;
    if (crashes >= this.options.maxCrashes) return { restart: false, crashes };
    const delayMs = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (crashes - 1));
    return { restart: true, delayMs, attempt: crashes };
  }

  /** A restart the user asked for starts a fresh history. */
  reset(): void {
    this.crashTimes = [];
  }
}

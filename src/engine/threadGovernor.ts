// How many threads generate the next token. ggml's threads meet at a barrier after every operation
// of a token's graph; when another process takes the core of one of them, the others spin until it
// gets the core back. A one-token step then costs a scheduler slice instead of a few milliseconds:
// on 2 cores, 2 threads beside two `nice -n 19` busy loops answered a keystroke's completion in
// 0.5–1.2 s where 1 thread took 0.16–0.45 s, and beside a test run ghost text stopped altogether
// (docs/performance.md, session 14). Which count is faster changes with what else runs, so it is
// measured: steps are timed at the count in use, the other count is tried now and then, the faster
// one is used. Only the configured count and 1 are candidates: in between is no better here, and
// each try of a slow count costs a slow step.

export interface ThreadGovernorOptions {
  /** Steps timed per try of the count not in use (the first after a change of count is not timed). */
  probeSteps: number;
  /**
   * Time between tries of the count not in use; doubled after each try and each change, up to
   * `max`: where the faster count keeps changing, the slow steps its changes cost stay few.
   */
  probeIntervalMs: { first: number; max: number };
  /** Weight of a new step in a count's running estimate. */
  smoothing: number;
  /**
   * The other count is chosen only when faster by this factor: noise does not flip the choice.
   * More threads must win by more: on a busy machine they are fast between the moments another
   * process takes a core, and then a step can cost half a second.
   */
  switchMargin: { fewer: number; more: number };
}

export const defaultThreadGovernorOptions: ThreadGovernorOptions = {
  probeSteps: 2,
  probeIntervalMs: { first: 1_000, max: 16_000 },
  smoothing: 0.3,
  switchMargin: { fewer: 1.15, more: 1.3 },
};

export class ThreadGovernor {
  /** Milliseconds per one-token step, a running estimate per thread count. */
  private readonly estimates = new Map<number, number>();
  private current: number;
  /** The count being tried, and how many of its steps are still to be timed (the first is a warm-up). */
  private probe: { threads: number; untimed: number; left: number } | undefined;
  private probeInterval: number;
  private lastProbeEnd: number;

  private readonly now: () => number;

  constructor(
    private readonly configured: number,
    private readonly hooks: {
      now?: () => number;
      onChange?: (from: number, to: number, why: string) => void;
      /**
       * Whether the cores other processes leave free hold the configured count now (cpuLoad.ts).
       * Timing alone is not enough: more threads can be fast for a try and then lose a core.
       */
      roomForMore?: () => boolean;
    } = {},
    private readonly options: ThreadGovernorOptions = defaultThreadGovernorOptions,
  ) {
    this.now = hooks.now ?? (() => performance.now());
    // One thread until more have shown they are faster: the first steps at a slow count can cost
    // a third of a second each, one thread at worst a few times its best.
    this.current = Math.min(configured, 1);
    this.probeInterval = options.probeIntervalMs.first;
    this.lastProbeEnd = this.now();
  }

  /** Nothing to choose between: one configured thread. */
  get fixed(): boolean {
    return this.configured <= 1;
  }

  /** The threads for the next one-token step. */
  threadsForStep(): number {
    if (this.fixed) return this.configured;
    const room = this.hooks.roomForMore;
    if (this.current > 1 && room && !room()) this.change("other processes took cores");
    if (!this.probe && this.now() - this.lastProbeEnd >= this.probeInterval) {
      // No try of more threads while other processes hold the cores they need: tried later.
      if (this.other() > this.current && room && !room()) this.lastProbeEnd = this.now();
      else this.probe = { threads: this.other(), untimed: 1, left: this.options.probeSteps };
    }
    return this.probe?.threads ?? this.current;
  }

  /** A one-token step took `ms` at `threads` (what threadsForStep said). */
  record(threads: number, ms: number): void {
    if (this.fixed) return;
    const probe = this.probe;
    if (probe && probe.threads === threads && probe.untimed > 0) {
      probe.untimed--;
      return;
    }
    // A try starts the tried count's estimate afresh: what it measured last may be long past.
    const fresh = probe?.threads === threads && probe.left === this.options.probeSteps;
    const previous = fresh ? undefined : this.estimates.get(threads);
    this.estimates.set(threads, previous === undefined ? ms : previous + this.options.smoothing * (ms - previous));
    if (probe && probe.threads === threads && --probe.left <= 0) this.endProbe();
    else if (!probe && this.choose()) this.longerInterval();
  }

  /** The count in use (not counting a try in progress). */
  get threads(): number {
    return this.current;
  }

  private other(): number {
    return this.current === this.configured ? 1 : this.configured;
  }

  private endProbe(): void {
    this.probe = undefined;
    this.lastProbeEnd = this.now();
    this.choose();
    this.longerInterval();
  }

  private longerInterval(): void {
    this.probeInterval = Math.min(this.probeInterval * 2, this.options.probeIntervalMs.max);
  }

  /** The faster count by its running estimate, kept unless the other is faster by the margin; true when it changed. */
  private choose(): boolean {
    const mine = this.estimates.get(this.current);
    const theirs = this.estimates.get(this.other());
    if (mine === undefined || theirs === undefined) return false;
    const more = this.other() > this.current;
    if (more && this.hooks.roomForMore && !this.hooks.roomForMore()) return false;
    const margin = more ? this.options.switchMargin.more : this.options.switchMargin.fewer;
    if (theirs * margin < mine) {
      this.change(`${this.current}: ${mine.toFixed(1)} ms per token, ${this.other()}: ${theirs.toFixed(1)} ms`);
      return true;
    }
    return false;
  }

  private change(why: string): void {
    const from = this.current;
    this.current = this.other();
    this.hooks.onChange?.(from, this.current, why);
  }
}

/**
 * The thread limit of node-llama-cpp's batch dispatcher (its `llama.maxThreads`), which prompt
 * batches take their threads from: lowered while the governor uses fewer threads than configured.
 * A context made meanwhile would keep the lowered count for good, so contexts are made unlowered.
 */
export class PromptThreadLimit {
  private readonly unlowered: number;
  private lowered: number | undefined;

  constructor(private readonly dispatcher: { maxThreads: number }) {
    this.unlowered = dispatcher.maxThreads;
  }

  /** The governor now uses `threads` of `configured`. */
  follow(threads: number, configured: number): void {
    this.lowered = threads < configured ? threads : undefined;
    this.apply();
  }

  /** Runs `task` (a context being made) with the limit unlowered. */
  async whileUnlowered<T>(task: () => Promise<T>): Promise<T> {
    this.dispatcher.maxThreads = this.unlowered;
    try {
      return await task();
    } finally {
      this.apply();
    }
  }

  private apply(): void {
    this.dispatcher.maxThreads = this.lowered ?? this.unlowered;
  }
}

// Finished requests leave native memory behind (node-llama-cpp's per-evaluation objects) that is
// freed only when V8 collects their small JavaScript wrappers, and V8, seeing little JavaScript
// garbage, waits: measured on the tiny model, ~3 MiB per ghost-text request and ~4.5 MiB per chat
// request piled up to ~200 MiB of resident memory before V8 collected on its own. Once no request
// has run for a moment, one collection hands it back (a few ms of an idle engine's time).
import v8 from "node:v8";
import vm from "node:vm";

/** V8's collector as a function, made reachable at run time (as `--expose-gc` would); undefined where it cannot be. */
export function exposedGarbageCollector(): (() => void) | undefined {
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc: unknown = vm.runInNewContext("gc");
    return typeof gc === "function" ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

export interface CollectorTimers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const nodeTimers: CollectorTimers = {
  setTimeout: (run, ms) => setTimeout(run, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** How long the engine waits, idle after model work, before it collects. */
export const idleCollectionMs = 1_000;

/** Collections made, and how long the engine's thread stopped for them: a request arriving then waits. */
export interface CollectionPauses {
  count: number;
  lastMs: number;
  maxMs: number;
}

/** Collects garbage once the engine has been idle `idleMs` after model work; never while a request runs. */
export class IdleCollector {
  readonly pauses: CollectionPauses = { count: 0, lastMs: 0, maxMs: 0 };
  private running = 0;
  /** Model work finished since the last collection. */
  private workSinceCollection = false;
  private timer: unknown;

  constructor(
    private readonly collect: () => void,
    readonly idleMs = idleCollectionMs,
    private readonly timers: CollectorTimers = nodeTimers,
  ) {}

  /** Runs `task` (model work) and counts it. */
  async around<T>(task: () => Promise<T>): Promise<T> {
    this.running++;
    this.cancel();
    try {
      return await task();
    } finally {
      this.running--;
      this.workSinceCollection = true;
      if (this.running === 0) this.timer = this.timers.setTimeout(() => this.collectNow(), this.idleMs);
    }
  }

  private collectNow(): void {
    this.timer = undefined;
    if (this.running > 0 || !this.workSinceCollection) return;
    this.workSinceCollection = false;
    const started = performance.now();
    this.collect();
    const ms = performance.now() - started;
    this.pauses.count++;
    this.pauses.lastMs = ms;
    this.pauses.maxMs = Math.max(this.pauses.maxMs, ms);
  }

  private cancel(): void {
    if (this.timer === undefined) return;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

// One model request at a time for one feature (one engine sequence): the request the user waits
// for replaces whatever runs, background work replaces only lower work, and work for an idle
// moment waits for one. Ghost text uses it today; next-edit suggestions or agent edits get their
// own instance. Every request is cancelled through the AbortSignal of its claim.

/**
 * How much a request matters, from the user's point of view:
 * - `foreground`: the user waits for it (a keystroke). The newest one wins; it cancels anything running.
 * - `background`: work the user will probably want (a speculative completion). Refused while a
 *   foreground request runs; replaces older background or idle work.
 * - `idle`: preparation (a prompt warm-up). Refused while anything runs; never cancels a request.
 */
export type RequestPriority = "foreground" | "background" | "idle";

const rank: Record<RequestPriority, number> = { idle: 0, background: 1, foreground: 2 };

export interface RequestClaim {
  readonly priority: RequestPriority;
  /** Aborts when a newer request replaces this one, when `cancel()` is called, or when the parent signal aborts. */
  readonly signal: AbortSignal;
  /** Ends the claim (idempotent): the scheduler is free for any request again. */
  release(): void;
}

interface Running {
  priority: RequestPriority;
  controller: AbortController;
}

export class RequestScheduler {
  private running: Running | undefined;
  private readonly settled = new Map<RequestPriority, Promise<void>>();

  /** The priority of the request running now, if any. */
  get runningPriority(): RequestPriority | undefined {
    return this.running?.priority;
  }

  /**
   * Makes a new request the one running, or returns undefined when a request that matters more
   * (or, for idle work, any request) runs. The request it replaces is aborted. The claim's signal
   * also aborts when `parent` does (the caller gave up).
   */
  claim(priority: RequestPriority, parent?: AbortSignal): RequestClaim | undefined {
    const current = this.running;
    if (current && (priority === "idle" || rank[current.priority] > rank[priority])) return undefined;
    current?.controller.abort();
    const controller = new AbortController();
    const running: Running = { priority, controller };
    this.running = running;
    const abort = () => controller.abort();
    if (parent?.aborted) controller.abort();
    else parent?.addEventListener("abort", abort, { once: true });
    let markSettled!: () => void;
    this.settled.set(priority, new Promise<void>((resolve) => (markSettled = resolve)));
    let released = false;
    return {
      priority,
      signal: controller.signal,
      release: () => {
        if (released) return;
        released = true;
        parent?.removeEventListener("abort", abort);
        if (this.running === running) this.running = undefined;
        markSettled();
      },
    };
  }

  /**
   * Claims, runs `task` with the claim's signal, and releases when it settles, whichever way.
   * Undefined (and `task` never called) when the claim is refused.
   */
  run<T>(priority: RequestPriority, task: (signal: AbortSignal) => Promise<T>, parent?: AbortSignal): Promise<T> | undefined {
    const claim = this.claim(priority, parent);
    if (!claim) return undefined;
    return task(claim.signal).finally(() => claim.release());
  }

  /** Aborts the running request, whatever its priority. */
  cancel(): void {
    this.running?.controller.abort();
  }

  /** Settles when the request of this priority claimed last has been released (tests, bench). */
  requestSettled(priority: RequestPriority): Promise<void> {
    return this.settled.get(priority) ?? Promise.resolve();
  }
}

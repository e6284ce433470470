import { describe, expect, it } from "vitest";
import { IdleCollector, exposedGarbageCollector, type CollectorTimers } from "../../../src/engine/idleCollector.js";

/** Timers the test fires by hand. */
function manualTimers() {
  const pending = new Map<number, { run: () => void; ms: number }>();
  let next = 0;
  const timers: CollectorTimers = {
    setTimeout: (run, ms) => {
      pending.set(++next, { run, ms });
      return next;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  const fireAll = () => {
    const due = [...pending.values()];
    pending.clear();
    for (const timer of due) timer.run();
  };
  return { timers, pending, fireAll };
}

function harness() {
  const { timers, pending, fireAll } = manualTimers();
  let collections = 0;
  const collector = new IdleCollector(() => collections++, 1_000, timers);
  /** A request that runs until `finish()`. */
  const request = () => {
    let finish!: () => void;
    const done = collector.around(() => new Promise<void>((resolve) => (finish = resolve)));
    return { finish: () => finish(), done };
  };
  return { collector, pending, fireAll, request, collections: () => collections };
}

describe("IdleCollector", () => {
  it("collects once the engine has been idle for its delay after a request", async () => {
    const { pending, fireAll, request, collections } = harness();
    const r = request();
    expect(pending.size).toBe(0);
    r.finish();
    await r.done;
    expect([...pending.values()].map((timer) => timer.ms)).toEqual([1_000]);
    expect(collections()).toBe(0);
    fireAll();
    expect(collections()).toBe(1);
  });

  it("never collects while a request runs: a request that starts cancels the wait", async () => {
    const { pending, fireAll, request, collections } = harness();
    const a = request();
    a.finish();
    await a.done;
    const b = request();
    expect(pending.size).toBe(0);
    fireAll();
    expect(collections()).toBe(0);
    const c = request();
    b.finish();
    await b.done;
    // c still runs: no wait starts until the last request ends.
    expect(pending.size).toBe(0);
    c.finish();
    await c.done;
    fireAll();
    expect(collections()).toBe(1);
  });

  it("collects only after model work: an idle engine is left alone", async () => {
    const { pending, fireAll, request, collections } = harness();
    const r = request();
    r.finish();
    await r.done;
    fireAll();
    fireAll();
    expect(collections()).toBe(1);
    expect(pending.size).toBe(0);
  });

  it("counts a failed request as work, and passes its error on", async () => {
    const { collector, fireAll, collections } = harness();
    await expect(collector.around(() => Promise.reject(new Error("aborted")))).rejects.toThrow("aborted");
    fireAll();
    expect(collections()).toBe(1);
  });

  // The status reports each collection's pause: a key pressed during one waits that long.
  it("times each collection, keeping the last and the longest", async () => {
    const { timers, fireAll } = manualTimers();
    const durations = [12, 3];
    const collector = new IdleCollector(() => {
      const until = performance.now() + durations.shift()!;
      while (performance.now() < until);
    }, 1_000, timers);
    expect(collector.pauses).toEqual({ count: 0, lastMs: 0, maxMs: 0 });
    for (let i = 0; i < 2; i++) {
      await collector.around(async () => undefined);
      fireAll();
    }
    expect(collector.pauses.count).toBe(2);
    expect(collector.pauses.lastMs).toBeGreaterThanOrEqual(3);
    expect(collector.pauses.lastMs).toBeLessThan(collector.pauses.maxMs);
    expect(collector.pauses.maxMs).toBeGreaterThanOrEqual(12);
  });

  it("reaches V8's collector at run time", () => {
    const gc = exposedGarbageCollector();
    expect(typeof gc).toBe("function");
    let collected = false;
    const registry = new FinalizationRegistry(() => (collected = true));
    ((): void => {
      registry.register({ big: new Array(1000).fill(0) }, "x");
    })();
    gc!();
    // Finalizers run after the collection, in a later task.
    return new Promise<void>((resolve) => setTimeout(resolve, 50)).then(() => expect(collected).toBe(true));
  });
});

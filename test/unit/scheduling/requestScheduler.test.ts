import { describe, expect, it } from "vitest";
import { RequestScheduler } from "../../../src/core/scheduling/requestScheduler.js";

describe("RequestScheduler", () => {
  it("lets the newest foreground request win: the one before is aborted", () => {
    const scheduler = new RequestScheduler();
    const first = scheduler.claim("foreground")!;
    const second = scheduler.claim("foreground")!;
    expect(first.signal.aborted).toBe(true);
    expect(second.signal.aborted).toBe(false);
    expect(scheduler.runningPriority).toBe("foreground");
  });

  it("never cancels a foreground request for background or idle work", () => {
    const scheduler = new RequestScheduler();
    const keystroke = scheduler.claim("foreground")!;
    expect(scheduler.claim("background")).toBeUndefined();
    expect(scheduler.claim("idle")).toBeUndefined();
    expect(keystroke.signal.aborted).toBe(false);
    keystroke.release();
    expect(scheduler.runningPriority).toBeUndefined();
    expect(scheduler.claim("idle")).toBeDefined();
  });

  it("lets background work replace older background work, and idle work wait for an idle moment", () => {
    const scheduler = new RequestScheduler();
    const warmUp = scheduler.claim("idle")!;
    const speculation = scheduler.claim("background")!;
    expect(warmUp.signal.aborted).toBe(true);
    expect(scheduler.claim("idle")).toBeUndefined();
    const next = scheduler.claim("background")!;
    expect(speculation.signal.aborted).toBe(true);
    expect(next.signal.aborted).toBe(false);
    scheduler.claim("foreground");
    expect(next.signal.aborted).toBe(true);
  });

  it("aborts a claim when its parent signal aborts, and forgets the parent once released", () => {
    const scheduler = new RequestScheduler();
    const parent = new AbortController();
    const claim = scheduler.claim("foreground", parent.signal)!;
    parent.abort();
    expect(claim.signal.aborted).toBe(true);
    const aborted = new AbortController();
    aborted.abort();
    expect(scheduler.claim("foreground", aborted.signal)!.signal.aborted).toBe(true);
    const later = new AbortController();
    const released = scheduler.claim("foreground", later.signal)!;
    released.release();
    later.abort();
    expect(released.signal.aborted).toBe(false);
  });

  it("keeps a released claim from freeing the request that replaced it", () => {
    const scheduler = new RequestScheduler();
    const first = scheduler.claim("background")!;
    scheduler.claim("foreground");
    first.release();
    expect(scheduler.runningPriority).toBe("foreground");
  });

  it("cancel() aborts whatever runs", () => {
    const scheduler = new RequestScheduler();
    const warmUp = scheduler.claim("idle")!;
    scheduler.cancel();
    expect(warmUp.signal.aborted).toBe(true);
  });

  it("runs a task under a claim, releases it when the task settles, and says when each priority settled", async () => {
    const scheduler = new RequestScheduler();
    await expect(scheduler.requestSettled("foreground")).resolves.toBeUndefined();
    let finish!: (value: string) => void;
    const seen: AbortSignal[] = [];
    const task = scheduler.run("background", (signal) => {
      seen.push(signal);
      return new Promise<string>((resolve) => (finish = resolve));
    })!;
    expect(scheduler.runningPriority).toBe("background");
    let settled = false;
    void scheduler.requestSettled("background").then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    finish("done");
    await expect(task).resolves.toBe("done");
    await scheduler.requestSettled("background");
    expect(settled).toBe(true);
    expect(scheduler.runningPriority).toBeUndefined();
    expect(seen[0]!.aborted).toBe(false);
  });

  it("releases a failed task and refuses to run one it cannot claim", async () => {
    const scheduler = new RequestScheduler();
    await expect(scheduler.run("idle", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(scheduler.runningPriority).toBeUndefined();
    scheduler.claim("foreground");
    let called = false;
    expect(scheduler.run("idle", async () => (called = true))).toBeUndefined();
    expect(called).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { PromptThreadLimit, ThreadGovernor, defaultThreadGovernorOptions } from "../../../src/engine/threadGovernor.js";

/** A governor on a fake clock, with the machine's speed per thread count given by the test. */
function harness(configured: number, msPerStep: (threads: number) => number, roomForMore?: () => boolean) {
  let now = 0;
  const changes: [number, number][] = [];
  const governor = new ThreadGovernor(configured, { now: () => now, onChange: (from, to) => changes.push([from, to]), roomForMore });
  const used: number[] = [];
  /** When each step started. */
  const at: number[] = [];
  /** `count` steps, each advancing the clock by its own time. */
  const steps = (count: number) => {
    for (let i = 0; i < count; i++) {
      const threads = governor.threadsForStep();
      const ms = msPerStep(threads);
      at.push(now);
      now += ms;
      used.push(threads);
      governor.record(threads, ms);
    }
  };
  return { governor, steps, used, at, changes, wait: (ms: number) => (now += ms) };
}

const { probeSteps, probeIntervalMs } = defaultThreadGovernorOptions;
/** Steps a try of the other count takes: one warm-up, then the timed ones. */
const probeLength = probeSteps + 1;

describe("ThreadGovernor", () => {
  it("has nothing to choose with one configured thread", () => {
    const { governor, steps, used } = harness(1, () => 5);
    steps(50);
    expect(governor.fixed).toBe(true);
    expect(new Set(used)).toEqual(new Set([1]));
  });

  it("starts on one thread and takes the configured count once a try shows it faster", () => {
    const { governor, steps, used, changes, wait } = harness(4, (threads) => (threads === 4 ? 3 : 9));
    expect(governor.threads).toBe(1);
    steps(5);
    expect(used).toEqual([1, 1, 1, 1, 1]);
    wait(probeIntervalMs.first);
    steps(probeLength + 1);
    expect(used.slice(5, 5 + probeLength)).toEqual(Array(probeLength).fill(4));
    expect(governor.threads).toBe(4);
    expect(changes).toEqual([[1, 4]]);
  });

  it("keeps the configured count on a quiet machine, and tries 1 less and less often", () => {
    const { governor, steps, used, at, changes } = harness(4, (threads) => (threads === 4 ? 3 : 9));
    // A minute and a half of generation.
    steps(30_000);
    expect(governor.threads).toBe(4);
    expect(changes).toEqual([[1, 4]]);
    const tries = used.flatMap((threads, i) => (threads === 1 && used[i - 1] === 4 ? [at[i]!] : []));
    const gaps = tries.slice(1).map((time, i) => time - tries[i]!);
    expect(gaps.length).toBeGreaterThan(3);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]! - 50);
    // A gap also holds the try itself (a few slow steps).
    expect(Math.max(...gaps)).toBeLessThanOrEqual(probeIntervalMs.max + 50);
    expect(gaps.at(-1)!).toBeGreaterThanOrEqual(probeIntervalMs.max);
  });

  it("drops to one thread once another process competes for the cores, and says so", () => {
    let busy = false;
    // Contended: the configured threads wait at their barriers for one that lost its core.
    const { governor, steps, changes, wait } = harness(2, (threads) => (threads === 2 ? (busy ? 90 : 4) : busy ? 8 : 6));
    steps(3);
    wait(probeIntervalMs.first);
    steps(10);
    expect(governor.threads).toBe(2);
    busy = true;
    // The running estimate of 2 threads passes the last one of 1 thread: no try needed to switch.
    steps(3);
    expect(governor.threads).toBe(1);
    expect(changes).toEqual([[1, 2], [2, 1]]);
  });

  it("goes back to the configured count when the other process ends", () => {
    let busy = true;
    const { governor, steps, changes, wait, used } = harness(2, (threads) => (threads === 2 ? (busy ? 90 : 4) : busy ? 8 : 6));
    steps(3);
    wait(probeIntervalMs.first);
    steps(probeLength + 2);
    expect(governor.threads).toBe(1);
    expect(changes).toEqual([]);
    busy = false;
    used.length = 0;
    wait(probeIntervalMs.max);
    steps(probeLength + 5);
    expect(used.slice(0, probeLength)).toEqual(Array(probeLength).fill(2));
    expect(governor.threads).toBe(2);
    expect(changes).toEqual([[1, 2]]);
  });

  it("does not flip on a difference within the margin", () => {
    const { governor, steps, changes, wait } = harness(2, (threads) => (threads === 2 ? 5 / (defaultThreadGovernorOptions.switchMargin.more - 0.05) : 5));
    for (let i = 0; i < 5; i++) {
      wait(probeIntervalMs.max);
      steps(probeLength + 3);
    }
    expect(changes).toEqual([]);
    expect(governor.threads).toBe(1);
  });

  it("takes more threads back only when they win by the larger margin", () => {
    let speedup = 1;
    let busy = true;
    const { governor, steps, wait } = harness(2, (threads) => (threads === 2 ? (busy ? 90 : 6 / speedup) : 6));
    wait(probeIntervalMs.first);
    steps(probeLength + 2);
    expect(governor.threads).toBe(1);
    busy = false;
    // Faster, but by less than the margin for more threads (though more than the one for fewer).
    speedup = (defaultThreadGovernorOptions.switchMargin.fewer + defaultThreadGovernorOptions.switchMargin.more) / 2;
    for (let i = 0; i < 4; i++) {
      wait(probeIntervalMs.max);
      steps(probeLength + 2);
    }
    expect(governor.threads).toBe(1);
    speedup = defaultThreadGovernorOptions.switchMargin.more + 0.2;
    wait(probeIntervalMs.max);
    steps(probeLength + 2);
    expect(governor.threads).toBe(2);
  });

  it("changes count rarely where more threads are fast when tried but slow once in use", () => {
    // A busy machine: the other process leaves the cores alone for a moment, then takes one.
    let stepsAtTwo = 0;
    const { steps, changes } = harness(2, (threads) => {
      stepsAtTwo = threads === 2 ? stepsAtTwo + 1 : 0;
      return threads === 2 ? (stepsAtTwo <= probeLength ? 2 : 400) : 6;
    });
    // A minute of generation.
    steps(60_000 / 6);
    const upward = changes.filter(([from, to]) => to > from).length;
    expect(upward).toBeGreaterThan(0);
    expect(upward).toBeLessThanOrEqual(6);
  });

  it("tries no more threads while other processes hold the cores, and gives them up as soon as they do", () => {
    let room = false;
    // More threads time faster here: only the room check keeps them away.
    const { governor, steps, used, changes, wait } = harness(2, (threads) => (threads === 2 ? 3 : 6), () => room);
    for (let i = 0; i < 5; i++) {
      wait(probeIntervalMs.max);
      steps(probeLength + 2);
    }
    expect(new Set(used)).toEqual(new Set([1]));
    room = true;
    wait(probeIntervalMs.max);
    steps(probeLength + 2);
    expect(governor.threads).toBe(2);
    room = false;
    used.length = 0;
    steps(2);
    expect(used).toEqual([1, 1]);
    expect(changes).toEqual([[1, 2], [2, 1]]);
  });

  it("bounds the time between tries, however often the choice is confirmed", () => {
    const { steps, used, wait } = harness(2, (threads) => (threads === 2 ? 90 : 8));
    for (let i = 0; i < 12; i++) {
      wait(probeIntervalMs.max);
      steps(probeLength + 2);
    }
    // Every wait of the longest interval is followed by a try of 2 threads, never fewer.
    const tries = used.filter((threads) => threads === 2).length;
    expect(tries).toBeGreaterThanOrEqual(11 * probeLength);
  });
});

describe("PromptThreadLimit", () => {
  it("lowers the dispatcher's limit with the governor and gives it back", () => {
    const dispatcher = { maxThreads: 4 };
    const limit = new PromptThreadLimit(dispatcher);
    limit.follow(1, 2);
    expect(dispatcher.maxThreads).toBe(1);
    limit.follow(2, 2);
    // Back to what it was, not to the configured count: the dispatcher's limit is its own.
    expect(dispatcher.maxThreads).toBe(4);
  });

  it("makes a context unlowered, and keeps the governor's latest choice afterwards", async () => {
    const dispatcher = { maxThreads: 4 };
    const limit = new PromptThreadLimit(dispatcher);
    limit.follow(1, 2);
    const during = await limit.whileUnlowered(async () => {
      const seen = dispatcher.maxThreads;
      // The governor changes its mind while the context is being made.
      limit.follow(2, 2);
      limit.follow(1, 2);
      return seen;
    });
    expect(during).toBe(4);
    expect(dispatcher.maxThreads).toBe(1);
    await expect(limit.whileUnlowered(async () => Promise.reject(new Error("out of memory")))).rejects.toThrow("out of memory");
    expect(dispatcher.maxThreads).toBe(1);
  });
});

import { describe, expect, it } from "vitest";
import { ThreadGovernor, defaultThreadGovernorOptions } from "../../../src/engine/threadGovernor.js";

/** A governor on a fake clock, with the machine's speed per thread count given by the test. */
function harness(configured: number, msPerStep: (threads: number) => number) {
  let now = 0;
  const changes: [number, number][] = [];
  const governor = new ThreadGovernor(configured, { now: () => now, onChange: (from, to) => changes.push([from, to]) });
  const used: number[] = [];
  /** `count` steps, each advancing the clock by its own time. */
  const steps = (count: number) => {
    for (let i = 0; i < count; i++) {
      const threads = governor.threadsForStep();
      const ms = msPerStep(threads);
      now += ms;
      used.push(threads);
      governor.record(threads, ms);
    }
  };
  return { governor, steps, used, changes, wait: (ms: number) => (now += ms) };
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

  it("keeps the configured count on a quiet machine, where it is faster, and tries 1 less and less often", () => {
    const { governor, steps, used, changes, wait } = harness(4, (threads) => (threads === 4 ? 3 : 9));
    wait(probeIntervalMs.first);
    steps(1 + probeLength);
    // The first step after the interval starts the try of one thread.
    expect(used.slice(0, probeLength)).toEqual(Array(probeLength).fill(1));
    expect(governor.threads).toBe(4);
    expect(changes).toEqual([]);
    // Confirmed: the next try waits twice as long.
    used.length = 0;
    wait(probeIntervalMs.first);
    steps(3);
    expect(used).toEqual([4, 4, 4]);
    wait(probeIntervalMs.first);
    steps(1);
    expect(used.at(-1)).toBe(1);
  });

  it("drops to one thread once another process competes for the cores, and says so", () => {
    let busy = false;
    // Contended: the configured threads wait at their barriers for one that lost its core.
    const { governor, steps, changes, wait } = harness(2, (threads) => (threads === 2 ? (busy ? 90 : 4) : busy ? 8 : 6));
    wait(probeIntervalMs.first);
    steps(10);
    expect(governor.threads).toBe(2);
    busy = true;
    // The running estimate of 2 threads passes the last one of 1 thread: no try needed to switch.
    steps(3);
    expect(governor.threads).toBe(1);
    expect(changes).toEqual([[2, 1]]);
  });

  it("goes back to the configured count when the other process ends", () => {
    let busy = true;
    const { governor, steps, changes, wait, used } = harness(2, (threads) => (threads === 2 ? (busy ? 90 : 4) : busy ? 8 : 6));
    wait(probeIntervalMs.first);
    steps(probeLength + 2);
    expect(governor.threads).toBe(1);
    busy = false;
    used.length = 0;
    wait(probeIntervalMs.max);
    steps(probeLength + 5);
    expect(used.slice(0, probeLength)).toEqual(Array(probeLength).fill(2));
    expect(governor.threads).toBe(2);
    expect(changes).toEqual([[2, 1], [1, 2]]);
  });

  it("does not flip on a difference within the margin", () => {
    const { governor, steps, changes, wait } = harness(2, (threads) => (threads === 2 ? 5 : 5 / (defaultThreadGovernorOptions.switchMargin - 0.05)));
    for (let i = 0; i < 5; i++) {
      wait(probeIntervalMs.max);
      steps(probeLength + 3);
    }
    expect(changes).toEqual([]);
    expect(governor.threads).toBe(2);
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

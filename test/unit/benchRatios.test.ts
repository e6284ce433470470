import { describe, expect, it } from "vitest";
import { isNoisy, raisedReps, roundRatios, spreadNote, spreadOf } from "../bench/util/ratios";
import { interleave, median, medianRatio } from "../bench/util/stats";

describe("per-round ratios (bench, issue 24)", () => {
  it("takes the median of per-round ratios, not the ratio of medians", () => {
    // Equal in every round but the second, where the machine was faster for the engine's run.
    const pairs = [
      { a: 10, b: 10 },
      { a: 30, b: 20 },
      { a: 40, b: 50 },
    ];
    const ratios = roundRatios(pairs, (a) => a, (b) => b);
    expect(ratios).toEqual([1, 1.5, 0.8]);
    expect(median(ratios)).toBe(1);
    expect(medianRatio(pairs, (a) => a, (b) => b)).toBe(1);
    expect(median(pairs.map((p) => p.a)) / median(pairs.map((p) => p.b))).toBe(1.5);
  });

  it("says the spread: the middle half from four rounds on, the whole range below", () => {
    expect(spreadOf([1, 0.9, 1.2])).toMatchObject({ kind: "range", low: 0.9, high: 1.2, median: 1 });
    const s = spreadOf([0.8, 0.95, 1, 1.05, 1.3]);
    expect(s).toMatchObject({ kind: "iqr", low: 0.95, high: 1.05, min: 0.8, max: 1.3, median: 1, rounds: 5 });
    expect(s.relative).toBeCloseTo(0.1);
    expect(spreadNote([0.8, 0.95, 1, 1.05, 1.3])).toBe("median of 5 per-round ratios, iqr 0.950–1.05 (10%), range 0.800–1.30");
    expect(spreadNote([1, 1.5, 0.9, 1.1, 2], 3)).toContain("2 rounds added");
  });

  it("calls a spread over 10% noisy, and raises the rounds at least by four", () => {
    expect(isNoisy([1, 1.02, 0.99])).toBe(false);
    expect(isNoisy([1, 1.3, 0.9])).toBe(true);
    expect(isNoisy([1])).toBe(false);
    expect(raisedReps(3)).toBe(7);
    expect(raisedReps(7)).toBe(14);
  });
});

describe("interleave with more rounds while noisy", () => {
  const run = (values: number[]) => {
    let i = 0;
    const order: string[] = [];
    return {
      order,
      a: async (round: number) => {
        order.push(`a${round}`);
        return values[i++ % values.length]!;
      },
      b: async (round: number) => {
        order.push(`b${round}`);
        return 1;
      },
    };
  };

  it("stops at reps when the ratios agree", async () => {
    const sides = run([1, 1, 1, 1]);
    const pairs = await interleave({ reps: 3, maxReps: 7, pauseMs: 0, ...sides, moreRounds: (done) => isNoisy(roundRatios(done, (a) => a, (b) => b)) });
    expect(pairs).toHaveLength(3);
    expect(sides.order).toEqual(["a0", "b0", "b1", "a1", "a2", "b2", "b3", "a3"]);
  });

  it("adds rounds up to maxReps while they spread", async () => {
    const sides = run([1, 1.5, 0.7]);
    const pairs = await interleave({ reps: 3, maxReps: 7, pauseMs: 0, ...sides, moreRounds: (done) => isNoisy(roundRatios(done, (a) => a, (b) => b)) });
    expect(pairs).toHaveLength(7);
  });

  it("adds none past the time budget", async () => {
    const sides = run([1, 1.5, 0.7]);
    const pairs = await interleave({ reps: 3, maxReps: 7, pauseMs: 0, budgetMs: -1, ...sides, moreRounds: () => true });
    expect(pairs).toHaveLength(3);
  });
});

import { describe, expect, it } from "vitest";
import { planKvReuse } from "../../../src/core/cache/kvReuse.js";

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe("planKvReuse", () => {
  it("keeps the common prefix and erases the rest", () => {
    expect(planKvReuse([1, 2, 3, 4], [1, 2, 9], 2)).toEqual({ erase: [{ start: 2, end: 4 }], keptTokens: 2 });
  });

  it("keeps everything when the new prompt extends the old one", () => {
    expect(planKvReuse([1, 2, 3], [1, 2, 3, 4, 5], 2)).toEqual({ erase: [], keptTokens: 3 });
  });

  it("erases a dropped chunk and keeps what follows it, shifted", () => {
    const header = range(0, 10);
    const dropped = range(100, 150);
    const body = range(200, 300);
    const plan = planKvReuse([...header, ...dropped, ...body], [...header, ...body, 7], 32);
    expect(plan).toEqual({ erase: [{ start: 10, end: 60 }], keptTokens: 110 });
  });

  it("does not shift runs shorter than the minimum chunk", () => {
    const plan = planKvReuse([1, 2, 50, 51, 52, 9, 9], [1, 2, 51, 52, 8], 4);
    expect(plan).toEqual({ erase: [{ start: 2, end: 7 }], keptTokens: 2 });
  });

  it("handles an empty cache", () => {
    expect(planKvReuse([], [1, 2], 2)).toEqual({ erase: [], keptTokens: 0 });
  });

  it("handles several dropped chunks", () => {
    const a = range(0, 40);
    const b = range(40, 80);
    const c = range(80, 120);
    const plan = planKvReuse([...a, 900, 901, ...b, 902, ...c], [...a, ...b, ...c], 32);
    expect(plan.erase).toEqual([
      { start: 40, end: 42 },
      { start: 82, end: 83 },
    ]);
    expect(plan.keptTokens).toBe(120);
  });
});

import { describe, expect, it } from "vitest";
import { defaultTimeLimits, describeDuration, loadTimeLimitMs, requestTimeLimitMs, resolveTimeLimits } from "../../src/supervisor/timeLimits.js";

const GiB = 1024 ** 3;

describe("engine time limits", () => {
  it("scales a load's limit with the file's size, within the floor and the ceiling", () => {
    const limits = resolveTimeLimits();
    expect(loadTimeLimitMs(undefined, limits)).toBe(limits.loadFloorMs);
    expect(loadTimeLimitMs(73e6, limits)).toBeGreaterThanOrEqual(limits.loadFloorMs);
    expect(loadTimeLimitMs(8.3 * GiB, limits)).toBe(Math.round(limits.loadFloorMs + 8.3 * limits.loadPerGiBMs));
    expect(loadTimeLimitMs(1000 * GiB, limits)).toBe(limits.loadCeilingMs);
  });

  it("gives generation more time than the quick requests", () => {
    expect(requestTimeLimitMs("engine/generate", defaultTimeLimits)).toBe(defaultTimeLimits.generationMs);
    expect(requestTimeLimitMs("engine/prefill", defaultTimeLimits)).toBe(defaultTimeLimits.generationMs);
    expect(requestTimeLimitMs("engine/tokenize", defaultTimeLimits)).toBe(defaultTimeLimits.requestMs);
  });

  it("ignores overrides that are not positive numbers", () => {
    expect(resolveTimeLimits({ stopGraceMs: undefined, requestMs: 0, generationMs: 5 })).toMatchObject({
      stopGraceMs: defaultTimeLimits.stopGraceMs,
      requestMs: defaultTimeLimits.requestMs,
      generationMs: 5,
    });
  });

  it("says durations in words", () => {
    expect(describeDuration(1500)).toBe("2 s");
    expect(describeDuration(150_000)).toBe("2.5 min");
  });
});

import { describe, expect, it } from "vitest";
import { AdaptiveDebounce } from "../../../src/core/completion/adaptiveDebounce.js";

describe("AdaptiveDebounce", () => {
  const settings = () => ({ minMs: 50, maxMs: 400 });

  it("starts at the minimum", () => {
    expect(new AdaptiveDebounce(settings).delayMs()).toBe(50);
  });

  it("waits for a gap longer than this user's usual one", () => {
    const d = new AdaptiveDebounce(settings);
    let t = 0;
    for (const gap of [0, 120, 140, 130, 125, 135]) d.recordKeystroke((t += gap));
    expect(d.delayMs()).toBe(Math.round(130 * 1.5));
  });

  it("stays within its bounds and ignores pauses", () => {
    const slow = new AdaptiveDebounce(settings);
    let t = 0;
    for (const gap of [0, 900, 1000, 950, 5000]) slow.recordKeystroke((t += gap));
    expect(slow.delayMs()).toBe(400);
    const fast = new AdaptiveDebounce(settings);
    t = 0;
    for (const gap of [0, 10, 12, 11, 9]) fast.recordKeystroke((t += gap));
    expect(fast.delayMs()).toBe(50);
  });
});

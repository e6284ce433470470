import { describe, expect, it } from "vitest";
import { LineLimit } from "../../../src/core/generation/lineLimit.js";

describe("LineLimit", () => {
  it("keeps text until the line break after the last allowed line, and nothing after it", () => {
    const limit = new LineLimit(2);
    expect(limit.push("a = 1")).toBe("a = 1");
    expect(limit.push("\nb = ")).toBe("\nb = ");
    expect(limit.reached).toBe(false);
    expect(limit.push("2\nc = 3\n")).toBe("2");
    expect(limit.reached).toBe(true);
    expect(limit.push("d")).toBe("");
  });

  it("with one line, stops at the first line break, even one that arrives first", () => {
    const limit = new LineLimit(1);
    expect(limit.push("\n  x")).toBe("");
    expect(limit.reached).toBe(true);
  });

  it("counts several line breaks in one chunk", () => {
    const limit = new LineLimit(3);
    expect(limit.push("a\nb\nc\nd\n")).toBe("a\nb\nc");
  });
});

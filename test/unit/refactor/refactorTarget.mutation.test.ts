// lineStartOf decides where "Add Documentation" inserts and which indentation an edit takes: an
// offset belongs to the line it is on, its line end included, and an empty line is a line.
import { describe, expect, it } from "vitest";
import { lineStartOf } from "../../../src/core/refactor/refactorTarget.js";

describe("lineStartOf", () => {
  const text = "ab\n\n  cd\nef";

  it("is the line's own start for an offset at a line start, inside it or at its end", () => {
    expect(lineStartOf(text, 0)).toBe(0);
    expect(lineStartOf(text, 1)).toBe(0);
    // The offset of the line break itself is still on the first line.
    expect(lineStartOf(text, 2)).toBe(0);
    // The empty second line starts (and ends) at 3.
    expect(lineStartOf(text, 3)).toBe(3);
    expect(lineStartOf(text, 4)).toBe(4);
    expect(lineStartOf(text, 7)).toBe(4);
    expect(lineStartOf(text, text.length)).toBe(9);
  });
});

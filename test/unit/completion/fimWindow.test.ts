import { describe, expect, it } from "vitest";
import { estimateTokens, selectFimWindow } from "../../../src/core/completion/fimWindow.js";

const pythonFile = Array.from({ length: 200 }, (_, i) => `def handler_${i}(request):\n    return request.value + ${i}\n`).join("");
const lineStart = (text: string, line: number) => text.split("\n").slice(0, line).join("\n").length + (line > 0 ? 1 : 0);

describe("selectFimWindow", () => {
  it("takes the whole file when it fits, split at the cursor", () => {
    const text = "fn main() {\n    let x = 1;\n    println!(\"{}\", x);\n}\n";
    const offset = text.indexOf("1;");
    const w = selectFimWindow(text, offset, { prefixTokens: 500, suffixTokens: 500 });
    expect(w.prefix + w.suffix).toBe(text);
    expect(w.linePrefix).toBe("    let x = ");
    expect(w.lineSuffix).toBe("1;");
    expect(w.prefixStartLine).toBe(0);
  });

  it("cuts the prefix and suffix at line boundaries within their token budgets", () => {
    const offset = lineStart(pythonFile, 300) + 4;
    const w = selectFimWindow(pythonFile, offset, { prefixTokens: 200, suffixTokens: 60 });
    expect(estimateTokens(w.prefix)).toBeLessThanOrEqual(200);
    expect(estimateTokens(w.suffix)).toBeLessThanOrEqual(60);
    expect(pythonFile.slice(0, offset).endsWith(w.prefix)).toBe(true);
    expect(pythonFile.slice(offset).startsWith(w.suffix)).toBe(true);
    // Whole lines: the prefix starts at a line start, the suffix ends at a line end.
    expect(pythonFile[offset - w.prefix.length - 1]).toBe("\n");
    expect(w.suffix.endsWith("\n")).toBe(true);
    expect(w.prefixStartLine).toBe(300 - (w.prefix.match(/\n/g)?.length ?? 0));
  });

  it("keeps the prefix start (its anchor) while the user types on, then moves it with slack", () => {
    const budget = { prefixTokens: 200, suffixTokens: 40 };
    const first = selectFimWindow(pythonFile, lineStart(pythonFile, 100), budget);
    let anchor = first.prefixStartLine;
    // The first cut leaves room: typing a few lines further keeps the start.
    expect(estimateTokens(first.prefix)).toBeLessThanOrEqual(200 * 0.75);
    const later = selectFimWindow(pythonFile, lineStart(pythonFile, 103) + 6, budget, anchor);
    expect(later.prefixStartLine).toBe(anchor);
    expect(later.prefix.length).toBeGreaterThan(first.prefix.length);
    // Far enough down the anchor no longer fits: it moves, leaving room to type before moving again.
    const moved = selectFimWindow(pythonFile, lineStart(pythonFile, 130), budget, anchor);
    expect(moved.prefixStartLine).toBeGreaterThan(anchor);
    expect(estimateTokens(moved.prefix)).toBeLessThanOrEqual(200 * 0.75);
    expect(estimateTokens(moved.prefix)).toBeGreaterThan(100);
    anchor = moved.prefixStartLine;
    const next = selectFimWindow(pythonFile, lineStart(pythonFile, 131), budget, anchor);
    expect(next.prefixStartLine).toBe(anchor);
  });

  it("drops an anchor below the cursor and re-cuts when the cursor jumps far up", () => {
    const budget = { prefixTokens: 200, suffixTokens: 40 };
    const w = selectFimWindow(pythonFile, lineStart(pythonFile, 50), budget, 300);
    expect(w.prefixStartLine).toBeLessThan(50);
  });

  it("keeps the end of a single line longer than the budget (minified code)", () => {
    const minified = "var a=1;".repeat(400);
    const w = selectFimWindow(minified, minified.length, { prefixTokens: 100, suffixTokens: 10 });
    expect(w.prefix.length).toBe(300);
    expect(minified.endsWith(w.prefix)).toBe(true);
  });
});

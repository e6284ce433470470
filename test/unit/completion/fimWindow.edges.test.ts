// Edges of the FIM window choice that the mutation run (issue 24, docs/mutation.md) showed untested:
// budgets met exactly, how far the cursor may move up before the anchor moves, CRLF line ends, long
// lines after the cursor, and a token counter that is not the character estimate. Most cases count
// one token per line (`perLine`) so that budgets read as line counts.
import { describe, expect, it } from "vitest";
import { estimateTokens, selectFimWindow } from "../../../src/core/completion/fimWindow.js";

const perLine = () => 1;
const perChar = (text: string) => text.length;
/** Lines "line 0" … "line n-1", each ending in "\n". */
const numbered = (n: number, eol = "\n") => Array.from({ length: n }, (_, i) => `line ${i}${eol}`).join("");
const lineStart = (text: string, line: number) => text.split("\n").slice(0, line).join("\n").length + (line > 0 ? 1 : 0);

describe("selectFimWindow edges", () => {
  it("estimates a token per three characters, rounding up", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("abc")).toBe(1);
    expect(estimateTokens("abcd")).toBe(2);
  });

  it("fills the prefix and suffix budgets exactly, not one line short", () => {
    const text = numbered(40);
    // A token a character: lines 10–39 cost 8 each. 64 tokens with a quarter left for typing: 6 lines.
    const w = selectFimWindow(text, lineStart(text, 20), { prefixTokens: 64, suffixTokens: 24 }, undefined, perChar);
    expect(w.prefixStartLine).toBe(14);
    expect(w.prefix).toBe("line 14\nline 15\nline 16\nline 17\nline 18\nline 19\n");
    expect(w.suffix).toBe("line 20\nline 21\nline 22\n");
  });

  it("keeps an anchor that exactly fills the budget", () => {
    const text = numbered(40);
    const w = selectFimWindow(text, lineStart(text, 30), { prefixTokens: 20, suffixTokens: 2 }, 11, perLine);
    expect(w.prefixStartLine).toBe(11);
    const over = selectFimWindow(text, lineStart(text, 30), { prefixTokens: 20, suffixTokens: 2 }, 10, perLine);
    expect(over.prefixStartLine).toBe(16);
  });

  it("keeps an anchor on the cursor line itself when there is little above it", () => {
    const text = numbered(4);
    const w = selectFimWindow(text, lineStart(text, 3) + 4, { prefixTokens: 20, suffixTokens: 2 }, 3, perLine);
    expect(w.prefixStartLine).toBe(3);
    expect(w.prefix).toBe("line");
  });

  it("drops an anchor below the cursor in a short file too", () => {
    const text = numbered(6);
    const w = selectFimWindow(text, lineStart(text, 2) + 4, { prefixTokens: 100, suffixTokens: 100 }, 4);
    expect(w.prefixStartLine).toBe(0);
    expect(w.prefix).toBe("line 0\nline 1\nline");
  });

  it("keeps the anchor when moving it back would add up to half the budget, re-cuts beyond", () => {
    const text = numbered(40);
    const budget = { prefixTokens: 20, suffixTokens: 2 };
    // From line 30 the whole budget reaches back to line 11.
    for (const anchor of [18, 21]) expect(selectFimWindow(text, lineStart(text, 30), budget, anchor, perLine).prefixStartLine).toBe(anchor);
    // Line 22 is 11 lines below line 11: more than half the budget. Re-cut with a quarter left.
    expect(selectFimWindow(text, lineStart(text, 30), budget, 22, perLine).prefixStartLine).toBe(16);
    expect(selectFimWindow(text, lineStart(text, 30), budget, 25, perLine).prefixStartLine).toBe(16);
  });

  it("starts the prefix at a line start when a token counter packs more than three characters a token", () => {
    const text = `${"const value = compute(input);\n".repeat(10)}return `;
    const w = selectFimWindow(text, text.length, { prefixTokens: 8, suffixTokens: 2 }, undefined, perLine);
    expect(w.prefixStartLine).toBe(5);
    expect(w.prefix).toBe(`${"const value = compute(input);\n".repeat(5)}return `);
  });

  it("cuts a suffix line longer than the budget (minified code) to the budget", () => {
    const minified = `${"var a=1;".repeat(400)}\nvar b=2;\n`;
    const w = selectFimWindow(minified, 100, { prefixTokens: 100, suffixTokens: 10 });
    expect(w.suffix).toBe(minified.slice(100, 130));
    expect(w.lineSuffix).toBe("var a=1;".repeat(400).slice(100));
  });

  it("leaves the line end out of the text right of the cursor, CRLF included", () => {
    const text = numbered(5, "\r\n");
    const w = selectFimWindow(text, lineStart(text, 2) + 5, { prefixTokens: 100, suffixTokens: 100 });
    expect(w.lineSuffix).toBe("2");
    expect(w.linePrefix).toBe("line ");
    expect(w.prefix + w.suffix).toBe(text);
  });
});
